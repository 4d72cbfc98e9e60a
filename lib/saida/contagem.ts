/**
 * Contagens por extenso com a concordância certa ("1 byte", "2 bytes"): toda
 * frase com um número para o usuário passa por aqui. Pura: só texto.
 *
 * @module
 */

/**
 * `n` seguido da forma certa: `singular` para 1 (e −1), `plural` para o resto.
 *
 * @example
 * ```ts
 * import { contar } from "./contagem.ts";
 *
 * contar(1, "linha pulada", "linhas puladas"); // "1 linha pulada"
 * contar(0, "linha pulada", "linhas puladas"); // "0 linhas puladas"
 * ```
 */
export function contar(n: number, singular: string, plural: string): string {
  return `${n} ${Math.abs(n) === 1 ? singular : plural}`;
}
