/**
 * Bytes para os testes de unidade, num lugar só: texto em UTF-8, hex escrito
 * à mão nos dois sentidos, juntar pedaços e cortar um fluxo byte a byte.
 *
 * @module
 */

import assert from "node:assert/strict";

/** O `TextEncoder` dos testes. */
export const utf8: TextEncoder = new TextEncoder();

/** Um texto em UTF-8. */
export const bytes = (texto: string): Uint8Array => utf8.encode(texto);

/** Bytes a partir de hex com espaços livres: "00 0a ff". */
export function deHex(texto: string): Uint8Array {
  const limpo = texto.replace(/\s+/g, "");
  assert.equal(limpo.length % 2, 0, "hex com número ímpar de dígitos");
  const bytes = new Uint8Array(limpo.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(limpo.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}

/** Hex com um espaço entre os bytes: "00 0a ff". */
export function paraHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Os pedaços, em ordem, num buffer novo. */
export function juntar(...partes: Uint8Array[]): Uint8Array {
  const total = partes.reduce((soma, p) => soma + p.length, 0);
  const junto = new Uint8Array(total);
  let pos = 0;
  for (const parte of partes) {
    junto.set(parte, pos);
    pos += parte.length;
  }
  return junto;
}

/** Um pedaço por byte (vistas do mesmo buffer). */
export function umByteDeCadaVez(fluxo: Uint8Array): Uint8Array[] {
  return Array.from(fluxo, (_, i) => fluxo.subarray(i, i + 1));
}
