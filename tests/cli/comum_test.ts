/**
 * Testes de lib/cli/comum.ts: a versão e as opções que os dois programas
 * compartilham.
 *
 * @module
 */

import assert from "node:assert/strict";
import { OPCOES_COMUNS, VERSAO_PROGRAMA } from "../../lib/cli/comum.ts";

Deno.test("a versão e a forma curta de --ajuda", () => {
  assert.match(VERSAO_PROGRAMA, /^\d+\.\d+\.\d+$/);
  assert.equal(OPCOES_COMUNS.ajuda.curta, "h");
});
