/**
 * Ctrl-C num terminal de verdade (tmux), pelas tarefas do deno.json, como o
 * README manda rodar. O terminal manda SIGINT ao grupo de processos inteiro e
 * o `deno task` repassa o seu ao filho: o programa pode ver dois ou três
 * SIGINTs de um Ctrl-C só, e às vezes vê um (o núcleo junta os que chegam
 * antes de o anterior ser atendido). Por isso cada caso roda várias vezes:
 * uma rodada só passaria por sorte. `SDR_CTRLC_RODADAS` muda quantas. Sem
 * tmux o teste falha dizendo o pacote a instalar.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  alvo,
  iniciarServidor,
  ParCru,
  PRAZO_TESTE_MS,
  type ServidorEmTeste,
} from "../ajudantes.ts";
import { temTmux, Tmux } from "./tmux.ts";
import { JANELA_DO_MESMO_CTRL_C_MS } from "../../lib/sinais.ts";
import { RetornoCliente, RetornoServidor } from "../../lib/retornos.ts";

const RAIZ = new URL("../../", import.meta.url).pathname;
const RODADAS = Number(Deno.env.get("SDR_CTRLC_RODADAS") ?? 10);
/** Rodadas ao mesmo tempo (cada uma na sua janela do tmux). */
const SIMULTANEAS = 5;

/**
 * Um tmux com uma sessão parada (`cat`), onde cada rodada abre as suas
 * janelas; uma janela cujo processo morre fica aberta, para a tela ser lida.
 */
async function abrirTmux(): Promise<Tmux> {
  assert.ok(
    temTmux(),
    "tmux não encontrado: instale o pacote Debian tmux (apt-get install tmux)",
  );
  const tmux = new Tmux();
  await tmux.rodar(
    "new-session",
    "-d",
    "-s",
    "sdr",
    "-x",
    "160",
    "-y",
    "50",
    "cat",
    ";",
    "set-window-option",
    "-g",
    "remain-on-exit",
    "on",
  );
  return tmux;
}

/** Aspas de shell para um argumento. */
function citar(texto: string): string {
  return `'${texto.replaceAll("'", `'\\''`)}'`;
}

/**
 * Roda `deno task <tarefa> <args>` numa janela nova e escreve `FIM:<código>`
 * quando ele termina. O bash (não interativo, sem controle de jobs) deixa o
 * `deno task` no grupo de processos da frente do terminal, como quando uma
 * pessoa o roda, e sobrevive ao Ctrl-C: só se mata quando o filho morre pelo
 * SIGINT, e o `deno task` devolve um código. O código vem do bash, não do
 * tmux, e o painel fica vivo depois (`exec cat`) até o tmux ser derrubado:
 * quando o processo do painel sai, o tmux 3.3 às vezes perde as últimas
 * linhas ou demora a recolhê-lo. Devolve o alvo da janela.
 */
async function tarefaNaJanela(
  tmux: Tmux,
  janela: string,
  tarefa: "servidor" | "cliente",
  args: string[],
): Promise<string> {
  const comando = [Deno.execPath(), "task", tarefa, ...args].map(citar)
    .join(" ");
  await tmux.rodar(
    "new-window",
    "-d",
    "-t",
    "sdr",
    "-n",
    janela,
    "-c",
    RAIZ,
    "-e",
    "NO_COLOR=1",
    "bash",
    "-c",
    // O código também vai para um arquivo: o tmux às vezes demora (ou deixa)
    // de mostrar a última linha de um painel, e o fim não pode depender dela.
    `${comando}; c=$?; echo FIM:$c; echo $c > ${
      citar(arquivoDoFim(janela))
    }; exec cat`,
  );
  return `sdr:${janela}`;
}

/** Onde a janela deixa o código de saída do `deno task`. */
const PASTA_DOS_FINS = Deno.makeTempDirSync({ prefix: "sdr-ctrlc-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(PASTA_DOS_FINS, { recursive: true }),
);
function arquivoDoFim(janela: string): string {
  return `${PASTA_DOS_FINS}/${janela}.fim`;
}

/** Espera (com prazo) o programa da janela terminar; o código e a tela. */
async function fim(
  tmux: Tmux,
  janela: string,
): Promise<{ codigo: number; tela: string }> {
  const arquivo = arquivoDoFim(janela.replace(/^sdr:/, ""));
  const limite = Date.now() + PRAZO_TESTE_MS;
  while (Date.now() < limite) {
    const texto = await Deno.readTextFile(arquivo).catch(() => "");
    if (texto.endsWith("\n")) {
      // A tela tem um instante para mostrar o fim; o código já é certo.
      let tela = await tmux.tela(janela);
      for (let i = 0; i < 40 && !/FIM:\d+$/m.test(tela); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        tela = await tmux.tela(janela);
      }
      return { codigo: Number(texto.trim()), tela };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `o programa da janela ${janela} não terminou; tela:\n${await tmux.tela(
      janela,
    )}`,
  );
}

/**
 * Roda `rodada(i)` para i de 0 a RODADAS-1, SIMULTANEAS por vez, e junta as
 * falhas: o teste diz quantas rodadas de quantas falharam, e a primeira.
 */
async function emRodadas(
  rodada: (i: number) => Promise<void>,
): Promise<void> {
  const falhas: string[] = [];
  for (let inicio = 0; inicio < RODADAS; inicio += SIMULTANEAS) {
    const lote = [];
    for (let i = inicio; i < Math.min(RODADAS, inicio + SIMULTANEAS); i++) {
      lote.push(
        rodada(i).catch((erro: Error) => {
          falhas.push(`rodada ${i}: ${erro.message}`);
        }),
      );
    }
    await Promise.all(lote);
  }
  assert.equal(
    falhas.length,
    0,
    `${falhas.length} de ${RODADAS} rodadas falharam; a primeira:\n${
      falhas[0]
    }`,
  );
}

/** O código da janela, com a tela na mensagem se não for o esperado. */
function conferir(
  resultado: { codigo: number; tela: string },
  codigo: number,
  padroes: RegExp[],
): void {
  const explicacao = `tela:\n${resultado.tela.trimEnd()}`;
  assert.equal(resultado.codigo, codigo, explicacao);
  for (const padrao of padroes) {
    assert.match(resultado.tela, padrao, explicacao);
  }
}

Deno.test(`deno task servidor: um Ctrl-C é sempre o encerramento cortês (${RODADAS} rodadas)`, async () => {
  const tmux = await abrirTmux();
  try {
    await emRodadas(async (i) => {
      const servidor = await tarefaNaJanela(tmux, `s${i}`, "servidor", [
        "--host",
        "127.0.0.1",
        "--porta",
        "0",
      ]);
      const pronto = await tmux.esperar(
        servidor,
        /na porta (\d+)\. Aguardando/,
      );
      const cliente = await tarefaNaJanela(tmux, `c${i}`, "cliente", [
        "--host",
        "127.0.0.1",
        "--porta",
        pronto[1],
      ]);
      await tmux.esperar(cliente, /^>>> ?$/m);
      await tmux.esperar(servidor, /conectou-se/);
      await tmux.rodar("send-keys", "-t", servidor, "C-c");
      conferir(await fim(tmux, servidor), RetornoServidor.OK, [
        /Sinal SIGINT recebido: encerrando; avisando 1 cliente com CODIGO_SAIDA/,
        /Servidor encerrado: 1 cliente atendido, 0 mensagens recebidas/,
      ]);
      conferir(await fim(tmux, cliente), RetornoCliente.SERVIDOR_ENCERROU, [
        /o servidor encerrou a sessão \(CODIGO_SAIDA\)/,
      ]);
    });
  } finally {
    await tmux.encerrar();
  }
});

/**
 * Uma rodada do cliente: servidor próprio (fora do tmux), cliente no tmux;
 * `preparar` leva o cliente até o ponto do Ctrl-C. Confere o código e a tela
 * do cliente e que o servidor o viu sair com CODIGO_SAIDA.
 */
async function rodadaDoCliente(
  tmux: Tmux,
  janela: string,
  args: string[],
  preparar: (cliente: string, servidor: ServidorEmTeste) => Promise<void>,
  padroes: RegExp[],
): Promise<void> {
  await using servidor = await iniciarServidor();
  const cliente = await tarefaNaJanela(tmux, janela, "cliente", [
    ...alvo(servidor),
    ...args,
  ]);
  await preparar(cliente, servidor);
  await tmux.rodar("send-keys", "-t", cliente, "C-c");
  conferir(await fim(tmux, cliente), RetornoCliente.OK, padroes);
  await servidor.saida.esperar(/saiu \(CODIGO_SAIDA\)/);
}

Deno.test(`deno task cliente: um Ctrl-C no menu, em TEXTO: e em --linhas é sempre a saída cortês (${RODADAS} rodadas de cada)`, async () => {
  const tmux = await abrirTmux();
  try {
    await emRodadas(async (i) => {
      await rodadaDoCliente(
        tmux,
        `menu${i}`,
        [],
        async (cliente) => void await tmux.esperar(cliente, /^>>> ?$/m),
        [/Conexão encerrada com CODIGO_SAIDA\. Até logo!/],
      );
      await rodadaDoCliente(
        tmux,
        `texto${i}`,
        [],
        async (cliente) => {
          await tmux.esperar(cliente, /^>>> ?$/m);
          await tmux.rodar("send-keys", "-t", cliente, "1", "Enter");
          await tmux.esperar(cliente, /^> ASSUNTO: ?$/m);
          await tmux.rodar("send-keys", "-t", cliente, "assunto", "Enter");
          await tmux.esperar(cliente, /^> TEXTO: ?$/m);
        },
        [
          /Entrada encerrada: mensagem não enviada\./,
          /Conexão encerrada com CODIGO_SAIDA\. Até logo!/,
        ],
      );
      await rodadaDoCliente(
        tmux,
        `linhas${i}`,
        ["--assunto", "lote", "--linhas", "--verbose"],
        async (cliente, servidor) => {
          await tmux.rodar("send-keys", "-t", cliente, "um", "Enter");
          await tmux.rodar("send-keys", "-t", cliente, "dois", "Enter");
          await servidor.saida.esperar(/TEXTO:\n {2}dois\n/);
        },
        [/cliente: 2 de 2 mensagens entregues/],
      );
    });
  } finally {
    await tmux.encerrar();
  }
});

Deno.test("deno task servidor: um segundo Ctrl-C de propósito, depois da janela, força a saída (130)", async () => {
  const tmux = await abrirTmux();
  try {
    const servidor = await tarefaNaJanela(tmux, "s", "servidor", [
      "--host",
      "127.0.0.1",
      "--porta",
      "0",
    ]);
    const pronto = await tmux.esperar(servidor, /na porta (\d+)\. Aguardando/);
    // Um par que não responde ao CODIGO_SAIDA: o servidor fica esperando
    // (até 2 s), e é aí que alguém aperta Ctrl-C de novo.
    using par = await ParCru.conectar({
      host: "127.0.0.1",
      porta: Number(pronto[1]),
    });
    await par.saudar();
    await tmux.rodar("send-keys", "-t", servidor, "C-c");
    await tmux.esperar(servidor, /Sinal SIGINT recebido: encerrando/);
    await new Promise((resolve) =>
      setTimeout(resolve, JANELA_DO_MESMO_CTRL_C_MS + 100)
    );
    await tmux.rodar("send-keys", "-t", servidor, "C-c");
    const resultado = await fim(tmux, servidor);
    conferir(resultado, RetornoServidor.FORCADO, []);
    assert.doesNotMatch(resultado.tela, /Servidor encerrado/);
  } finally {
    await tmux.encerrar();
  }
});
