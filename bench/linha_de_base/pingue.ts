/**
 * Linha de base (d): pingue-pongue em TCP cru com Deno. A cada `--tamanho`
 * bytes recebidos (um quadro MENSAGEM do gerador), responde 9 bytes (o tamanho
 * de uma CONFIRMACAO), sem decodificar nada. O p99 da ida e volta é o piso de
 * latência do cenário 3.
 *
 * Uso: `deno run --allow-net pingue.ts --tamanho 121`; escreve a porta na
 * saída padrão.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { tamanho: { type: "string", default: "121" } },
});
const tamanho = Number(values.tamanho);
const RESPOSTA = new Uint8Array(9);

async function atender(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const buffer = new Uint8Array(64 * 1024);
  let acumulado = 0;
  try {
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      acumulado += n;
      while (acumulado >= tamanho) {
        acumulado -= tamanho;
        await conn.write(RESPOSTA);
      }
    }
  } catch {
    // O par foi embora: nada a fazer.
  } finally {
    conn.close();
  }
}

const ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`> pronto na porta ${ouvinte.addr.port}`);
for await (const conn of ouvinte) atender(conn);
