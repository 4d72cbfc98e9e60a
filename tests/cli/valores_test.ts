/**
 * Testes de lib/cli/valores.ts: portas, inteiros e durações, aceitos ou
 * recusados com a explicação em português, e durações escritas de volta em
 * segundos para a ajuda.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  analisarHost,
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

Deno.test("analisarSegundos aceita frações ao milissegundo e devolve milissegundos", async (t) => {
  assert.equal(analisarSegundos(undefined, "--prazo", 10_000), 10_000);
  const aceitos: [string, boolean, number][] = [
    ["1", false, 1000],
    ["0.4", false, 400],
    ["1.5", false, 1500],
    [".5", false, 500],
    ["0", true, 0],
    ["0.000", true, 0],
    ["300", true, 300_000],
    [" 2 ", false, 2000],
    ["0.001", false, 1],
    ["0.0005", false, 1],
    ["2147483", true, 2_147_483_000],
  ];
  for (const [valor, zeroEhNunca, ms] of aceitos) {
    await t.step(`aceita "${valor}"`, () => {
      assert.equal(
        analisarSegundos(valor, "--prazo", 10_000, zeroEhNunca),
        ms,
      );
    });
  }
  const faixa = "de 0.001 a 2147483 segundos";
  const recusas: [string, boolean, string][] = [
    ["0", false, `--prazo deve ser ${faixa}, não "0"`],
    // Uma fração que arredonda para 0 nunca vira "nunca" calada.
    ["0.0001", true, `--prazo deve ser 0 (nunca) ou ${faixa}, não "0.0001"`],
    ["0.0004", false, `--prazo deve ser ${faixa}, não "0.0004"`],
    // O u32 de milissegundos daria a volta (704 ms) e o temporizador, na hora.
    ["4294968", true, `--prazo deve ser 0 (nunca) ou ${faixa}, não "4294968"`],
    ["2147484", false, `--prazo deve ser ${faixa}, não "2147484"`],
    ["-1", true, `--prazo deve ser 0 (nunca) ou ${faixa}, não "-1"`],
    ["abc", false, `--prazo deve ser ${faixa}, não "abc"`],
    ["", false, `--prazo deve ser ${faixa}, não ""`],
    [" ", true, `--prazo deve ser 0 (nunca) ou ${faixa}, não " "`],
    ["Infinity", false, `--prazo deve ser ${faixa}, não "Infinity"`],
    ["NaN", false, `--prazo deve ser ${faixa}, não "NaN"`],
    ["1e3", false, `--prazo deve ser ${faixa}, não "1e3"`],
    ["0x10", false, `--prazo deve ser ${faixa}, não "0x10"`],
  ];
  for (const [valor, zeroEhNunca, mensagem] of recusas) {
    await t.step(`recusa "${valor}"`, () => {
      falhaDeUso(
        () => analisarSegundos(valor, "--prazo", 10_000, zeroEhNunca),
        mensagem,
      );
    });
  }
});

Deno.test("analisarPorta com mínimo 1 (o cliente) recusa a porta 0", () => {
  assert.equal(analisarPorta("1", 3415, 1), 1);
  falhaDeUso(
    () => analisarPorta("0", 3415, 1),
    "--porta deve estar entre 1 e 65535, não 0",
  );
});

Deno.test("analisarHost recusa vazio e a porta junto, e tira os colchetes do IPv6", async (t) => {
  const aceitos: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    ["[::1]", "::1"],
    ["fe80::1%lo", "fe80::1%lo"],
    ["srv.exemplo", "srv.exemplo"],
    ["0.0.0.0", "0.0.0.0"],
  ];
  for (const [valor, host] of aceitos) {
    await t.step(`aceita ${JSON.stringify(valor)}`, () => {
      assert.equal(analisarHost(valor), host);
    });
  }
  const recusas: [string, string][] = [
    [
      "",
      "--host não pode ficar vazio; dê um nome ou endereço (ou omita a opção)",
    ],
    [
      " ",
      "--host não pode ficar vazio; dê um nome ou endereço (ou omita a opção)",
    ],
    [
      "127.0.0.1:39185",
      "--host recebe só o endereço; a porta vai em --porta: --host 127.0.0.1 --porta 39185",
    ],
    [
      "[::1]:39185",
      "--host recebe só o endereço; a porta vai em --porta: --host ::1 --porta 39185",
    ],
    [
      "srv:",
      "--host recebe só o endereço; a porta vai em --porta: --host srv --porta ",
    ],
    ["srv exemplo", '--host deve ser um nome ou endereço, não "srv exemplo"'],
    ["http://srv", '--host deve ser um nome ou endereço, não "http://srv"'],
  ];
  for (const [valor, mensagem] of recusas) {
    await t.step(`recusa ${JSON.stringify(valor)}`, () => {
      falhaDeUso(() => analisarHost(valor), mensagem);
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
