/**
 * As cores ANSI da saída: o servidor no log legível e o cliente no menu. Só
 * para um terminal de verdade e sem `NO_COLOR`.
 *
 * @module
 */

/** Estilos ANSI, ou nada quando a saída não é um terminal ou há NO_COLOR. */
export interface Cores {
  negrito(texto: string): string;
  realce(texto: string): string;
  fraco(texto: string): string;
  erro(texto: string): string;
}

const SEM_COR: Cores = {
  negrito: (t) => t,
  realce: (t) => t,
  fraco: (t) => t,
  erro: (t) => t,
};

const COM_COR: Cores = {
  negrito: (t) => `\x1b[1m${t}\x1b[22m`,
  realce: (t) => `\x1b[36m${t}\x1b[39m`,
  fraco: (t) => `\x1b[2m${t}\x1b[22m`,
  erro: (t) => `\x1b[31m${t}\x1b[39m`,
};

/** Cores só para um terminal de verdade e sem `NO_COLOR`. */
export function coresPara(saida: { isTerminal(): boolean }): Cores {
  return saida.isTerminal() && !Deno.noColor ? COM_COR : SEM_COR;
}
