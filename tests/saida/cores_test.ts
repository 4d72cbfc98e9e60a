/**
 * Testes de lib/saida/cores.ts: cores só num terminal e sem NO_COLOR.
 *
 * @module
 */
import assert from "node:assert/strict";
import { coresPara } from "../../lib/saida/cores.ts";

Deno.test("coresPara: nada de ANSI fora de um terminal; no terminal, só sem NO_COLOR", () => {
  const semTerminal = coresPara({ isTerminal: () => false });
  for (const estilo of ["negrito", "realce", "fraco", "erro"] as const) {
    assert.equal(semTerminal[estilo]("x"), "x");
  }
  const terminal = coresPara({ isTerminal: () => true });
  if (Deno.noColor) assert.equal(terminal.negrito("x"), "x");
  else {
    assert.equal(terminal.negrito("x"), "\x1b[1mx\x1b[22m");
    assert.equal(terminal.erro("x"), "\x1b[31mx\x1b[39m");
  }
});
