/**
 * Os truques de montar texto direto em bytes no lote da saída, num lugar só:
 * copiar um pedaço pronto, escrever um inteiro em decimal e reconhecer a
 * mensagem que pode ser copiada tal e qual. Usados pela linha `--json` de
 * mensagem (`json.ts`) e pelo bloco legível (`legivel.ts`), cada um com o seu
 * teste de equivalência contra o caminho em `string`.
 *
 * @module
 */

import type { Mensagem, MensagemEmBytes } from "../protocolo/quadros.ts";

const codificador = new TextEncoder();

/** Um texto fixo em UTF-8, para ser copiado com `poe`. */
export function bytesDe(texto: string): Uint8Array<ArrayBuffer> {
  return codificador.encode(texto);
}

/**
 * A mensagem traz os bytes recebidos (`MensagemEmBytes`, do protocolo ou do
 * cliente original) e nenhum precisa de escape: só ASCII imprimível, sem `"`
 * nem `\` (nem, portanto, quebra de linha). Assunto e texto podem ser
 * copiados tal e qual para a linha JSON ou para o bloco legível.
 */
export function copiavelTalQual(
  mensagem: Mensagem,
): mensagem is MensagemEmBytes {
  return (mensagem as Partial<MensagemEmBytes>).semEscape === true;
}

/**
 * Copia `origem` para `destino` a partir de `p` (o espaço já garantido) e
 * devolve a nova posição. `set` tem um custo fixo por chamada (~20 ns) que um
 * laço em JS não tem: até uns 16 bytes, o laço ganha; acima, `set`.
 */
export function poe(
  destino: Uint8Array,
  p: number,
  origem: Uint8Array,
): number {
  const n = origem.length;
  if (n > COPIA_EM_LACO) {
    destino.set(origem, p);
  } else {
    for (let i = 0; i < n; i++) destino[p + i] = origem[i];
  }
  return p + n;
}

/** Até quantos bytes `poe` copia num laço em vez de `set`. */
const COPIA_EM_LACO = 16;

/**
 * Escreve um inteiro de 0 a 2³² − 1 em decimal, com zeros à esquerda até
 * `minimo` dígitos (como `padStart`); devolve a nova posição. Conta os
 * dígitos por comparação e divide em inteiros de 32 bits (`>>> 0` trunca,
 * e o número cabe): duas vezes por linha, era 15% do servidor com
 * `Math.floor`.
 */
export function poeInteiro(
  destino: Uint8Array,
  p: number,
  n: number,
  minimo = 1,
): number {
  let digitos = n < 10
    ? 1
    : n < 100
    ? 2
    : n < 1000
    ? 3
    : n < 10_000
    ? 4
    : n < 100_000
    ? 5
    : n < 1_000_000
    ? 6
    : n < 10_000_000
    ? 7
    : n < 100_000_000
    ? 8
    : n < 1_000_000_000
    ? 9
    : 10;
  if (digitos < minimo) digitos = minimo;
  let resto = n;
  for (let i = p + digitos - 1; i >= p; i--) {
    const quociente = (resto / 10) >>> 0;
    destino[i] = 0x30 + resto - quociente * 10;
    resto = quociente;
  }
  return p + digitos;
}

/**
 * Repete em `p` os bytes `destino[de, ate)` já escritos (o número da
 * mensagem, que a linha JSON tem duas vezes); devolve a nova posição.
 */
export function repete(
  destino: Uint8Array,
  p: number,
  de: number,
  ate: number,
): number {
  for (let i = de; i < ate; i++) destino[p++] = destino[i];
  return p;
}
