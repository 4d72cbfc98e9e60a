/** As contas do painel (`lib/painel/contadores.ts`). */

import assert from "node:assert/strict";
import {
  Contadores,
  JANELA_SEGUNDOS,
  motivoDoCodigo,
} from "../../lib/painel/contadores.ts";
import { CodigoErro } from "../../lib/erros.ts";

const T0 = 1_800_000_000_000;

Deno.test("contadores: mensagens por minuto contam só os últimos 60 s", () => {
  const c = new Contadores();
  c.mensagem(10, T0);
  c.mensagem(5, T0 + 500);
  c.mensagem(1, T0 + 30_000);
  assert.equal(c.mensagens, 3);
  assert.equal(c.bytes, 16);
  assert.equal(c.porMinuto(T0 + 30_000), 3);
  assert.equal(c.porMinuto(T0 + 61_000), 1);
  assert.equal(c.porMinuto(T0 + 91_000), 0);
});

Deno.test("contadores: a série soma de passo em passo e esquece o que passou da janela", () => {
  const c = new Contadores();
  c.mensagem(1, T0);
  c.mensagem(1, T0 + 4_000);
  c.mensagem(1, T0 + 5_000);
  const serie = c.serie(T0 + 9_000, 2, 5);
  assert.deepEqual(serie, [2, 1]);
  assert.equal(c.serie(T0, 60, 5).length, 60);
  const longe = T0 + (JANELA_SEGUNDOS + 10) * 1000;
  assert.equal(c.serie(longe, 60, 5).reduce((a, b) => a + b), 0);
});

Deno.test("contadores: rejeições por motivo, com o nome do código", () => {
  const c = new Contadores();
  c.rejeicao(CodigoErro.SERVIDOR_CHEIO);
  c.rejeicao(CodigoErro.SERVIDOR_CHEIO);
  c.rejeicao(CodigoErro.NAO_AUTORIZADO);
  assert.deepEqual(Object.fromEntries(c.rejeitadas), {
    servidor_cheio: 2,
    nao_autorizado: 1,
  });
  assert.equal(motivoDoCodigo(99), "codigo_99");
});
