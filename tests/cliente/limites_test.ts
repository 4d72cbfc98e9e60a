/**
 * Testes de lib/cliente/limites.ts: a frase de uma mensagem que não cabe, no
 * limite do servidor ou no do campo assunto, com a concordância certa.
 *
 * @module
 */

import assert from "node:assert/strict";
import { motivoDoExcesso } from "../../lib/cliente/limites.ts";

Deno.test("motivoDoExcesso diz qual limite e por quantos bytes", () => {
  assert.equal(
    motivoDoExcesso("Aviso", "x".repeat(20), 16),
    "9 bytes acima do limite de 16 bytes do servidor",
  );
  assert.equal(
    motivoDoExcesso("a", "x".repeat(16), 16),
    "1 byte acima do limite de 16 bytes do servidor",
  );
  assert.equal(
    motivoDoExcesso("a", "x".repeat(16), 16, true),
    "assunto + texto têm 17 bytes, 1 byte acima do limite de 16 bytes do servidor",
  );
  assert.equal(
    motivoDoExcesso("a".repeat(70_000), "", 200_000),
    "o assunto tem 70000 bytes, 4465 bytes acima do máximo de 65535 bytes que o protocolo permite num assunto",
  );
});
