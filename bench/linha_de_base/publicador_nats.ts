/**
 * Linha de base (f): um publicador mínimo do protocolo de texto do NATS, para
 * medir o CPU do `nats-server` por publicação ao lado do nosso servidor
 * (cenário 6). Cada conexão manda `CONNECT {"verbose":false,"pedantic":false}`
 * e depois lotes de ~256 KiB de `PUB assunto 100\r\n<100 bytes>\r\n` em
 * sequência, sem esperar nada, até o prazo; no fim, `PING`, e a conexão acaba
 * quando o `PONG` chega: o servidor processou tudo o que veio antes.
 *
 * Uso: `deno run --allow-net publicador_nats.ts --porta P --conexoes N
 * --tamanho 100 --duracao MS`; escreve o resultado como uma linha JSON.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    porta: { type: "string" },
    conexoes: { type: "string", default: "8" },
    tamanho: { type: "string", default: "100" },
    duracao: { type: "string", default: "1000" },
  },
});
const texto = new TextEncoder();
const tamanho = Number(values.tamanho);
const PUB = texto.encode(
  `PUB bench.nats ${tamanho}\r\n${"x".repeat(tamanho)}\r\n`,
);
const porLote = Math.max(1, Math.floor(256 * 1024 / PUB.length));
const LOTE = new Uint8Array(PUB.length * porLote);
for (let i = 0; i < porLote; i++) LOTE.set(PUB, i * PUB.length);
const CONNECT = texto.encode(
  'CONNECT {"verbose":false,"pedantic":false}\r\n',
);
const PING = texto.encode("PING\r\n");
/** Prazo para o PONG final. */
const PRAZO_MS = 60_000;

async function escrever(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let escritos = 0;
  while (escritos < bytes.length) {
    escritos += await conn.write(bytes.subarray(escritos));
  }
}

/** Lê até achar `PONG` (o INFO do começo é descartado); `-ERR` é falha. */
async function esperarPong(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(4096);
  let visto = "";
  const limite = Date.now() + PRAZO_MS;
  // Limitado pelo prazo (e pelo fim da conexão).
  while (Date.now() < limite) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`o nats-server fechou: ${visto}`);
    visto = (visto + new TextDecoder().decode(buffer.subarray(0, n))).slice(
      -4096,
    );
    if (visto.includes("-ERR")) throw new Error(`o nats-server: ${visto}`);
    if (visto.includes("PONG\r\n")) return;
  }
  throw new Error("sem PONG no prazo");
}

async function publicar(porta: number, limite: number): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: porta });
  try {
    conn.setNoDelay(true);
    await escrever(conn, CONNECT);
    let enviadas = 0;
    // Limitado pelo relógio.
    while (performance.now() < limite) {
      await escrever(conn, LOTE);
      enviadas += porLote;
    }
    await escrever(conn, PING);
    await esperarPong(conn);
    return enviadas;
  } finally {
    conn.close();
  }
}

const inicio = performance.now();
const limite = inicio + Number(values.duracao);
const porConexao = await Promise.all(
  Array.from(
    { length: Number(values.conexoes) },
    () => publicar(Number(values.porta), limite),
  ),
);
const mensagens = porConexao.reduce((a, b) => a + b, 0);
console.log(JSON.stringify({
  modo: "nats",
  conexoes: porConexao.length,
  mensagens,
  bytesQuadros: mensagens * PUB.length,
  ms: performance.now() - inicio,
}));
