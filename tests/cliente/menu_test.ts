/**
 * Testes de lib/cliente/menu.ts, sem socket: o menu com uma sessão de mentira,
 * uma entrada feita de texto e uma tela que guarda tudo. A transcrição inteira
 * é conferida byte a byte: os avisos são os do original. O menu com servidor e
 * processo de verdade fica em tests/e2e/cliente_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { MENU, Menu, OPCAO_INVALIDA } from "../../lib/cliente/menu.ts";
import type { LeitorDeLinhas } from "../../lib/cliente/linhas.ts";
import { falhaNoFim, naoEntregue } from "../../lib/cliente/falhas.ts";
import { RetornoCliente } from "../../lib/retornos.ts";
import { entradaAberta, entradaDe, SessaoFalsa, TelaFalsa } from "./falsos.ts";

type Cores = ConstructorParameters<typeof Menu>[3]["cores"];

const SEM_COR: Cores = {
  negrito: (t) => t,
  realce: (t) => t,
  fraco: (t) => t,
  erro: (t) => t,
};

/** Cores que se deixam ver no texto: `<erro>…</erro>`. */
const MARCADAS: Cores = {
  negrito: (t) => `<negrito>${t}</negrito>`,
  realce: (t) => `<realce>${t}</realce>`,
  fraco: (t) => `<fraco>${t}</fraco>`,
  erro: (t) => `<erro>${t}</erro>`,
};

const PROMPT = `${MENU}\n>>> `;
const TITULO = "> MENSAGEM #001 - 24/11/2026 19:27:52\n";
const ATE_LOGO = "> Conexão encerrada com CODIGO_SAIDA. Até logo!\n";

interface Cenario {
  sessao?: SessaoFalsa;
  tela?: TelaFalsa;
  entrada: LeitorDeLinhas;
  interrupcao?: Promise<void>;
  ecoar?: boolean;
  cores?: Cores;
}

/** Roda o menu até o fim; devolve o código, a transcrição e a sessão. */
async function rodar(cenario: Cenario) {
  const sessao = cenario.sessao ?? new SessaoFalsa();
  const tela = cenario.tela ?? new TelaFalsa();
  const menu = new Menu(sessao, cenario.entrada, tela, {
    cores: cenario.cores ?? SEM_COR,
    interrupcao: cenario.interrupcao ?? new Promise(() => {}),
    ecoar: cenario.ecoar ?? false,
  });
  try {
    const codigo = await menu.executar();
    return { codigo, tela: tela.texto, sessao };
  } finally {
    await cenario.entrada.cancelar();
  }
}

Deno.test("opção 1: título, ASSUNTO, TEXTO, a linha de entrega e o menu de novo", async () => {
  const { codigo, tela, sessao } = await rodar({
    entrada: entradaDe("1\nOlá\nTudo bem?\n2\n"),
  });
  assert.equal(codigo, RetornoCliente.OK);
  assert.equal(
    tela,
    PROMPT + TITULO + "> ASSUNTO: > TEXTO: " +
      "> Mensagem #001 entregue: o servidor confirmou o recebimento.\n" +
      PROMPT + ATE_LOGO,
  );
  assert.deepEqual(
    sessao.enviadas.map(({ assunto, texto }) => ({ assunto, texto })),
    [{ assunto: "Olá", texto: "Tudo bem?" }],
  );
  // O título e a mensagem composta têm o mesmo instante.
  assert.equal(sessao.instantes.length, 2);
  assert.equal(sessao.instantes[0], sessao.instantes[1]);
  assert.equal(sessao.saidas, 1);
});

Deno.test("opção 1 com o servidor original: 'enviada', não 'entregue'", async () => {
  const { tela } = await rodar({
    sessao: new SessaoFalsa({ confirma: false }),
    entrada: entradaDe("1\na\nb\n2\n"),
  });
  assert.match(
    tela,
    /> Mensagem #001 enviada \(o servidor original não confirma o recebimento\)\.\n/,
  );
});

Deno.test("com a entrada redirecionada, cada resposta é ecoada", async () => {
  const { tela } = await rodar({
    entrada: entradaDe("1\nOlá\nTudo bem?\n2\n"),
    ecoar: true,
  });
  assert.equal(
    tela,
    PROMPT + "1\n" + TITULO + "> ASSUNTO: Olá\n> TEXTO: Tudo bem?\n" +
      "> Mensagem #001 entregue: o servidor confirmou o recebimento.\n" +
      PROMPT + "2\n" + ATE_LOGO,
  );
});

Deno.test("título em negrito e erros na cor de erro", async () => {
  const sessao = new SessaoFalsa({ tamanhoMaximo: 4 });
  const { tela } = await rodar({
    sessao,
    entrada: entradaDe("1\nab\ncde\n2\n"),
    cores: MARCADAS,
  });
  assert.match(tela, /> <negrito>MENSAGEM #001 - [^<]+<\/negrito>\n/);
  assert.match(tela, /<erro>> Mensagem não enviada: [^<]+<\/erro>\n/);
});

Deno.test("resposta inválida: o aviso do original e o menu de novo", async (t) => {
  for (const resposta of ["", "a", "7", "12", "1 2", "sair"]) {
    await t.step(JSON.stringify(resposta), async () => {
      const { codigo, tela, sessao } = await rodar({
        entrada: entradaDe(`${resposta}\n2\n`),
      });
      assert.equal(codigo, RetornoCliente.OK);
      assert.equal(tela, PROMPT + OPCAO_INVALIDA + "\n" + PROMPT + ATE_LOGO);
      assert.equal(sessao.enviadas.length, 0);
    });
  }
});

Deno.test("espaços em volta da opção não contam", async () => {
  const { tela, sessao } = await rodar({
    entrada: entradaDe(" 1 \nx\ny\n\t2\r\n"),
  });
  assert.equal(sessao.enviadas.length, 1);
  assert.ok(tela.endsWith(PROMPT + ATE_LOGO));
});

Deno.test("mensagem acima do limite: não é enviada, diz por quantos bytes, e não gasta número", async () => {
  const sessao = new SessaoFalsa({ tamanhoMaximo: 10 });
  const { codigo, tela } = await rodar({
    sessao,
    entrada: entradaDe("1\nassunto\ntexto grande\n1\nok\ncabe\n2\n"),
  });
  assert.equal(codigo, RetornoCliente.OK);
  assert.equal(
    tela,
    PROMPT + TITULO + "> ASSUNTO: > TEXTO: " +
      "> Mensagem não enviada: assunto + texto têm 19 bytes, 9 bytes acima do limite de 10 bytes do servidor.\n" +
      PROMPT + TITULO + "> ASSUNTO: > TEXTO: " +
      "> Mensagem #001 entregue: o servidor confirmou o recebimento.\n" +
      PROMPT + ATE_LOGO,
  );
  assert.deepEqual(sessao.enviadas.map((m) => m.assunto), ["ok"]);
});

Deno.test("fim da entrada (Ctrl-D) no menu vale como a opção 2", async () => {
  const { codigo, tela, sessao } = await rodar({ entrada: entradaDe("") });
  assert.equal(codigo, RetornoCliente.OK);
  assert.equal(tela, PROMPT + "\n" + ATE_LOGO);
  assert.equal(sessao.saidas, 1);
});

Deno.test("fim da entrada no meio de uma mensagem: não a envia e sai", async (t) => {
  for (const entrada of ["1\n", "1\nsó o assunto\n"]) {
    await t.step(JSON.stringify(entrada), async () => {
      const { codigo, tela, sessao } = await rodar({
        entrada: entradaDe(entrada),
      });
      assert.equal(codigo, RetornoCliente.OK);
      assert.ok(
        tela.endsWith(
          "\n> Entrada encerrada: mensagem não enviada.\n" + ATE_LOGO,
        ),
        tela,
      );
      assert.equal(sessao.enviadas.length, 0);
      assert.equal(sessao.saidas, 1);
    });
  }
});

Deno.test("Ctrl-C no menu vale como a opção 2", async () => {
  const ctrlC = Promise.withResolvers<void>();
  const entrada = entradaAberta();
  const sessao = new SessaoFalsa();
  const rodando = rodar({ sessao, entrada, interrupcao: ctrlC.promise });
  ctrlC.resolve();
  const { codigo, tela } = await rodando;
  assert.equal(codigo, RetornoCliente.OK);
  assert.equal(tela, PROMPT + "\n" + ATE_LOGO);
  assert.equal(sessao.saidas, 1);
});

Deno.test("Ctrl-C no ASSUNTO: a mensagem não é enviada", async () => {
  const ctrlC = Promise.withResolvers<void>();
  const sessao = new SessaoFalsa();
  const tela = new TelaFalsa();
  const rodando = rodar({
    sessao,
    tela,
    entrada: entradaAberta("1\n"),
    interrupcao: ctrlC.promise,
  });
  await tela.esperar("> ASSUNTO: ");
  ctrlC.resolve();
  const { codigo } = await rodando;
  assert.equal(codigo, RetornoCliente.OK);
  assert.ok(
    tela.texto.endsWith(
      "> ASSUNTO: \n> Entrada encerrada: mensagem não enviada.\n" + ATE_LOGO,
    ),
    tela.texto,
  );
  assert.equal(sessao.enviadas.length, 0);
});

Deno.test("Ctrl-C com a mensagem a caminho: sai e diz se ela chegou", async (t) => {
  await t.step(
    "confirmada depois do Ctrl-C: entregue antes da saída, código 0",
    async () => {
      const ctrlC = Promise.withResolvers<void>();
      const sessao = new SessaoFalsa({ automatica: false });
      const rodando = rodar({
        sessao,
        entrada: entradaAberta("1\na\nb\n"),
        interrupcao: ctrlC.promise,
      });
      await sessao.enviaram(1);
      ctrlC.resolve();
      await sessao.despediu;
      sessao.aCaminho[0].confirmar();
      const { codigo, tela } = await rodando;
      assert.equal(codigo, RetornoCliente.OK);
      assert.ok(
        tela.endsWith(
          "> ASSUNTO: > TEXTO: " + ATE_LOGO +
            "> Mensagem #001 entregue antes da saída.\n",
        ),
        tela,
      );
      assert.equal(sessao.saidas, 1);
    },
  );

  await t.step("perdida: NÃO entregue, código de não entregue", async () => {
    const ctrlC = Promise.withResolvers<void>();
    const sessao = new SessaoFalsa({ automatica: false });
    const rodando = rodar({
      sessao,
      entrada: entradaAberta("1\na\nb\n"),
      interrupcao: ctrlC.promise,
    });
    await sessao.enviaram(1);
    ctrlC.resolve();
    await sessao.despediu;
    sessao.aCaminho[0].perder(naoEntregue(1, "a sessão terminou"));
    const { codigo, tela } = await rodando;
    assert.equal(codigo, RetornoCliente.NAO_ENTREGUE);
    assert.ok(
      tela.endsWith(ATE_LOGO + "> Mensagem #001 NÃO entregue.\n"),
      tela,
    );
  });
});

Deno.test("a conexão cai com o usuário parado no menu: aviso na hora e o código da falha", async (t) => {
  for (const servidorEncerrou of [true, false]) {
    const falha = falhaNoFim(servidorEncerrou);
    await t.step(falha.message, async () => {
      const sessao = new SessaoFalsa();
      const tela = new TelaFalsa();
      const rodando = rodar({ sessao, tela, entrada: entradaAberta() });
      await tela.esperar(PROMPT);
      sessao.cair(falha);
      const { codigo } = await rodando;
      assert.equal(codigo, falha.codigoDeRetorno);
      assert.equal(tela.texto, PROMPT + `\n> ${falha.message}.\n`);
      // Sem despedida: a conexão já acabou.
      assert.equal(sessao.saidas, 0);
    });
  }
});

Deno.test("a conexão cai no meio de uma mensagem: o aviso, sem esperar a resposta", async () => {
  const sessao = new SessaoFalsa();
  const tela = new TelaFalsa();
  const rodando = rodar({
    sessao,
    tela,
    entrada: entradaAberta("1\nassunto\n"),
  });
  await tela.esperar("> TEXTO: ");
  const falha = falhaNoFim(false);
  sessao.cair(falha);
  const { codigo } = await rodando;
  assert.equal(codigo, RetornoCliente.CONEXAO_PERDIDA);
  assert.ok(
    tela.texto.endsWith(`> TEXTO: \n> ${falha.message}.\n`),
    tela.texto,
  );
  assert.equal(sessao.enviadas.length, 0);
});

Deno.test("a mensagem não chega porque a conexão caiu: as duas frases e o código da queda", async () => {
  const sessao = new SessaoFalsa({ automatica: false });
  const rodando = rodar({ sessao, entrada: entradaAberta("1\na\nb\n") });
  await sessao.enviaram(1);
  const queda = falhaNoFim(false);
  sessao.aCaminho[0].perder(naoEntregue(1, queda.message, queda));
  sessao.cair(queda);
  const { codigo, tela } = await rodando;
  assert.equal(codigo, RetornoCliente.CONEXAO_PERDIDA);
  assert.ok(
    tela.endsWith(
      "> TEXTO: > mensagem #001 não entregue: a conexão com o servidor caiu sem CODIGO_SAIDA.\n" +
        "\n> a conexão com o servidor caiu sem CODIGO_SAIDA.\n",
    ),
    tela,
  );
  assert.equal(sessao.saidas, 0);
});
