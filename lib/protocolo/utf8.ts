/**
 * UTF-8 sem desperdício, para o codec: contar os bytes de uma string sem
 * codificá-la, cortar bytes sem partir um caractere e decodificar um campo
 * (campos curtos só-ASCII sem chamar o `TextDecoder`). Um `TextEncoder` e um
 * `TextDecoder` para o protocolo inteiro. Sem E/S.
 *
 * @module
 */

import { CodigoErro, ErroDeProtocolo } from "../erros.ts";

/** O `TextEncoder` do protocolo. */
export const codificadorUtf8: TextEncoder = new TextEncoder();
/**
 * O `TextDecoder` do protocolo, criado no primeiro campo que não é ASCII
 * curto: criar um custa mais de 0,1 ms na partida, e o cliente de uma
 * mensagem nunca decodifica um (cenário 5 do banco).
 */
let decodificadorUtf8: TextDecoder | undefined;

/** Comprimento de uma string em UTF-8, sem codificá-la. */
export function bytesUtf8(texto: string): number {
  let bytes = texto.length;
  for (let i = 0; i < texto.length; i++) {
    const c = texto.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < texto.length) {
      const proximo = texto.charCodeAt(i + 1);
      if (proximo >= 0xdc00 && proximo <= 0xdfff) {
        bytes += 2; // o par vira 4 bytes: 2 unidades + 2
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/** Corta bytes UTF-8 em no máximo `maximo`, sem partir um caractere ao meio. */
export function cortarUtf8(bytes: Uint8Array, maximo: number): Uint8Array {
  if (bytes.length <= maximo) return bytes;
  let fim = maximo;
  while (fim > 0 && (bytes[fim] & 0xc0) === 0x80) fim--; // byte de continuação
  return bytes.subarray(0, fim);
}

/** Campos curtos só-ASCII são decodificados aqui: mais barato que chamar o TextDecoder. */
const ASCII_CURTO = 128;

/**
 * Os bytes de um campo como `string`.
 *
 * @throws {ErroDeProtocolo} `UTF8_INVALIDO`, citando `campo`
 */
export function decodificarUtf8(bytes: Uint8Array, campo: string): string {
  if (bytes.length <= ASCII_CURTO) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return String.fromCharCode.apply(null, bytes as unknown as number[]);
    }
  }
  try {
    // ignoreBOM: um U+FEFF no início de um campo é entregue como veio.
    decodificadorUtf8 ??= new TextDecoder("utf-8", {
      fatal: true,
      ignoreBOM: true,
    });
    return decodificadorUtf8.decode(bytes);
  } catch (erro) {
    throw new ErroDeProtocolo(
      CodigoErro.UTF8_INVALIDO,
      `UTF-8 inválido no campo ${campo}`,
      { cause: erro },
    );
  }
}
