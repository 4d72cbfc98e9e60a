// deno-lint-ignore-file no-console -- ferramenta de linha de comando: imprimir é o trabalho dela
/**
 * `deno task nucleo`: compila o núcleo da passagem
 * (lib/saida/nucleo/fonte/passagem.ts, em AssemblyScript) para WebAssembly e
 * grava o binário em lib/saida/nucleo/binario.ts, em base64, para entrar no
 * grafo de módulos (e nos executáveis do `deno compile`) sem permissão de
 * leitura nenhuma. O compilador vem do npm, na versão fixada aqui; o teste
 * tests/saida/nucleo_test.ts compila de novo e confere que o binário gravado
 * é o da fonte.
 *
 * @module
 */

import asc from "npm:assemblyscript@0.28.20/asc";

const raiz = new URL("../", import.meta.url);
const FONTE = "lib/saida/nucleo/fonte/passagem.ts";
const BINARIO = new URL("lib/saida/nucleo/binario.ts", raiz);

/**
 * As opções do compilador: otimizado, com SIMD, sem coletor de lixo (o
 * núcleo não aloca) e com a memória fixa em 24 páginas (1,5 MiB), que nunca
 * cresce: as vistas do lado do JavaScript nunca deixam de valer.
 */
const OPCOES = [
  "-O3",
  "--enable",
  "simd",
  "--runtime",
  "stub",
  "--noAssert",
  "--initialMemory",
  "24",
  "--maximumMemory",
  "24",
];

/** Compila a fonte e devolve o WebAssembly. */
export async function compilarNucleo(): Promise<Uint8Array> {
  let binario: Uint8Array | undefined;
  const mensagens: string[] = [];
  const { error } = await asc.main([FONTE, "-o", "nucleo.wasm", ...OPCOES], {
    readFile: (nome: string, pasta: string) => {
      try {
        return Deno.readTextFileSync(new URL(`${pasta}/${nome}`, raiz));
      } catch {
        return null;
      }
    },
    writeFile: (_nome: string, conteudo: string | Uint8Array) => {
      if (typeof conteudo !== "string") binario = conteudo;
    },
    listFiles: () => [],
    stdout: { write: (texto: string) => mensagens.push(texto) },
    stderr: { write: (texto: string) => mensagens.push(texto) },
  });
  if (error || binario === undefined) {
    throw new Error(`o AssemblyScript não compilou: ${mensagens.join("")}`);
  }
  return binario;
}

/** O módulo TypeScript que carrega o binário. */
export function moduloDoBinario(binario: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...binario));
  const linhas = base64.match(/.{1,76}/g) ?? [];
  return `/**
 * O núcleo da passagem em WebAssembly, gerado por \`deno task nucleo\` a
 * partir de fonte/passagem.ts (AssemblyScript). Não edite: compile de novo.
 *
 * @module
 */

/** O binário WebAssembly (${binario.length} bytes), em base64. */
const BASE64 = [
${linhas.map((linha) => `  "${linha}",`).join("\n")}
].join("");

/** O binário WebAssembly do núcleo. */
export const NUCLEO: Uint8Array = Uint8Array.from(
  atob(BASE64),
  (c) => c.charCodeAt(0),
);
`;
}

if (import.meta.main) {
  const binario = await compilarNucleo();
  await Deno.writeTextFile(BINARIO, moduloDoBinario(binario));
  console.log(`lib/saida/nucleo/binario.ts: ${binario.length} bytes`);
}
