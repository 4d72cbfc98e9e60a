/**
 * Espectadores do painel para o banco de medidas (cenário 11), num processo
 * `deno` próprio, como o gerador. Cada um abre `GET /eventos` por TCP cru no
 * painel do servidor medido:
 *
 * - `--leitores N`: leem e descartam tudo, contando os bytes; quando o
 *   servidor os desliga (não acompanharam), voltam como um navegador:
 *   `RECONECTAR_MS` depois, com `Last-Event-ID`;
 * - `--parados M`: leem só o começo da resposta (cabeçalhos e o evento
 *   `sessao`, para saber que estão ligados) e nunca mais leem.
 *
 * Relata linhas JSON na saída padrão: `{"fase":"pronto"}` quando todos estão
 * ligados; a cada `contar` na entrada padrão, os bytes lidos, as quedas e o
 * que o `/metricas` do painel diz dos espectadores; no fim de arquivo, fecha
 * tudo e sai.
 *
 * Uso: `espectadores.ts --porta P [--leitores N] [--parados M]`
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { parseArgs } from "node:util";
import { LeitorDeLinhas } from "../lib/cliente/linhas.ts";
import { RECONECTAR_MS } from "../lib/painel/difusao.ts";

const HOST = "127.0.0.1";
/** Prazo para todos ficarem ligados. */
const PRAZO_LIGAR_MS = 30_000;
/** Nenhum espectador vive mais que isto (o banco fecha antes). */
const VIDA_MAXIMA_MS = 30 * 60_000;

const codificador = new TextEncoder();

function relatar(dados: Record<string, unknown>): void {
  console.log(JSON.stringify(dados));
}

function pausa(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function pedido(porta: number, ultimoId: string | undefined): Uint8Array {
  return codificador.encode(
    `GET /eventos HTTP/1.1\r\nHost: ${HOST}:${porta}\r\n` +
      "Accept: text/event-stream\r\n" +
      (ultimoId ? `Last-Event-ID: ${ultimoId}\r\n` : "") + "\r\n",
  );
}

async function escreverTudo(conn: Deno.Conn, bytes: Uint8Array) {
  for (let feito = 0; feito < bytes.length;) {
    feito += await conn.write(bytes.subarray(feito));
  }
}

/** `id: ` em bytes. */
const ID = [0x69, 0x64, 0x3a, 0x20];

/**
 * O último `id: N` do pedaço, procurado do fim para o começo (o último
 * evento de um pedaço fica nas suas últimas centenas de bytes).
 */
function ultimoIdEm(pedaco: Uint8Array): string | undefined {
  for (let i = pedaco.length - ID.length; i >= 1; i--) {
    if (
      pedaco[i - 1] === 0x0a && pedaco[i] === ID[0] &&
      pedaco[i + 1] === ID[1] && pedaco[i + 2] === ID[2] &&
      pedaco[i + 3] === ID[3]
    ) {
      let fim = i + 4;
      while (
        fim < pedaco.length && pedaco[fim] >= 0x30 && pedaco[fim] <= 0x39
      ) {
        fim++;
      }
      if (fim === pedaco.length || pedaco[fim] !== 0x0a) return undefined;
      return new TextDecoder().decode(pedaco.subarray(i + 4, fim));
    }
  }
  return undefined;
}

/** Os números de todos os espectadores deste processo. */
const conta = { bytes: 0, quedas: 0, ligacoes: 0 };
const abertas = new Set<Deno.Conn>();
let parando = false;

/** Abre `/eventos` e espera o primeiro pedaço da resposta. */
async function abrir(
  porta: number,
  ultimoId: string | undefined,
  buffer: Uint8Array,
): Promise<{ conn: Deno.Conn; lidos: number } | undefined> {
  const conn = await Deno.connect({ hostname: HOST, port: porta });
  abertas.add(conn);
  await escreverTudo(conn, pedido(porta, ultimoId));
  const lidos = await conn.read(buffer);
  if (lidos === null) {
    fechar(conn);
    return undefined;
  }
  conta.ligacoes++;
  return { conn, lidos };
}

function fechar(conn: Deno.Conn) {
  if (!abertas.delete(conn)) return;
  try {
    conn.close();
  } catch {
    // já fechada
  }
}

/** Um leitor: lê até cair, volta depois de `RECONECTAR_MS`, até o fim. */
async function leitor(porta: number, ligado: () => void) {
  const buffer = new Uint8Array(256 * 1024);
  const fim = Date.now() + VIDA_MAXIMA_MS;
  let ultimoId: string | undefined;
  let primeira = true;
  // Limitado pelo fim do processo e pela vida máxima.
  while (!parando && Date.now() < fim) {
    let conn: Deno.Conn | undefined;
    try {
      const aberto = await abrir(porta, ultimoId, buffer);
      if (aberto) {
        conn = aberto.conn;
        conta.bytes += aberto.lidos;
        if (primeira) ligado();
        primeira = false;
        // Limitado pela conexão: termina quando o servidor a fecha.
        while (true) {
          const n = await conn.read(buffer);
          if (n === null) break;
          conta.bytes += n;
          ultimoId = ultimoIdEm(buffer.subarray(0, n)) ?? ultimoId;
        }
      }
    } catch {
      // desligado pelo servidor (ou fechado por nós no fim)
    }
    if (conn) fechar(conn);
    if (parando) break;
    conta.quedas++;
    await pausa(RECONECTAR_MS);
  }
}

/** Um parado: lê o começo da resposta e nunca mais. */
async function parado(porta: number) {
  const aberto = await abrir(porta, undefined, new Uint8Array(4096));
  if (!aberto) throw new Error("o painel fechou /eventos logo de início");
}

/** O que `/metricas` diz dos espectadores. */
async function metricas(porta: number): Promise<Record<string, number>> {
  const texto = await (await fetch(`http://${HOST}:${porta}/metricas`)).text();
  const valor = (nome: string) =>
    Number(new RegExp(`^${nome} (\\S+)$`, "m").exec(texto)?.[1] ?? NaN);
  return {
    espectadores: valor("sockets_espectadores"),
    desligados: valor("sockets_espectadores_desligados_total"),
    painelPendenteBytes: valor("sockets_painel_pendente_bytes"),
  };
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      porta: { type: "string" },
      leitores: { type: "string", default: "0" },
      parados: { type: "string", default: "0" },
    },
  });
  const porta = Number(values.porta);
  const leitores = Number(values.leitores);
  const parados = Number(values.parados);
  let ligados = 0;
  let todosLigados: () => void = () => {};
  const prontos = new Promise<void>((resolve) => todosLigados = resolve);
  const ligado = () => {
    if (++ligados === leitores) todosLigados();
  };
  if (leitores === 0) todosLigados();
  const tarefas = Array.from({ length: leitores }, () => leitor(porta, ligado));
  await Promise.all(Array.from({ length: parados }, () => parado(porta)));
  let prazo: ReturnType<typeof setTimeout> | undefined;
  const estouro = new Promise<"prazo">((resolve) => {
    prazo = setTimeout(() => resolve("prazo"), PRAZO_LIGAR_MS);
  });
  const ligou = await Promise.race([prontos, estouro]);
  clearTimeout(prazo);
  if (ligou === "prazo") {
    console.error(`só ${ligados} de ${leitores} leitores ligaram`);
    return 1;
  }
  relatar({ fase: "pronto", ...(await metricas(porta)) });
  const comandos = new LeitorDeLinhas(Deno.stdin.readable);
  // Limitado pela entrada: termina no fim de arquivo.
  while (await comandos.proxima() === "contar") {
    relatar({ fase: "contado", ...conta, ...(await metricas(porta)) });
  }
  parando = true;
  for (const conn of [...abertas]) fechar(conn);
  await Promise.all(tarefas);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
