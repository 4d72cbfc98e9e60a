/**
 * `promtool check metrics` (pacote Debian `prometheus`) para os testes.
 *
 * @module
 */

import assert from "node:assert/strict";

const PROMTOOL = "/usr/bin/promtool";

/** Roda `promtool check metrics` com `texto`; falha numa linha se ele falta. */
export async function conferirComPromtool(texto: string): Promise<void> {
  try {
    Deno.statSync(PROMTOOL);
  } catch {
    throw new Error(
      `falta ${PROMTOOL}: instale o pacote Debian "prometheus" (apt-get install prometheus)`,
    );
  }
  const filho = new Deno.Command(PROMTOOL, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const escritor = filho.stdin.getWriter();
  await escritor.write(new TextEncoder().encode(texto));
  await escritor.close();
  const { code, stdout, stderr } = await filho.output();
  const decodificar = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(
    code,
    0,
    `promtool recusou:\n${decodificar(stdout)}${decodificar(stderr)}\n${texto}`,
  );
}
