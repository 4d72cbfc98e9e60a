/**
 * Testes do codec (lib/protocolo/codec.ts): ida e volta de cada tipo de quadro,
 * todos os pontos de corte de um fluxo, um byte por vez, leiaute byte a byte
 * contra hex escrito à mão, limites conferidos só pelo cabeçalho, corpos
 * malformados, saudação obrigatória e a contagem de bytes UTF-8.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CodigoErro, ErroDeProtocolo } from "../../lib/erros.ts";
import {
  codificar,
  codificarMensagem,
  codificarMensagemEm,
  espacoParaMensagem,
  renumerarConfirmacao,
} from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";
import {
  CABECALHO,
  CODIGO_SAIDA,
  FIXO_MENSAGEM,
  INSTANTE_MAXIMO,
  type Limites,
  limitesDoCliente,
  limitesDoServidor,
  type Mensagem,
  type Quadro,
  TAMANHO_MAXIMO_PADRAO,
  tamanhoDaMensagem,
  Tipo,
  VERSAO,
} from "../../lib/protocolo/quadros.ts";
import { bytesUtf8 } from "../../lib/protocolo/utf8.ts";
import { INSTANTE, mensagem, mulberry32 } from "../dados.ts";

// ---------------------------------------------------------------------------
// Auxiliares

const utf8 = new TextEncoder();

/** Bytes a partir de hex com espaços livres: "00 0a ff". */
function deHex(texto: string): Uint8Array {
  const limpo = texto.replace(/\s+/g, "");
  assert.equal(limpo.length % 2, 0, "hex com número ímpar de dígitos");
  const bytes = new Uint8Array(limpo.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(limpo.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}

function paraHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function juntar(...partes: Uint8Array[]): Uint8Array {
  const total = partes.reduce((soma, p) => soma + p.length, 0);
  const saida = new Uint8Array(total);
  let pos = 0;
  for (const p of partes) {
    saida.set(p, pos);
    pos += p.length;
  }
  return saida;
}

/** Quadro cru: cabeçalho com o comprimento do corpo dado + corpo. */
function quadroCru(tipo: number, corpo: Uint8Array | number[]): Uint8Array {
  const c = corpo instanceof Uint8Array ? corpo : Uint8Array.from(corpo);
  const bytes = new Uint8Array(CABECALHO + c.length);
  new DataView(bytes.buffer).setUint32(0, c.length);
  bytes[4] = tipo;
  bytes.set(c, CABECALHO);
  return bytes;
}

/** Só o cabeçalho: comprimento declarado e tipo. */
function cabecalho(tipo: number, comprimento: number): Uint8Array {
  const bytes = new Uint8Array(CABECALHO);
  new DataView(bytes.buffer).setUint32(0, comprimento);
  bytes[4] = tipo;
  return bytes;
}

/** Decodifica uma sequência de pedaços e devolve todos os quadros. */
function decodificarPedacos(
  decodificador: Decodificador,
  pedacos: Iterable<Uint8Array>,
): Quadro[] {
  const quadros: Quadro[] = [];
  for (const pedaco of pedacos) {
    decodificador.decodificar(pedaco, (q) => quadros.push(q));
  }
  return quadros;
}

/** Confere que `acao` lança ErroDeProtocolo com o código esperado. */
function lancaErro(acao: () => unknown, codigo: CodigoErro): ErroDeProtocolo {
  let capturado: unknown;
  try {
    acao();
  } catch (erro) {
    capturado = erro;
  }
  assert.ok(
    capturado instanceof ErroDeProtocolo,
    `esperava ErroDeProtocolo, veio ${String(capturado)}`,
  );
  assert.equal(
    capturado.codigo,
    codigo,
    `código ${capturado.codigo} (${capturado.message}), esperava ${codigo}`,
  );
  assert.equal(capturado.name, "ErroDeProtocolo");
  return capturado;
}

/** Limites que aceitam todos os tipos (servidor e cliente juntos). */
const TODOS: Limites = {
  ...limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
  ...limitesDoCliente(),
};

// Uma mensagem de exatamente 1024 bytes (o limite padrão), com multibyte.
const ASSUNTO_GRANDE = "Grande";
const TEXTO_GRANDE = "ç".repeat((TAMANHO_MAXIMO_PADRAO - 6) / 2);

/** Um exemplar de cada tipo, e variações que exercitam os campos. */
const EXEMPLOS: { nome: string; quadro: Quadro }[] = [
  {
    nome: "OLA_CLIENTE sem token",
    quadro: { tipo: Tipo.OLA_CLIENTE, versao: VERSAO, token: "" },
  },
  {
    nome: "OLA_CLIENTE com token",
    quadro: { tipo: Tipo.OLA_CLIENTE, versao: VERSAO, token: "segredo-ção-🔑" },
  },
  {
    nome: "OLA_SERVIDOR",
    quadro: {
      tipo: Tipo.OLA_SERVIDOR,
      versao: VERSAO,
      tamanhoMaximo: TAMANHO_MAXIMO_PADRAO,
      tempoOcioso: 30_000,
    },
  },
  {
    nome: "OLA_SERVIDOR com valores u32 máximos",
    quadro: {
      tipo: Tipo.OLA_SERVIDOR,
      versao: 255,
      tamanhoMaximo: 0xffffffff,
      tempoOcioso: 0xffffffff,
    },
  },
  {
    nome: "MENSAGEM simples",
    quadro: { tipo: Tipo.MENSAGEM, mensagem: mensagem() },
  },
  {
    nome: "MENSAGEM com acentos e emoji",
    quadro: {
      tipo: Tipo.MENSAGEM,
      mensagem: mensagem({
        numero: 2,
        fuso: 330,
        assunto: "Ação 🚀 ñ",
        texto: "Coração ❤️ família 👩‍👩‍👧\ncom quebra de linha",
      }),
    },
  },
  {
    nome: "MENSAGEM vazia",
    quadro: {
      tipo: Tipo.MENSAGEM,
      mensagem: mensagem({ numero: 3, assunto: "", texto: "" }),
    },
  },
  {
    nome: "MENSAGEM de 1024 bytes",
    quadro: {
      tipo: Tipo.MENSAGEM,
      mensagem: mensagem({
        numero: 1000,
        fuso: 0,
        assunto: ASSUNTO_GRANDE,
        texto: TEXTO_GRANDE,
      }),
    },
  },
  {
    nome: "MENSAGEM com extremos numéricos",
    quadro: {
      tipo: Tipo.MENSAGEM,
      mensagem: mensagem({
        numero: 0xffffffff,
        instante: -1.5,
        fuso: -32768,
        assunto: "x",
        texto: "y",
      }),
    },
  },
  { nome: "CONFIRMACAO", quadro: { tipo: Tipo.CONFIRMACAO, numero: 7 } },
  {
    nome: "CONFIRMACAO máxima",
    quadro: { tipo: Tipo.CONFIRMACAO, numero: 0xffffffff },
  },
  { nome: "DESPEDIDA", quadro: { tipo: Tipo.DESPEDIDA } },
  {
    nome: "ERRO",
    quadro: {
      tipo: Tipo.ERRO,
      codigo: CodigoErro.ENCERRANDO,
      texto: "servidor encerrando: até logo",
    },
  },
  {
    nome: "ERRO sem texto",
    quadro: { tipo: Tipo.ERRO, codigo: CodigoErro.OCIOSO, texto: "" },
  },
  { nome: "PING", quadro: { tipo: Tipo.PING } },
  { nome: "PONG", quadro: { tipo: Tipo.PONG } },
];

/** O fluxo com todos os exemplos em sequência, e os quadros esperados. */
const FLUXO = juntar(...EXEMPLOS.map((e) => codificar(e.quadro)));
const QUADROS = EXEMPLOS.map((e) => e.quadro);

/** Fluxo menor (sem a mensagem de 1024 bytes), para cortes em três pedaços. */
const EXEMPLOS_PEQUENOS = EXEMPLOS.filter((e) =>
  e.nome !== "MENSAGEM de 1024 bytes"
);
const FLUXO_PEQUENO = juntar(
  ...EXEMPLOS_PEQUENOS.map((e) => codificar(e.quadro)),
);
const QUADROS_PEQUENOS = EXEMPLOS_PEQUENOS.map((e) => e.quadro);

// ---------------------------------------------------------------------------
// Ida e volta

Deno.test("cada tipo de quadro faz ida e volta pelo codec", async (t) => {
  for (const { nome, quadro } of EXEMPLOS) {
    await t.step(nome, () => {
      const bytes = codificar(quadro);
      const corpo = new DataView(bytes.buffer).getUint32(0);
      assert.equal(corpo, bytes.length - CABECALHO, "comprimento = só o corpo");
      assert.equal(bytes[4], quadro.tipo);
      const quadros = decodificarPedacos(
        new Decodificador({ limites: TODOS }),
        [bytes],
      );
      assert.deepEqual(quadros, [quadro]);
    });
  }
});

Deno.test("os limites de cada lado aceitam os quadros que esse lado recebe", async (t) => {
  // Só o cliente manda OLA_CLIENTE e MENSAGEM; só o servidor manda
  // OLA_SERVIDOR e CONFIRMACAO; os demais vão nos dois sentidos.
  const soDoCliente: number[] = [Tipo.OLA_CLIENTE, Tipo.MENSAGEM];
  const soDoServidor: number[] = [Tipo.OLA_SERVIDOR, Tipo.CONFIRMACAO];
  for (const { nome, quadro } of EXEMPLOS) {
    await t.step(nome, () => {
      const bytes = codificar(quadro);
      const paraServidor = !soDoServidor.includes(quadro.tipo);
      const paraCliente = !soDoCliente.includes(quadro.tipo);
      if (paraServidor) {
        const d = new Decodificador({
          limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        });
        assert.deepEqual(decodificarPedacos(d, [bytes]), [quadro]);
      } else {
        const d = new Decodificador({
          limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        });
        lancaErro(
          () => decodificarPedacos(d, [bytes]),
          CodigoErro.TIPO_DESCONHECIDO,
        );
      }
      if (paraCliente) {
        const d = new Decodificador({ limites: limitesDoCliente() });
        assert.deepEqual(decodificarPedacos(d, [bytes]), [quadro]);
      } else {
        const d = new Decodificador({ limites: limitesDoCliente() });
        lancaErro(
          () => decodificarPedacos(d, [bytes]),
          CodigoErro.TIPO_DESCONHECIDO,
        );
      }
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

// ---------------------------------------------------------------------------
// Pedaços

Deno.test("fimDoPedaco: verdadeiro só no último quadro completo de cada pedaço", () => {
  const um = codificar({
    tipo: Tipo.MENSAGEM,
    mensagem: mensagem({ numero: 1 }),
  });
  const dois = codificar({
    tipo: Tipo.MENSAGEM,
    mensagem: mensagem({ numero: 2 }),
  });
  const ping = codificar({ tipo: Tipo.PING });
  const vistos: string[] = [];
  const d = new Decodificador({ limites: TODOS });
  const anotar = (pedacos: Uint8Array[]) => {
    for (const pedaco of pedacos) {
      d.decodificar(pedaco, (q) => vistos.push(`${q.tipo}:${d.fimDoPedaco}`));
    }
  };
  anotar([juntar(um, dois)]); // dois quadros num pedaço
  anotar([juntar(um, dois.subarray(0, 7))]); // o 2º fica incompleto
  anotar([dois.subarray(7)]); // ... e se completa no fim do pedaço
  anotar([ping.subarray(0, 3), juntar(ping.subarray(3), um.subarray(0, 2))]);
  anotar([juntar(um.subarray(2), ping)]); // corpo completado, PING no fim
  assert.deepEqual(vistos, [
    "3:false",
    "3:true",
    "3:false", // há bytes do próximo quadro depois dele
    "3:true",
    "7:false", // PING de cabeçalho partido, com bytes depois
    "3:false",
    "7:true",
  ]);
});

Deno.test("todo ponto de corte em dois pedaços dá os mesmos quadros", () => {
  for (let corte = 0; corte <= FLUXO.length; corte++) {
    const d = new Decodificador({ limites: TODOS });
    const quadros = decodificarPedacos(d, [
      FLUXO.subarray(0, corte),
      FLUXO.subarray(corte),
    ]);
    assert.deepEqual(quadros, QUADROS, `corte em ${corte}`);
    assert.equal(d.incompleto, false);
  }
});

Deno.test("todo par de pontos de corte (três pedaços) dá os mesmos quadros", () => {
  const n = FLUXO_PEQUENO.length;
  for (let a = 0; a <= n; a++) {
    for (let b = a; b <= n; b++) {
      const d = new Decodificador({ limites: TODOS });
      const quadros = decodificarPedacos(d, [
        FLUXO_PEQUENO.subarray(0, a),
        FLUXO_PEQUENO.subarray(a, b),
        FLUXO_PEQUENO.subarray(b),
      ]);
      if (quadros.length !== QUADROS_PEQUENOS.length) {
        assert.fail(`cortes em ${a} e ${b}: ${quadros.length} quadros`);
      }
      assert.deepEqual(quadros, QUADROS_PEQUENOS, `cortes em ${a} e ${b}`);
    }
  }
});

Deno.test("todo ponto de corte vale também com saudação obrigatória", () => {
  // O fluxo do cliente para o servidor: saudação, mensagens, ping, saída.
  const doCliente: Quadro[] = [
    { tipo: Tipo.OLA_CLIENTE, versao: VERSAO, token: "" },
    { tipo: Tipo.MENSAGEM, mensagem: mensagem() },
    { tipo: Tipo.PING },
    {
      tipo: Tipo.MENSAGEM,
      mensagem: mensagem({
        numero: 2,
        assunto: ASSUNTO_GRANDE,
        texto: TEXTO_GRANDE,
      }),
    },
    { tipo: Tipo.DESPEDIDA },
  ];
  const fluxo = juntar(...doCliente.map(codificar));
  for (let corte = 0; corte <= fluxo.length; corte++) {
    const d = new Decodificador({
      limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
      saudacao: Tipo.OLA_CLIENTE,
    });
    const quadros = decodificarPedacos(d, [
      fluxo.subarray(0, corte),
      fluxo.subarray(corte),
    ]);
    assert.deepEqual(quadros, doCliente, `corte em ${corte}`);
  }
});

Deno.test("um byte por vez dá os mesmos quadros", () => {
  const d = new Decodificador({ limites: TODOS });
  const quadros: Quadro[] = [];
  for (let i = 0; i < FLUXO.length; i++) {
    d.decodificar(FLUXO.subarray(i, i + 1), (q) => quadros.push(q));
  }
  assert.deepEqual(quadros, QUADROS);
  assert.equal(d.incompleto, false);
});

Deno.test("um byte por vez em cópias próprias (buffers distintos)", () => {
  const d = new Decodificador({ limites: TODOS });
  const quadros: Quadro[] = [];
  for (const byte of FLUXO) {
    d.decodificar(Uint8Array.of(byte), (q) => quadros.push(q));
  }
  assert.deepEqual(quadros, QUADROS);
});

Deno.test("muitos quadros num só pedaço saem todos, na ordem", () => {
  const quadros: Quadro[] = [];
  for (let i = 1; i <= 500; i++) {
    quadros.push({
      tipo: Tipo.MENSAGEM,
      mensagem: mensagem({ numero: i, texto: `texto ${i} ✓` }),
    });
    if (i % 7 === 0) quadros.push({ tipo: Tipo.PING });
    if (i % 11 === 0) quadros.push({ tipo: Tipo.CONFIRMACAO, numero: i });
  }
  quadros.push({ tipo: Tipo.DESPEDIDA });
  const fluxo = juntar(...quadros.map(codificar));
  const d = new Decodificador({ limites: TODOS });
  assert.deepEqual(decodificarPedacos(d, [fluxo]), quadros);
  assert.equal(d.incompleto, false);
});

Deno.test("pedaço que é uma vista com deslocamento no buffer é lido no lugar certo", () => {
  // O DataView tem de usar o byteOffset do pedaço, não o início do buffer.
  const buffer = new Uint8Array(FLUXO.length + 10).fill(0xee);
  buffer.set(FLUXO, 3);
  const vista = buffer.subarray(3, 3 + FLUXO.length);
  assert.deepEqual(
    decodificarPedacos(new Decodificador({ limites: TODOS }), [vista]),
    QUADROS,
  );
});

Deno.test("quadros entregues não dependem do pedaço depois de lido", () => {
  // O caminho rápido lê o corpo no lugar; o quadro tem de sobreviver ao
  // reaproveitamento do buffer de leitura.
  const pedaco = FLUXO.slice();
  const quadros = decodificarPedacos(new Decodificador({ limites: TODOS }), [
    pedaco,
  ]);
  pedaco.fill(0);
  assert.deepEqual(quadros, QUADROS);
});

Deno.test("incompleto indica bytes guardados de um quadro pela metade", () => {
  const d = new Decodificador({ limites: TODOS });
  const bytes = codificar({ tipo: Tipo.CONFIRMACAO, numero: 9 });
  assert.equal(d.incompleto, false);
  d.decodificar(bytes.subarray(0, 2), () => {});
  assert.equal(d.incompleto, true, "meio cabeçalho");
  d.decodificar(bytes.subarray(2, 7), () => {});
  assert.equal(d.incompleto, true, "cabeçalho inteiro, corpo pela metade");
  const quadros: Quadro[] = [];
  d.decodificar(bytes.subarray(7), (q) => quadros.push(q));
  assert.equal(d.incompleto, false);
  assert.deepEqual(quadros, [{ tipo: Tipo.CONFIRMACAO, numero: 9 }]);
});

Deno.test("pedaço vazio não muda nada", () => {
  const d = new Decodificador({ limites: TODOS });
  assert.deepEqual(decodificarPedacos(d, [new Uint8Array(0)]), []);
  assert.equal(d.incompleto, false);
});

Deno.test("trocar os limites vale a partir do próximo cabeçalho", () => {
  const d = new Decodificador({ limites: limitesDoServidor(4) });
  const grande = codificar({
    tipo: Tipo.MENSAGEM,
    mensagem: mensagem({ assunto: "", texto: "12345" }),
  });
  lancaErro(() => d.decodificar(grande, () => {}), CodigoErro.MENSAGEM_GRANDE);
  const outro = new Decodificador({ limites: limitesDoServidor(4) });
  outro.limites = limitesDoServidor(5);
  assert.equal(decodificarPedacos(outro, [grande]).length, 1);
});

// ---------------------------------------------------------------------------
// Leiaute exato

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
        decodificarPedacos(new Decodificador({ limites: TODOS }), [esperado]),
        [quadro],
      );
    });
  }
});

Deno.test("constantes do protocolo", () => {
  assert.equal(VERSAO, 1);
  assert.equal(CODIGO_SAIDA, "CODIGO_SAIDA");
  assert.equal(CABECALHO, 5);
  assert.equal(FIXO_MENSAGEM, 16);
  assert.equal(TAMANHO_MAXIMO_PADRAO, 1024);
});

// ---------------------------------------------------------------------------
// Limites de tamanho

Deno.test("mensagem no limite passa; um byte a mais é MENSAGEM_GRANDE", () => {
  const noLimite = mensagem({ assunto: ASSUNTO_GRANDE, texto: TEXTO_GRANDE });
  assert.equal(tamanhoDaMensagem(noLimite.assunto, noLimite.texto), 1024);
  const d = new Decodificador({
    limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
  });
  assert.equal(
    decodificarPedacos(d, [codificarMensagem(noLimite)]).length,
    1,
  );
  const demais = { ...noLimite, texto: noLimite.texto + "x" };
  const erro = lancaErro(
    () =>
      new Decodificador({ limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO) })
        .decodificar(
          codificarMensagem(demais),
          () => {},
        ),
    CodigoErro.MENSAGEM_GRANDE,
  );
  assert.match(erro.message, /1025 bytes/);
  assert.match(erro.message, /limite de 1024 bytes/);
  assert.match(erro.message, /em 1 bytes/);
});

Deno.test("comprimento grande demais é recusado só pelo cabeçalho de 5 bytes", async (t) => {
  const servidor = () =>
    new Decodificador({ limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO) });
  const casos: {
    nome: string;
    decodificador: () => Decodificador;
    tipo: number;
    comprimento: number;
    codigo: CodigoErro;
  }[] = [
    {
      nome: "MENSAGEM de limite + 1",
      decodificador: servidor,
      tipo: Tipo.MENSAGEM,
      comprimento: FIXO_MENSAGEM + TAMANHO_MAXIMO_PADRAO + 1,
      codigo: CodigoErro.MENSAGEM_GRANDE,
    },
    {
      nome: "MENSAGEM de 0xFFFFFFFF",
      decodificador: servidor,
      tipo: Tipo.MENSAGEM,
      comprimento: 0xffffffff,
      codigo: CodigoErro.MENSAGEM_GRANDE,
    },
    {
      nome: "MENSAGEM de 0x80000000",
      decodificador: servidor,
      tipo: Tipo.MENSAGEM,
      comprimento: 0x80000000,
      codigo: CodigoErro.MENSAGEM_GRANDE,
    },
    {
      nome: "OLA_CLIENTE de 0xFFFFFFFF",
      decodificador: servidor,
      tipo: Tipo.OLA_CLIENTE,
      comprimento: 0xffffffff,
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "ERRO de 0xFFFFFFFF",
      decodificador: servidor,
      tipo: Tipo.ERRO,
      comprimento: 0xffffffff,
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "PING com 1 byte de corpo",
      decodificador: servidor,
      tipo: Tipo.PING,
      comprimento: 1,
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "DESPEDIDA com 13 bytes",
      decodificador: servidor,
      tipo: Tipo.DESPEDIDA,
      comprimento: 13,
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "CONFIRMACAO de 0xFFFFFFFF no cliente",
      decodificador: () => new Decodificador({ limites: limitesDoCliente() }),
      tipo: Tipo.CONFIRMACAO,
      comprimento: 0xffffffff,
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "OLA_SERVIDOR de 14 bytes no cliente",
      decodificador: () => new Decodificador({ limites: limitesDoCliente() }),
      tipo: Tipo.OLA_SERVIDOR,
      comprimento: 14,
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
  ];
  for (const caso of casos) {
    await t.step(`${caso.nome}: cabeçalho inteiro num pedaço`, () => {
      const d = caso.decodificador();
      lancaErro(
        () => d.decodificar(cabecalho(caso.tipo, caso.comprimento), () => {}),
        caso.codigo,
      );
    });
    await t.step(`${caso.nome}: cabeçalho um byte por vez`, () => {
      const d = caso.decodificador();
      const bytes = cabecalho(caso.tipo, caso.comprimento);
      for (let i = 0; i < CABECALHO - 1; i++) {
        d.decodificar(bytes.subarray(i, i + 1), () => {});
      }
      lancaErro(
        () => d.decodificar(bytes.subarray(CABECALHO - 1), () => {}),
        caso.codigo,
      );
    });
  }
});

// ---------------------------------------------------------------------------
// Corpos malformados

/** Corpo de MENSAGEM montado à mão, para estragar campo a campo. */
function corpoMensagem(
  opcoes: {
    instante?: number;
    tamanhoAssunto?: number;
    assunto?: Uint8Array;
    texto?: Uint8Array;
  },
): Uint8Array {
  const assunto = opcoes.assunto ?? utf8.encode("ok");
  const texto = opcoes.texto ?? utf8.encode("ok");
  const corpo = new Uint8Array(FIXO_MENSAGEM + assunto.length + texto.length);
  const vista = new DataView(corpo.buffer);
  vista.setUint32(0, 1);
  vista.setFloat64(4, opcoes.instante ?? INSTANTE);
  vista.setInt16(12, -180);
  vista.setUint16(14, opcoes.tamanhoAssunto ?? assunto.length);
  corpo.set(assunto, FIXO_MENSAGEM);
  corpo.set(texto, FIXO_MENSAGEM + assunto.length);
  return corpo;
}

function corpoOlaCliente(
  opcoes: { magico?: number[]; tamanhoToken?: number; token?: Uint8Array },
): Uint8Array {
  const token = opcoes.token ?? new Uint8Array(0);
  const corpo = new Uint8Array(8 + token.length);
  corpo.set(opcoes.magico ?? [0x53, 0x4b, 0x52, 0x44]);
  corpo[4] = VERSAO;
  new DataView(corpo.buffer).setUint16(6, opcoes.tamanhoToken ?? token.length);
  corpo.set(token, 8);
  return corpo;
}

// Sequências UTF-8 inválidas clássicas.
const UTF8_INVALIDOS: { nome: string; bytes: number[] }[] = [
  { nome: "continuação solta", bytes: [0x80] },
  { nome: "sequência truncada", bytes: [0xe2, 0x82] },
  { nome: "forma longa demais (C0 80)", bytes: [0xc0, 0x80] },
  { nome: "surrogate codificado (ED A0 80)", bytes: [0xed, 0xa0, 0x80] },
  { nome: "acima de U+10FFFF (F4 90 80 80)", bytes: [0xf4, 0x90, 0x80, 0x80] },
  { nome: "byte FF", bytes: [0x61, 0xff, 0x62] },
];

Deno.test("corpos malformados lançam ErroDeProtocolo com o código certo", async (t) => {
  const servidor = limitesDoServidor(TAMANHO_MAXIMO_PADRAO);
  const cliente = limitesDoCliente();
  const saida = utf8.encode(CODIGO_SAIDA);
  const casos: {
    nome: string;
    limites: Limites;
    bytes: Uint8Array;
    codigo: CodigoErro;
  }[] = [
    {
      nome: "MENSAGEM curta (15 bytes)",
      limites: servidor,
      bytes: quadroCru(Tipo.MENSAGEM, new Uint8Array(15)),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "MENSAGEM sem corpo",
      limites: servidor,
      bytes: quadroCru(Tipo.MENSAGEM, []),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "MENSAGEM com assunto além do corpo",
      limites: servidor,
      bytes: quadroCru(Tipo.MENSAGEM, corpoMensagem({ tamanhoAssunto: 5 })),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "MENSAGEM com tamanho de assunto 0xFFFF",
      limites: servidor,
      bytes: quadroCru(
        Tipo.MENSAGEM,
        corpoMensagem({ tamanhoAssunto: 0xffff }),
      ),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "MENSAGEM com instante NaN",
      limites: servidor,
      bytes: quadroCru(Tipo.MENSAGEM, corpoMensagem({ instante: NaN })),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "MENSAGEM com instante +Infinity",
      limites: servidor,
      bytes: quadroCru(Tipo.MENSAGEM, corpoMensagem({ instante: Infinity })),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "MENSAGEM com instante -Infinity",
      limites: servidor,
      bytes: quadroCru(Tipo.MENSAGEM, corpoMensagem({ instante: -Infinity })),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "MENSAGEM com instante além do calendário (1e300)",
      limites: servidor,
      bytes: quadroCru(Tipo.MENSAGEM, corpoMensagem({ instante: 1e300 })),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "MENSAGEM com instante um ms além do máximo",
      limites: servidor,
      bytes: quadroCru(
        Tipo.MENSAGEM,
        corpoMensagem({ instante: -(INSTANTE_MAXIMO + 1) }),
      ),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    ...UTF8_INVALIDOS.flatMap(({ nome, bytes }) => [
      {
        nome: `MENSAGEM com assunto inválido: ${nome}`,
        limites: servidor,
        bytes: quadroCru(
          Tipo.MENSAGEM,
          corpoMensagem({ assunto: Uint8Array.from(bytes) }),
        ),
        codigo: CodigoErro.UTF8_INVALIDO,
      },
      {
        nome: `MENSAGEM com texto inválido: ${nome}`,
        limites: servidor,
        bytes: quadroCru(
          Tipo.MENSAGEM,
          corpoMensagem({ texto: Uint8Array.from(bytes) }),
        ),
        codigo: CodigoErro.UTF8_INVALIDO,
      },
    ]),
    {
      // "é" = c3 a9: o assunto termina no meio do caractere.
      nome: "MENSAGEM com assunto que corta um caractere ao meio",
      limites: servidor,
      bytes: quadroCru(
        Tipo.MENSAGEM,
        corpoMensagem({
          tamanhoAssunto: 1,
          assunto: Uint8Array.of(0xc3),
          texto: Uint8Array.of(0xa9),
        }),
      ),
      codigo: CodigoErro.UTF8_INVALIDO,
    },
    {
      nome: "OLA_CLIENTE curta (7 bytes)",
      limites: servidor,
      bytes: quadroCru(Tipo.OLA_CLIENTE, [0x53, 0x4b, 0x52, 0x44, 1, 0, 0]),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "OLA_CLIENTE com mágico errado",
      limites: servidor,
      bytes: quadroCru(
        Tipo.OLA_CLIENTE,
        corpoOlaCliente({ magico: [0x53, 0x4b, 0x52, 0x58] }),
      ),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "OLA_CLIENTE com token declarado maior que o corpo",
      limites: servidor,
      bytes: quadroCru(
        Tipo.OLA_CLIENTE,
        corpoOlaCliente({ tamanhoToken: 3, token: utf8.encode("ab") }),
      ),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "OLA_CLIENTE com token declarado menor que o corpo",
      limites: servidor,
      bytes: quadroCru(
        Tipo.OLA_CLIENTE,
        corpoOlaCliente({ tamanhoToken: 1, token: utf8.encode("ab") }),
      ),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "OLA_CLIENTE com token UTF-8 inválido",
      limites: servidor,
      bytes: quadroCru(
        Tipo.OLA_CLIENTE,
        corpoOlaCliente({ token: Uint8Array.of(0xc3, 0x28) }),
      ),
      codigo: CodigoErro.UTF8_INVALIDO,
    },
    {
      nome: "OLA_SERVIDOR curta (12 bytes)",
      limites: cliente,
      bytes: quadroCru(
        Tipo.OLA_SERVIDOR,
        [0x53, 0x4b, 0x52, 0x44, 1, 0, 0, 4, 0, 0, 0, 0],
      ),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "OLA_SERVIDOR com mágico errado",
      limites: cliente,
      bytes: quadroCru(
        Tipo.OLA_SERVIDOR,
        [0x48, 0x54, 0x54, 0x50, 1, 0, 0, 4, 0, 0, 0, 0, 0],
      ),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "CONFIRMACAO com 3 bytes",
      limites: cliente,
      bytes: quadroCru(Tipo.CONFIRMACAO, [0, 0, 1]),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "CONFIRMACAO vazia",
      limites: cliente,
      bytes: quadroCru(Tipo.CONFIRMACAO, []),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "DESPEDIDA com bytes errados (minúsculas)",
      limites: servidor,
      bytes: quadroCru(Tipo.DESPEDIDA, utf8.encode("codigo_saida")),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "DESPEDIDA com o último byte trocado",
      limites: servidor,
      bytes: quadroCru(Tipo.DESPEDIDA, [...saida.subarray(0, 11), 0x42]),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "DESPEDIDA curta (11 bytes)",
      limites: servidor,
      bytes: quadroCru(Tipo.DESPEDIDA, saida.subarray(0, 11)),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "DESPEDIDA vazia",
      limites: servidor,
      bytes: quadroCru(Tipo.DESPEDIDA, []),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "DESPEDIDA vazia no cliente",
      limites: cliente,
      bytes: quadroCru(Tipo.DESPEDIDA, []),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "ERRO com 1 byte (sem código)",
      limites: cliente,
      bytes: quadroCru(Tipo.ERRO, [0]),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "ERRO vazio",
      limites: servidor,
      bytes: quadroCru(Tipo.ERRO, []),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "ERRO com texto UTF-8 inválido",
      limites: cliente,
      bytes: quadroCru(Tipo.ERRO, [0, 4, 0xff]),
      codigo: CodigoErro.UTF8_INVALIDO,
    },
  ];
  for (const { nome, limites, bytes, codigo } of casos) {
    await t.step(nome, () => {
      lancaErro(
        () => new Decodificador({ limites }).decodificar(bytes, () => {}),
        codigo,
      );
      // O mesmo erro quando o quadro chega um byte por vez (caminho lento).
      const d = new Decodificador({ limites });
      lancaErro(() => {
        for (let i = 0; i < bytes.length; i++) {
          d.decodificar(bytes.subarray(i, i + 1), () => {});
        }
      }, codigo);
    });
  }
});

Deno.test("tipo desconhecido é TIPO_DESCONHECIDO", async (t) => {
  for (const tipo of [0x00, 0x09, 0x10, 0x7f, 0xff]) {
    await t.step(`tipo 0x${tipo.toString(16).padStart(2, "0")}`, () => {
      for (const limites of [TODOS, limitesDoCliente()]) {
        lancaErro(
          () =>
            new Decodificador({ limites }).decodificar(
              quadroCru(tipo, []),
              () => {},
            ),
          CodigoErro.TIPO_DESCONHECIDO,
        );
      }
    });
  }
  await t.step("tipo do outro sentido: CONFIRMACAO no servidor", () => {
    lancaErro(
      () =>
        new Decodificador({ limites: limitesDoServidor(1024) }).decodificar(
          codificar({ tipo: Tipo.CONFIRMACAO, numero: 1 }),
          () => {},
        ),
      CodigoErro.TIPO_DESCONHECIDO,
    );
  });
  await t.step("tipo do outro sentido: MENSAGEM no cliente", () => {
    lancaErro(
      () =>
        new Decodificador({ limites: limitesDoCliente() }).decodificar(
          codificarMensagem(mensagem()),
          () => {},
        ),
      CodigoErro.TIPO_DESCONHECIDO,
    );
  });
});

// ---------------------------------------------------------------------------
// Saudação obrigatória

Deno.test("antes da saudação obrigatória", async (t) => {
  const novo = () =>
    new Decodificador({
      limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
      saudacao: Tipo.OLA_CLIENTE,
    });
  const ascii = (texto: string) => utf8.encode(texto);
  const casos: { nome: string; bytes: Uint8Array; codigo: CodigoErro }[] = [
    {
      nome: "MENSAGEM válida é FORA_DE_ORDEM",
      bytes: codificarMensagem(mensagem()),
      codigo: CodigoErro.FORA_DE_ORDEM,
    },
    {
      nome: "PING é FORA_DE_ORDEM",
      bytes: codificar({ tipo: Tipo.PING }),
      codigo: CodigoErro.FORA_DE_ORDEM,
    },
    {
      nome: "DESPEDIDA é FORA_DE_ORDEM",
      bytes: codificar({ tipo: Tipo.DESPEDIDA }),
      codigo: CodigoErro.FORA_DE_ORDEM,
    },
    {
      nome: "ERRO é FORA_DE_ORDEM",
      bytes: codificar({ tipo: Tipo.ERRO, codigo: 1, texto: "x" }),
      codigo: CodigoErro.FORA_DE_ORDEM,
    },
    {
      nome: "MENSAGEM grande demais é PROTOCOLO_DESCONHECIDO",
      bytes: cabecalho(Tipo.MENSAGEM, 0xffffffff),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "tipo de outro sentido (CONFIRMACAO) é PROTOCOLO_DESCONHECIDO",
      bytes: codificar({ tipo: Tipo.CONFIRMACAO, numero: 1 }),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "HTTP (GET / HTTP/1.1)",
      bytes: ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "início de ClientHello TLS (16 03 01)",
      bytes: deHex("16 03 01 02 00 01 00 01 fc 03 03"),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "SSH (SSH-2.0-OpenSSH)",
      bytes: ascii("SSH-2.0-OpenSSH_9.6\r\n"),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "bloco do cliente original (é detectado antes, mas não passa aqui)",
      bytes: ascii("\n---\n> MENSAGEM #001 - 24/11/2026 19:27:52\n"),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "CODIGO_SAIDA cru",
      bytes: ascii(CODIGO_SAIDA),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "cinco zeros (comprimento 0, tipo 0)",
      bytes: new Uint8Array(5),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
  ];
  for (const { nome, bytes, codigo } of casos) {
    await t.step(nome, () => {
      const quadros: Quadro[] = [];
      lancaErro(
        () => novo().decodificar(bytes, (q) => quadros.push(q)),
        codigo,
      );
      assert.deepEqual(quadros, []);
    });
    await t.step(`${nome}, um byte por vez: decide no quinto byte`, () => {
      const d = novo();
      for (let i = 0; i < CABECALHO - 1; i++) {
        d.decodificar(bytes.subarray(i, i + 1), () => {});
      }
      lancaErro(
        () => d.decodificar(bytes.subarray(CABECALHO - 1), () => {}),
        codigo,
      );
    });
  }
  await t.step("depois da saudação, os outros tipos passam", () => {
    const fluxo = juntar(
      codificar({ tipo: Tipo.OLA_CLIENTE, versao: VERSAO, token: "" }),
      codificar({ tipo: Tipo.PING }),
      codificarMensagem(mensagem()),
    );
    assert.deepEqual(
      decodificarPedacos(novo(), [fluxo]).map((q) => q.tipo),
      [Tipo.OLA_CLIENTE, Tipo.PING, Tipo.MENSAGEM],
    );
  });
  await t.step("o cliente pode exigir OLA_SERVIDOR", () => {
    const d = new Decodificador({
      limites: limitesDoCliente(),
      saudacao: Tipo.OLA_SERVIDOR,
    });
    lancaErro(
      () =>
        d.decodificar(
          codificar({ tipo: Tipo.CONFIRMACAO, numero: 1 }),
          () => {},
        ),
      CodigoErro.FORA_DE_ORDEM,
    );
    const ok = new Decodificador({
      limites: limitesDoCliente(),
      saudacao: Tipo.OLA_SERVIDOR,
    });
    const ola: Quadro = {
      tipo: Tipo.OLA_SERVIDOR,
      versao: VERSAO,
      tamanhoMaximo: 1024,
      tempoOcioso: 0,
    };
    assert.deepEqual(decodificarPedacos(ok, [codificar(ola)]), [ola]);
  });
});

// ---------------------------------------------------------------------------
// Erros no meio do fluxo

Deno.test("quadros antes de um quadro ruim no mesmo pedaço são entregues antes do erro", async (t) => {
  const bons: Quadro[] = [
    { tipo: Tipo.OLA_CLIENTE, versao: VERSAO, token: "" },
    { tipo: Tipo.MENSAGEM, mensagem: mensagem() },
    { tipo: Tipo.PING },
  ];
  const prefixo = juntar(...bons.map(codificar));
  const ruins: { nome: string; bytes: Uint8Array; codigo: CodigoErro }[] = [
    {
      nome: "tipo desconhecido",
      bytes: quadroCru(0x42, []),
      codigo: CodigoErro.TIPO_DESCONHECIDO,
    },
    {
      nome: "mensagem grande demais",
      bytes: cabecalho(Tipo.MENSAGEM, 0xffffffff),
      codigo: CodigoErro.MENSAGEM_GRANDE,
    },
    {
      nome: "DESPEDIDA errada",
      bytes: quadroCru(Tipo.DESPEDIDA, utf8.encode("CODIGO_SAIDX")),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "UTF-8 inválido",
      bytes: quadroCru(Tipo.MENSAGEM, corpoMensagem({ texto: deHex("ff") })),
      codigo: CodigoErro.UTF8_INVALIDO,
    },
  ];
  for (const ruim of ruins) {
    await t.step(`${ruim.nome}, tudo num pedaço`, () => {
      const d = new Decodificador({
        limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        saudacao: Tipo.OLA_CLIENTE,
      });
      const quadros: Quadro[] = [];
      lancaErro(
        () =>
          d.decodificar(juntar(prefixo, ruim.bytes), (q) => quadros.push(q)),
        ruim.codigo,
      );
      assert.deepEqual(quadros, bons);
    });
    await t.step(`${ruim.nome}, quadro ruim atravessando pedaços`, () => {
      const d = new Decodificador({
        limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        saudacao: Tipo.OLA_CLIENTE,
      });
      const quadros: Quadro[] = [];
      const fluxo = juntar(prefixo, ruim.bytes);
      const corte = prefixo.length + 2; // meio cabeçalho do quadro ruim
      d.decodificar(fluxo.subarray(0, corte), (q) => quadros.push(q));
      assert.deepEqual(quadros, bons);
      lancaErro(
        () => d.decodificar(fluxo.subarray(corte), (q) => quadros.push(q)),
        ruim.codigo,
      );
      assert.deepEqual(quadros, bons);
    });
  }
});

// ---------------------------------------------------------------------------
// Contagem UTF-8

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

Deno.test("o limite medido por tamanhoDaMensagem é o que o decodificador aplica, mesmo com surrogates sozinhos", () => {
  // Um surrogate sozinho vira U+FFFD (3 bytes) ao codificar; a conta prévia
  // tem de dar o mesmo número, senão o cliente mandaria o que o servidor recusa.
  const assunto = "\ud800";
  const texto = "a".repeat(TAMANHO_MAXIMO_PADRAO - 3);
  assert.equal(tamanhoDaMensagem(assunto, texto), TAMANHO_MAXIMO_PADRAO);
  const d = new Decodificador({
    limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
  });
  const quadros = decodificarPedacos(d, [
    codificarMensagem(mensagem({ assunto, texto })),
  ]);
  assert.equal(quadros.length, 1);
  const q = quadros[0];
  assert.ok(q.tipo === Tipo.MENSAGEM);
  assert.equal(q.mensagem.assunto, "\ufffd");
});

Deno.test({
  name:
    "U+FEFF no início do assunto, do texto, do token e do erro sobrevive à ida e volta",
  // Sem ignoreBOM: true, o TextDecoder descartaria um U+FEFF inicial em cada
  // campo decodificado (defeito corrigido em lib/protocolo/codec.ts).
  fn() {
    const quadros: Quadro[] = [
      {
        tipo: Tipo.MENSAGEM,
        mensagem: mensagem({ assunto: "\ufeffOlá", texto: "\ufeffTudo" }),
      },
      { tipo: Tipo.OLA_CLIENTE, versao: VERSAO, token: "\ufefftoken" },
      { tipo: Tipo.ERRO, codigo: 1, texto: "\ufefferro" },
    ];
    for (const quadro of quadros) {
      assert.deepEqual(
        decodificarPedacos(new Decodificador({ limites: TODOS }), [
          codificar(quadro),
        ]),
        [quadro],
      );
    }
  },
});

// ---------------------------------------------------------------------------
// Defeitos já corrigidos em lib/protocolo/codec.ts (os testes ficam de guarda)

Deno.test({
  name: "texto de ERRO truncado em 2048 bytes continua UTF-8 válido",
  // Cortar em 2048 bytes com subarray partia um caractere multibyte ao meio,
  // e o outro lado (TextDecoder fatal) recusava o quadro com UTF8_INVALIDO.
  fn() {
    const texto = "a" + "é".repeat(1100); // 2201 bytes; byte 2048 parte um "é"
    const bytes = codificar({ tipo: Tipo.ERRO, codigo: 4, texto });
    const quadros = decodificarPedacos(
      new Decodificador({ limites: limitesDoCliente() }),
      [
        bytes,
      ],
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

Deno.test("MensagemNoLugar.semEscape: falso exatamente quando um byte é controle, DEL, aspas, barra invertida ou não ASCII, em qualquer posição e alinhamento", () => {
  const decodificador = new Decodificador({
    limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
    noLugar: true,
  });
  const deveEscapar = (b: number) =>
    b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c;
  // Um prefixo antes do quadro muda o alinhamento do corpo no buffer.
  for (let prefixo = 0; prefixo < 4; prefixo++) {
    for (let b = 0; b < 0x80; b++) {
      for (let posicao = 0; posicao < 11; posicao++) {
        const conteudo = utf8.encode("abcdefghijk");
        conteudo[posicao] = b;
        const assunto = conteudo.subarray(0, 3);
        const texto = conteudo.subarray(3);
        const quadro = quadroCru(
          Tipo.MENSAGEM,
          corpoMensagem({ assunto, texto }),
        );
        const buffer = new Uint8Array(prefixo + quadro.length);
        buffer.set(quadro, prefixo);
        let visto: boolean | undefined;
        decodificador.decodificar(buffer.subarray(prefixo), (q) => {
          if (q.tipo !== Tipo.MENSAGEM) return;
          assert.ok(q.mensagem instanceof MensagemNoLugar);
          visto = q.mensagem.semEscape;
          assert.equal(q.mensagem.assunto, String.fromCharCode(...assunto));
          assert.equal(q.mensagem.texto, String.fromCharCode(...texto));
        });
        assert.equal(
          visto,
          !deveEscapar(b),
          `byte 0x${b.toString(16)} em ${posicao}`,
        );
      }
    }
  }
  // Não ASCII válido (2, 3 e 4 bytes): precisa de escape, e o texto é decodificado.
  for (const texto of ["é", "ação", "€", "👋", "\u2028"]) {
    let visto: boolean | undefined;
    decodificador.decodificar(
      quadroCru(Tipo.MENSAGEM, corpoMensagem({ texto: utf8.encode(texto) })),
      (q) => {
        if (q.tipo !== Tipo.MENSAGEM) return;
        assert.ok(q.mensagem instanceof MensagemNoLugar);
        visto = q.mensagem.semEscape;
        assert.equal(q.mensagem.texto, texto);
      },
    );
    assert.equal(visto, false, texto);
  }
});

Deno.test("Decodificador noLugar reaproveita a MensagemNoLugar; copiar() dá uma Mensagem independente", () => {
  const decodificador = new Decodificador({
    limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
    noLugar: true,
  });
  const vistas: Mensagem[] = [];
  const copias: Mensagem[] = [];
  const bytes = new Uint8Array([
    ...codificarMensagem(mensagem({ numero: 1, texto: "um" })),
    ...codificarMensagem(mensagem({ numero: 2, texto: "dois" })),
  ]);
  decodificador.decodificar(bytes, (q) => {
    if (q.tipo !== Tipo.MENSAGEM) return;
    assert.ok(q.mensagem instanceof MensagemNoLugar);
    vistas.push(q.mensagem);
    copias.push(q.mensagem.copiar());
  });
  assert.equal(vistas[0], vistas[1], "a mesma vista, reaproveitada");
  bytes.fill(0); // o buffer de leitura seria reaproveitado
  assert.deepEqual(copias.map((c) => c.texto), ["um", "dois"]);
  assert.deepEqual(copias[0], mensagem({ numero: 1, texto: "um" }));
});
