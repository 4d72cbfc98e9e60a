/**
 * Testes de lib/servidor/motivos.ts: os erros de leitura de TLS, em inglês,
 * viram a causa provável em português, com o que o operador deve fazer.
 *
 * @module
 */

import assert from "node:assert/strict";
import { motivoDeLeitura } from "../../lib/servidor/motivos.ts";

Deno.test("motivoDeLeitura traduz os erros de TLS e deixa os outros como vieram", async (t) => {
  const casos: [string, RegExp][] = [
    [
      "received fatal alert: UnknownCA",
      /^TLS: o cliente não confia no certificado deste servidor \(CA desconhecida\); dê a ele a CA que o emitiu, com --ca$/,
    ],
    [
      "received fatal alert: BadCertificate",
      /^TLS: o cliente recusou o certificado deste servidor/,
    ],
    [
      "received fatal alert: CertificateExpired",
      /^TLS: .*expirou; renove o de --tls-cert$/,
    ],
    [
      "received corrupt message of type InvalidContentType",
      /^TLS: o cliente não fala TLS \(conectou sem --tls\?\); este servidor só aceita TLS$/,
    ],
    [
      "received fatal alert: ProtocolVersion",
      /^TLS: o cliente abortou o handshake \(alerta ProtocolVersion\)/,
    ],
    [
      "Connection reset by peer (os error 104)",
      /^erro de leitura: Connection reset/,
    ],
  ];
  for (const [texto, esperado] of casos) {
    await t.step(texto, () => {
      const motivo = motivoDeLeitura(new Error(texto));
      assert.match(motivo, esperado);
      if (motivo.startsWith("TLS:")) {
        assert.doesNotMatch(motivo, /alert:|of type/);
      }
    });
  }
});
