/**
 * Testes de lib/cliente/falhas.ts: cada erro vira a frase em português e o
 * código de retorno documentados, sem socket (os erros são construídos aqui).
 * As mesmas falhas vistas de fora, com processos, ficam em tests/e2e/.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  falhaAoConectar,
  falhaAoLer,
  falhaDeTls,
  FalhaDoCliente,
  falhaDoServidor,
  falhaNoFim,
  naoEntregue,
} from "../../lib/cliente/falhas.ts";
import { CodigoErro, ErroDeProtocolo } from "../../lib/erros.ts";
import { RetornoCliente } from "../../lib/retornos.ts";

Deno.test("falhaAoConectar: cada erro de Deno.connect com seu código e sua frase", async (t) => {
  const casos: [string, unknown, number, string][] = [
    [
      "recusada",
      new Deno.errors.ConnectionRefused("Connection refused (os error 111)"),
      RetornoCliente.RECUSADA,
      "conexão recusada por h na porta 5000: não há servidor escutando ali",
    ],
    [
      "prazo (AbortSignal.timeout)",
      new DOMException("prazo", "TimeoutError"),
      RetornoCliente.TEMPO_ESGOTADO,
      "sem resposta de h na porta 5000 em 2.5 s (host inalcançável ou em silêncio)",
    ],
    [
      "TimedOut",
      new Deno.errors.TimedOut("timed out"),
      RetornoCliente.TEMPO_ESGOTADO,
      "sem resposta de h na porta 5000 em 2.5 s (host inalcançável ou em silêncio)",
    ],
    [
      "sem permissão",
      new Deno.errors.NotCapable("Requires net access"),
      RetornoCliente.SEM_PERMISSAO,
      "sem permissão para conectar a h na porta 5000",
    ],
    [
      "host desconhecido",
      new Error(
        "failed to lookup address information: Name or service not known",
      ),
      RetornoCliente.HOST_DESCONHECIDO,
      "host desconhecido: h",
    ],
    [
      "inalcançável",
      new Error("Network is unreachable (os error 101)"),
      RetornoCliente.TEMPO_ESGOTADO,
      "h na porta 5000 está inalcançável (Network is unreachable (os error 101))",
    ],
    [
      "outro erro",
      new Error("algo estranho"),
      RetornoCliente.CONEXAO_PERDIDA,
      "não foi possível conectar a h na porta 5000: algo estranho",
    ],
  ];
  for (const [nome, erro, codigo, frase] of casos) {
    await t.step(nome, () => {
      const falha = falhaAoConectar(erro, "h", 5000, 2500);
      assert.ok(falha instanceof FalhaDoCliente);
      assert.equal(falha.name, "FalhaDoCliente");
      assert.equal(falha.codigoDeRetorno, codigo);
      assert.equal(falha.message, frase);
    });
  }
});

Deno.test("falhaDeTls: o problema do certificado em português, código de TLS, o erro como causa", async (t) => {
  const casos: [string, string][] = [
    [
      "invalid peer certificate: UnknownIssuer",
      "o certificado do servidor não foi emitido por uma autoridade confiável (emissor desconhecido); para uma CA própria, use --ca",
    ],
    [
      "invalid peer certificate: NotValidForName",
      'o certificado do servidor não vale para o nome "h"',
    ],
    ["invalid peer certificate: Expired", "o certificado do servidor expirou"],
    [
      "invalid peer certificate: NotValidYet",
      "o certificado do servidor ainda não é válido",
    ],
    [
      "invalid peer certificate: Revoked",
      "o certificado do servidor foi revogado",
    ],
    [
      "received corrupt message of type InvalidContentType",
      "a resposta não é TLS; o servidor fala TLS? (sem --tls, o cliente conecta sem TLS)",
    ],
    ["outro problema", "o handshake falhou (outro problema)"],
  ];
  for (const [texto, problema] of casos) {
    await t.step(texto, () => {
      const erro = new Deno.errors.InvalidData(texto);
      const falha = falhaDeTls(erro, "h", 5000);
      assert.equal(falha.codigoDeRetorno, RetornoCliente.FALHA_TLS);
      assert.equal(falha.message, `falha de TLS com h:5000: ${problema}`);
      assert.equal(falha.cause, erro);
    });
  }
  await t.step("com --ca, a CA dada é a suspeita; IPv6 entre colchetes", () => {
    const falha = falhaDeTls(
      new Deno.errors.InvalidData("invalid peer certificate: UnknownIssuer"),
      "::1",
      5000,
      true,
    );
    assert.equal(
      falha.message,
      "falha de TLS com [::1]:5000: o certificado do servidor não foi emitido pela CA de --ca (emissor desconhecido); confira se é a CA que o assinou",
    );
  });
});

Deno.test("falhaDoServidor: o código do quadro ERRO escolhe o código de retorno", async (t) => {
  const casos: [number, number][] = [
    [CodigoErro.NAO_AUTORIZADO, RetornoCliente.NAO_AUTORIZADO],
    [CodigoErro.PROTOCOLO_DESCONHECIDO, RetornoCliente.PROTOCOLO_INCOMPATIVEL],
    [CodigoErro.VERSAO_INCOMPATIVEL, RetornoCliente.PROTOCOLO_INCOMPATIVEL],
    [CodigoErro.SERVIDOR_CHEIO, RetornoCliente.REJEITADO],
    [CodigoErro.OCIOSO, RetornoCliente.REJEITADO],
  ];
  for (const [codigo, retorno] of casos) {
    await t.step(`código ${codigo}`, () => {
      const falha = falhaDoServidor(codigo, "motivo");
      assert.equal(falha.codigoDeRetorno, retorno);
      assert.equal(
        falha.message,
        `o servidor recusou: motivo (código ${codigo})`,
      );
    });
  }
});

Deno.test("falhaAoLer: bytes fora do protocolo ou erro do socket", () => {
  const protocolo = falhaAoLer(
    new ErroDeProtocolo(CodigoErro.QUADRO_MALFORMADO, "quadro curto"),
  );
  assert.equal(
    protocolo.codigoDeRetorno,
    RetornoCliente.PROTOCOLO_INCOMPATIVEL,
  );
  assert.equal(
    protocolo.message,
    "o servidor mandou bytes fora do protocolo: quadro curto",
  );
  const socket = falhaAoLer(new Deno.errors.ConnectionReset("reset"));
  assert.equal(socket.codigoDeRetorno, RetornoCliente.CONEXAO_PERDIDA);
  assert.equal(socket.message, "erro ao ler do servidor: reset");
});

Deno.test("falhaNoFim: o servidor encerrou ou a conexão caiu", () => {
  const encerrou = falhaNoFim(true);
  assert.equal(encerrou.codigoDeRetorno, RetornoCliente.SERVIDOR_ENCERROU);
  assert.equal(encerrou.message, "o servidor encerrou a sessão (CODIGO_SAIDA)");
  const caiu = falhaNoFim(false);
  assert.equal(caiu.codigoDeRetorno, RetornoCliente.CONEXAO_PERDIDA);
  assert.equal(caiu.message, "a conexão com o servidor caiu sem CODIGO_SAIDA");
});

Deno.test("naoEntregue: número com três dígitos; o código da causa, se houver", () => {
  const sem = naoEntregue(7, "a sessão está terminando");
  assert.equal(sem.codigoDeRetorno, RetornoCliente.NAO_ENTREGUE);
  assert.equal(
    sem.message,
    "mensagem #007 não entregue: a sessão está terminando",
  );
  const com = naoEntregue(1234, "caiu", falhaNoFim(false));
  assert.equal(com.codigoDeRetorno, RetornoCliente.CONEXAO_PERDIDA);
  assert.equal(com.message, "mensagem #1234 não entregue: caiu");
});
