/**
 * Testes de lib/saida/endereco.ts: endereço e porta como as pessoas escrevem,
 * com o IPv6 entre colchetes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { comPorta } from "../../lib/saida/endereco.ts";

Deno.test("comPorta põe o IPv6 entre colchetes e deixa o resto como está", () => {
  assert.equal(comPorta("::1", 39152), "[::1]:39152");
  assert.equal(comPorta("fe80::1%lo", 1), "[fe80::1%lo]:1");
  assert.equal(comPorta("127.0.0.1", 39152), "127.0.0.1:39152");
  assert.equal(comPorta("srv.exemplo", 5000), "srv.exemplo:5000");
});
