/**
 * Linha de base (e): o piso de quem grava. O receptor TCP cru (a) que, para
 * cada quadro de `--quadro` bytes recebido, escreve na saída padrão (um
 * arquivo, como a do servidor no banco) uma linha de `--linha` bytes, em
 * escritas síncronas grandes, como o servidor faz num arquivo comum. Sem
 * enquadramento, confirmação nem formatação: só ler o socket e copiar as
 * linhas para o arquivo, o trabalho do núcleo do sistema que qualquer
 * servidor que grava paga. Quando o par fecha a escrita, responde um byte e
 * fecha, como o receptor cru.
 *
 * Uso: `deno run --allow-net gravador_cru.ts --quadro Q --linha L`, com a
 * saída padrão num arquivo; escreve a porta na saída de erro.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { parseArgs } from "node:util";

/** O mesmo teto de leitura da `Conexao` do projeto. */
const LEITURA = 256 * 1024;
/** Linhas prontas num bloco: cada escrita leva até este tanto. */
const LINHAS_POR_BLOCO = 1024;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quadro: { type: "string" },
    linha: { type: "string" },
  },
});
const QUADRO = Number(values.quadro);
const LINHA = Number(values.linha);
if (!(QUADRO > 0 && LINHA > 1)) {
  throw new Error("uso: gravador_cru.ts --quadro Q --linha L");
}

const BLOCO = new Uint8Array(LINHA * LINHAS_POR_BLOCO).fill(0x78);
for (let i = LINHA - 1; i < BLOCO.length; i += LINHA) BLOCO[i] = 0x0a;

/** Escreve `linhas` linhas na saída, em blocos. */
function gravar(linhas: number): void {
  while (linhas > 0) {
    const vez = Math.min(linhas, LINHAS_POR_BLOCO);
    let bytes = BLOCO.subarray(0, vez * LINHA);
    while (bytes.length > 0) {
      bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
    }
    linhas -= vez;
  }
}

async function atender(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const buffer = new Uint8Array(LEITURA);
  let sobra = 0; // bytes de um quadro que atravessa leituras
  try {
    for (
      let n = await conn.read(buffer);
      n !== null;
      n = await conn.read(buffer)
    ) {
      sobra += n;
      gravar(Math.floor(sobra / QUADRO));
      sobra %= QUADRO;
    }
    await conn.write(Uint8Array.of(1));
  } catch {
    // O par foi embora: nada a fazer.
  } finally {
    conn.close();
  }
}

const ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.error(`> pronto na porta ${ouvinte.addr.port}`);
for await (const conn of ouvinte) atender(conn);
