/**
 * As permissões dos programas vêm de um lugar só: as tarefas `servidor` e
 * `cliente` do deno.json. A compilação, os testes e o banco de desempenho as
 * leem daqui, para rodar os programas exatamente como os binários rodam.
 *
 * @module
 */

const DENO_JSON = new URL("../deno.json", import.meta.url);

/**
 * As opções de permissão da tarefa `nome` do deno.json (entre `run` e o
 * script).
 *
 * @throws {Error} se a tarefa não existe ou não tem a forma `deno run ... x.ts`
 */
export function permissoesDaTarefa(nome: string): string[] {
  const config = JSON.parse(Deno.readTextFileSync(DENO_JSON)) as {
    tasks: Record<string, string>;
  };
  const tarefa = config.tasks[nome];
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
