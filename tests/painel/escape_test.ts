/**
 * O escape da página (`lib/painel/pagina/escape.js`) é o mesmo do terminal
 * (`escapar` de `lib/saida/escape.ts`), caractere a caractere.
 */

import assert from "node:assert/strict";
import { escapar, segmentar } from "../../lib/painel/pagina/escape.js";
import { escapar as escaparNoTerminal } from "../../lib/saida/escape.ts";

Deno.test("escape da página coincide com o do terminal em todo o BMP", () => {
  for (let codigo = 0; codigo < 0x10000; codigo++) {
    if (codigo >= 0xd800 && codigo < 0xe000) continue;
    const c = String.fromCharCode(codigo);
    const texto = `a${c}b`;
    assert.equal(escapar(texto), escaparNoTerminal(texto), `U+${codigo}`);
  }
});

Deno.test("segmentar separa os escapes para destacá-los", () => {
  assert.deepEqual(segmentar("oi\u202Eevil\\"), [
    ["oi", false],
    ["\\u{202E}", true],
    ["evil", false],
    ["\\\\", true],
  ]);
  assert.deepEqual(segmentar("<b>\nlinha</b>"), [["<b>\nlinha</b>", false]]);
  assert.deepEqual(segmentar(""), []);
});
