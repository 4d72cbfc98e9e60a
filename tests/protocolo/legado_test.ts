/**
 * Testes do codec do formato do original (lib/protocolo/legado.ts): bytes exatos do
 * bloco, ida e volta, todos os pontos de corte do fluxo, CODIGO_SAIDA em
 * qualquer posição e a recusa de tudo o que não é o cliente original.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  BYTES_CODIGO_SAIDA,
  codificarBlocoLegado,
  DecodificadorLegado,
  MensagemLegada,
  pareceLegado,
} from "../../lib/protocolo/legado.ts";
import { CodigoErro, ErroDeProtocolo } from "../../lib/erros.ts";
import { tituloDaMensagem } from "../../lib/datas.ts";
import type { Mensagem } from "../../lib/protocolo/quadros.ts";
import { bytes, juntar, umByteDeCadaVez } from "../bytes.ts";

/** Uma mensagem como o decodificador a devolve: hora de parede em UTC, fuso 0. */
function mensagem(
  numero: number,
  assunto: string,
  texto: string,
  segundos = 0,
): Mensagem {
  return {
    numero,
    instante: Date.UTC(2026, 10, 24, 19, 27, 52 + segundos),
    fuso: 0,
    assunto,
    texto,
  };
}

/** Um bloco escrito à mão, sem passar pelo codificador. */
function bloco(titulo: string, assunto: string, texto: string): string {
  return `\n---\n> ${titulo}\n\n> ASSUNTO:\n${assunto}\n\n> TEXTO:\n${texto}\n---\n`;
}

const TITULO = "MENSAGEM #001 - 24/11/2026 19:27:52";

function decodificarPedacos(
  pedacos: Uint8Array[],
  tamanhoMaximo = 1024,
): { mensagens: Mensagem[]; decodificador: DecodificadorLegado } {
  const decodificador = new DecodificadorLegado(tamanhoMaximo);
  const mensagens: Mensagem[] = [];
  for (const pedaco of pedacos) {
    decodificador.decodificar(pedaco, (m) => mensagens.push(m));
  }
  return { mensagens, decodificador };
}

/** Confere que `fn` lança ErroDeProtocolo com o código dado. */
function lancaErro(
  fn: () => void,
  codigo: CodigoErro,
  trecho?: RegExp,
): ErroDeProtocolo {
  let capturado: unknown;
  try {
    fn();
  } catch (erro) {
    capturado = erro;
  }
  assert.ok(
    capturado instanceof ErroDeProtocolo,
    `esperava ErroDeProtocolo, veio ${capturado}`,
  );
  assert.equal(capturado.codigo, codigo, capturado.message);
  assert.ok(!capturado.message.includes("\n"), "mensagem em uma linha");
  if (trecho) assert.match(capturado.message, trecho);
  return capturado;
}

const TRES = [
  mensagem(1, "Olá", "Texto com acentuação"),
  mensagem(2, "---", "> TEXTO:", 1),
  mensagem(3, "> ASSUNTO:", "emoji 🎉 e ---\r fim", 2),
];
const FLUXO_TRES = juntar(
  ...TRES.map(codificarBlocoLegado),
  BYTES_CODIGO_SAIDA,
);

Deno.test("codificarBlocoLegado produz os bytes do exemplo de LEGADO.md", () => {
  const esperado = bytes(
    "\n---\n> MENSAGEM #001 - 24/11/2026 19:27:52\n\n> ASSUNTO:\nOlá\n\n" +
      "> TEXTO:\nTexto com acentuação\n---\n",
  );
  const obtido = codificarBlocoLegado(
    mensagem(1, "Olá", "Texto com acentuação"),
  );
  assert.deepEqual(obtido, esperado);
  // "Olá" em UTF-8, como o terminal o entrega ao original.
  const assunto = bytes(`\n---\n> ${TITULO}\n\n> ASSUNTO:\n`).length;
  assert.deepEqual(
    Array.from(obtido.subarray(assunto, assunto + 4)),
    [0x4f, 0x6c, 0xc3, 0xa1],
  );
});

Deno.test("codificarBlocoLegado escreve o título na hora do fuso do cliente", () => {
  // 22:27:52 UTC visto em UTC-3 é 19:27:52 na parede do cliente.
  const brasilia: Mensagem = {
    numero: 1,
    instante: Date.UTC(2026, 10, 24, 22, 27, 52),
    fuso: -180,
    assunto: "Olá",
    texto: "Texto com acentuação",
  };
  assert.deepEqual(
    codificarBlocoLegado(brasilia),
    bytes(bloco(TITULO, "Olá", "Texto com acentuação")),
  );
});

Deno.test("codificarBlocoLegado recusa quebra de linha no assunto ou no texto", () => {
  assert.throws(
    () => codificarBlocoLegado(mensagem(1, "a\nb", "x")),
    RangeError,
  );
  assert.throws(
    () => codificarBlocoLegado(mensagem(1, "a", "x\n")),
    RangeError,
  );
});

Deno.test("BYTES_CODIGO_SAIDA são os 12 bytes de CODIGO_SAIDA", () => {
  assert.deepEqual(BYTES_CODIGO_SAIDA, bytes("CODIGO_SAIDA"));
  assert.equal(BYTES_CODIGO_SAIDA.length, 12);
});

Deno.test("pareceLegado reconhece só o primeiro byte do original", async (t) => {
  const casos: [string, number, boolean][] = [
    ["\\n abre um bloco", 0x0a, true],
    ["C abre CODIGO_SAIDA", 0x43, true],
    ["0x00 abre um quadro do nosso protocolo", 0x00, false],
    ["G de uma requisição HTTP", 0x47, false],
    ["0x16 de um TLS ClientHello", 0x16, false],
    ["\\r não é o original", 0x0d, false],
  ];
  for (const [nome, byte, esperado] of casos) {
    await t.step(nome, () => assert.equal(pareceLegado(byte), esperado));
  }
});

Deno.test("decodificador devolve o que o codificador produziu (ida e volta)", async (t) => {
  const casos: [string, Mensagem][] = [
    ["acentos", mensagem(1, "Olá", "Texto com acentuação")],
    ["assunto e texto vazios", mensagem(2, "", "")],
    ["assunto igual a ---", mensagem(3, "---", "texto")],
    ["texto igual a ---", mensagem(4, "assunto", "---")],
    ["texto igual a > TEXTO:", mensagem(5, "a", "> TEXTO:")],
    ["assunto igual a > TEXTO:", mensagem(6, "> TEXTO:", "b")],
    ["assunto igual a > ASSUNTO:", mensagem(7, "> ASSUNTO:", "> ASSUNTO:")],
    ["título dentro do texto", mensagem(8, `> ${TITULO}`, `> ${TITULO}`)],
    ["emoji e CJK", mensagem(9, "🎉👩‍💻", "日本語 🇧🇷")],
    ["CODIGO_SAIDA dentro do texto", mensagem(10, "CODIGO_SAIDA", "x")],
    ["\\r e tab dentro do texto", mensagem(11, "a\rb", "c\td\r")],
    ["BOM no início do assunto é mantido", mensagem(12, "\uFEFFa", "b")],
    ["número com quatro dígitos", mensagem(1000, "mil", "mil")],
  ];
  for (const [nome, original] of casos) {
    await t.step(nome, () => {
      const { mensagens, decodificador } = decodificarPedacos([
        codificarBlocoLegado(original),
      ]);
      assert.deepEqual(mensagens, [original]);
      assert.equal(decodificador.incompleto, false);
      assert.equal(decodificador.terminou, false);
    });
  }
});

Deno.test("decodificador mostra a hora de parede do cliente com fuso 0", () => {
  const brasilia: Mensagem = {
    numero: 7,
    instante: Date.UTC(2026, 0, 1, 2, 30, 0), // 23:30 do dia 31 em UTC-3
    fuso: -180,
    assunto: "a",
    texto: "b",
  };
  const { mensagens } = decodificarPedacos([codificarBlocoLegado(brasilia)]);
  assert.equal(mensagens.length, 1);
  assert.equal(mensagens[0].fuso, 0);
  assert.equal(tituloDaMensagem(mensagens[0]), tituloDaMensagem(brasilia));
  assert.equal(
    tituloDaMensagem(mensagens[0]),
    "MENSAGEM #007 - 31/12/2025 23:30:00",
  );
});

Deno.test("decodificador lê o exemplo de LEGADO.md escrito à mão", () => {
  const { mensagens } = decodificarPedacos([
    bytes(bloco(TITULO, "Olá", "Texto com acentuação")),
  ]);
  assert.deepEqual(mensagens, [mensagem(1, "Olá", "Texto com acentuação")]);
});

Deno.test("decodificador dá o mesmo resultado com o fluxo cortado em qualquer ponto", () => {
  for (let i = 0; i <= FLUXO_TRES.length; i++) {
    const { mensagens, decodificador } = decodificarPedacos([
      FLUXO_TRES.subarray(0, i),
      FLUXO_TRES.subarray(i),
    ]);
    assert.deepEqual(mensagens, TRES, `corte em ${i}`);
    assert.equal(decodificador.terminou, true, `corte em ${i}`);
    assert.equal(decodificador.incompleto, false, `corte em ${i}`);
  }
});

Deno.test("decodificador dá o mesmo resultado com o fluxo cortado em três pedaços", () => {
  const n = FLUXO_TRES.length;
  for (let i = 0; i <= n; i += 3) {
    for (let j = i; j <= n; j++) {
      const { mensagens, decodificador } = decodificarPedacos([
        FLUXO_TRES.subarray(0, i),
        FLUXO_TRES.subarray(i, j),
        FLUXO_TRES.subarray(j),
      ]);
      assert.deepEqual(mensagens, TRES, `cortes em ${i} e ${j}`);
      assert.equal(decodificador.terminou, true);
    }
  }
});

Deno.test("decodificador lê o fluxo recebido um byte de cada vez", () => {
  const { mensagens, decodificador } = decodificarPedacos(
    umByteDeCadaVez(FLUXO_TRES),
  );
  assert.deepEqual(mensagens, TRES);
  assert.equal(decodificador.terminou, true);
});

Deno.test("decodificador entrega cada bloco assim que ele se completa", () => {
  const decodificador = new DecodificadorLegado(1024);
  const primeiro = codificarBlocoLegado(TRES[0]);
  const mensagens: Mensagem[] = [];
  decodificador.decodificar(primeiro.subarray(0, -1), (m) => mensagens.push(m));
  assert.equal(mensagens.length, 0);
  assert.equal(decodificador.incompleto, true);
  decodificador.decodificar(primeiro.subarray(-1), (m) => mensagens.push(m));
  assert.deepEqual(mensagens, [TRES[0]]);
  assert.equal(decodificador.incompleto, false);
});

Deno.test("CODIGO_SAIDA encerra em qualquer posição", async (t) => {
  const um = codificarBlocoLegado(TRES[0]);
  const saida = BYTES_CODIGO_SAIDA;
  const casos: [string, Uint8Array[], Mensagem[]][] = [
    ["sozinho, sem bloco antes", [saida], []],
    ["sozinho, depois de um bloco", [um, saida], [TRES[0]]],
    ["colado ao último bloco no mesmo pedaço", [juntar(um, saida)], [TRES[0]]],
    ["partido em CODIGO_ + SAIDA", [um, bytes("CODIGO_"), bytes("SAIDA")], [
      TRES[0],
    ]],
    [
      "colado pela metade: bloco + CODIGO_, depois SAIDA",
      [juntar(um, bytes("CODIGO_")), bytes("SAIDA")],
      [TRES[0]],
    ],
    ["um byte de cada vez", umByteDeCadaVez(saida), []],
  ];
  for (const [nome, pedacos, esperadas] of casos) {
    await t.step(nome, () => {
      const { mensagens, decodificador } = decodificarPedacos(pedacos);
      assert.deepEqual(mensagens, esperadas);
      assert.equal(decodificador.terminou, true);
      assert.equal(decodificador.incompleto, false);
    });
  }
});

Deno.test("CODIGO_SAIDA parcial deixa o decodificador incompleto", () => {
  const { decodificador } = decodificarPedacos([bytes("CODIGO_")]);
  assert.equal(decodificador.incompleto, true);
  assert.equal(decodificador.terminou, false);
});

Deno.test("bytes depois de CODIGO_SAIDA são ignorados", () => {
  const { mensagens, decodificador } = decodificarPedacos([
    juntar(BYTES_CODIGO_SAIDA, bytes("lixo\n---\n")),
    bytes("GET / HTTP/1.1\r\n\r\n"),
    codificarBlocoLegado(TRES[0]),
  ]);
  assert.deepEqual(mensagens, []);
  assert.equal(decodificador.terminou, true);
  assert.equal(decodificador.incompleto, false);
});

Deno.test("decodificador aceita assunto + texto exatamente no limite", () => {
  // "çã" são 4 bytes: o limite conta bytes de UTF-8, não caracteres.
  const noLimite = mensagem(1, "çã", "123456");
  const { mensagens } = decodificarPedacos(
    [codificarBlocoLegado(noLimite)],
    10,
  );
  assert.deepEqual(mensagens, [noLimite]);
});

Deno.test("decodificador recusa assunto + texto acima do limite", () => {
  const acima = codificarBlocoLegado(mensagem(1, "çã", "1234567"));
  lancaErro(
    () => decodificarPedacos([acima], 10),
    CodigoErro.MENSAGEM_GRANDE,
    /excede o limite de 10 bytes/,
  );
});

Deno.test("linha grande é recusada sem esperar o fim dela", async (t) => {
  const inicio = bytes(`\n---\n> ${TITULO}\n\n> ASSUNTO:\n`);
  await t.step("assunto num pedaço só, sem \\n", () => {
    const decodificador = new DecodificadorLegado(1024);
    decodificador.decodificar(inicio, () => {});
    lancaErro(
      () =>
        decodificador.decodificar(new Uint8Array(1025).fill(0x61), () => {}),
      CodigoErro.MENSAGEM_GRANDE,
      /bloco do cliente original excede o limite de 1024 bytes/,
    );
  });
  await t.step("assunto byte a byte: recusa no byte 1025", () => {
    const decodificador = new DecodificadorLegado(1024);
    decodificador.decodificar(inicio, () => {});
    const a = Uint8Array.of(0x61);
    for (let i = 0; i < 1024; i++) decodificador.decodificar(a, () => {});
    lancaErro(
      () => decodificador.decodificar(a, () => {}),
      CodigoErro.MENSAGEM_GRANDE,
    );
  });
  await t.step("texto passa do que o assunto deixou", () => {
    const decodificador = new DecodificadorLegado(10);
    decodificador.decodificar(
      juntar(inicio, bytes("123456\n\n> TEXTO:\n")),
      () => {},
    );
    decodificador.decodificar(bytes("1234"), () => {});
    lancaErro(
      () => decodificador.decodificar(bytes("5"), () => {}),
      CodigoErro.MENSAGEM_GRANDE,
    );
  });
  await t.step("título longo demais, sem \\n", () => {
    const decodificador = new DecodificadorLegado(1024);
    decodificador.decodificar(bytes("\n---\n> MENSAGEM #"), () => {});
    lancaErro(
      () => decodificador.decodificar(new Uint8Array(100).fill(0x30), () => {}),
      CodigoErro.PROTOCOLO_DESCONHECIDO,
      /64 bytes/,
    );
  });
});

Deno.test("decodificador recusa o que não é o cliente original", async (t) => {
  // Antes do primeiro título válido o par pode ser qualquer coisa;
  // depois dele, é o original mandando um bloco estragado.
  const DESCONHECIDO = CodigoErro.PROTOCOLO_DESCONHECIDO;
  const MALFORMADO = CodigoErro.QUADRO_MALFORMADO;
  const casos: [string, string | Uint8Array, CodigoErro][] = [
    ["requisição HTTP", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", DESCONHECIDO],
    ["HTTP depois de \\n", "\nGET / HTTP/1.1\r\n", DESCONHECIDO],
    [
      "quadro do nosso protocolo",
      Uint8Array.of(0, 0, 0, 8, 1, 0x53),
      DESCONHECIDO,
    ],
    ["\\n seguido de CODIGO_SAIDA", "\nCODIGO_SAIDA", DESCONHECIDO],
    ["CODIGO_SAIDA errado", "CODIGO_SAIDX", DESCONHECIDO],
    [
      "finais de linha \\r\\n",
      bloco(TITULO, "a", "b").replaceAll("\n", "\r\n"),
      DESCONHECIDO,
    ],
    [
      "título sem o prefixo",
      bloco("MENSAJE #001 - 24/11/2026 19:27:52", "a", "b"),
      DESCONHECIDO,
    ],
    [
      "número com dois dígitos",
      bloco("MENSAGEM #01 - 24/11/2026 19:27:52", "a", "b"),
      DESCONHECIDO,
    ],
    [
      "ano com dois dígitos",
      bloco("MENSAGEM #001 - 24/11/26 19:27:52", "a", "b"),
      DESCONHECIDO,
    ],
    ["título com espaço no fim", bloco(`${TITULO} `, "a", "b"), DESCONHECIDO],
    [
      "assunto de duas linhas",
      `\n---\n> ${TITULO}\n\n> ASSUNTO:\na\nb\n\n> TEXTO:\nc\n---\n`,
      MALFORMADO,
    ],
    [
      "sem a linha vazia antes de > TEXTO:",
      `\n---\n> ${TITULO}\n\n> ASSUNTO:\na\n> TEXTO:\nc\n---\n`,
      MALFORMADO,
    ],
    [
      "bloco sem o --- final",
      `${bloco(TITULO, "a", "b").slice(0, -4)}\n`,
      MALFORMADO,
    ],
    [
      "dia 31 de fevereiro",
      bloco("MENSAGEM #001 - 31/02/2026 10:00:00", "a", "b"),
      MALFORMADO,
    ],
    [
      "mês 13",
      bloco("MENSAGEM #001 - 01/13/2026 10:00:00", "a", "b"),
      MALFORMADO,
    ],
    [
      "hora 24",
      bloco("MENSAGEM #001 - 01/01/2026 24:00:00", "a", "b"),
      MALFORMADO,
    ],
    [
      "número maior que u32",
      bloco("MENSAGEM #4294967296 - 01/01/2026 10:00:00", "a", "b"),
      MALFORMADO,
    ],
    ["lixo entre blocos", `${bloco(TITULO, "a", "b")}lixo`, MALFORMADO],
  ];
  for (const [nome, entrada, codigo] of casos) {
    await t.step(nome, () => {
      const fluxo = typeof entrada === "string" ? bytes(entrada) : entrada;
      lancaErro(() => decodificarPedacos([fluxo]), codigo);
      lancaErro(
        () => decodificarPedacos(umByteDeCadaVez(fluxo)),
        codigo,
      );
    });
  }
});

Deno.test("lixo é recusado no primeiro byte errado, sem esperar o fim da linha", () => {
  const decodificador = new DecodificadorLegado(1024);
  lancaErro(
    () => decodificador.decodificar(bytes("\n--x"), () => {}),
    CodigoErro.PROTOCOLO_DESCONHECIDO,
    /esperava a linha "---" que abre o bloco/,
  );
});

Deno.test("bytes aleatórios são recusados com ErroDeProtocolo", () => {
  // xorshift32 com semente fixa: o teste é reproduzível.
  let estado = 0x2545f491;
  const aleatorio = () => {
    estado ^= estado << 13;
    estado ^= estado >>> 17;
    estado ^= estado << 5;
    return estado >>> 0;
  };
  for (let rodada = 0; rodada < 500; rodada++) {
    const fluxo = new Uint8Array(64 + (aleatorio() % 512));
    for (let i = 0; i < fluxo.length; i++) fluxo[i] = aleatorio() & 0xff;
    // Metade começa como o original, para exercitar as linhas seguintes.
    if (rodada % 2 === 0) fluxo[0] = rodada % 4 === 0 ? 0x0a : 0x43;
    assert.throws(
      () => decodificarPedacos([fluxo]),
      ErroDeProtocolo,
      `rodada ${rodada}`,
    );
  }
});

Deno.test("UTF-8 inválido no assunto ou no texto é recusado", async (t) => {
  const inicio = bytes(`\n---\n> ${TITULO}\n\n> ASSUNTO:\n`);
  const meio = bytes("\n\n> TEXTO:\n");
  const fim = bytes("\n---\n");
  const ok = bytes("ok");
  const casos: [string, Uint8Array, Uint8Array, RegExp][] = [
    ["byte 0xff no assunto", Uint8Array.of(0xff), ok, /assunto/],
    ["sequência cortada no texto", ok, Uint8Array.of(0x61, 0xc3), /texto/],
    ["surrogate codificado", Uint8Array.of(0xed, 0xa0, 0x80), ok, /assunto/],
    ["forma longa de /", ok, Uint8Array.of(0xc0, 0xaf), /texto/],
  ];
  for (const [nome, assunto, texto, campo] of casos) {
    await t.step(nome, () => {
      const fluxo = juntar(inicio, assunto, meio, texto, fim);
      lancaErro(
        () => decodificarPedacos([fluxo]),
        CodigoErro.UTF8_INVALIDO,
        campo,
      );
      lancaErro(
        () => decodificarPedacos(umByteDeCadaVez(fluxo)),
        CodigoErro.UTF8_INVALIDO,
        campo,
      );
    });
  }
});

Deno.test("blocos anteriores a um erro são entregues antes dele", async (t) => {
  const bons = juntar(
    codificarBlocoLegado(TRES[0]),
    codificarBlocoLegado(TRES[1]),
  );
  const ruim = bytes(bloco(TITULO, "a", "b").replace("> TEXTO:", "> TEXT0:"));
  const cortes: [string, Uint8Array[]][] = [
    ["no mesmo pedaço", [juntar(bons, ruim)]],
    ["em pedaços separados", [bons, ruim]],
    ["um byte de cada vez", umByteDeCadaVez(juntar(bons, ruim))],
  ];
  for (const [nome, pedacos] of cortes) {
    await t.step(nome, () => {
      const decodificador = new DecodificadorLegado(1024);
      const mensagens: Mensagem[] = [];
      lancaErro(
        () => {
          for (const pedaco of pedacos) {
            decodificador.decodificar(pedaco, (m) => mensagens.push(m));
          }
        },
        CodigoErro.QUADRO_MALFORMADO,
        /> TEXTO:/,
      );
      assert.deepEqual(mensagens, [TRES[0], TRES[1]]);
    });
  }
});

Deno.test("depois de um erro o decodificador repete o mesmo erro", () => {
  const decodificador = new DecodificadorLegado(1024);
  const primeiro = lancaErro(
    () => decodificador.decodificar(bytes("xyz"), () => {}),
    CodigoErro.PROTOCOLO_DESCONHECIDO,
  );
  let chamadas = 0;
  assert.throws(
    () =>
      decodificador.decodificar(
        codificarBlocoLegado(TRES[0]),
        () => chamadas++,
      ),
    (erro) => erro === primeiro,
  );
  assert.equal(chamadas, 0);
  assert.equal(decodificador.incompleto, false);
  assert.equal(decodificador.terminou, false);
});

Deno.test("o ano do título é lido como escrito, mesmo abaixo de 100", () => {
  const { mensagens } = decodificarPedacos([
    bytes(bloco("MENSAGEM #001 - 01/01/0050 00:00:00", "a", "b")),
  ]);
  assert.equal(new Date(mensagens[0].instante).getUTCFullYear(), 50);
});

Deno.test("construtor recusa tamanho máximo inválido", () => {
  assert.throws(() => new DecodificadorLegado(-1), RangeError);
  assert.throws(() => new DecodificadorLegado(1.5), RangeError);
  assert.throws(() => new DecodificadorLegado(NaN), RangeError);
});

Deno.test("no lugar: a mesma MensagemLegada, com os bytes e semEscape certos, em qualquer ponto de corte e com o buffer de leitura reaproveitado", () => {
  const originais = [
    mensagem(1, "Olá", "Texto com acentuação"),
    mensagem(2, "simples", "só ASCII? não: 'só' tem acento", 1),
    mensagem(3, "ascii", "imprimivel e sem aspas", 1),
    mensagem(4, 'di"sse', "c:\\x\t\x1b[31m"),
    mensagem(5, "", ""),
    mensagem(6, "🎉", "\u202eevil"),
  ];
  const fluxo = juntar(...originais.map(codificarBlocoLegado));
  const limpo = (texto: string) =>
    /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(texto);
  // O leitor do servidor reaproveita o buffer: cada pedaço é copiado para o
  // mesmo lugar e apagado depois de lido.
  const buffer = new Uint8Array(fluxo.length);
  for (let i = 0; i <= fluxo.length; i += 7) {
    const decodificador = new DecodificadorLegado(1024, { noLugar: true });
    const recebidas: Mensagem[] = [];
    let objeto: MensagemLegada | undefined;
    for (const pedaco of [fluxo.subarray(0, i), fluxo.subarray(i)]) {
      buffer.set(pedaco);
      decodificador.decodificar(buffer.subarray(0, pedaco.length), (m) => {
        assert.ok(m instanceof MensagemLegada);
        objeto ??= m;
        assert.equal(m, objeto, "sempre o mesmo objeto");
        const copia = m.copiar();
        assert.deepEqual(m.bytesAssunto, bytes(copia.assunto));
        assert.deepEqual(m.bytesTexto, bytes(copia.texto));
        assert.equal(m.semEscape, limpo(copia.assunto) && limpo(copia.texto));
        recebidas.push(copia);
      });
      buffer.fill(0x21);
    }
    assert.deepEqual(recebidas, originais, `corte em ${i}`);
  }
});

Deno.test("no lugar: depois de cada pedaço a MensagemLegada larga os bytes (uma conexão parada não prende o bloco grande)", () => {
  const decodificador = new DecodificadorLegado(64 * 1024, { noLugar: true });
  const original = mensagem(1, "grande", "x".repeat(40_000));
  const bloco = codificarBlocoLegado(original);
  let vista: MensagemLegada | undefined;
  const recebidas: Mensagem[] = [];
  for (let i = 0; i < bloco.length; i += 8192) {
    decodificador.decodificar(bloco.subarray(i, i + 8192), (m) => {
      assert.ok(m instanceof MensagemLegada);
      vista = m;
      recebidas.push(m.copiar());
    });
  }
  assert.deepEqual(recebidas, [original]);
  assert.equal(vista?.bytesTexto.length, 0);
  assert.equal(vista?.bytesAssunto.length, 0);
  // O decodificador segue funcionando depois de largar o buffer.
  decodificador.decodificar(
    codificarBlocoLegado(mensagem(2, "a", "b")),
    (m) => {
      assert.ok(m instanceof MensagemLegada);
      recebidas.push(m.copiar());
    },
  );
  assert.deepEqual(recebidas.at(-1), mensagem(2, "a", "b"));
});
