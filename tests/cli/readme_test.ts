/**
 * O README e a ajuda dizem o mesmo: toda opção e todo código de saída que
 * `--ajuda` mostra estão nas tabelas do README (e nada além deles), e cada
 * código com a mesma descrição — a definição do programa em lib/cli/ é a
 * fonte; o README a copia.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Programa } from "../../lib/cli/ajuda.ts";
import { PROGRAMA_CLIENTE } from "../../lib/cli/cliente.ts";
import { PROGRAMA_SERVIDOR } from "../../lib/cli/servidor.ts";

const README = Deno.readTextFileSync(
  new URL("../../README.md", import.meta.url),
);

/** As linhas de tabela da seção `## nome` do README, em células. */
function tabelasDaSecao(nome: string): string[][] {
  const inicio = README.indexOf(`\n## ${nome}\n`);
  assert.ok(inicio >= 0, `o README não tem a seção "## ${nome}"`);
  const fim = README.indexOf("\n## ", inicio + 1);
  return README.slice(inicio, fim === -1 ? undefined : fim).split("\n")
    .filter((linha) => linha.startsWith("|") && !/^\|\s*-/.test(linha))
    .map((linha) =>
      linha.slice(1, -1).split("|").map((celula) => celula.trim())
    );
}

function conferir(programa: Programa) {
  const linhas = tabelasDaSecao(programa.nome);
  const opcoes = new Set(
    linhas.flatMap(([primeira]) =>
      [...primeira.matchAll(/`(?:-\w, )?--([\w-]+)/g)].map((m) => m[1])
    ),
  );
  const codigos = new Map(
    linhas.filter(([primeira]) => /^\d+$/.test(primeira))
      .map(([codigo, descricao]) => [Number(codigo), descricao]),
  );
  assert.deepEqual(
    [...opcoes].sort(),
    Object.keys(programa.opcoes).sort(),
    `opções de ${programa.nome}: README × --ajuda`,
  );
  assert.deepEqual(
    Object.fromEntries(codigos),
    Object.fromEntries(
      programa.codigos.map(({ codigo, descricao }) => [
        codigo,
        // No README, os nomes de código vão entre crases.
        descricao.replaceAll("CODIGO_SAIDA", "`CODIGO_SAIDA`"),
      ]),
    ),
    `códigos de ${programa.nome}: README × --ajuda`,
  );
}

Deno.test("o README lista as opções e os códigos de saída do servidor como --ajuda", () => {
  conferir(PROGRAMA_SERVIDOR);
});

Deno.test("o README lista as opções e os códigos de saída do cliente como --ajuda", () => {
  conferir(PROGRAMA_CLIENTE);
});
