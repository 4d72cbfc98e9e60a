/**
 * Testes de lib/nats/assuntos.ts: endereços, nomes, o casamento de assuntos
 * do NATS, a conferência de um stream existente e o ponto de partida de
 * `--acompanhar`.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  analisarEnderecosNats,
  analisarPartida,
  assuntoCasa,
  JANELA_MINIMA_MS,
  palavraDeAssunto,
  problemaDoStream,
} from "../../lib/nats/assuntos.ts";

Deno.test("--nats aceita nats:// e tls:// separados por vírgula, e host:porta", () => {
  assert.deepEqual(
    analisarEnderecosNats("nats://a:4222, tls://b:4222,c:4222"),
    ["nats://a:4222", "tls://b:4222", "nats://c:4222"],
  );
  assert.throws(() => analisarEnderecosNats("http://a:4222"), /nats:\/\//);
  assert.throws(() => analisarEnderecosNats(" , "), /ao menos um/);
});

Deno.test("o casamento de assuntos segue o NATS: * é uma palavra, > uma ou mais no fim", () => {
  const casos: [string, string, boolean][] = [
    ["sockets.mensagens.>", "sockets.mensagens.a", true],
    ["sockets.mensagens.>", "sockets.mensagens.a.b", true],
    ["sockets.mensagens.>", "sockets.mensagens", false],
    ["sockets.*.a", "sockets.mensagens.a", true],
    ["sockets.*", "sockets.mensagens.a", false],
    [">", "qualquer.coisa", true],
    ["sockets.mensagens.a", "sockets.mensagens.a", true],
    ["sockets.mensagens.a", "sockets.mensagens.b", false],
  ];
  for (const [filtro, assunto, esperado] of casos) {
    assert.equal(
      assuntoCasa(filtro, assunto),
      esperado,
      `${filtro} ${assunto}`,
    );
  }
});

Deno.test("um stream existente serve se cobre o assunto e a janela basta; senão, diz por quê", () => {
  const base = { nome: "SOCKETS", assuntos: ["sockets.>"], janelaMs: 120_000 };
  assert.equal(problemaDoStream(base, "sockets.mensagens.a"), undefined);
  assert.match(
    problemaDoStream(
      { ...base, assuntos: ["outro.>"] },
      "sockets.mensagens.a",
    )!,
    /não cobrem sockets\.mensagens\.a/,
  );
  assert.match(
    problemaDoStream(
      { ...base, janelaMs: JANELA_MINIMA_MS - 1 },
      "sockets.mensagens.a",
    )!,
    /janela de duplicatas/,
  );
});

Deno.test("palavraDeAssunto troca o que o NATS não aceita numa palavra", () => {
  assert.equal(palavraDeAssunto("srv.exemplo-3415"), "srv_exemplo-3415");
  assert.equal(palavraDeAssunto("a b*>"), "a_b__");
});

Deno.test("--acompanhar: novas, tudo, as últimas N, #SEQ e um instante", () => {
  assert.deepEqual(analisarPartida("novas"), { tipo: "novas" });
  assert.deepEqual(analisarPartida("tudo"), { tipo: "tudo" });
  assert.deepEqual(analisarPartida("100"), { tipo: "ultimas", quantas: 100 });
  assert.deepEqual(analisarPartida("#7"), { tipo: "sequencia", sequencia: 7 });
  assert.deepEqual(analisarPartida("2026-11-24T19:00:00Z"), {
    tipo: "instante",
    instante: Date.UTC(2026, 10, 24, 19),
  });
  for (const ruim of ["ontem", "#0", "-5", "2026-13-45T99:99"]) {
    assert.throws(() => analisarPartida(ruim), /ponto de partida/, ruim);
  }
});
