/**
 * Linha de base (a): o receptor TCP mínimo em Deno. Lê e descarta os mesmos
 * bytes que o servidor receberia, num buffer fixo do tamanho máximo de leitura
 * do servidor; quando o par fecha a escrita, responde um byte e fecha. É o teto
 * de qualquer servidor Deno nesta máquina.
 *
 * Uso: `deno run --allow-net receptor_cru.ts`; escreve a porta na saída padrão.
 *
 * @module
 */
// deno-lint-ignore-file no-console

/** O mesmo teto de leitura da `Conexao` do projeto. */
const LEITURA = 256 * 1024;

async function atender(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const buffer = new Uint8Array(LEITURA);
  try {
    while (await conn.read(buffer) !== null) {
      // Descarta.
    }
    await conn.write(Uint8Array.of(1));
  } catch {
    // O par foi embora: nada a fazer.
  } finally {
    conn.close();
  }
}

const ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`> pronto na porta ${ouvinte.addr.port}`);
for await (const conn of ouvinte) atender(conn);
