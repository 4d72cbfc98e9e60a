/**
 * As bordas que o usuário toca, de ponta a ponta: os programas rodados com
 * `deno run` sem as permissões, valores errados nas opções, campos grandes
 * demais. Em todos, uma linha em português, um código documentado e nenhum
 * rastro de pilha.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  alvo,
  iniciarServidor,
  opcoesDaTarefa,
  rodarCliente,
  Saida,
} from "../ajudantes.ts";
import { RetornoCliente, RetornoServidor } from "../../lib/retornos.ts";

const RAIZ = new URL("../../", import.meta.url);

/** Roda `deno run <permissões> <programa>.ts <args>` e devolve o resultado. */
async function rodarCom(
  permissoes: string[],
  programa: "servidor" | "cliente",
  args: string[],
): Promise<{ codigo: number; saida: string; erros: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      ...permissoes,
      new URL(`${programa}.ts`, RAIZ).pathname,
      ...args,
    ],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const texto = (b: Uint8Array) => new TextDecoder().decode(b);
  return { codigo: code, saida: texto(stdout), erros: texto(stderr) };
}

/** Uma linha só, sem rastro de pilha nem o "Uncaught" do Deno. */
function umaLinha(erros: string): void {
  assert.equal(erros.trimEnd().split("\n").length, 1, erros);
  assert.doesNotMatch(erros, /Uncaught|NotCapable|\bat \S+ \(|backtrace/);
}

Deno.test("sem as permissões: uma linha diz qual falta e qual comando tem todas", async (t) => {
  const casos: [string[], "servidor" | "cliente", string[], number, RegExp][] =
    [
      [
        [],
        "servidor",
        [],
        RetornoServidor.SEM_PERMISSAO,
        /--allow-net --allow-sys=hostname --allow-env=SOCKETS_TOKEN\).*deno task servidor/,
      ],
      [
        ["--allow-net"],
        "servidor",
        ["--host", "127.0.0.1"],
        RetornoServidor.SEM_PERMISSAO,
        /\(--allow-env=SOCKETS_TOKEN\).*deno task servidor/,
      ],
      [
        ["--allow-net"],
        "cliente",
        ["--assunto", "a", "--texto", "b"],
        RetornoCliente.SEM_PERMISSAO,
        /\(--allow-sys=hostname --allow-env=SOCKETS_TOKEN\).*deno task cliente/,
      ],
      [
        ["--allow-net", "--allow-env"],
        "cliente",
        ["--host", "127.0.0.1", "--token-arquivo", "/tmp/x", "--assunto", "a"],
        RetornoCliente.SEM_PERMISSAO,
        /\(--allow-read\)/,
      ],
    ];
  for (const [permissoes, programa, args, codigo, esperado] of casos) {
    await t.step(`${programa} ${permissoes.join(" ")}`, async () => {
      const r = await rodarCom(permissoes, programa, args);
      assert.equal(r.codigo, codigo, r.erros);
      assert.match(r.erros, new RegExp(`^${programa}: faltam permissões`));
      assert.match(r.erros, esperado);
      umaLinha(r.erros);
    });
  }
  await t.step("--ajuda não precisa de permissão nenhuma", async () => {
    const r = await rodarCom([], "servidor", ["--ajuda"]);
    assert.equal(r.codigo, 0);
    assert.match(r.saida, /Códigos de saída:/);
  });
});

Deno.test("assunto acima de 65535 bytes com --tamanho-maximo 200000: recusado como mensagem grande, sem rastro", async (t) => {
  await using servidor = await iniciarServidor(["--tamanho-maximo", "200000"]);
  const assunto = "a".repeat(70_000);
  const motivo =
    "o assunto tem 70000 bytes, 4465 bytes acima do máximo de 65535 bytes que o protocolo permite num assunto";
  await t.step("uma mensagem (--assunto/--texto)", async () => {
    const r = await rodarCliente([
      ...alvo(servidor),
      "--assunto",
      assunto,
      "--texto",
      "b",
    ]);
    assert.equal(r.codigo, RetornoCliente.NAO_ENTREGUE, r.erros);
    assert.equal(r.erros, `cliente: mensagem não enviada: ${motivo}\n`);
  });
  await t.step(
    "--linhas: a linha longa demais é pulada e relatada",
    async () => {
      const r = await rodarCliente(
        [...alvo(servidor), "--assunto", "linhas", "--linhas"],
        `curta\n${"x".repeat(200_000)}\n`,
      );
      assert.equal(r.codigo, RetornoCliente.NAO_ENTREGUE, r.erros);
      assert.equal(
        r.erros,
        "cliente: linha 2 pulada: 6 bytes acima do limite de 200000 bytes do servidor\n" +
          "cliente: 1 de 2 mensagens entregues, 1 pulada por tamanho\n",
      );
    },
  );
  await t.step("--linhas com o assunto grande: cada linha pulada", async () => {
    const r = await rodarCliente(
      [...alvo(servidor), "--assunto", assunto, "--linhas"],
      "a\n",
    );
    assert.equal(r.codigo, RetornoCliente.NAO_ENTREGUE, r.erros);
    assert.equal(
      r.erros,
      `cliente: linha 1 pulada: ${motivo}\n` +
        "cliente: 0 de 1 mensagem entregue, 1 pulada por tamanho\n",
    );
  });
  await t.step("menu", async () => {
    const r = await rodarCliente(alvo(servidor), `1\n${assunto}\nb\n2\n`);
    assert.equal(r.codigo, 0, r.erros);
    assert.match(r.saida, new RegExp(`> Mensagem não enviada: ${motivo}\\.`));
    umaLinha(r.erros + "\n");
  });
});

/** O `script` do util-linux dá ao cliente um pseudo-terminal na entrada. */
function temScript(): boolean {
  try {
    return new Deno.Command("script", {
      args: ["-V"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "cliente --assunto num terminal avisa que espera o texto e o Ctrl-D",
  ignore: !temScript(),
  async fn() {
    await using servidor = await iniciarServidor();
    const comando = [
      Deno.execPath(),
      "run",
      ...opcoesDaTarefa("cliente"),
      new URL("cliente.ts", RAIZ).pathname,
      ...alvo(servidor),
      "--assunto",
      "oi",
      "--verbose",
    ].map((parte) => `'${parte}'`).join(" ");
    const filho = new Deno.Command("script", {
      args: ["-qec", comando, "/dev/null"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const saida = new Saida(filho.stdout);
    await saida.esperar(/cliente: digite o texto; Ctrl-D termina/);
    const escritor = filho.stdin.getWriter();
    await escritor.write(new TextEncoder().encode("olá\n\x04"));
    await saida.esperar(/mensagem #001 entregue/);
    await escritor.close();
    assert.equal((await filho.status).code, 0);
    await saida.terminou;
    await filho.stderr.cancel();
  },
});
