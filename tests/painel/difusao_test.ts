/** A difusão SSE do painel (`lib/painel/difusao.ts`), sem rede. */

import assert from "node:assert/strict";
import { Difusao } from "../../lib/painel/difusao.ts";

const decodificar = (b: Uint8Array) => new TextDecoder().decode(b);

/** Espera o lote do tique corrente sair (`setTimeout` 0). */
const tique = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("difusão: um lote codificado uma vez, o mesmo pedaço para todos", async () => {
  const d = new Difusao({ historico: 10, pendentesMaximos: 100 });
  const a = d.abrir(undefined).getReader();
  const b = d.abrir(undefined).getReader();
  assert.match(
    decodificar((await a.read()).value!),
    /^retry: \d+\n\nevent: sessao\n/,
  );
  await b.read();
  let chamadas = 0;
  d.publicar((id) => {
    chamadas++;
    return `{"id":${id}}`;
  });
  d.publicar((id) => `{"id":${id}}`);
  await tique();
  const [x, y] = await Promise.all([a.read(), b.read()]);
  assert.equal(chamadas, 1);
  assert.equal(x.value, y.value); // o mesmo Uint8Array
  assert.equal(
    decodificar(x.value!),
    'id: 1\nevent: mensagem\ndata: {"id":1}\n\nid: 2\nevent: mensagem\ndata: {"id":2}\n\n',
  );
  d.fechar();
  assert.equal((await a.read()).done, true);
  assert.equal((await b.read()).done, true);
});

Deno.test("difusão: quem volta com Last-Event-ID recebe só o que perdeu", async () => {
  const d = new Difusao({ historico: 3, pendentesMaximos: 100 });
  for (let i = 0; i < 5; i++) d.publicar((id) => `{"id":${id}}`);
  const ler = async (ultimo: number | undefined) => {
    const leitor = d.abrir(ultimo).getReader();
    const texto = decodificar((await leitor.read()).value!);
    await leitor.cancel();
    return texto;
  };
  const depois3 = await ler(3);
  assert.deepEqual([...depois3.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]), [
    "4",
    "5",
  ]);
  assert.match(depois3, /"lacuna":false/);
  assert.match(await ler(1), /"lacuna":true/); // o 2 já saiu da memória
  assert.deepEqual(
    [...(await ler(undefined)).matchAll(/^id: (\d+)$/gm)].map((m) => m[1]),
    ["3", "4", "5"],
  );
  assert.equal(d.espectadores, 0);
});

Deno.test("difusão: quem não lê é desligado no teto, sem atrasar quem publica", async () => {
  const d = new Difusao({ historico: 0, pendentesMaximos: 5 });
  const parado = d.abrir(undefined).getReader();
  const leitor = d.abrir(undefined).getReader();
  await leitor.read();
  for (let i = 0; i < 4; i++) {
    d.publicar((id) => `{"id":${id}}`);
    d.publicar((id) => `{"id":${id}}`);
    await tique();
    await leitor.read();
  }
  assert.equal(d.espectadores, 1);
  assert.equal(d.desligados, 1);
  await assert.rejects(parado.read(), /não lê/);
  d.fechar();
});
