/**
 * Várias máquinas com as peças de verdade (tests/e2e/nats.ts): nats-server
 * com JetStream, HAProxy em TCP e dois servidores `--nats`; um servidor morto
 * com `kill -9` no meio do envio, e o NATS morto e de volta no meio do envio.
 * Aqui com 20 000 mensagens; as 50 000 da issue em `deno task nats`. Sem os
 * pacotes Debian `nats-server` ou `haproxy`, falha numa linha que os nomeia.
 *
 * @module
 */

import assert from "node:assert/strict";
import { executarNats } from "./nats.ts";

const MENSAGENS = 20_000;

Deno.test("kill -9 num servidor atrás do HAProxy: o outro assume, e o stream tem cada mensagem uma vez", async () => {
  const f = await executarNats("failover", MENSAGENS);
  assert.deepEqual(f.problemas, [], JSON.stringify(f, null, 2));
  assert.equal(f.leitura.umaVez, MENSAGENS);
  assert.equal(Object.keys(f.leitura.porAssunto).length, 2);
});

Deno.test("NATS morto e de volta no meio do envio: nada confirmado se perde, nada gravado duas vezes", async () => {
  const f = await executarNats("nats", MENSAGENS);
  assert.deepEqual(f.problemas, [], JSON.stringify(f, null, 2));
  assert.equal(f.leitura.umaVez, MENSAGENS);
  assert.match(f.avisos.join("\n"), /conexão com o NATS perdida/);
  assert.match(f.avisos.join("\n"), /reconectado ao NATS/);
});
