/**
 * As opções dos programas (as permissões, antes de tudo) vêm de um lugar só:
 * as tarefas `servidor` e `cliente` do deno.json. A compilação, os testes e o
 * banco de desempenho as leem daqui, para rodar os programas exatamente como
 * os binários rodam.
 *
 * @module
 */

const DENO_JSON = new URL("../deno.json", import.meta.url);

/** Uma tarefa do deno.json: o comando e a descrição que `deno task` lista. */
export interface Tarefa {
  command: string;
  description?: string;
}

/**
 * As tarefas do deno.json, na forma longa (`{ command, description }`); uma
 * tarefa escrita só como texto vira `{ command }`.
 */
export function tarefas(): Record<string, Tarefa> {
  const config = JSON.parse(Deno.readTextFileSync(DENO_JSON)) as {
    tasks: Record<string, string | Tarefa>;
  };
  return Object.fromEntries(
    Object.entries(config.tasks).map((
      [nome, tarefa],
    ) => [nome, typeof tarefa === "string" ? { command: tarefa } : tarefa]),
  );
}

/**
 * As opções da tarefa `nome` do deno.json (entre `run` e o script): as
 * permissões.
 *
 * @throws {Error} se a tarefa não existe ou não tem a forma `deno run ... x.ts`
 */
export function opcoesDaTarefa(nome: string): string[] {
  const tarefa = tarefas()[nome]?.command;
  if (tarefa === undefined) {
    throw new Error(`a tarefa "${nome}" não existe no deno.json`);
  }
  const partes = tarefa.trim().split(/\s+/);
  const inicio = partes.indexOf("run") + 1;
  const fim = partes.findIndex((parte) => parte.endsWith(".ts"));
  if (inicio === 0 || fim < inicio) {
    throw new Error(`a tarefa "${nome}" não tem a forma "deno run ... x.ts"`);
  }
  return partes.slice(inicio, fim);
}
