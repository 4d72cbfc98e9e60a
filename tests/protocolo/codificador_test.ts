/**
 * Testes de lib/protocolo/codificador.ts: ida e volta de cada tipo de quadro,
 * leiaute byte a byte contra hex escrito à mão, a MENSAGEM num buffer
 * reaproveitado, a CONFIRMACAO renumerada e os campos fora do tipo recusados.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  codificar,
  codificarMensagem,
  codificarMensagemEm,
  espacoParaMensagem,
  renumerarConfirmacao,
} from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  CABECALHO,
  FIXO_MENSAGEM,
  INSTANTE_MAXIMO,
  limitesDoCliente,
  type Mensagem,
  type Quadro,
  Tipo,
} from "../../lib/protocolo/quadros.ts";
import { deHex, paraHex, utf8 } from "../bytes.ts";
import { mensagem } from "../dados.ts";
import { decodificarPedacos, EXEMPLOS, TODOS } from "./exemplos.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";

Deno.test("cada tipo de quadro faz ida e volta pelo codec", async (t) => {
  for (const { nome, quadro } of EXEMPLOS) {
    await t.step(nome, () => {
      const bytes = codificar(quadro);
      const corpo = new DataView(bytes.buffer).getUint32(0);
      assert.equal(corpo, bytes.length - CABECALHO, "comprimento = só o corpo");
      assert.equal(bytes[4], quadro.tipo);
      const quadros = decodificarPedacos(
        new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS }),
        [bytes],
      );
      assert.deepEqual(quadros, [quadro]);
    });
  }
});

Deno.test("codificarMensagem produz os mesmos bytes que codificar", () => {
  const m = mensagem({ assunto: "Ação 🚀", texto: "ñ" });
  assert.deepEqual(
    codificarMensagem(m),
    codificar({ tipo: Tipo.MENSAGEM, mensagem: m }),
  );
});

/**
 * A MENSAGEM montada à parte, com `TextEncoder.encode` e `DataView`: a
 * referência contra a qual a codificação sem alocação é conferida.
 */
function mensagemDeReferencia(m: Mensagem): Uint8Array {
  const assunto = utf8.encode(m.assunto);
  const texto = utf8.encode(m.texto);
  const corpo = FIXO_MENSAGEM + assunto.length + texto.length;
  const bytes = new Uint8Array(CABECALHO + corpo);
  const vista = new DataView(bytes.buffer);
  vista.setUint32(0, corpo);
  bytes[4] = Tipo.MENSAGEM;
  vista.setUint32(5, m.numero);
  vista.setFloat64(9, m.instante);
  vista.setInt16(17, m.fuso);
  vista.setUint16(19, assunto.length);
  bytes.set(assunto, CABECALHO + FIXO_MENSAGEM);
  bytes.set(texto, CABECALHO + FIXO_MENSAGEM + assunto.length);
  return bytes;
}

Deno.test("codificarMensagemEm escreve num buffer sujo os bytes da referência e nada além", async (t) => {
  const casos: [string, Mensagem][] = [
    ["ASCII", mensagem({ assunto: "a".repeat(10), texto: "x".repeat(90) })],
    ["acentos e emoji", mensagem({ assunto: "Ação 🚀", texto: "ñ€𝄞" })],
    [
      "substitutos soltos viram U+FFFD",
      mensagem({ assunto: "\ud800", texto: "a\udc00b\ud83d" }),
    ],
    ["vazios", mensagem({ assunto: "", texto: "" })],
    [
      "extremos",
      mensagem({ numero: 0xffff_ffff, fuso: -32768, instante: -1.5 }),
    ],
    [
      "fuso máximo",
      mensagem({ numero: 0, fuso: 32767, instante: INSTANTE_MAXIMO }),
    ],
    [
      "três bytes por unidade",
      mensagem({ assunto: "€".repeat(50), texto: "ह".repeat(300) }),
    ],
  ];
  for (const [nome, m] of casos) {
    await t.step(nome, () => {
      const esperado = mensagemDeReferencia(m);
      // Exatamente o espaço prometido, com lixo antes e depois.
      const espaco = espacoParaMensagem(m.assunto, m.texto);
      const buffer = new Uint8Array(espaco + 16).fill(0xaa);
      const destino = buffer.subarray(8, 8 + espaco);
      const n = codificarMensagemEm(m, destino);
      assert.equal(n, esperado.length);
      assert.equal(paraHex(destino.subarray(0, n)), paraHex(esperado));
      assert.ok(buffer.subarray(0, 8).every((b) => b === 0xaa));
      assert.ok(buffer.subarray(8 + n).every((b) => b === 0xaa));
      assert.equal(paraHex(codificarMensagem(m)), paraHex(esperado));
    });
  }
});

Deno.test("codificarMensagemEm recusa um destino pequeno e campos fora do tipo", () => {
  const m = mensagem({ assunto: "Olá", texto: "Tudo bem?" });
  const justo = new Uint8Array(mensagemDeReferencia(m).length);
  assert.equal(codificarMensagemEm(m, justo), justo.length);
  assert.throws(
    () => codificarMensagemEm(m, justo.subarray(1)),
    (erro: unknown) =>
      erro instanceof RangeError && /destino pequeno demais/.test(erro.message),
  );
  const grande = new Uint8Array(1 << 20);
  assert.throws(
    () =>
      codificarMensagemEm(mensagem({ assunto: "a".repeat(0x10000) }), grande),
    (erro: unknown) =>
      erro instanceof RangeError &&
      erro.message === "assunto de 65536 bytes; o máximo é 65535",
  );
  for (const numero of [-1, 0x1_0000_0000, 1.5, NaN]) {
    assert.throws(
      () => codificarMensagemEm(mensagem({ numero }), grande),
      RangeError,
    );
  }
  for (const fuso of [-32769, 32768, 0.5]) {
    assert.throws(
      () => codificarMensagemEm(mensagem({ fuso }), grande),
      RangeError,
    );
  }
});

Deno.test("renumerarConfirmacao dá os bytes de codificar", () => {
  const quadro = codificar({ tipo: Tipo.CONFIRMACAO, numero: 0 });
  for (
    const numero of [
      1,
      258,
      0x01020304,
      0x7fff_ffff,
      0x8000_0000,
      0xffff_ffff,
      0,
    ]
  ) {
    renumerarConfirmacao(quadro, numero);
    assert.equal(
      paraHex(quadro),
      paraHex(codificar({ tipo: Tipo.CONFIRMACAO, numero })),
    );
  }
});

Deno.test("leiaute byte a byte contra hex escrito à mão", async (t) => {
  const casos: { nome: string; quadro: Quadro; hex: string }[] = [
    {
      nome: "MENSAGEM",
      quadro: {
        tipo: Tipo.MENSAGEM,
        mensagem: {
          numero: 1,
          instante: 2 ** 40, // f64: expoente 1023+40 = 0x427, mantissa 0
          fuso: -180, // i16: 0x10000 - 180 = 0xff4c
          assunto: "Olá", // 4f 6c c3 a1
          texto: "Tudo bem?", // 54 75 64 6f 20 62 65 6d 3f
        },
      },
      hex: `
        00 00 00 1d 03
        00 00 00 01
        42 70 00 00 00 00 00 00
        ff 4c
        00 04
        4f 6c c3 a1
        54 75 64 6f 20 62 65 6d 3f`,
    },
    {
      nome: "MENSAGEM com fuso positivo e assunto vazio",
      quadro: {
        tipo: Tipo.MENSAGEM,
        mensagem: {
          numero: 0x01020304,
          instante: 1.5, // f64: 3ff8 0000 0000 0000
          fuso: 330, // 0x014a
          assunto: "",
          texto: "€", // e2 82 ac
        },
      },
      hex: `
        00 00 00 13 03
        01 02 03 04
        3f f8 00 00 00 00 00 00
        01 4a
        00 00
        e2 82 ac`,
    },
    {
      nome: "OLA_CLIENTE sem token",
      quadro: { tipo: Tipo.OLA_CLIENTE, versao: 1, token: "" },
      hex: "00 00 00 08 01  53 4b 52 44  01  00  00 00",
    },
    {
      nome: "OLA_CLIENTE com token",
      quadro: { tipo: Tipo.OLA_CLIENTE, versao: 1, token: "aé" },
      hex: "00 00 00 0b 01  53 4b 52 44  01  00  00 03  61 c3 a9",
    },
    {
      nome: "OLA_SERVIDOR",
      quadro: {
        tipo: Tipo.OLA_SERVIDOR,
        versao: 1,
        tamanhoMaximo: 1024,
        tempoOcioso: 30_000,
      },
      hex: "00 00 00 0d 02  53 4b 52 44  01  00 00 04 00  00 00 75 30",
    },
    {
      nome: "CONFIRMACAO",
      quadro: { tipo: Tipo.CONFIRMACAO, numero: 258 },
      hex: "00 00 00 04 04  00 00 01 02",
    },
    {
      nome: "DESPEDIDA",
      quadro: { tipo: Tipo.DESPEDIDA },
      // "CODIGO_SAIDA" em ASCII
      hex: "00 00 00 0c 05  43 4f 44 49 47 4f 5f 53 41 49 44 41",
    },
    {
      nome: "ERRO",
      quadro: { tipo: Tipo.ERRO, codigo: 13, texto: "até" },
      hex: "00 00 00 06 06  00 0d  61 74 c3 a9",
    },
    { nome: "PING", quadro: { tipo: Tipo.PING }, hex: "00 00 00 00 07" },
    { nome: "PONG", quadro: { tipo: Tipo.PONG }, hex: "00 00 00 00 08" },
  ];
  for (const { nome, quadro, hex } of casos) {
    await t.step(nome, () => {
      const esperado = deHex(hex);
      assert.equal(paraHex(codificar(quadro)), paraHex(esperado));
      assert.deepEqual(
        decodificarPedacos(
          new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS }),
          [esperado],
        ),
        [quadro],
      );
    });
  }
});

Deno.test({
  name: "texto de ERRO truncado em 2048 bytes continua UTF-8 válido",
  // Cortar em 2048 bytes com subarray partia um caractere multibyte ao meio,
  // e o outro lado (TextDecoder fatal) recusava o quadro com UTF8_INVALIDO.
  fn() {
    const texto = "a" + "é".repeat(1100); // 2201 bytes; byte 2048 parte um "é"
    const bytes = codificar({ tipo: Tipo.ERRO, codigo: 4, texto });
    const quadros = decodificarPedacos(
      new Decodificador({ limites: limitesDoCliente() }),
      [bytes],
    );
    assert.equal(quadros.length, 1);
    const q = quadros[0];
    assert.ok(q.tipo === Tipo.ERRO);
    assert.ok(texto.startsWith(q.texto));
    assert.ok(utf8.encode(q.texto).length <= 2048);
    assert.equal(q.texto.length, 1 + 1023); // "a" + 1023 "é" = 2047 bytes
  },
});

Deno.test({
  name:
    "assunto com mais de 65535 bytes é recusado ao codificar, não truncado em silêncio",
  // setUint16 reduz módulo 65536: com um tamanhoMaximo acima de 65535 o
  // servidor receberia outro assunto e outro texto, sem erro nenhum.
  fn() {
    assert.throws(
      () => codificarMensagem(mensagem({ assunto: "x".repeat(0x10000) })),
      RangeError,
    );
    assert.throws(
      () => codificarMensagem(mensagem({ numero: 2 ** 32 })),
      RangeError,
    );
    assert.throws(
      () => codificarMensagem(mensagem({ fuso: 32768 })),
      RangeError,
    );
  },
});
