/**
 * Testes de lib/protocolo/decodificador.ts, o que ele recusa: limites de
 * tamanho conferidos só pelo cabeçalho, corpos malformados e tipos
 * desconhecidos, cada um com seu código de erro.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CodigoErro } from "../../lib/erros.ts";
import {
  codificar,
  codificarMensagem,
} from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  CABECALHO,
  CODIGO_SAIDA,
  FIXO_MENSAGEM,
  INSTANTE_MAXIMO,
  type Limites,
  limitesDoCliente,
  limitesDoServidor,
  TAMANHO_MAXIMO_PADRAO,
  tamanhoDaMensagem,
  Tipo,
} from "../../lib/protocolo/quadros.ts";
import { utf8 } from "../bytes.ts";
import { mensagem } from "../dados.ts";
import {
  ASSUNTO_GRANDE,
  cabecalho,
  corpoMensagem,
  corpoOlaCliente,
  decodificarPedacos,
  lancaErro,
  quadroCru,
  TEXTO_GRANDE,
  TODOS,
} from "./exemplos.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";

Deno.test("mensagem no limite passa; um byte a mais é MENSAGEM_GRANDE", () => {
  const noLimite = mensagem({ assunto: ASSUNTO_GRANDE, texto: TEXTO_GRANDE });
  assert.equal(tamanhoDaMensagem(noLimite.assunto, noLimite.texto), 1024);
  const d = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
  });
  assert.equal(
    decodificarPedacos(d, [codificarMensagem(noLimite)]).length,
    1,
  );
  const demais = { ...noLimite, texto: noLimite.texto + "x" };
  const erro = lancaErro(
    () =>
      new Decodificador({
        mensagens: MensagemNoLugar,
        limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
      })
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
    new Decodificador({
      mensagens: MensagemNoLugar,
      limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
    });
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
      nome:
        "OLA_SERVIDOR de 18 bytes no cliente (o máximo é o da versão 2, 17)",
      decodificador: () => new Decodificador({ limites: limitesDoCliente() }),
      tipo: Tipo.OLA_SERVIDOR,
      comprimento: 18,
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
        () =>
          new Decodificador({ mensagens: MensagemNoLugar, limites })
            .decodificar(bytes, () => {}),
        codigo,
      );
      // O mesmo erro quando o quadro chega um byte por vez (caminho lento).
      const d = new Decodificador({ mensagens: MensagemNoLugar, limites });
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
            new Decodificador({ mensagens: MensagemNoLugar, limites })
              .decodificar(
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
        new Decodificador({
          mensagens: MensagemNoLugar,
          limites: limitesDoServidor(1024),
        }).decodificar(
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

Deno.test("um ClientHello de TLS no lugar da saudação é reconhecido como TLS", async (t) => {
  // Registro de handshake TLS 1.0–1.3: 16 03 0x LL LL, e o ClientHello (01).
  for (const baixo of [0x01, 0x02, 0xc8]) {
    await t.step(`comprimento do registro 0x02${baixo.toString(16)}`, () => {
      const decodificador = new Decodificador({
        mensagens: MensagemNoLugar,
        limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        saudacao: Tipo.OLA_CLIENTE,
      });
      const erro = lancaErro(
        () =>
          decodificador.decodificar(
            Uint8Array.of(0x16, 0x03, 0x01, 0x02, baixo, 0x01, 0x00),
            () => {},
          ),
        CodigoErro.PROTOCOLO_DESCONHECIDO,
      );
      assert.match(erro.message, /^os primeiros bytes são de TLS/);
      assert.match(erro.message, /--tls-cert e --tls-chave/);
    });
  }
});
