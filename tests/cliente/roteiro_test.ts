/**
 * Testes de lib/cliente/roteiro.ts, sem socket: o envio sem menu (uma
 * mensagem, ou uma por linha com `--linhas`) com uma sessão de mentira. Confere
 * o que vai para a saída e para a saída de erro, byte a byte, e o código de
 * retorno. Os mesmos modos com processo de verdade ficam em
 * tests/e2e/roteiro_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  enviarLinhas,
  enviarUma,
  type Roteiro,
} from "../../lib/cliente/roteiro.ts";
import type { LeitorDeLinhas } from "../../lib/cliente/linhas.ts";
import { falhaNoFim, naoEntregue } from "../../lib/cliente/falhas.ts";
import { RetornoCliente } from "../../lib/retornos.ts";
import { entradaAberta, entradaDe, SessaoFalsa, TelaFalsa } from "./falsos.ts";

function roteiro(parcial: Partial<Roteiro> = {}): Roteiro {
  return {
    assunto: "Aviso",
    texto: undefined,
    linhas: false,
    verbose: false,
    ...parcial,
  };
}

/** Roda um modo até o fim; devolve o código, as duas saídas e a sessão. */
async function rodar(
  enviar: typeof enviarLinhas,
  opcoes: Partial<Roteiro>,
  entrada: LeitorDeLinhas,
  sessao = new SessaoFalsa(),
) {
  const saida = new TelaFalsa();
  const erros = new TelaFalsa();
  try {
    const codigo = await enviar(
      sessao,
      roteiro(opcoes),
      entrada,
      saida,
      erros,
    );
    return { codigo, saida: saida.texto, erros: erros.texto, sessao };
  } finally {
    await entrada.cancelar();
  }
}

function conteudo(sessao: SessaoFalsa) {
  return sessao.enviadas.map(({ numero, assunto, texto }) => ({
    numero,
    assunto,
    texto,
  }));
}

Deno.test("uma mensagem: entrega, não imprime nada, despede-se e sai com 0", async () => {
  const { codigo, saida, erros, sessao } = await rodar(
    enviarUma,
    { texto: "Olá" },
    entradaAberta(),
  );
  assert.equal(codigo, RetornoCliente.OK);
  assert.equal(saida, "");
  assert.equal(erros, "");
  assert.deepEqual(conteudo(sessao), [
    { numero: 1, assunto: "Aviso", texto: "Olá" },
  ]);
  assert.equal(sessao.saidas, 1);
});

Deno.test("uma mensagem com --texto não precisa da entrada (nem a carrega)", async () => {
  const sessao = new SessaoFalsa();
  const saida = new TelaFalsa();
  const erros = new TelaFalsa();
  const codigo = await enviarUma(
    sessao,
    roteiro({ texto: "Olá" }),
    undefined,
    saida,
    erros,
  );
  assert.equal(codigo, RetornoCliente.OK);
  assert.equal(erros.texto, "");
  assert.deepEqual(conteudo(sessao), [
    { numero: 1, assunto: "Aviso", texto: "Olá" },
  ]);
});

Deno.test("uma mensagem com --verbose: uma linha só", async (t) => {
  await t.step("o servidor confirma: entregue", async () => {
    const { saida, erros } = await rodar(
      enviarUma,
      { texto: "Olá", verbose: true },
      entradaAberta(),
    );
    assert.equal(saida, "mensagem #001 entregue\n");
    assert.equal(erros, "");
  });
  await t.step("o servidor original: enviada, sem confirmação", async () => {
    const { saida } = await rodar(
      enviarUma,
      { texto: "Olá", verbose: true },
      entradaAberta(),
      new SessaoFalsa({ confirma: false }),
    );
    assert.equal(
      saida,
      "mensagem #001 enviada (sem confirmação do servidor original)\n",
    );
  });
});

Deno.test("sem --texto, a entrada inteira é o texto, sem a quebra final", async (t) => {
  const casos: [string, string][] = [
    ["uma linha\n", "uma linha"],
    ["CRLF\r\n", "CRLF"],
    ["duas\nlinhas\n", "duas\nlinhas"],
    ["sem quebra", "sem quebra"],
    ["duas quebras\n\n", "duas quebras\n"],
    ["", ""],
  ];
  for (const [entrada, texto] of casos) {
    await t.step(JSON.stringify(entrada), async () => {
      const { codigo, sessao } = await rodar(
        enviarUma,
        {},
        entradaDe(entrada),
      );
      assert.equal(codigo, RetornoCliente.OK);
      assert.deepEqual(sessao.enviadas.map((m) => m.texto), [texto]);
    });
  }
});

Deno.test("uma mensagem grande demais: não vai, a frase clara e o código de não entregue", async () => {
  const { codigo, saida, erros, sessao } = await rodar(
    enviarUma,
    { texto: "texto grande" },
    entradaAberta(),
    new SessaoFalsa({ tamanhoMaximo: 10 }),
  );
  assert.equal(codigo, RetornoCliente.NAO_ENTREGUE);
  assert.equal(saida, "");
  assert.equal(
    erros,
    "cliente: mensagem não enviada: 7 bytes acima do limite de 10 bytes do servidor\n",
  );
  assert.equal(sessao.enviadas.length, 0);
  assert.equal(sessao.saidas, 1);
});

Deno.test("uma mensagem que não chega: despede-se mesmo assim e sai com o código da falha", async () => {
  const sessao = new SessaoFalsa({ automatica: false });
  const rodando = rodar(enviarUma, { texto: "Olá" }, entradaAberta(), sessao);
  await sessao.enviaram(1);
  const queda = falhaNoFim(false);
  sessao.aCaminho[0].perder(naoEntregue(1, queda.message, queda));
  const { codigo, saida, erros } = await rodando;
  assert.equal(codigo, RetornoCliente.CONEXAO_PERDIDA);
  assert.equal(saida, "");
  assert.equal(
    erros,
    "cliente: mensagem #001 não entregue: a conexão com o servidor caiu sem CODIGO_SAIDA\n",
  );
  // CODIGO_SAIDA mesmo assim: o servidor.py original depende dele.
  assert.equal(sessao.saidas, 1);
});

Deno.test("uma mensagem entregue, mas a despedida falha: o código da falha", async () => {
  const sessao = new SessaoFalsa();
  const queda = falhaNoFim(true);
  const rodando = rodar(enviarUma, { texto: "Olá" }, entradaAberta(), sessao);
  sessao.cair(queda);
  const { codigo, erros } = await rodando;
  assert.equal(codigo, RetornoCliente.SERVIDOR_ENCERROU);
  assert.equal(erros, `cliente: ${queda.message}\n`);
  assert.equal(sessao.enviadas.length, 1);
});

Deno.test("--linhas: uma mensagem por linha, em ordem, numeradas; silencioso e código 0", async () => {
  const { codigo, saida, erros, sessao } = await rodar(
    enviarLinhas,
    { linhas: true },
    entradaDe("um\ndois\r\n\ntrês"),
  );
  assert.equal(codigo, RetornoCliente.OK);
  assert.equal(saida, "");
  assert.equal(erros, "");
  // A linha vazia também é uma mensagem; a última, sem quebra, também vai.
  assert.deepEqual(conteudo(sessao), [
    { numero: 1, assunto: "Aviso", texto: "um" },
    { numero: 2, assunto: "Aviso", texto: "dois" },
    { numero: 3, assunto: "Aviso", texto: "" },
    { numero: 4, assunto: "Aviso", texto: "três" },
  ]);
  assert.equal(sessao.saidas, 1);
});

Deno.test("--linhas --verbose conta no fim, na saída", async () => {
  const { saida, erros } = await rodar(
    enviarLinhas,
    { linhas: true, verbose: true },
    entradaDe("a\nb\nc\n"),
  );
  assert.equal(saida, "cliente: 3 de 3 mensagens entregues\n");
  assert.equal(erros, "");
});

Deno.test("--linhas: a entrada vazia não envia nada e sai com 0", async () => {
  const { codigo, saida, erros, sessao } = await rodar(
    enviarLinhas,
    { linhas: true, verbose: true },
    entradaDe(""),
  );
  assert.equal(codigo, RetornoCliente.OK);
  assert.equal(saida, "cliente: 0 de 0 mensagens entregues\n");
  assert.equal(erros, "");
  assert.equal(sessao.enviadas.length, 0);
});

Deno.test("--linhas: não espera a confirmação de uma para mandar a próxima", async () => {
  const sessao = new SessaoFalsa({ automatica: false });
  const rodando = rodar(
    enviarLinhas,
    { linhas: true },
    entradaDe("1\n2\n3\n4\n5\n"),
    sessao,
  );
  await sessao.enviaram(5);
  assert.equal(sessao.aCaminho.length, 5);
  // Confirmadas fora de ordem: todas contam.
  for (const envio of sessao.aCaminho.toReversed()) envio.confirmar();
  const { codigo, erros } = await rodando;
  assert.equal(codigo, RetornoCliente.OK);
  assert.equal(erros, "");
});

Deno.test("--linhas: a linha grande demais é relatada e pulada, as outras vão; resumo e código de não entregue", async () => {
  const { codigo, saida, erros, sessao } = await rodar(
    enviarLinhas,
    { linhas: true },
    entradaDe("curta\nesta linha passa do limite\nok\n"),
    new SessaoFalsa({ tamanhoMaximo: 16 }),
  );
  assert.equal(codigo, RetornoCliente.NAO_ENTREGUE);
  assert.equal(saida, "");
  // "Aviso" + a linha 2: 5 + 26 = 31 bytes, 15 acima do limite.
  assert.equal(
    erros,
    "cliente: linha 2 pulada: 15 bytes acima do limite de 16 bytes do servidor\n" +
      "cliente: 2 de 3 mensagens entregues, 1 pulada por tamanho\n",
  );
  assert.deepEqual(sessao.enviadas.map((m) => m.texto), ["curta", "ok"]);
});

Deno.test("--linhas: a conexão cai no meio; conta as perdidas, para de ler e sai com o código da queda", async () => {
  const sessao = new SessaoFalsa({ automatica: false });
  const entrada = entradaAberta("a\nb\nc\n");
  const rodando = rodar(enviarLinhas, { linhas: true }, entrada, sessao);
  await sessao.enviaram(3);
  const queda = falhaNoFim(false);
  sessao.aCaminho[0].confirmar();
  sessao.aCaminho[1].perder(naoEntregue(2, queda.message, queda));
  sessao.aCaminho[2].perder(naoEntregue(3, queda.message, queda));
  sessao.cair(queda);
  const { codigo, saida, erros } = await rodando;
  assert.equal(codigo, RetornoCliente.CONEXAO_PERDIDA);
  assert.equal(saida, "");
  assert.equal(
    erros,
    `cliente: mensagem #002 não entregue: ${queda.message}\n` +
      "cliente: 1 de 3 mensagens entregues, 2 não entregues\n",
  );
});

Deno.test("--linhas: o servidor encerra com a entrada ainda aberta; para de ler e relata", async () => {
  const sessao = new SessaoFalsa();
  const rodando = rodar(
    enviarLinhas,
    { linhas: true },
    entradaAberta("a\n"),
    sessao,
  );
  await sessao.enviaram(1);
  const fim = falhaNoFim(true);
  sessao.cair(fim);
  const { codigo, saida, erros } = await rodando;
  assert.equal(codigo, RetornoCliente.SERVIDOR_ENCERROU);
  assert.equal(saida, "");
  assert.equal(erros, `cliente: ${fim.message}\n`);
});
