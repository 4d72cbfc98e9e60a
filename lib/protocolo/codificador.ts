/**
 * Quadros em bytes: cada quadro num único buffer dimensionado de antemão, e a
 * MENSAGEM e a CONFIRMACAO também num buffer reaproveitado, sem alocar nada a
 * cada envio. Não faz E/S nenhuma. O formato está em PROTOCOLO.md.
 *
 * @module
 */

import {
  ASSUNTO_MAXIMO,
  BYTES_CODIGO_SAIDA,
  CABECALHO,
  eSessao,
  FIXO_MENSAGEM,
  MAGICO,
  type Mensagem,
  type Quadro,
  TAMANHO_OLA_CLIENTE,
  TAMANHO_OLA_SERVIDOR,
  TAMANHO_OLA_SERVIDOR_2,
  tamanhoDaMensagem,
  TEXTO_ERRO_MAXIMO,
  Tipo,
} from "./quadros.ts";
import { codificadorUtf8, cortarUtf8 } from "./utf8.ts";

function novoQuadro(tipo: Tipo, tamanhoCorpo: number) {
  const bytes = new Uint8Array(CABECALHO + tamanhoCorpo);
  const vista = new DataView(bytes.buffer);
  vista.setUint32(0, tamanhoCorpo);
  bytes[4] = tipo;
  return { bytes, vista };
}

/** Codifica um quadro num único buffer, dimensionado de antemão. */
export function codificar(quadro: Quadro): Uint8Array {
  switch (quadro.tipo) {
    case Tipo.OLA_CLIENTE: {
      // Na versão 2 a sessão vai antes do token, e o tamanho em 6–7 cobre os
      // dois: um servidor da versão 1 ainda decodifica a saudação (tudo ASCII
      // e UTF-8) e responde ERRO 2, em vez de a achar malformada.
      const sessao = quadro.versao >= 2 ? quadro.sessao ?? "" : "";
      if (quadro.versao >= 2 && !eSessao(sessao)) {
        throw new RangeError(
          "sessão deve ter 32 dígitos hexadecimais minúsculos",
        );
      }
      const resto = codificadorUtf8.encode(sessao + quadro.token);
      const { bytes, vista } = novoQuadro(
        quadro.tipo,
        TAMANHO_OLA_CLIENTE + resto.length,
      );
      bytes.set(MAGICO, CABECALHO);
      bytes[CABECALHO + 4] = quadro.versao;
      vista.setUint16(CABECALHO + 6, resto.length);
      bytes.set(resto, CABECALHO + TAMANHO_OLA_CLIENTE);
      return bytes;
    }
    case Tipo.OLA_SERVIDOR: {
      const v2 = quadro.versao >= 2;
      const { bytes, vista } = novoQuadro(
        quadro.tipo,
        v2 ? TAMANHO_OLA_SERVIDOR_2 : TAMANHO_OLA_SERVIDOR,
      );
      bytes.set(MAGICO, CABECALHO);
      bytes[CABECALHO + 4] = quadro.versao;
      vista.setUint32(CABECALHO + 5, quadro.tamanhoMaximo);
      vista.setUint32(CABECALHO + 9, quadro.tempoOcioso);
      if (v2) vista.setUint32(CABECALHO + 13, quadro.ultimoGravado ?? 0);
      return bytes;
    }
    case Tipo.MENSAGEM:
      return codificarMensagem(quadro.mensagem);
    case Tipo.CONFIRMACAO: {
      const { bytes, vista } = novoQuadro(quadro.tipo, 4);
      vista.setUint32(CABECALHO, quadro.numero);
      return bytes;
    }
    case Tipo.DESPEDIDA: {
      const { bytes } = novoQuadro(quadro.tipo, BYTES_CODIGO_SAIDA.length);
      bytes.set(BYTES_CODIGO_SAIDA, CABECALHO);
      return bytes;
    }
    case Tipo.ERRO: {
      const texto = cortarUtf8(
        codificadorUtf8.encode(quadro.texto),
        TEXTO_ERRO_MAXIMO,
      );
      const { bytes, vista } = novoQuadro(quadro.tipo, 2 + texto.length);
      vista.setUint16(CABECALHO, quadro.codigo);
      bytes.set(texto, CABECALHO + 2);
      return bytes;
    }
    case Tipo.PING:
    case Tipo.PONG:
      return novoQuadro(quadro.tipo, 0).bytes;
  }
}

/**
 * Codifica uma MENSAGEM: `[número u32][instante f64][fuso i16][tam. assunto u16][assunto][texto]`. */
export function codificarMensagem(mensagem: Mensagem): Uint8Array {
  const quadro = new Uint8Array(
    CABECALHO + FIXO_MENSAGEM +
      tamanhoDaMensagem(mensagem.assunto, mensagem.texto),
  );
  codificarMensagemEm(mensagem, quadro);
  return quadro;
}

/**
 * Quantos bytes `codificarMensagemEm` pode precisar: cada unidade UTF-16 vira
 * no máximo 3 bytes (um par substituto, 2 unidades, vira 4).
 */
export function espacoParaMensagem(assunto: string, texto: string): number {
  return CABECALHO + FIXO_MENSAGEM + 3 * (assunto.length + texto.length);
}

/** Bytes de um `f64` big-endian, para escrever sem um `DataView` por mensagem. */
const BYTES_F64 = new Uint8Array(8);
const VISTA_F64 = new DataView(BYTES_F64.buffer);

/**
 * Codifica uma MENSAGEM no início de `destino`, sem alocar nada: para quem
 * reaproveita um buffer a cada envio. Devolve o tamanho do quadro.
 *
 * @throws {RangeError} com um campo fora do seu tipo, ou se `destino` tem
 *   menos que `espacoParaMensagem` e a mensagem não coube
 */
export function codificarMensagemEm(
  mensagem: Mensagem,
  destino: Uint8Array,
): number {
  // Os campos de tamanho fixo dariam a volta em silêncio; melhor recusar.
  if (
    !Number.isInteger(mensagem.numero) || mensagem.numero < 0 ||
    mensagem.numero > 0xffff_ffff
  ) {
    throw new RangeError(`número de mensagem fora de u32: ${mensagem.numero}`);
  }
  if (
    !Number.isInteger(mensagem.fuso) || mensagem.fuso < -32768 ||
    mensagem.fuso > 32767
  ) {
    throw new RangeError(`fuso fora de i16: ${mensagem.fuso}`);
  }
  const inicioAssunto = CABECALHO + FIXO_MENSAGEM;
  const assunto = codificarEm(mensagem.assunto, destino, inicioAssunto);
  if (assunto > ASSUNTO_MAXIMO) {
    throw new RangeError(
      `assunto de ${assunto} bytes; o máximo é ${ASSUNTO_MAXIMO}`,
    );
  }
  const texto = codificarEm(mensagem.texto, destino, inicioAssunto + assunto);
  const corpo = FIXO_MENSAGEM + assunto + texto;
  escreverU32(destino, 0, corpo);
  destino[4] = Tipo.MENSAGEM;
  escreverU32(destino, CABECALHO, mensagem.numero);
  VISTA_F64.setFloat64(0, mensagem.instante);
  destino.set(BYTES_F64, CABECALHO + 4);
  escreverU16(destino, CABECALHO + 12, mensagem.fuso & 0xffff);
  escreverU16(destino, CABECALHO + 14, assunto);
  return CABECALHO + corpo;
}

/** Escreve `texto` em UTF-8 a partir de `inicio`; devolve quantos bytes. */
function codificarEm(texto: string, destino: Uint8Array, inicio: number) {
  const { read, written } = codificadorUtf8.encodeInto(
    texto,
    destino.subarray(inicio),
  );
  if (read < texto.length) {
    throw new RangeError(
      "destino pequeno demais para a mensagem (veja espacoParaMensagem)",
    );
  }
  return written;
}

function escreverU32(destino: Uint8Array, pos: number, valor: number) {
  destino[pos] = valor >>> 24;
  destino[pos + 1] = valor >>> 16;
  destino[pos + 2] = valor >>> 8;
  destino[pos + 3] = valor;
}

function escreverU16(destino: Uint8Array, pos: number, valor: number) {
  destino[pos] = valor >>> 8;
  destino[pos + 1] = valor;
}

/**
 * Troca o número de uma CONFIRMACAO já codificada (9 bytes), para quem
 * reaproveita o mesmo buffer a cada confirmação.
 */
export function renumerarConfirmacao(quadro: Uint8Array, numero: number): void {
  escreverU32(quadro, CABECALHO, numero);
}
