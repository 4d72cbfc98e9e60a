/**
 * Linha de base (e): conexões curtas em TCP cru com Deno. Aceita, lê um
 * quadro pelo prefixo de comprimento (sem decodificar o corpo), responde 9
 * bytes (o tamanho de uma CONFIRMACAO) e fecha. É o piso das sessões de uma
 * mensagem do cenário 9.
 *
 * Uso: `deno run --allow-net aceitador.ts`; escreve a porta na saída padrão.
 *
 * @module
 */
// deno-lint-ignore-file no-console

/** Cabeçalho do quadro: 4 bytes de comprimento e 1 de tipo. */
const CABECALHO = 5;
const RESPOSTA = new Uint8Array(9);

async function atender(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const buffer = new Uint8Array(4096);
  let lidos = 0;
  try {
    // Até o quadro inteiro: cabeçalho + o comprimento que ele declara.
    while (
      lidos < CABECALHO ||
      lidos < CABECALHO + new DataView(buffer.buffer).getUint32(0)
    ) {
      const n = await conn.read(buffer.subarray(lidos));
      if (n === null) return;
      lidos += n;
    }
    await conn.write(RESPOSTA);
  } catch {
    // O par foi embora: nada a fazer.
  } finally {
    conn.close();
  }
}

const ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`> pronto na porta ${ouvinte.addr.port}`);
for await (const conn of ouvinte) atender(conn);
