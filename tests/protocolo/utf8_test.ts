/**
 * Testes de lib/protocolo/utf8.ts: a contagem de bytes UTF-8 sem codificar e o
 * U+FEFF inicial preservado ao decodificar.
 *
 * @module
 */

import assert from "node:assert/strict";
import { codificar } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  type Quadro,
  tamanhoDaMensagem,
  Tipo,
  VERSAO_1,
} from "../../lib/protocolo/quadros.ts";
import { bytesUtf8 } from "../../lib/protocolo/utf8.ts";
import { utf8 } from "../bytes.ts";
import { mensagem, mulberry32 } from "../dados.ts";
import { decodificarPedacos, TODOS } from "./exemplos.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";

Deno.test("bytesUtf8 e tamanhoDaMensagem batem com o TextEncoder", async (t) => {
  const casos: [string, string][] = [
    ["vazio", ""],
    ["ASCII", "Tudo bem?"],
    ["controle e DEL", "\x00\t\n\x7f"],
    ["acentos (2 bytes)", "ação, coração, pão"],
    ["limite de 2 bytes (U+0080, U+07FF)", "\u0080\u07ff"],
    ["3 bytes (U+0800, €, U+FFFF)", "\u0800€\uffff"],
    ["BOM", "\ufeff"],
    ["emoji (par de surrogates)", "😀🚀"],
    ["emoji composto com ZWJ", "👩‍👩‍👧"],
    ["bandeira", "🇧🇷"],
    ["U+10FFFF", "\u{10ffff}"],
    ["surrogate alto sozinho no fim", "abc\ud800"],
    ["surrogate alto sozinho no início", "\ud800abc"],
    ["surrogate baixo sozinho", "a\udc00b"],
    ["baixo antes de alto (não é par)", "\udc00\ud800"],
    ["dois altos e um baixo", "\ud800\ud800\udc00"],
    ["alto seguido de acento", "\ud83dé"],
    ["misturado", "Olá 👋 mundo € \ud800 fim"],
  ];
  for (const [nome, texto] of casos) {
    await t.step(nome, () => {
      const esperado = utf8.encode(texto).length;
      assert.equal(bytesUtf8(texto), esperado);
      assert.equal(tamanhoDaMensagem(texto, "Olá"), esperado + 4);
      assert.equal(tamanhoDaMensagem("", texto), esperado);
    });
  }
  await t.step("cadeias aleatórias de unidades UTF-16 (semente 7)", () => {
    const aleatorio = mulberry32(7);
    // Faixas que pegam todas as classes: ASCII, 2 bytes, 3 bytes, surrogates.
    const faixas = [
      [0x00, 0x80],
      [0x80, 0x800],
      [0x800, 0xd800],
      [0xd800, 0xdc00],
      [0xdc00, 0xe000],
      [0xe000, 0x10000],
    ];
    for (let n = 0; n < 2000; n++) {
      const unidades: number[] = [];
      const tamanho = Math.floor(aleatorio() * 12);
      for (let i = 0; i < tamanho; i++) {
        const [de, ate] = faixas[Math.floor(aleatorio() * faixas.length)];
        unidades.push(de + Math.floor(aleatorio() * (ate - de)));
      }
      const texto = String.fromCharCode(...unidades);
      assert.equal(
        bytesUtf8(texto),
        utf8.encode(texto).length,
        `unidades ${unidades.map((u) => u.toString(16)).join(",")}`,
      );
    }
  });
});

Deno.test({
  name:
    "U+FEFF no início do assunto, do texto, do token e do erro sobrevive à ida e volta",
  // Sem ignoreBOM: true, o TextDecoder descartaria um U+FEFF inicial em cada
  // campo decodificado (defeito corrigido no codec, hoje em lib/protocolo/utf8.ts).
  fn() {
    const quadros: Quadro[] = [
      {
        tipo: Tipo.MENSAGEM,
        mensagem: mensagem({ assunto: "\ufeffOlá", texto: "\ufeffTudo" }),
      },
      { tipo: Tipo.OLA_CLIENTE, versao: VERSAO_1, token: "\ufefftoken" },
      { tipo: Tipo.ERRO, codigo: 1, texto: "\ufefferro" },
    ];
    for (const quadro of quadros) {
      assert.deepEqual(
        decodificarPedacos(
          new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS }),
          [
            codificar(quadro),
          ],
        ),
        [quadro],
      );
    }
  },
});
