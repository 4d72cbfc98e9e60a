/**
 * Testes de lib/cli/ajuda.ts: o texto de `--ajuda` dos dois programas (todas
 * as opções, padrões, códigos de retorno e exemplos) e a dica que acompanha
 * os erros de uso.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  dicaDeAjuda,
  type Programa,
  textoDeAjuda,
} from "../../lib/cli/ajuda.ts";
import { PROGRAMA_CLIENTE } from "../../lib/cli/cliente.ts";
import { PROGRAMA_SERVIDOR } from "../../lib/cli/servidor.ts";
import { RetornoCliente, RetornoServidor } from "../../lib/retornos.ts";

function confereAjuda(programa: Programa, codigos: Record<string, number>) {
  const ajuda = textoDeAjuda(programa);
  assert.ok(ajuda.endsWith("\n"));
  assert.ok(ajuda.startsWith(programa.resumo + "\n"));
  assert.ok(ajuda.includes(`Uso: ${programa.nome} [opções]`));
  for (const [nome, opcao] of Object.entries(programa.opcoes)) {
    const linha = ajuda.split("\n").find((l) =>
      new RegExp(`^\\s+(-\\w, )?--${nome}\\b`).test(l)
    );
    assert.ok(linha, `a ajuda mostra --${nome}`);
    assert.ok(linha.includes(opcao.descricao), `descrição de --${nome}`);
    if (opcao.curta) assert.ok(linha.includes(`-${opcao.curta}, --${nome}`));
    if (opcao.valor) assert.ok(linha.includes(`--${nome} ${opcao.valor}`));
    if (opcao.padrao) {
      assert.ok(
        linha.includes(`(padrão: ${opcao.padrao})`),
        `padrão de --${nome}`,
      );
    }
  }
  assert.ok(ajuda.includes("Códigos de saída:"));
  // Todo código de saída que o programa usa está documentado na ajuda.
  for (const [nome, codigo] of Object.entries(codigos)) {
    const documentado = programa.codigos.find((c) => c.codigo === codigo);
    assert.ok(documentado, `código ${codigo} (${nome}) na ajuda`);
    assert.ok(
      ajuda.includes(`${String(codigo).padStart(3)}  ${documentado.descricao}`),
    );
  }
  assert.ok(ajuda.includes("Exemplos:"));
  assert.ok(programa.exemplos.length >= 3);
  for (const exemplo of programa.exemplos) {
    assert.ok(ajuda.includes(`  ${exemplo}\n`), exemplo);
    assert.match(exemplo, new RegExp(`(^|\\s)${programa.nome} `));
  }
}

Deno.test("a ajuda do servidor mostra toda opção com padrão, todo código de saída e exemplos", () => {
  confereAjuda(PROGRAMA_SERVIDOR, RetornoServidor);
  const ajuda = textoDeAjuda(PROGRAMA_SERVIDOR);
  for (
    const opcao of ["--json", "--max-conexoes", "--tempo-ocioso", "--prazo"]
  ) {
    assert.ok(ajuda.includes(opcao), opcao);
  }
  assert.match(ajuda, /--json \| jq/);
});

Deno.test("a ajuda do cliente mostra toda opção com padrão, todo código de saída e exemplos", () => {
  confereAjuda(PROGRAMA_CLIENTE, RetornoCliente);
  const ajuda = textoDeAjuda(PROGRAMA_CLIENTE);
  for (
    const opcao of ["--assunto", "--texto", "--linhas", "--verbose", "--legado"]
  ) {
    assert.ok(ajuda.includes(opcao), opcao);
  }
  // Um exemplo de cada modo sem menu.
  assert.match(ajuda, /--assunto "Backup" --texto "concluído"/);
  assert.match(ajuda, /\| cliente .*--texto -/);
  assert.match(ajuda, /\| cliente .*--linhas/);
});

Deno.test("a dica de ajuda", () => {
  assert.equal(
    dicaDeAjuda("cliente"),
    'Use "cliente --ajuda" para ver as opções.',
  );
});
