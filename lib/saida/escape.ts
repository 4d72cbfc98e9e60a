/**
 * O escape de tudo o que um cliente manda antes de chegar a um terminal: nada
 * é interpretado pelo terminal (CWE-150), nem num bloco legível nem numa linha
 * JSON. Usado pelos dois formatos do log do servidor (`legivel.ts`,
 * `json.ts`).
 *
 * @module
 */

/**
 * Caracteres que um terminal pode interpretar ou que enganam quem lê: C0 (menos
 * a quebra de linha, tratada à parte), a barra invertida (para o escape não ser
 * ambíguo), DEL, C1, marcas e sobreposições bidirecionais, separadores Unicode.
 */
const PERIGOSOS =
  // deno-lint-ignore no-control-regex -- são exatamente os caracteres a escapar
  /[\x00-\x09\x0b-\x1f\\\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NOMES: Record<string, string> = {
  "\t": "\\t",
  "\r": "\\r",
  "\\": "\\\\",
};

function escaparCaractere(c: string): string {
  const nome = NOMES[c];
  if (nome) return nome;
  const codigo = c.charCodeAt(0);
  return codigo < 0x100
    ? `\\x${codigo.toString(16).toUpperCase().padStart(2, "0")}`
    : `\\u{${codigo.toString(16).toUpperCase()}}`;
}

/** Escapa visivelmente tudo o que o terminal poderia interpretar (não mexe em `\n`). */
export function escapar(texto: string): string {
  PERIGOSOS.lastIndex = 0;
  if (!PERIGOSOS.test(texto)) return texto;
  PERIGOSOS.lastIndex = 0;
  return texto.replace(PERIGOSOS, escaparCaractere);
}

/**
 * Um campo de várias linhas, escapado e recuado: cada linha começa com dois
 * espaços, então nenhuma linha de um texto pode se passar pela moldura de um
 * bloco (`---`, `> TEXTO:`) nem por outra linha do log.
 */
export function campoRecuado(texto: string): string {
  return "  " + escapar(texto).replaceAll("\n", "\n  ");
}

/** Caracteres que `JSON.stringify` deixa passar e que um terminal interpretaria. */
const PERIGOSOS_JSON =
  /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** O mesmo conjunto, sem `g`, só para testar (mais barato que `replace` à toa). */
const TEM_PERIGO_JSON = new RegExp(PERIGOSOS_JSON.source);

/** JSON numa linha, sem nenhum caractere que um terminal interpretaria. */
export function jsonSeguro(valor: unknown): string {
  const json = JSON.stringify(valor);
  if (!TEM_PERIGO_JSON.test(json)) return json;
  return json.replace(
    PERIGOSOS_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
