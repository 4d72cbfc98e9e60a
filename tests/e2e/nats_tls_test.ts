/**
 * `--nats tls://` com `--nats-ca` e o token de `SOCKETS_NATS_TOKEN`, de ponta
 * a ponta: uma CA e o certificado de 127.0.0.1 gerados pelo `openssl` na
 * hora, um `nats-server -js --tls --auth` de verdade, o servidor com as
 * permissões exatas da tarefa e o cliente de verdade. Também as recusas: sem
 * `--nats-ca` (a CA do sistema não conhece a de teste) e com o token errado,
 * o servidor sai com 8 numa linha, sem rastro de pilha.
 *
 * Não cobre `--nats-credenciais` com um `.creds` de verdade: exigiria um
 * operador e JWTs (o `nsc`), que não está nas dependências do teste.
 *
 * @module
 */

import assert from "node:assert/strict";
import { certificadosDeTeste } from "../certificados.ts";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { RetornoServidor } from "../../lib/retornos.ts";
import { alvo, iniciar, iniciarServidor, rodarCliente } from "../ajudantes.ts";
import {
  acharPrograma,
  iniciarNats,
  lerStream,
  type Peca,
  portaLivre,
} from "./nats.ts";

const TOKEN = "segredo-do-nats-de-teste";

/** Uma linha, em português, sem rastro de pilha. */
function umaLinhaSemPilha(erros: string, padrao: RegExp): void {
  assert.match(erros, padrao);
  assert.doesNotMatch(erros, /^\s+at /m, "sem rastro de pilha");
  assert.equal(erros.trim().split("\n").length, 1, erros);
}

Deno.test("--nats tls:// com --nats-ca e SOCKETS_NATS_TOKEN: confirma e grava no stream; sem a CA ou com o token errado, sai com 8", async (t) => {
  const natsServer = acharPrograma("nats-server", "nats-server");
  const pasta = await Deno.makeTempDir({ prefix: "sockets-nats-tls-" });
  let nats: Peca | undefined;
  try {
    await certificadosDeTeste(pasta);
    const porta = portaLivre();
    nats = await iniciarNats(natsServer, porta, `${pasta}/js`, [
      "--tls",
      "--tlscert",
      `${pasta}/srv.pem`,
      "--tlskey",
      `${pasta}/srv.key`,
      "--auth",
      TOKEN,
    ]);
    const url = `tls://127.0.0.1:${porta}`;
    const ca = `${pasta}/ca.pem`;

    await t.step(
      "com a CA e o token: o cliente é confirmado e o stream tem cada mensagem",
      async () => {
        const linhas = ["primeira", "segunda cifrada", "terceira ç ã"];
        const servidor = await iniciarServidor(
          ["--json", "--nats", url, "--nats-ca", ca, "--nats-nome", "tls"],
          "127.0.0.1",
          { SOCKETS_NATS_TOKEN: TOKEN },
        );
        try {
          assert.match(servidor.erros.texto, /Publicando no JetStream/);
          const enviado = await rodarCliente(
            [...alvo(servidor), "--linhas"],
            linhas.join("\n") + "\n",
          );
          assert.equal(enviado.codigo, 0, enviado.erros);
        } finally {
          servidor.sinal("SIGTERM");
          assert.equal(await servidor.status(), RetornoServidor.OK);
        }
        assert.equal(
          servidor.saida.texto.match(/"evento":"mensagem"/g)?.length,
          linhas.length,
          servidor.saida.texto,
        );
        assert.match(servidor.saida.texto, /"naoGravadas":0\}/);
        // O mesmo contorno de lib/nats/ligacao.ts (o Deno conferiria
        // "localhost"); fora do literal, que o tipo do NATS não o conhece.
        const tls = {
          caFile: ca,
          checkServerIdentity: (_nome: string, cert: PeerCertificate) =>
            checkServerIdentity("127.0.0.1", cert),
        };
        const leitura = await lerStream(url, "SOCKETS", linhas, {
          tls,
          token: TOKEN,
        });
        assert.equal(leitura.umaVez, linhas.length, JSON.stringify(leitura));
        assert.equal(leitura.registros, linhas.length);
        assert.deepEqual(leitura.porAssunto, {
          "sockets.mensagens.tls": linhas.length,
        });
      },
    );

    await t.step(
      "sem --nats-ca: sai com 8 numa linha, sem aceitar ninguém",
      async () => {
        const servidor = iniciar("servidor", [
          "--host",
          "127.0.0.1",
          "--porta",
          "0",
          "--nats",
          url,
        ], { env: { SOCKETS_NATS_TOKEN: TOKEN } });
        assert.equal(
          await servidor.status(),
          RetornoServidor.NATS_INALCANCAVEL,
        );
        umaLinhaSemPilha(
          servidor.erros.texto,
          /^servidor: --nats: não foi possível conectar ao NATS em tls:\/\/127\.0\.0\.1:\d+: /,
        );
        assert.doesNotMatch(servidor.saida.texto, /Aguardando/);
      },
    );

    await t.step(
      "com a CA e o token errado: sai com 8 numa linha",
      async () => {
        const servidor = iniciar("servidor", [
          "--host",
          "127.0.0.1",
          "--porta",
          "0",
          "--nats",
          url,
          "--nats-ca",
          ca,
        ], { env: { SOCKETS_NATS_TOKEN: "outro" } });
        assert.equal(
          await servidor.status(),
          RetornoServidor.NATS_INALCANCAVEL,
        );
        umaLinhaSemPilha(
          servidor.erros.texto,
          /^servidor: --nats: não foi possível conectar ao NATS em tls:\/\/127\.0\.0\.1:\d+: /,
        );
        assert.doesNotMatch(servidor.saida.texto, /Aguardando/);
      },
    );
  } finally {
    await nats?.parar("SIGTERM");
    await Deno.remove(pasta, { recursive: true });
  }
});
