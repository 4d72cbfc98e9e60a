/**
 * Os exemplos dos testes do protocolo (tests/protocolo/): um quadro de cada
 * tipo e variações, o fluxo com todos eles, quadros e corpos montados à mão
 * (sem passar pelo codificador) e os auxiliares de decodificar e de conferir
 * erros.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CodigoErro, ErroDeProtocolo } from "../../lib/erros.ts";
import { codificar } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  CABECALHO,
  FIXO_MENSAGEM,
  type Limites,
  limitesDoCliente,
  limitesDoServidor,
  type Quadro,
  TAMANHO_MAXIMO_PADRAO,
  Tipo,
  VERSAO,
  VERSAO_1,
} from "../../lib/protocolo/quadros.ts";
import { juntar, utf8 } from "../bytes.ts";
import { INSTANTE, mensagem } from "../dados.ts";

/** Quadro cru: cabeçalho com o comprimento do corpo dado + corpo. */
export function quadroCru(
  tipo: number,
  corpo: Uint8Array | number[],
): Uint8Array {
  const c = corpo instanceof Uint8Array ? corpo : Uint8Array.from(corpo);
  const bytes = new Uint8Array(CABECALHO + c.length);
  new DataView(bytes.buffer).setUint32(0, c.length);
  bytes[4] = tipo;
  bytes.set(c, CABECALHO);
  return bytes;
}

/** Só o cabeçalho: comprimento declarado e tipo. */
export function cabecalho(tipo: number, comprimento: number): Uint8Array {
  const bytes = new Uint8Array(CABECALHO);
  new DataView(bytes.buffer).setUint32(0, comprimento);
  bytes[4] = tipo;
  return bytes;
}

/** Decodifica uma sequência de pedaços e devolve todos os quadros. */
export function decodificarPedacos(
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
export function lancaErro(
  acao: () => unknown,
  codigo: CodigoErro,
): ErroDeProtocolo {
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
export const TODOS: Limites = {
  ...limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
  ...limitesDoCliente(),
};

// Uma mensagem de exatamente 1024 bytes (o limite padrão), com multibyte.
export const ASSUNTO_GRANDE = "Grande";

export const TEXTO_GRANDE = "ç".repeat((TAMANHO_MAXIMO_PADRAO - 6) / 2);

/** Uma sessão da versão 2 (32 dígitos hexadecimais minúsculos). */
export const SESSAO_EXEMPLO = "9f1c2a3b4d5e6f708192a3b4c5d6e7f8";

/** Um exemplar de cada tipo, e variações que exercitam os campos. */
export const EXEMPLOS: { nome: string; quadro: Quadro }[] = [
  {
    nome: "OLA_CLIENTE sem token",
    quadro: { tipo: Tipo.OLA_CLIENTE, versao: VERSAO_1, token: "" },
  },
  {
    nome: "OLA_CLIENTE com token",
    quadro: {
      tipo: Tipo.OLA_CLIENTE,
      versao: VERSAO_1,
      token: "segredo-ção-🔑",
    },
  },
  {
    nome: "OLA_SERVIDOR",
    quadro: {
      tipo: Tipo.OLA_SERVIDOR,
      versao: VERSAO_1,
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
      ultimoGravado: 0xffffffff,
    },
  },
  {
    nome: "OLA_CLIENTE da versão 2, com sessão e sem token",
    quadro: {
      tipo: Tipo.OLA_CLIENTE,
      versao: VERSAO,
      sessao: SESSAO_EXEMPLO,
      token: "",
    },
  },
  {
    nome: "OLA_CLIENTE da versão 2, com sessão e token",
    quadro: {
      tipo: Tipo.OLA_CLIENTE,
      versao: VERSAO,
      sessao: SESSAO_EXEMPLO,
      token: "segredo-ção-🔑",
    },
  },
  {
    nome: "OLA_SERVIDOR da versão 2, com o último gravado",
    quadro: {
      tipo: Tipo.OLA_SERVIDOR,
      versao: VERSAO,
      tamanhoMaximo: TAMANHO_MAXIMO_PADRAO,
      tempoOcioso: 30_000,
      ultimoGravado: 41,
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
export const FLUXO = juntar(...EXEMPLOS.map((e) => codificar(e.quadro)));

export const QUADROS = EXEMPLOS.map((e) => e.quadro);

/** Fluxo menor (sem a mensagem de 1024 bytes), para cortes em três pedaços. */
export const EXEMPLOS_PEQUENOS = EXEMPLOS.filter((e) =>
  e.nome !== "MENSAGEM de 1024 bytes"
);

export const FLUXO_PEQUENO = juntar(
  ...EXEMPLOS_PEQUENOS.map((e) => codificar(e.quadro)),
);

export const QUADROS_PEQUENOS = EXEMPLOS_PEQUENOS.map((e) => e.quadro);

/** Corpo de MENSAGEM montado à mão, para estragar campo a campo. */
export function corpoMensagem(
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

export function corpoOlaCliente(
  opcoes: { magico?: number[]; tamanhoToken?: number; token?: Uint8Array },
): Uint8Array {
  const token = opcoes.token ?? new Uint8Array(0);
  const corpo = new Uint8Array(8 + token.length);
  corpo.set(opcoes.magico ?? [0x53, 0x4b, 0x52, 0x44]);
  corpo[4] = VERSAO_1;
  new DataView(corpo.buffer).setUint16(6, opcoes.tamanhoToken ?? token.length);
  corpo.set(token, 8);
  return corpo;
}
