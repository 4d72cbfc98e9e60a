/**
 * Testes de scripts/compilar.ts: quando `deno compile` falha, uma linha só,
 * com a causa de verdade, sem a saída crua do Deno nem "Stack backtrace"; e o
 * executável do cliente embute o que ele importa com `import()`.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  argumentosDeCompilacao,
  explicarFalha,
} from "../../scripts/compilar.ts";

const RAIZ = new URL("../../", import.meta.url);

const SEM_INTERNET =
  `\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable to temporary file 'servidor.tmp-ae1b436303e6c11a'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known

Stack backtrace:
   0: <unknown>
`;

const DENORT_AUSENTE =
  `error: Writing deno compile executable to temporary file 'servidor.tmp-0cc1a2609ee1b1b2'

Caused by:
    0: Could not find denort at '/nao/existe'
    1: No such file or directory (os error 2)

Stack backtrace:
   0: <unknown>
`;

Deno.test("explicarFalha: sem internet, DENORT_BIN que não existe, ou a primeira linha do Deno", () => {
  const contexto = { programa: "servidor", versao: "2.9.6" };
  assert.equal(
    explicarFalha(SEM_INTERNET, contexto),
    "não foi possível baixar o runtime do Deno (denort 2.9.6): sem internet? Defina DENORT_BIN com o caminho de um denort da mesma versão, ou rode uma vez com internet para preencher o cache do Deno",
  );
  assert.equal(
    explicarFalha(DENORT_AUSENTE, { ...contexto, denortBin: "/nao/existe" }),
    "DENORT_BIN aponta para /nao/existe, que não existe: corrija o caminho (um denort 2.9.6) ou remova a variável para o Deno baixá-lo",
  );
  assert.equal(
    explicarFalha('error: Module not found "file:///x.ts".\n', {
      ...contexto,
      alvo: "aarch64-apple-darwin",
    }),
    'deno compile falhou para servidor para aarch64-apple-darwin: Module not found "file:///x.ts".',
  );
});

Deno.test("deno task compilar com DENORT_BIN inexistente: só a linha clara, com a causa", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-run",
      "--allow-read",
      "--allow-write",
      "--allow-env=DENORT_BIN",
      new URL("scripts/compilar.ts", RAIZ).pathname,
    ],
    cwd: RAIZ,
    env: { DENORT_BIN: "/nao/existe/denort" },
    stdout: "null",
  }).output();
  const erros = new TextDecoder().decode(stderr);
  assert.equal(code, 1);
  assert.equal(
    erros,
    "compilar: DENORT_BIN aponta para /nao/existe/denort, que não existe: corrija o caminho (um denort " +
      `${Deno.version.deno}) ou remova a variável para o Deno baixá-lo\n`,
  );
});

Deno.test("o executável do cliente embute os módulos que ele importa com import()", async () => {
  // Sem internet não há `denort`; o próprio `deno` serve de base: o
  // executável não roda como o cliente, mas a lista do que foi embutido é a
  // da compilação de verdade.
  const pasta = await Deno.makeTempDir({ prefix: "compilar-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: argumentosDeCompilacao("cliente", `${pasta}/cliente`),
      cwd: RAIZ,
      env: { DENORT_BIN: Deno.execPath(), NO_COLOR: "1" },
    }).output();
    const saida = new TextDecoder().decode(stdout) +
      new TextDecoder().decode(stderr);
    assert.equal(code, 0, saida);
    assert.match(saida, /Embedded Files/);
    const fonte = await Deno.readTextFile(new URL("cliente.ts", RAIZ));
    const dinamicos = [...fonte.matchAll(/import\(\s*"\.\/([^"]+)"/g)]
      .map(([, caminho]) => caminho);
    assert.ok(dinamicos.length >= 7, `só ${dinamicos.length} import()`);
    for (const caminho of dinamicos) {
      const arquivo = caminho.split("/").at(-1)!;
      assert.ok(saida.includes(` ${arquivo} (`), `${caminho} ficou de fora`);
    }
  } finally {
    await Deno.remove(pasta, { recursive: true });
  }
});
