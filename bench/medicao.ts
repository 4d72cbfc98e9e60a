/**
 * As peças que todo cenário do banco usa: iniciar o `servidor.ts` de verdade
 * e as linhas de base (bench/linha_de_base/), rodar o gerador de carga
 * (bench/gerador.ts) num processo à parte e conferir no arquivo de saída do
 * servidor que cada mensagem confirmada foi escrita.
 *
 * @module
 */

import { codificarMensagem } from "../lib/protocolo/codificador.ts";
import { LIMITE_ARQUIVOS, PRAZO_PRONTO_MS } from "./configuracao.ts";
import {
  caminho,
  contarLinhas,
  existe,
  opcoesDaTarefa,
  Processo,
} from "./processos.ts";

export const GERADOR = caminho("bench/gerador.ts");
export const SERVIDOR = caminho("servidor.ts");
export const CLIENTE = caminho("cliente.ts");

/** Onde ficam os arquivos de saída do servidor, quando existe: em memória. */
export const PASTA_EM_MEMORIA = "/dev/shm";

/**
 * Pasta dos arquivos temporários: em memória (tmpfs) quando há, para que o
 * disco desta máquina (e a escrita de páginas sujas, que usa os mesmos dois
 * núcleos) não entre na medida do servidor; senão, a pasta temporária comum.
 */
export async function pastaTemporaria(): Promise<string> {
  const prefix = "sockets-bench-";
  try {
    return await Deno.makeTempDir({ dir: PASTA_EM_MEMORIA, prefix });
  } catch {
    return await Deno.makeTempDir({ prefix });
  }
}

export function pausa(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function tamanhoDoQuadro(
  bytes: { assunto: number; texto: number },
): number {
  return codificarMensagem({
    numero: 1,
    instante: 0,
    fuso: 0,
    assunto: "a".repeat(bytes.assunto),
    texto: "x".repeat(bytes.texto),
  }).length;
}

/** Um processo pronto e a porta em que escuta. */
export interface Escutando {
  processo: Processo;
  porta: number;
}

/** Como reconhecer, no arquivo de saída do servidor, mensagens e despedidas. */
export interface Formato {
  /** Aparece uma vez por mensagem escrita. */
  mensagem: string;
  /** Aparece uma vez por cliente que saiu com CODIGO_SAIDA. */
  saiu: string;
}

/** A saída `--json`: um objeto por linha. */
export const JSON_POR_LINHA: Formato = {
  mensagem: '"evento":"mensagem"',
  saiu: '"evento":"saiu"',
};

/** A saída padrão, para pessoas: a linha do título de cada bloco. */
export const LEGIVEL: Formato = {
  mensagem: "> MENSAGEM #",
  saiu: "saiu (CODIGO_SAIDA)",
};

const PRONTO = /na porta (\d+)\. Aguardando conexões/;

export interface OpcoesServidor {
  /** Pasta do perfil de CPU (`--cpu-prof`). */
  perfil?: string;
  /** A saída padrão para pessoas em vez de `--json`. */
  legivel?: boolean;
  /** A porta (padrão 0: o sistema escolhe); o cenário 13 reinicia na mesma. */
  porta?: number;
}

/**
 * Inicia o servidor de verdade em 127.0.0.1, porta 0 (ou `opcoes.porta`), com `--json` (ou, com
 * `legivel`, a saída para pessoas) e a saída padrão acrescentada a `arquivo`;
 * espera a linha de pronto (na saída de erro com `--json`; no arquivo sem).
 */
export async function iniciarServidor(
  args: string[],
  arquivo: string,
  opcoes: OpcoesServidor = {},
): Promise<Escutando> {
  const processo = new Processo({
    args: [
      "run",
      ...opcoesDaTarefa("servidor"),
      ...(opcoes.perfil
        ? ["--cpu-prof", `--cpu-prof-dir=${opcoes.perfil}`]
        : []),
      SERVIDOR,
      "--host",
      "127.0.0.1",
      "--porta",
      String(opcoes.porta ?? 0),
      ...(opcoes.legivel ? [] : ["--json"]),
      ...args,
    ],
    arquivoSaida: arquivo,
    limiteArquivos: LIMITE_ARQUIVOS,
  });
  if (opcoes.legivel) {
    void processo.erros.drenar();
    const porta = await esperarNoArquivo(arquivo, PRONTO, processo);
    await Deno.truncate(arquivo, 0);
    return { processo, porta };
  }
  const pronto = await processo.erros.esperar(PRONTO, PRAZO_PRONTO_MS);
  void processo.erros.drenar();
  return { processo, porta: Number(pronto[1]) };
}

/** Sonda `arquivo` até `padrao` aparecer (dentro do prazo de pronto). */
async function esperarNoArquivo(
  arquivo: string,
  padrao: RegExp,
  processo: Processo,
): Promise<number> {
  const limite = Date.now() + PRAZO_PRONTO_MS;
  // Limitado pelo prazo.
  while (Date.now() < limite) {
    const casou = padrao.exec(
      await Deno.readTextFile(arquivo).catch(() => ""),
    );
    if (casou) return Number(casou[1]);
    if (await processo.esperarFim(20)) break;
  }
  throw new Error(
    `o servidor não escreveu ${padrao} em ${arquivo}: ${processo.erros.texto}`,
  );
}

/**
 * Inicia o `nats-server` em 127.0.0.1, porta efêmera (`-p -1`); espera a
 * linha em que ele diz a porta. `programa` vem de `acharNats`; `extras`, por
 * exemplo `-js -sd PASTA` (JetStream).
 */
export async function iniciarNats(
  programa: string,
  extras: string[] = [],
): Promise<Escutando> {
  const processo = new Processo({
    programa,
    args: ["-a", "127.0.0.1", "-p", "-1", ...extras],
    limiteArquivos: LIMITE_ARQUIVOS,
  });
  void processo.saida!.drenar();
  const pronto = await processo.erros.esperar(
    /Listening for client connections on 127\.0\.0\.1:(\d+)/,
    PRAZO_PRONTO_MS,
  );
  void processo.erros.drenar();
  return { processo, porta: Number(pronto[1]) };
}

/** Onde o pacote Debian `nats-server` põe o programa (ou o PATH). */
export async function acharNats(): Promise<string | undefined> {
  for (const caminho of ["/usr/sbin/nats-server", "/usr/bin/nats-server"]) {
    if (await Deno.stat(caminho).then((i) => i.isFile, () => false)) {
      return caminho;
    }
  }
  return await existe("nats-server") ? "nats-server" : undefined;
}

/**
 * Inicia uma linha de base de bench/linha_de_base/ e espera a porta. Com
 * `arquivoSaida`, a saída padrão dela vai para o arquivo, e a porta vem pela
 * saída de erro.
 */
export async function iniciarBase(
  script: string,
  args: string[],
  arquivoSaida?: string,
): Promise<Escutando> {
  const processo = new Processo({
    args: [
      "run",
      "--allow-net",
      caminho(`bench/linha_de_base/${script}`),
      ...args,
    ],
    limiteArquivos: LIMITE_ARQUIVOS,
    ...(arquivoSaida ? { arquivoSaida } : {}),
  });
  const avisos = arquivoSaida ? processo.erros : processo.saida!;
  const pronto = await avisos.esperar(/pronto na porta (\d+)/, PRAZO_PRONTO_MS);
  void processo.saida?.drenar();
  void processo.erros.drenar();
  return { processo, porta: Number(pronto[1]) };
}

/**
 * Roda o gerador (ou outro `script` de carga) até o fim e devolve a linha
 * JSON que ele relatou. `leitura`: arquivos que ele pode ler (a CA do TLS, a
 * saída do servidor).
 */
export async function gerar(
  args: string[],
  prazoMs: number,
  leitura: string[] = [],
  script: string = GERADOR,
): Promise<Record<string, unknown>> {
  const processo = new Processo({
    args: [
      "run",
      "--allow-net",
      ...(leitura.length ? [`--allow-read=${leitura.join(",")}`] : []),
      script,
      ...args,
    ],
    limiteArquivos: LIMITE_ARQUIVOS,
  });
  const erros = processo.erros.drenar();
  try {
    const linha = await processo.saida!.proxima(prazoMs);
    const status = await processo.esperarFim(prazoMs) ??
      await processo.parar("SIGKILL");
    await erros;
    if (!status.success || linha === null) {
      throw new Error(
        `o gerador (${
          args[0]
        }) saiu com ${status.code}: ${processo.erros.texto}`,
      );
    }
    return JSON.parse(linha);
  } finally {
    await processo.parar("SIGKILL", 1000);
  }
}

/**
 * Espera o servidor ter escrito as `mensagens` e as `conexoes` despedidas no
 * arquivo (sondando com `grep -c`, por no máximo 10 s), conta as mensagens
 * escritas e esvazia o arquivo para a próxima execução.
 */
export async function conferirSaida(
  arquivo: string,
  mensagens: number,
  conexoes: number,
  formato: Formato = JSON_POR_LINHA,
): Promise<number> {
  const esperadas = mensagens + conexoes;
  const limite = Date.now() + 10_000;
  // Limitado pelo prazo: a saída chega logo depois da última confirmação.
  while (
    await contarLinhas(arquivo, [formato.mensagem, formato.saiu]) <
      esperadas && Date.now() < limite
  ) {
    await pausa(50);
  }
  const escritas = await contarLinhas(arquivo, [formato.mensagem]);
  await Deno.truncate(arquivo, 0);
  return escritas;
}
