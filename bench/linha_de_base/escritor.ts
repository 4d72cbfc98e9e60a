/**
 * Linha de base do cenário 6: o custo de só gravar as linhas do log. Escreve
 * num arquivo comum, por `writeSync` em lotes de 512 KiB (como a saída do
 * servidor), `--linhas` linhas de `--bytes` bytes cada, e diz o tempo de CPU
 * do processo gasto nisso (usuário + sistema, de `process.cpuUsage`). O
 * nats-server não grava nada; esta é a parte do CPU do nosso servidor que
 * nenhum código nosso pode tirar.
 *
 * Uso: `deno run --allow-write=F escritor.ts --arquivo F --linhas L --bytes B`;
 * escreve `{"cpuNs":…,"linhas":L,"bytes":…}` na saída padrão.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";

const LOTE = 512 * 1024;

const { values } = parseArgs({
  options: {
    arquivo: { type: "string" },
    linhas: { type: "string" },
    bytes: { type: "string" },
  },
});
const linhas = Number(values.linhas);
const porLinha = Number(values.bytes);
const total = linhas * porLinha;
const lote = new Uint8Array(LOTE).fill(0x78);
for (let i = porLinha - 1; i < LOTE; i += porLinha) lote[i] = 0x0a;
const arquivo = Deno.openSync(values.arquivo!, {
  write: true,
  create: true,
  truncate: true,
});
const antes = cpuUsage();
for (let escritos = 0; escritos < total;) {
  const n = Math.min(LOTE, total - escritos);
  escritos += arquivo.writeSync(lote.subarray(0, n));
}
const gasto = cpuUsage(antes);
arquivo.close();
Deno.removeSync(values.arquivo!);
console.log(JSON.stringify({
  cpuNs: (gasto.user + gasto.system) * 1000,
  linhas,
  bytes: total,
}));
