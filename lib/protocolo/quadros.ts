/**
 * O que é um quadro do protocolo Sockets de Rede: as constantes do formato, os
 * tipos de quadro, a `Mensagem` e os limites de corpo de cada lado. Não faz
 * E/S nenhuma (não usa a API do runtime). O formato está descrito em PROTOCOLO.md;
 * `codificador.ts` transforma quadros em bytes e `decodificador.ts`, bytes em
 * quadros.
 *
 * Cada quadro é `[comprimento u32 BE][tipo u8][corpo]`, em que o comprimento
 * conta só o corpo.
 *
 * @module
 */

import { bytesUtf8, codificadorUtf8 } from "./utf8.ts";

/**
 * Versão do protocolo que este código fala. A 2 acrescenta a sessão (retomada
 * depois de uma queda); a 1 continua aceita pelo servidor, e o cliente volta a
 * ela quando um servidor antigo recusa a 2 (PROTOCOLO.md, "Versões").
 */
export const VERSAO = 2;
/** A primeira versão, sem sessão: a dos binários já instalados. */
export const VERSAO_1 = 1;
/** Bytes mágicos no início de cada saudação: "SKRD". */
export const MAGICO = Uint8Array.of(0x53, 0x4b, 0x52, 0x44);
/** O código de saída do original, corpo do quadro DESPEDIDA. */
export const CODIGO_SAIDA = "CODIGO_SAIDA";
/** `CODIGO_SAIDA` em bytes: o corpo inteiro de uma DESPEDIDA. */
export const BYTES_CODIGO_SAIDA = codificadorUtf8.encode(CODIGO_SAIDA);
/** Limite de assunto + texto, em bytes, quando o servidor não diz outro. */
export const TAMANHO_MAXIMO_PADRAO = 1024;
/** Tamanho do cabeçalho de todo quadro: comprimento (4) + tipo (1). */
export const CABECALHO = 5;
/** Parte fixa do corpo de MENSAGEM: número, instante, fuso, tamanho do assunto. */
export const FIXO_MENSAGEM = 16;
/** Parte fixa de OLA_CLIENTE: mágico, versão, reservado, tamanho do token. */
export const TAMANHO_OLA_CLIENTE = 8;
/** Corpo de OLA_SERVIDOR: mágico, versão, tamanho máximo, tempo ocioso. */
export const TAMANHO_OLA_SERVIDOR = 13;
/** Corpo de OLA_SERVIDOR na versão 2: mais o último número já gravado. */
export const TAMANHO_OLA_SERVIDOR_2 = 17;
/**
 * A sessão da versão 2: 128 bits aleatórios em 32 dígitos hexadecimais
 * minúsculos (ASCII), que vão antes do token na saudação do cliente.
 */
export const TAMANHO_SESSAO = 32;
/** Maior texto de um quadro ERRO, em bytes. */
export const TEXTO_ERRO_MAXIMO = 2048;
/** Maior token, em bytes (o campo de tamanho é u16, mas o servidor limita). */
export const TOKEN_MAXIMO = 4096;
/** Maior assunto, em bytes: o tamanho vai num u16. */
export const ASSUNTO_MAXIMO = 0xffff;
/**
 * Maior |instante| aceito, em ms: o limite do `Date` (8,64 × 10¹⁵) menos o
 * maior fuso (±32767 min), para que a hora local também caiba.
 */
export const INSTANTE_MAXIMO = 8.64e15 - 32768 * 60_000;

/** Tipos de quadro (o byte depois do comprimento). */
export const Tipo = {
  OLA_CLIENTE: 0x01,
  OLA_SERVIDOR: 0x02,
  MENSAGEM: 0x03,
  CONFIRMACAO: 0x04,
  DESPEDIDA: 0x05,
  ERRO: 0x06,
  PING: 0x07,
  PONG: 0x08,
} as const;
export type Tipo = typeof Tipo[keyof typeof Tipo];

/** Uma mensagem como o cliente a compôs. */
export interface Mensagem {
  /** Número da mensagem na sessão do cliente, a partir de 1. */
  numero: number;
  /** Quando o cliente a compôs, em milissegundos desde 1970 (UTC). */
  instante: number;
  /** Fuso do cliente em minutos a leste de UTC, para mostrar a hora dele. */
  fuso: number;
  assunto: string;
  texto: string;
}

/**
 * Uma mensagem que ainda traz os bytes recebidos (a `MensagemNoLugar`): quem a
 * escreve como texto pode copiar assunto e texto tal e qual, sem passar por
 * `string`, quando `semEscape`.
 */
export interface MensagemEmBytes extends Mensagem {
  /** O assunto em UTF-8 (válido). */
  readonly bytesAssunto: Uint8Array;
  /** O texto em UTF-8 (válido). */
  readonly bytesTexto: Uint8Array;
  /**
   * Assunto e texto só têm ASCII imprimível (0x20–0x7e) sem `"` nem `\`:
   * podem ir para um terminal ou para uma string JSON exatamente como vieram.
   */
  readonly semEscape: boolean;
}

export type Quadro =
  | {
    tipo: typeof Tipo.OLA_CLIENTE;
    versao: number;
    token: string;
    /** Na versão 2: a sessão, 32 dígitos hexadecimais minúsculos. */
    sessao?: string | undefined;
  }
  | {
    tipo: typeof Tipo.OLA_SERVIDOR;
    versao: number;
    /** Máximo de bytes de assunto + texto. */
    tamanhoMaximo: number;
    /** Milissegundos sem quadros depois dos quais o servidor desliga; 0 = nunca. */
    tempoOcioso: number;
    /**
     * Na versão 2: o maior número desta sessão que o servidor já gravou na
     * saída (0 = nenhum); o cliente reenvia só os que vêm depois.
     */
    ultimoGravado?: number | undefined;
  }
  | { tipo: typeof Tipo.MENSAGEM; mensagem: Mensagem }
  | { tipo: typeof Tipo.CONFIRMACAO; numero: number }
  | { tipo: typeof Tipo.DESPEDIDA }
  | { tipo: typeof Tipo.ERRO; codigo: number; texto: string }
  | { tipo: typeof Tipo.PING }
  | { tipo: typeof Tipo.PONG };

/** Maior corpo aceito para cada tipo; um tipo ausente não é aceito. */
export type Limites = Partial<Record<Tipo, number>>;

/** Quadros que um servidor com este limite de mensagem aceita de um cliente. */
export function limitesDoServidor(tamanhoMaximo: number): Limites {
  return {
    [Tipo.OLA_CLIENTE]: TAMANHO_OLA_CLIENTE + TAMANHO_SESSAO + TOKEN_MAXIMO,
    [Tipo.MENSAGEM]: FIXO_MENSAGEM + tamanhoMaximo,
    [Tipo.DESPEDIDA]: BYTES_CODIGO_SAIDA.length,
    [Tipo.ERRO]: 2 + TEXTO_ERRO_MAXIMO,
    [Tipo.PING]: 0,
    [Tipo.PONG]: 0,
  };
}

/** Quadros que um cliente aceita de um servidor. */
export function limitesDoCliente(): Limites {
  return {
    [Tipo.OLA_SERVIDOR]: TAMANHO_OLA_SERVIDOR_2,
    [Tipo.CONFIRMACAO]: 4,
    [Tipo.DESPEDIDA]: BYTES_CODIGO_SAIDA.length,
    [Tipo.ERRO]: 2 + TEXTO_ERRO_MAXIMO,
    [Tipo.PING]: 0,
    [Tipo.PONG]: 0,
  };
}

/**
 * Bytes que a mensagem passa dos limites de um quadro MENSAGEM (0 se cabe): o
 * `tamanhoMaximo` de assunto + texto que o servidor anunciou e o do campo de
 * assunto, cujo tamanho vai num u16 ({@linkcode ASSUNTO_MAXIMO}), o que for
 * maior. Quem envia confere antes: uma mensagem que passa não é codificável.
 */
export function excessoDaMensagem(
  assunto: string,
  texto: string,
  tamanhoMaximo: number,
): number {
  // Cada unidade UTF-16 dá no máximo 3 bytes: o caso comum nem conta.
  if (
    3 * (assunto.length + texto.length) <= tamanhoMaximo &&
    3 * assunto.length <= ASSUNTO_MAXIMO
  ) {
    return 0;
  }
  const bytesAssunto = bytesUtf8(assunto);
  return Math.max(
    0,
    bytesAssunto + bytesUtf8(texto) - tamanhoMaximo,
    bytesAssunto - ASSUNTO_MAXIMO,
  );
}

/** Bytes de assunto + texto em UTF-8: o que o limite de mensagem mede. */
export function tamanhoDaMensagem(assunto: string, texto: string): number {
  return bytesUtf8(assunto) + bytesUtf8(texto);
}

/**
 * `texto` tem a forma de uma sessão: 32 dígitos hexadecimais minúsculos. Sem
 * expressão regular: a primeira execução de uma custa dezenas de µs, e a
 * partida do cliente de uma mensagem, que codifica uma saudação, é medida no
 * banco (cenário 5).
 */
export function eSessao(texto: string): boolean {
  if (texto.length !== TAMANHO_SESSAO) return false;
  for (let i = 0; i < texto.length; i++) {
    if (!eHexMinusculo(texto.charCodeAt(i))) return false;
  }
  return true;
}

/** O código (byte ou unidade UTF-16) é de `0`–`9` ou `a`–`f`: um dígito da sessão. */
export function eHexMinusculo(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
}
