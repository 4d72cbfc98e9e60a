/** O anel de mensagens do painel (`lib/painel/historico.ts`). */

import assert from "node:assert/strict";
import { Historico } from "../../lib/painel/historico.ts";

const ids = (h: Historico, desde: number) =>
  h.desde(desde).guardadas.map((g) => g.id);

Deno.test("histórico devolve só o que veio depois do id, sem lacuna enquanto cabe", () => {
  const h = new Historico(3);
  for (let i = 1; i <= 3; i++) h.guardar(`{"n":${i}}`);
  assert.deepEqual(ids(h, 0), [1, 2, 3]);
  assert.deepEqual(ids(h, 2), [3]);
  assert.deepEqual(ids(h, 3), []);
  assert.equal(h.desde(0).lacuna, false);
  assert.equal(h.desde(2).guardadas[0].json, '{"n":3}');
});

Deno.test("histórico cheio esquece as mais antigas e avisa a lacuna", () => {
  const h = new Historico(3);
  for (let i = 1; i <= 10; i++) h.guardar(String(i));
  assert.equal(h.ultimo, 10);
  assert.equal(h.tamanho, 3);
  assert.deepEqual(ids(h, 0), [8, 9, 10]);
  assert.equal(h.desde(0).lacuna, true);
  assert.equal(h.desde(6).lacuna, true);
  assert.equal(h.desde(7).lacuna, false);
  assert.deepEqual(ids(h, 8), [9, 10]);
});

Deno.test("histórico: id de outra execução (maior que o último) conta como zero", () => {
  const h = new Historico(5);
  h.guardar("a");
  assert.deepEqual(ids(h, 999), [1]);
  assert.deepEqual(ids(h, -3), [1]);
});

Deno.test("histórico de capacidade zero numera mas não guarda", () => {
  const h = new Historico(0);
  assert.equal(h.guardar("a").id, 1);
  assert.deepEqual(ids(h, 0), []);
  assert.throws(() => new Historico(-1), RangeError);
});
