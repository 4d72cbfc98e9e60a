/**
 * Testes de lib/painel/pedido_http.ts: a análise pura do pedido HTTP do
 * painel, byte a byte — o que passa e o código de cada recusa.
 *
 * @module
 */

import assert from "node:assert/strict";
import { analisarPedido, type Pedido } from "../../lib/painel/pedido_http.ts";

const bytes = (texto: string) => Uint8Array.from(texto, (c) => c.charCodeAt(0));
const analisar = (texto: string, corpoMaximo = 4096) =>
  analisarPedido(bytes(texto), corpoMaximo);

Deno.test("pedido HTTP: o de um navegador passa, com os campos e o alvo como vieram", () => {
  const pedido = analisar(
    "GET /eventos?desde=3 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" +
      "Accept: text/event-stream\r\nLast-Event-ID:   17  \r\n" +
      "Cookie: a=1\r\nCookie: b=2",
  ) as Pedido;
  assert.equal(pedido.metodo, "GET");
  assert.equal(pedido.alvo, "/eventos?desde=3");
  assert.equal(pedido.cabecalhos.get("host"), "127.0.0.1:8080");
  assert.equal(pedido.cabecalhos.get("last-event-id"), "17");
  assert.equal(pedido.cabecalhos.get("cookie"), "a=1, b=2");
  assert.equal(pedido.tamanhoDoCorpo, 0);
});

Deno.test("pedido HTTP: content-length diz o corpo; acima do máximo é 413", () => {
  const post = analisar(
    "POST /entrar HTTP/1.1\r\nContent-Length: 11",
  ) as Pedido;
  assert.equal(post.tamanhoDoCorpo, 11);
  assert.equal(analisar("POST /entrar HTTP/1.0\r\nContent-Length: 4097"), 413);
  assert.equal(
    analisar("POST / HTTP/1.1\r\nContent-Length: 4096") !== 413,
    true,
  );
});

Deno.test("pedido HTTP: o que é ambíguo ou não suportado recebe o código que o explica", () => {
  const casos: [string, number][] = [
    ["GET / HTTP/1.1\nHost: x", 400], // LF sem CR
    ["GET / HTTP/1.1\r\nHost: x\ry", 400], // CR sem LF
    ["GET / HTTP/1.1\r\n Host: x", 400], // dobra
    ["GET / HTTP/1.1\r\nHost : x", 400], // espaço antes de ":"
    ["GET / HTTP/1.1\r\nSem dois pontos", 400],
    ["GET http://x/ HTTP/1.1", 400], // só a forma /caminho
    ["GET  / HTTP/1.1", 400],
    ["get / HTTP/1.1", 400],
    ["GET / HTTP/2.0", 505],
    ["GET /\u00e9 HTTP/1.1", 400], // fora do ASCII na linha do pedido
    ["GET / HTTP/1.1\r\nX: a\u0000b", 400], // controle
    ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked", 501],
    ["POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1", 400],
    ["POST / HTTP/1.1\r\nContent-Length: -1", 400],
    ["POST / HTTP/1.1\r\nContent-Length: 1e3", 400],
    ["", 400],
  ];
  for (const [texto, codigo] of casos) {
    assert.equal(analisar(texto), codigo, JSON.stringify(texto));
  }
});

Deno.test("pedido HTTP: tabulação vale dentro de um valor, e espaços em volta dele saem", () => {
  const pedido = analisar("GET / HTTP/1.1\r\nX-A:\t um\tdois \t") as Pedido;
  assert.equal(pedido.cabecalhos.get("x-a"), "um\tdois");
});

Deno.test("pedido HTTP: bytes acima de 127 valem num valor (um cookie de outro programa no mesmo host), não na linha do pedido", () => {
  const pedido = analisar("GET / HTTP/1.1\r\nCookie: x=caf\u00e9") as Pedido;
  assert.equal(pedido.cabecalhos.get("cookie"), "x=caf\u00e9");
  assert.equal(analisar("GET / HTTP/1.1\r\nX: a\u007fb"), 400); // DEL
});

Deno.test("pedido HTTP: um valor com 16 mil espaços no meio custa o mesmo que um sem (sem tempo quadrático)", () => {
  const tempo = (valor: string) => {
    const texto = bytes(`GET / HTTP/1.1\r\na: ${valor}`);
    const inicio = performance.now();
    for (let i = 0; i < 5; i++) analisarPedido(texto, 4096);
    return performance.now() - inicio;
  };
  const comum = tempo("x".repeat(16_002));
  const espacos = tempo("x" + " ".repeat(16_000) + "y");
  // Quadrático, eram ~100 ms por pedido contra ~1 ms.
  assert.ok(espacos < 10 * comum + 20, `${espacos} ms contra ${comum} ms`);
});
