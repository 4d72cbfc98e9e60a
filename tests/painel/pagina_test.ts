/** Os arquivos da página (`lib/painel/pagina.ts`). */

import assert from "node:assert/strict";
import { lerPagina } from "../../lib/painel/pagina.ts";

Deno.test("página: lê os arquivos servidos, com o tipo de cada um", () => {
  const pagina = lerPagina();
  assert.deepEqual([...pagina.keys()].sort(), [
    "/",
    "/entrar",
    "/escape.js",
    "/painel.css",
    "/painel.js",
  ]);
  assert.match(pagina.get("/")!.tipo, /^text\/html/);
  assert.ok(pagina.get("/painel.js")!.bytes.length > 0);
});

Deno.test("página: sem os arquivos, NotFound diz qual falta e o --include", () => {
  const pasta = new URL("./nao-existe/", import.meta.url);
  assert.throws(() => lerPagina(pasta), (erro: Error) => {
    assert.ok(erro instanceof Deno.errors.NotFound);
    assert.match(erro.message, /nao-existe\/index\.html/);
    assert.match(erro.message, /--include lib\/painel\/pagina\//);
    return true;
  });
});
