/**
 * Testes de lib/sinais.ts: o que vale cada sinal de interrupção pelo instante
 * em que chega — o primeiro encerra, os da janela são o mesmo Ctrl-C, os
 * seguintes forçam — e quanto esperar antes de sair depois de um.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  ESPERA_DO_REPASSE_MS,
  Interrupcoes,
  restanteAteSair,
} from "../lib/sinais.ts";

Deno.test("o primeiro sinal pede o encerramento", () => {
  assert.equal(new Interrupcoes(300).valor(5000), "encerrar");
});

Deno.test("sinais até a janela depois do primeiro são o mesmo Ctrl-C", () => {
  const interrupcoes = new Interrupcoes(300);
  interrupcoes.valor(1000);
  for (const instante of [1000, 1000.2, 1010, 1299, 1300]) {
    assert.equal(interrupcoes.valor(instante), "mesmo", `em ${instante}`);
  }
});

Deno.test("a janela conta do primeiro sinal, não do último repetido", () => {
  const interrupcoes = new Interrupcoes(300);
  interrupcoes.valor(1000);
  assert.equal(interrupcoes.valor(1250), "mesmo");
  assert.equal(interrupcoes.valor(1301), "forcar");
});

Deno.test("depois da janela, todo sinal força", () => {
  const interrupcoes = new Interrupcoes(300);
  interrupcoes.valor(1000);
  assert.equal(interrupcoes.valor(2000), "forcar");
  assert.equal(interrupcoes.valor(2001), "forcar");
});

Deno.test("sem sinal o programa sai já; com um, só depois da espera do repasse", () => {
  assert.equal(restanteAteSair(undefined, 5000), 0);
  assert.equal(restanteAteSair(1000, 1000), ESPERA_DO_REPASSE_MS);
  assert.equal(restanteAteSair(1000, 1040), ESPERA_DO_REPASSE_MS - 40);
  assert.equal(restanteAteSair(1000, 1000 + ESPERA_DO_REPASSE_MS), 0);
  assert.equal(restanteAteSair(1000, 9000), 0);
});
