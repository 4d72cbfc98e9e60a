/**
 * Várias máquinas com as peças de verdade (tests/e2e/nats.ts): nats-server
 * com JetStream, HAProxy em TCP e dois servidores `--nats`; um servidor morto
 * com `kill -9` no meio do envio, e o NATS morto e de volta no meio do envio.
 * Também: sem NATS na partida (código 8), um stream que não serve (9) e
 * `--acompanhar`. Aqui com 20 000 mensagens; as 50 000 da issue em `deno task nats`. Sem os
 * pacotes Debian `nats-server` ou `haproxy`, falha numa linha que os nomeia.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { alvo, iniciar, iniciarServidor, rodarCliente } from "../ajudantes.ts";
import {
  acharPrograma,
  executarNats,
  iniciarNats,
  portaLivre,
} from "./nats.ts";

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

Deno.test("--nats sem NATS na partida: sai com 8, numa linha, sem aceitar ninguém", async () => {
  acharPrograma("nats-server", "nats-server");
  const servidor = iniciar("servidor", [
    "--host",
    "127.0.0.1",
    "--porta",
    "0",
    "--nats",
    `nats://127.0.0.1:${portaLivre()}`,
  ]);
  assert.equal(await servidor.status(), 8);
  assert.match(
    servidor.erros.texto,
    /^servidor: --nats: não foi possível conectar ao NATS em nats:\/\/127\.0\.0\.1:\d+/,
  );
  assert.doesNotMatch(servidor.saida.texto, /Aguardando/);
});

/** Um nats-server com JetStream só para o teste, e a URL dele. */
async function comNats(
  corpo: (url: string) => Promise<void>,
): Promise<void> {
  const programa = acharPrograma("nats-server", "nats-server");
  const pasta = await Deno.makeTempDir({ prefix: "sockets-nats-" });
  const porta = portaLivre();
  const nats = await iniciarNats(programa, porta, `${pasta}/js`);
  try {
    await corpo(`nats://127.0.0.1:${porta}`);
  } finally {
    await nats.parar("SIGTERM");
    await Deno.remove(pasta, { recursive: true });
  }
}

Deno.test("um stream que não cobre o assunto do servidor: sai com 9 e diz por quê", async () => {
  await comNats(async (url) => {
    const nc = await connect({ servers: url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "SOCKETS", subjects: ["outro.>"] });
    await nc.close();
    const servidor = iniciar("servidor", [
      "--host",
      "127.0.0.1",
      "--porta",
      "0",
      "--nats",
      url,
    ]);
    assert.equal(await servidor.status(), 9);
    assert.match(
      servidor.erros.texto,
      /o stream SOCKETS já existe, mas seus assuntos \(outro\.>\) não cobrem sockets\.mensagens\./,
    );
  });
});

Deno.test("--acompanhar mostra o stream de todos os servidores, escapado, legível e em --json, e sai com Ctrl-C", async () => {
  await comNats(async (url) => {
    const servidor = await iniciarServidor([
      "--nats",
      url,
      "--nats-nome",
      "um",
    ]);
    try {
      const enviado = await rodarCliente(
        [...alvo(servidor), "--linhas"],
        "primeira\nperigo \x1b[31mvermelho\n",
      );
      assert.equal(enviado.codigo, 0, enviado.erros);
    } finally {
      servidor.sinal("SIGTERM");
      await servidor.status();
    }
    const legivel = iniciar("servidor", [
      "--nats",
      url,
      "--acompanhar",
      "tudo",
    ]);
    await legivel.saida.esperar(/> TEXTO:\n {2}perigo \\x1B\[31mvermelho/);
    legivel.sinal("SIGINT");
    assert.equal(await legivel.status(), 0);
    assert.match(legivel.saida.texto, /primeira/);

    const json = iniciar("servidor", [
      "--nats",
      url,
      "--acompanhar",
      "1",
      "--json",
    ]);
    const linha = await json.saida.esperar(/\{.*\}\n/);
    json.sinal("SIGINT");
    assert.equal(await json.status(), 0);
    const objeto = JSON.parse(linha[0]);
    assert.equal(objeto.texto, "perigo \x1b[31mvermelho");
    assert.equal(objeto.numero, 2);
    assert.doesNotMatch(json.saida.texto, /primeira/, "só a última");
  });
});
