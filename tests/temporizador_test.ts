/**
 * Testes de lib/temporizador.ts: o prazo dispara depois do tempo, cancelar
 * impede (mesmo duas vezes, mesmo depois de disparar), a repetição para quando
 * cancelada de dentro da própria ação, e um prazo cancelado não segura o
 * processo (num `deno` de verdade), enquanto um ativo segura até disparar.
 *
 * @module
 */

import assert from "node:assert/strict";
import { agendar, esperar, repetir } from "../lib/temporizador.ts";

Deno.test("agendar chama a ação depois do prazo, uma vez", async () => {
  const inicio = performance.now();
  let vezes = 0;
  await new Promise<void>((resolve) => {
    agendar(30, () => {
      vezes++;
      resolve();
    });
  });
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
  await terceira;
  await esperar(50);
  assert.equal(vezes, 3);
});

/** Roda `codigo` num processo `deno` novo; devolve a saída e os milissegundos. */
async function rodar(codigo: string): Promise<{ saida: string; ms: number }> {
  const modulo = new URL("../lib/temporizador.ts", import.meta.url).href;
  const inicio = performance.now();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import * as t from "${modulo}";\n${codigo}`],
    stdin: "null",
  }).output();
  const ms = performance.now() - inicio;
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return { saida: new TextDecoder().decode(stdout), ms };
}

Deno.test("um prazo cancelado não segura o processo; um ativo segura até disparar", async () => {
  const cancelado = await rodar("t.agendar(60_000, () => {}).cancelar();");
  assert.ok(cancelado.ms < 30_000, `saiu em ${cancelado.ms} ms`);
  const ativo = await rodar(
    'const i = performance.now(); t.agendar(300, () => console.log("disparou", performance.now() - i >= 250));',
  );
  assert.equal(ativo.saida, "disparou true\n");
});
