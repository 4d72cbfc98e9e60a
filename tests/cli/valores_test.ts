/**
 * Testes de lib/cli/valores.ts: portas, inteiros e durações, aceitos ou
 * recusados com a explicação em português, e durações escritas de volta em
 * segundos para a ajuda.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  analisarInteiro,
  analisarPorta,
  analisarSegundos,
  textoDeSegundos,
} from "../../lib/cli/valores.ts";
import { falhaDeUso } from "./ajudantes.ts";

Deno.test("analisarPorta aceita 0 a 65535 e recusa o resto com a explicação", async (t) => {
  assert.equal(analisarPorta(undefined, 3415), 3415);
  for (
    const [valor, porta] of [
      ["0", 0],
      ["1", 1],
      ["5000", 5000],
      [
        "65535",
        65535,
      ],
      [" 80 ", 80],
      ["007", 7],
    ] as const
  ) {
    await t.step(`aceita "${valor}"`, () => {
      assert.equal(analisarPorta(valor, 3415), porta);
    });
  }
  const recusas: [string, string][] = [
    ["abc", '--porta deve ser um número inteiro, não "abc"'],
    ["", '--porta deve ser um número inteiro, não ""'],
    ["1.5", '--porta deve ser um número inteiro, não "1.5"'],
    ["1e3", '--porta deve ser um número inteiro, não "1e3"'],
    ["0x50", '--porta deve ser um número inteiro, não "0x50"'],
    ["80a", '--porta deve ser um número inteiro, não "80a"'],
    ["70000", "--porta deve estar entre 0 e 65535, não 70000"],
    ["65536", "--porta deve estar entre 0 e 65535, não 65536"],
    ["-1", "--porta deve estar entre 0 e 65535, não -1"],
    [
      "99999999999999999999",
      "--porta deve estar entre 0 e 65535, não 99999999999999999999",
    ],
  ];
  for (const [valor, mensagem] of recusas) {
    await t.step(`recusa "${valor}"`, () => {
      falhaDeUso(() => analisarPorta(valor, 3415), mensagem);
    });
  }
});

Deno.test("analisarInteiro respeita o intervalo dado e o nome da opção", () => {
  assert.equal(analisarInteiro(undefined, "--n", 1, 10, 5), 5);
  assert.equal(analisarInteiro("1", "--n", 1, 10, 5), 1);
  assert.equal(analisarInteiro("10", "--n", 1, 10, 5), 10);
  falhaDeUso(
    () => analisarInteiro("0", "--max-conexoes", 1, 1_000_000, 1000),
    "--max-conexoes deve estar entre 1 e 1000000, não 0",
  );
  falhaDeUso(
    () => analisarInteiro("11", "--n", 1, 10, 5),
    "--n deve estar entre 1 e 10, não 11",
  );
  falhaDeUso(
    () => analisarInteiro("dez", "--tamanho-maximo", 1, 10, 5),
    '--tamanho-maximo deve ser um número inteiro, não "dez"',
  );
});

Deno.test("analisarSegundos aceita frações e devolve milissegundos", async (t) => {
  assert.equal(analisarSegundos(undefined, "--prazo", 10_000), 10_000);
  const aceitos: [string, number, number][] = [
    ["1", 0, 1000],
    ["0.4", 0, 400],
    ["1.5", 1, 1500],
    ["0", 0, 0],
    ["300", 0, 300_000],
    [" 2 ", 0, 2000],
    ["0.0005", 1, 1],
  ];
  for (const [valor, minimo, ms] of aceitos) {
    await t.step(`aceita "${valor}" (mínimo ${minimo} ms)`, () => {
      assert.equal(analisarSegundos(valor, "--prazo", 10_000, minimo), ms);
    });
  }
  const recusas: [string, number, string][] = [
    ["0", 1, '--prazo deve ser um número de segundos (mais que 0), não "0"'],
    [
      "0.0004",
      1,
      '--prazo deve ser um número de segundos (mais que 0), não "0.0004"',
    ],
    [
      "-1",
      0,
      '--prazo deve ser um número de segundos (0 ou mais), não "-1"',
    ],
    [
      "abc",
      0,
      '--prazo deve ser um número de segundos (0 ou mais), não "abc"',
    ],
    ["", 0, '--prazo deve ser um número de segundos (0 ou mais), não ""'],
    [" ", 0, '--prazo deve ser um número de segundos (0 ou mais), não " "'],
    [
      "Infinity",
      0,
      '--prazo deve ser um número de segundos (0 ou mais), não "Infinity"',
    ],
    [
      "NaN",
      0,
      '--prazo deve ser um número de segundos (0 ou mais), não "NaN"',
    ],
  ];
  for (const [valor, minimo, mensagem] of recusas) {
    await t.step(`recusa "${valor}" (mínimo ${minimo} ms)`, () => {
      falhaDeUso(
        () => analisarSegundos(valor, "--prazo", 10_000, minimo),
        mensagem,
      );
    });
  }
});

Deno.test("textoDeSegundos escreve milissegundos como o usuário daria em segundos", () => {
  assert.equal(textoDeSegundos(300_000), "300");
  assert.equal(textoDeSegundos(10_000), "10");
  assert.equal(textoDeSegundos(500), "0.5");
  assert.equal(
    analisarSegundos(textoDeSegundos(1500), "--prazo", 0),
    1500,
  );
});
