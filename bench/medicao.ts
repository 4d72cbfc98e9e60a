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
  permissoesDaTarefa,
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

/**
 * Inicia o servidor de verdade em 127.0.0.1, porta 0, com `--json` e a saída
 * padrão acrescentada a `arquivo`; espera a linha de pronto na saída de erro.
 */
export async function iniciarServidor(
  args: string[],
  arquivo: string,
  perfil?: string,
): Promise<Escutando> {
  const processo = new Processo({
    args: [
      "run",
      ...permissoesDaTarefa("servidor"),
      ...(perfil ? ["--cpu-prof", `--cpu-prof-dir=${perfil}`] : []),
      SERVIDOR,
      "--host",
      "127.0.0.1",
      "--porta",
      "0",
      "--json",
      ...args,
    ],
    arquivoSaida: arquivo,
    limiteArquivos: LIMITE_ARQUIVOS,
  });
  const pronto = await processo.erros.esperar(
    /na porta (\d+)\. Aguardando conexões/,
    PRAZO_PRONTO_MS,
  );
  void processo.erros.drenar();
  return { processo, porta: Number(pronto[1]) };
}

/** Inicia uma linha de base de bench/linha_de_base/ e espera a porta. */
export async function iniciarBase(
  script: string,
  args: string[],
): Promise<Escutando> {
  const processo = new Processo({
    args: [
      "run",
      "--allow-net",
      caminho(`bench/linha_de_base/${script}`),
      ...args,
    ],
    limiteArquivos: LIMITE_ARQUIVOS,
  });
  const pronto = await processo.saida!.esperar(
    /pronto na porta (\d+)/,
    PRAZO_PRONTO_MS,
  );
  void processo.saida!.drenar();
  void processo.erros.drenar();
  return { processo, porta: Number(pronto[1]) };
}

/** Roda o gerador até o fim e devolve a linha JSON que ele relatou. */
export async function gerar(
  args: string[],
  prazoMs: number,
): Promise<Record<string, unknown>> {
  const processo = new Processo({
    args: ["run", "--allow-net", GERADOR, ...args],
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
): Promise<number> {
  const esperadas = mensagens + conexoes;
  const limite = Date.now() + 10_000;
  // Limitado pelo prazo: a saída chega logo depois da última confirmação.
  while (
    await contarLinhas(arquivo, ['"evento":"mensagem"', '"evento":"saiu"']) <
      esperadas && Date.now() < limite
  ) {
    await pausa(50);
  }
  const escritas = await contarLinhas(arquivo, ['"evento":"mensagem"']);
  await Deno.truncate(arquivo, 0);
  return escritas;
}
