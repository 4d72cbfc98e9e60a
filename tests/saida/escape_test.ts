/**
 * Testes de lib/saida/escape.ts: o escape de tudo o que um terminal
 * interpretaria (CWE-150), os campos recuados que não forjam a moldura de um
 * bloco e o JSON seguro.
 *
 * @module
 */
import assert from "node:assert/strict";
import { campoRecuado, escapar, jsonSeguro } from "../../lib/saida/escape.ts";
import { CRU_PERIGOSO } from "./dados.ts";

Deno.test("escapar mostra cada caractere perigoso visivelmente", async (t) => {
  const casos: [string, string, string][] = [
    ["NUL", "\x00", "\\x00"],
    ["BEL", "\x07", "\\x07"],
    ["BS", "\x08", "\\x08"],
    ["tabulação", "\t", "\\t"],
    ["VT", "\x0b", "\\x0B"],
    ["FF", "\x0c", "\\x0C"],
    ["CR", "\r", "\\r"],
    ["SUB", "\x1a", "\\x1A"],
    ["US", "\x1f", "\\x1F"],
    ["ESC CSI (cor)", "\x1b[31mx", "\\x1B[31mx"],
    ["ESC CSI (limpa a tela)", "\x1b[2J\x1b[H", "\\x1B[2J\\x1B[H"],
    ["ESC OSC (título)", "\x1b]0;HACKED\x07", "\\x1B]0;HACKED\\x07"],
    ["OSC terminado por ST", "\x1b]2;t\x1b\\", "\\x1B]2;t\\x1B\\\\"],
    ["DEL", "\x7f", "\\x7F"],
    ["C1 0x80", "\x80", "\\x80"],
    ["C1 CSI 0x9B", "\x9b2J", "\\x9B2J"],
    ["C1 OSC 0x9D", "\x9d0;t\x9c", "\\x9D0;t\\x9C"],
    ["C1 0x9F", "\x9f", "\\x9F"],
    ["LRE U+202A", "\u202a", "\\u{202A}"],
    ["RLE U+202B", "\u202b", "\\u{202B}"],
    ["PDF U+202C", "\u202c", "\\u{202C}"],
    ["LRO U+202D", "\u202d", "\\u{202D}"],
    ["RLO U+202E", "a\u202eb", "a\\u{202E}b"],
    ["LRI U+2066", "\u2066", "\\u{2066}"],
    ["RLI U+2067", "\u2067", "\\u{2067}"],
    ["FSI U+2068", "\u2068", "\\u{2068}"],
    ["PDI U+2069", "\u2069", "\\u{2069}"],
    ["LRM U+200E", "\u200e", "\\u{200E}"],
    ["RLM U+200F", "\u200f", "\\u{200F}"],
    ["ALM U+061C", "\u061c", "\\u{61C}"],
    ["separador de linha U+2028", "\u2028", "\\u{2028}"],
    ["separador de parágrafo U+2029", "\u2029", "\\u{2029}"],
    ["barra invertida (escape sem ambiguidade)", "\\x1B", "\\\\x1B"],
  ];
  for (const [nome, entrada, esperado] of casos) {
    await t.step(nome, () => {
      const saida = escapar(entrada);
      assert.equal(saida, esperado);
      assert.doesNotMatch(saida, CRU_PERIGOSO);
    });
  }
  await t.step("todos juntos, e de novo (sem estado entre chamadas)", () => {
    const tudo = casos.map(([, entrada]) => entrada).join("|");
    const esperado = casos.map(([, , saida]) => saida).join("|");
    assert.equal(escapar(tudo), esperado);
    assert.equal(escapar(tudo), esperado);
  });
});

Deno.test("escapar não mexe em texto comum, acentos, emoji nem quebra de linha", async (t) => {
  for (
    const texto of [
      "",
      "texto simples",
      "Acentuação çãõé ÀÉÎÕÜ ñ ß",
      "Olá 👋🏽 mundo 🎉 👨‍👩‍👧",
      "日本語 العربية עברית",
      "nbsp\u00a0e ¡¿",
      "linha 1\nlinha 2",
    ]
  ) {
    await t.step(JSON.stringify(texto), () => {
      assert.equal(escapar(texto), texto);
      // Depois de um texto perigoso, o comum continua intacto.
      escapar("\x1b");
      assert.equal(escapar(texto), texto);
    });
  }
});

Deno.test("campoRecuado: cada linha recuada, nenhuma se passa pela moldura do bloco", () => {
  const forjado =
    "um\n---\n> MENSAGEM #999 - 01/01/2000 00:00:00\n> TEXTO:\n\x1b[2Jdois\r\n\tfim";
  const saida = campoRecuado(forjado);
  assert.equal(
    saida,
    "  um\n  ---\n  > MENSAGEM #999 - 01/01/2000 00:00:00\n  > TEXTO:\n  \\x1B[2Jdois\\r\n  \\tfim",
  );
  for (const linha of saida.split("\n")) {
    assert.ok(linha.startsWith("  "), linha);
    assert.ok(!linha.startsWith("---") && !linha.startsWith(">"), linha);
  }
  assert.doesNotMatch(saida, CRU_PERIGOSO);
  assert.equal(campoRecuado(""), "  ");
  assert.equal(campoRecuado("\n"), "  \n  ");
  assert.equal(campoRecuado("uma só"), "  uma só");
  // Separadores Unicode de linha não quebram a linha num terminal: escapados.
  assert.equal(campoRecuado("a\u2028b"), "  a\\u{2028}b");
});

Deno.test("jsonSeguro: uma linha, sem caracteres crus perigosos, e JSON.parse devolve o original", () => {
  const perigos = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i))
    .join("") +
    "\x7f" +
    Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i))
      .join("") +
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e" +
    '\u2066\u2067\u2068\u2069\\"';
  const valor = {
    evento: "mensagem",
    assunto: "\x1b]0;HACKED\x07",
    texto: `${perigos} Olá 👋🏽 ção`,
    numero: 1,
    legado: false,
  };
  const json = jsonSeguro(valor);
  assert.doesNotMatch(json, CRU_PERIGOSO);
  assert.ok(!json.includes("\n"), "uma linha só");
  assert.deepEqual(JSON.parse(json), valor);
  assert.ok(json.includes("Olá 👋🏽 ção"), "texto comum sai como está");
  assert.equal(jsonSeguro("\x1b"), '"\\u001b"');
  assert.equal(jsonSeguro("\x9b"), '"\\u009b"');
  assert.equal(jsonSeguro("\x7f"), '"\\u007f"');
  assert.equal(jsonSeguro("\u202e"), '"\\u202e"');
  assert.equal(jsonSeguro("\u2028"), '"\\u2028"');
  assert.equal(jsonSeguro({ a: [1, "b"] }), '{"a":[1,"b"]}');
});
