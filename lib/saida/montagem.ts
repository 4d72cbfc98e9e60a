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
 * devolve a nova posição. `set` custa o mesmo para 10 ou 300 bytes; um laço
 * em JS só ganha abaixo de uns 8.
 */
export function poe(
  destino: Uint8Array,
  p: number,
  origem: Uint8Array,
): number {
  destino.set(origem, p);
  return p + origem.length;
}

/**
 * Escreve um inteiro de 0 a 2³² − 1 em decimal, com zeros à esquerda até
 * `minimo` dígitos (como `padStart`); devolve a nova posição.
 */
export function poeInteiro(
  destino: Uint8Array,
  p: number,
  n: number,
  minimo = 1,
): number {
  let digitos = 1;
  for (let resto = n; resto >= 10; resto = Math.floor(resto / 10)) digitos++;
  if (digitos < minimo) digitos = minimo;
  let resto = n;
  for (let i = p + digitos - 1; i >= p; i--) {
    const quociente = Math.floor(resto / 10);
    destino[i] = 0x30 + resto - quociente * 10;
    resto = quociente;
  }
  return p + digitos;
}
