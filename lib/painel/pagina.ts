/**
 * Os arquivos da página (`lib/painel/pagina/`), lidos uma vez quando o painel
 * liga. Ficam em arquivos próprios para serem fáceis de editar; `deno task
 * compilar` os põe dentro dos binários com `--include lib/painel/pagina/`, e
 * o executável os lê do seu sistema de arquivos embutido pelo mesmo caminho.
 *
 * @module
 */

/** Um arquivo servido: bytes e tipo de conteúdo. */
export interface Arquivo {
  bytes: Uint8Array<ArrayBuffer>;
  tipo: string;
}

/** A pasta dos arquivos, relativa a este módulo. */
export const PASTA_DA_PAGINA = new URL("./pagina/", import.meta.url);

/** Os arquivos servidos, pelo caminho na URL, e o nome na pasta. */
const ARQUIVOS = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/painel.css": ["painel.css", "text/css; charset=utf-8"],
  "/painel.js": ["painel.js", "text/javascript; charset=utf-8"],
  "/escape.js": ["escape.js", "text/javascript; charset=utf-8"],
  "/entrar": ["entrar.html", "text/html; charset=utf-8"],
} as const;

/** Caminho na URL → arquivo. Só estes caminhos existem. */
export type Pagina = ReadonlyMap<string, Arquivo>;

/**
 * Lê os arquivos da página.
 *
 * @throws {Deno.errors.NotFound} se algum falta (instalação incompleta)
 */
export function lerPagina(pasta: URL = PASTA_DA_PAGINA): Pagina {
  return new Map(
    Object.entries(ARQUIVOS).map(([caminho, [nome, tipo]]) => {
      const arquivo = new URL(nome, pasta);
      try {
        return [caminho, { bytes: Deno.readFileSync(arquivo), tipo }];
      } catch (erro) {
        if (!(erro instanceof Deno.errors.NotFound)) throw erro;
        throw new Deno.errors.NotFound(
          `falta ${
            decodeURIComponent(arquivo.pathname)
          }, da página do painel (executável compilado sem --include lib/painel/pagina/?)`,
          { cause: erro },
        );
      }
    }),
  );
}
