/**
 * Testes de lib/temporizador.ts: o prazo dispara depois do tempo, cancelar
 * impede (mesmo duas vezes, mesmo depois de disparar), a repetição para quando
 * cancelada de dentro da própria ação; e, num `deno` de verdade, um prazo não
 * segura o processo sozinho mas dispara enquanto uma operação pendente o
 * segura, e uma pausa (`esperar`) segura até acabar.
 *
 * @module
 */

import assert from "node:assert/strict";
import { agendar, esperar, repetir } from "../lib/temporizador.ts";

/**
 * Espera `promessa` com o processo seguro por uma pausa longa: `agendar` e
 * `repetir` vigiam uma operação pendente e não seguram o processo sozinhos.
 */
async function segurando<T>(promessa: Promise<T>): Promise<T> {
  const pausa = AbortSignal.timeout(10_000);
  const nada = () => {};
  pausa.addEventListener("abort", nada);
  try {
    return await promessa;
  } finally {
    pausa.removeEventListener("abort", nada);
  }
}

Deno.test("agendar chama a ação depois do prazo, uma vez", async () => {
  const inicio = performance.now();
  let vezes = 0;
  await segurando(
    new Promise<void>((resolve) => {
      agendar(30, () => {
        vezes++;
        resolve();
      });
    }),
  );
  assert.ok(performance.now() - inicio >= 25, "não antes do prazo");
  await esperar(40);
  assert.equal(vezes, 1);
});

Deno.test("cancelar antes do prazo impede a ação; cancelar de novo não faz nada", async () => {
  let chamada = false;
  const agendamento = agendar(10, () => chamada = true);
  agendamento.cancelar();
  agendamento.cancelar();
  await esperar(40);
  assert.equal(chamada, false);
});

Deno.test("cancelar depois de disparar não faz nada", async () => {
  let vezes = 0;
  const agendamento = agendar(5, () => vezes++);
  await esperar(30);
  agendamento.cancelar();
  assert.equal(vezes, 1);
});

Deno.test("repetir chama a cada período até ser cancelado, inclusive de dentro da ação", async () => {
  let vezes = 0;
  const { promise: terceira, resolve } = Promise.withResolvers<void>();
  const repeticao = repetir(10, () => {
    vezes++;
    if (vezes === 3) {
      repeticao.cancelar();
      resolve();
    }
  });
  await segurando(terceira);
  await esperar(50);
  assert.equal(vezes, 3);
});

/** Roda `codigo` num processo `deno` novo; devolve a saída e os milissegundos. */
async function rodar(
  codigo: string,
  stdin: "null" | "piped" = "null",
): Promise<{ saida: string; ms: number }> {
  const modulo = new URL("../lib/temporizador.ts", import.meta.url).href;
  const inicio = performance.now();
  const processo = new Deno.Command(Deno.execPath(), {
    args: ["eval", `import * as t from "${modulo}";\n${codigo}`],
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Com "piped", a entrada fica aberta e vazia até o processo sair.
  const [{ code }, stdout, stderr] = await Promise.all([
    processo.status,
    new Response(processo.stdout).bytes(),
    new Response(processo.stderr).bytes(),
  ]);
  if (stdin === "piped") await processo.stdin.close();
  const ms = performance.now() - inicio;
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return { saida: new TextDecoder().decode(stdout), ms };
}

Deno.test("agendar recusa um prazo negativo ou não finito; 0 dispara logo", async () => {
  for (const ms of [-1, NaN, Infinity, -Infinity]) {
    assert.throws(() => agendar(ms, () => {}), RangeError, String(ms));
  }
  const { promise, resolve } = Promise.withResolvers<void>();
  agendar(0, resolve);
  await promise;
});

Deno.test("agendar não segura o processo sozinho, nem cancelado nem ativo", async () => {
  const cancelado = await rodar("t.agendar(60_000, () => {}).cancelar();");
  assert.ok(cancelado.ms < 30_000, `saiu em ${cancelado.ms} ms`);
  const ativo = await rodar(
    't.agendar(60_000, () => console.log("disparou"));',
  );
  assert.equal(ativo.saida, "");
  assert.ok(ativo.ms < 30_000, `saiu em ${ativo.ms} ms`);
});

Deno.test("agendar dispara enquanto há uma operação pendente, que segura o processo", async () => {
  // A leitura da entrada padrão, aberta e vazia, fica pendente e segura o
  // processo, como a leitura de uma conexão; o prazo acorda o laço de eventos.
  const { saida } = await rodar(
    [
      "const i = performance.now();",
      "const leitura = Deno.stdin.read(new Uint8Array(1));",
      "t.agendar(200, () => {",
      '  console.log("disparou", performance.now() - i >= 150);',
      "  Deno.exit(0);",
      "});",
      "await leitura;",
    ].join("\n"),
    "piped",
  );
  assert.equal(saida, "disparou true\n");
});

Deno.test("esperar segura o processo até acabar", async () => {
  const { saida } = await rodar(
    'const i = performance.now(); await t.esperar(300); console.log("esperou", performance.now() - i >= 250);',
  );
  assert.equal(saida, "esperou true\n");
});
