/**
 * Testes de scripts/tarefas.ts: as tarefas do deno.json, todas com descrição
 * (`deno task` as lista), e as permissões lidas da forma longa.
 *
 * @module
 */

import assert from "node:assert/strict";
import { opcoesDaTarefa, tarefas } from "../../scripts/tarefas.ts";

Deno.test("toda tarefa do deno.json tem descrição", () => {
  for (const [nome, tarefa] of Object.entries(tarefas())) {
    assert.ok(tarefa.description?.trim(), `a tarefa ${nome} não tem descrição`);
    assert.ok(tarefa.command.startsWith("deno "), nome);
  }
});

Deno.test("opcoesDaTarefa lê as opções entre run e o script", () => {
  for (const programa of ["servidor", "cliente"]) {
    assert.deepEqual(opcoesDaTarefa(programa), [
      "--allow-net",
      "--allow-sys=hostname",
      programa === "servidor"
        ? "--allow-env=SOCKETS_TOKEN,SOCKETS_NATS_TOKEN"
        : "--allow-env=SOCKETS_TOKEN",
      "--allow-read",
      "--no-prompt",
      // Só o cliente: a partida dele conta (veja o README, "O que cada
      // binário pode fazer"); não é permissão.
      ...(programa === "cliente" ? ["--v8-flags=--no-lazy"] : []),
    ]);
  }
  assert.throws(() => opcoesDaTarefa("nada"), /não existe/);
});
