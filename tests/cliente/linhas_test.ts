/**
 * Testes de lib/cliente/linhas.ts: linhas de um fluxo de bytes cortado em qualquer
 * ponto (inclusive no meio de um caractere UTF-8), CRLF, última linha sem
 * quebra, a mesma promessa para chamadas concorrentes de `proxima()`, `tudo()`,
 * `cancelar()` e a fonte aberta só na primeira leitura.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LeitorDeLinhas } from "../../lib/cliente/linhas.ts";

const codificador = new TextEncoder();

/** Um fluxo que entrega os pedaços dados, um por leitura, e termina. */
function fluxoDe(pedacos: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controle) {
      if (i < pedacos.length) controle.enqueue(pedacos[i++]);
      else controle.close();
    },
  });
}

/** Um fluxo controlado pelo teste: nada chega até `mandar`. */
function fluxoManual() {
  let controle!: ReadableStreamDefaultController<Uint8Array>;
  const fluxo = new ReadableStream<Uint8Array>({
    start(c) {
      controle = c;
    },
  });
  return {
    fluxo,
    mandar: (texto: string) => controle.enqueue(codificador.encode(texto)),
    fechar: () => controle.close(),
  };
}

async function todasAsLinhas(leitor: LeitorDeLinhas): Promise<string[]> {
  const linhas: string[] = [];
  for (let l = await leitor.proxima(); l !== null; l = await leitor.proxima()) {
    linhas.push(l);
  }
  return linhas;
}

/** Corta `bytes` nos pontos dados. */
function cortar(bytes: Uint8Array, pontos: number[]): Uint8Array[] {
  const pedacos: Uint8Array[] = [];
  let inicio = 0;
  for (const ponto of [...pontos, bytes.length]) {
    pedacos.push(bytes.slice(inicio, ponto));
    inicio = ponto;
  }
  return pedacos;
}

const TEXTO = "ação\r\nolá 👋🏽 mundo\n\nçé\nfim sem quebra";
const LINHAS = ["ação", "olá 👋🏽 mundo", "", "çé", "fim sem quebra"];

Deno.test("linhas inteiras em qualquer ponto de corte, inclusive no meio de um caractere UTF-8", async () => {
  const bytes = codificador.encode(TEXTO);
  for (let corte = 0; corte <= bytes.length; corte++) {
    const leitor = new LeitorDeLinhas(fluxoDe(cortar(bytes, [corte])));
    assert.deepEqual(await todasAsLinhas(leitor), LINHAS, `corte em ${corte}`);
  }
});

Deno.test("um byte por leitura", async () => {
  const bytes = codificador.encode(TEXTO);
  const pedacos = Array.from(bytes, (b) => Uint8Array.of(b));
  const leitor = new LeitorDeLinhas(fluxoDe(pedacos));
  assert.deepEqual(await todasAsLinhas(leitor), LINHAS);
});

Deno.test("CRLF perde o \\r; um \\r no meio da linha fica", async () => {
  const leitor = new LeitorDeLinhas(
    fluxoDe([codificador.encode("a\r\nb\rc\r\n\r\nd\n")]),
  );
  assert.deepEqual(await todasAsLinhas(leitor), ["a", "b\rc", "", "d"]);
});

Deno.test("fim da entrada: null, e null de novo; entrada vazia é null já", async () => {
  const vazio = new LeitorDeLinhas(fluxoDe([]));
  assert.equal(await vazio.proxima(), null);
  assert.equal(await vazio.proxima(), null);
  const uma = new LeitorDeLinhas(fluxoDe([codificador.encode("só\n")]));
  assert.equal(await uma.proxima(), "só");
  assert.equal(await uma.proxima(), null);
  assert.equal(await uma.proxima(), null);
  const semQuebra = new LeitorDeLinhas(fluxoDe([codificador.encode("x")]));
  assert.deepEqual(await todasAsLinhas(semQuebra), ["x"]);
});

Deno.test("muitas linhas num pedaço só saem todas, em ordem", async () => {
  const linhas = Array.from({ length: 5000 }, (_, i) => `linha ${i} ção`);
  const leitor = new LeitorDeLinhas(
    fluxoDe([codificador.encode(linhas.join("\n") + "\n")]),
  );
  assert.deepEqual(await todasAsLinhas(leitor), linhas);
});

Deno.test("proxima() chamada duas vezes antes de resolver devolve a mesma promessa: nenhuma linha se perde", async () => {
  const { fluxo, mandar, fechar } = fluxoManual();
  const leitor = new LeitorDeLinhas(fluxo);
  const a = leitor.proxima();
  const b = leitor.proxima();
  assert.equal(a, b, "a mesma promessa");
  mandar("primeira\nsegunda\n");
  assert.equal(await a, "primeira");
  assert.equal(await b, "primeira");
  // Resolvida, a próxima chamada pega a linha seguinte, já no buffer.
  const c = leitor.proxima();
  assert.notEqual(c, a);
  assert.equal(await c, "segunda");
  // Uma corrida como a do menu: a linha chega enquanto duas esperas disputam.
  const d = Promise.race([leitor.proxima(), new Promise(() => {})]);
  const e = leitor.proxima();
  mandar("ter");
  mandar("ceira\n");
  assert.equal(await d, "terceira");
  assert.equal(await e, "terceira");
  fechar();
  assert.equal(await leitor.proxima(), null);
});

Deno.test("tudo() junta a entrada inteira, cortes UTF-8 incluídos", async () => {
  const bytes = codificador.encode(TEXTO + "\n");
  for (let corte = 0; corte <= bytes.length; corte += 3) {
    const leitor = new LeitorDeLinhas(
      fluxoDe(cortar(bytes, [corte, corte + 1])),
    );
    assert.equal(await leitor.tudo(), TEXTO + "\n");
  }
  assert.equal(await new LeitorDeLinhas(fluxoDe([])).tudo(), "");
});

Deno.test("tudo() depois de proxima() devolve o resto, sem perder o que já estava lido", async () => {
  const leitor = new LeitorDeLinhas(
    fluxoDe([
      codificador.encode("um\ndois\ntrês"),
      codificador.encode(" e 4\n"),
    ]),
  );
  assert.equal(await leitor.proxima(), "um");
  assert.equal(await leitor.tudo(), "dois\ntrês e 4\n");
  assert.equal(await leitor.proxima(), null);
});

Deno.test("cancelar() solta quem espera o teclado: proxima() vira null", async () => {
  const { fluxo } = fluxoManual();
  const leitor = new LeitorDeLinhas(fluxo);
  const esperando = leitor.proxima();
  await leitor.cancelar();
  assert.equal(await esperando, null);
  assert.equal(await leitor.proxima(), null);
  await leitor.cancelar(); // duas vezes: sem erro
});

Deno.test("uma fonte em função só é aberta na primeira leitura", async () => {
  let aberturas = 0;
  const leitor = new LeitorDeLinhas(() => {
    aberturas++;
    return fluxoDe([codificador.encode("um\ndois\n")]);
  });
  assert.equal(aberturas, 0);
  assert.equal(await leitor.proxima(), "um");
  assert.equal(await leitor.tudo(), "dois\n");
  assert.equal(aberturas, 1);
});

Deno.test("cancelar() antes de ler não abre a fonte, e a entrada acaba", async () => {
  let aberturas = 0;
  const leitor = new LeitorDeLinhas(() => {
    aberturas++;
    return fluxoManual().fluxo;
  });
  await leitor.cancelar();
  assert.equal(await leitor.proxima(), null);
  assert.equal(await leitor.tudo(), "");
  assert.equal(aberturas, 0);
});
