// @ts-check
/**
 * O escape visível da página, o mesmo do terminal (`lib/saida/escape.ts`):
 * caracteres de controle, a barra invertida e as marcas bidirecionais viram
 * `\x1B`, `\\`, `\u{202E}`... A página os mostra em destaque, como texto.
 * Um módulo à parte para o teste conferir que os dois escapes coincidem.
 *
 * @module
 */

const PERIGOSOS =
  // deno-lint-ignore no-control-regex -- são exatamente os caracteres a escapar
  /[\x00-\x09\x0b-\x1f\\\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** @type {Record<string, string>} */
const NOMES = { "\t": "\\t", "\r": "\\r", "\\": "\\\\" };

/**
 * A forma visível de um caractere perigoso.
 * @param {string} c
 * @returns {string}
 */
export function escaparCaractere(c) {
  const nome = NOMES[c];
  if (nome) return nome;
  const codigo = c.charCodeAt(0);
  return codigo < 0x100
    ? `\\x${codigo.toString(16).toUpperCase().padStart(2, "0")}`
    : `\\u{${codigo.toString(16).toUpperCase()}}`;
}

/**
 * O texto em pedaços: `[texto, false]` comum, `[escape, true]` para mostrar
 * em destaque. Juntos, dão o mesmo que o escape do terminal.
 * @param {string} texto
 * @returns {[string, boolean][]}
 */
export function segmentar(texto) {
  /** @type {[string, boolean][]} */
  const pedacos = [];
  let inicio = 0;
  for (const casou of texto.matchAll(PERIGOSOS)) {
    if (casou.index > inicio) {
      pedacos.push([texto.slice(inicio, casou.index), false]);
    }
    pedacos.push([escaparCaractere(casou[0]), true]);
    inicio = casou.index + casou[0].length;
  }
  if (inicio < texto.length) pedacos.push([texto.slice(inicio), false]);
  return pedacos;
}

/**
 * O texto com os escapes, numa string só.
 * @param {string} texto
 * @returns {string}
 */
export function escapar(texto) {
  return segmentar(texto).map(([t]) => t).join("");
}
