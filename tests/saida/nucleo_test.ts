/**
 * Teste do núcleo da passagem (lib/saida/nucleo/): o binário gravado em
 * binario.ts é o que a fonte em AssemblyScript compila hoje, com o
 * compilador fixado em scripts/nucleo.ts. Quem muda a fonte e esquece
 * `deno task nucleo` fica sabendo aqui.
 *
 * @module
 */
import assert from "node:assert/strict";
import { compilarNucleo, moduloDoBinario } from "../../scripts/nucleo.ts";

Deno.test("núcleo: lib/saida/nucleo/binario.ts é a compilação da fonte (deno task nucleo)", async () => {
  const binario = await compilarNucleo();
  const gravado = await Deno.readTextFile(
    new URL("../../lib/saida/nucleo/binario.ts", import.meta.url),
  );
  assert.ok(
    gravado === moduloDoBinario(binario),
    "binario.ts está desatualizado: rode `deno task nucleo`",
  );
});
