// deno-lint-ignore-file no-console -- ferramenta de linha de comando: imprimir é o trabalho dela
/**
 * `deno task compilar`: gera os executáveis `./servidor` e `./cliente` com as
 * mesmas opções (permissões) das tarefas `servidor` e `cliente` do deno.json (lidas de
 * lá, para que haja uma só fonte). Com `--todos`, gera em `dist/` um par de
 * executáveis por plataforma que o Deno suporta e um arquivo SHA256SUMS.
 *
 * Sem internet, `deno compile` só funciona se o runtime (`denort`) estiver no
 * cache do Deno ou se `DENORT_BIN` apontar para ele; quando a compilação
 * falha, este script diz numa linha só a causa de verdade (DENORT_BIN que não
 * existe, runtime que não pôde ser baixado), sem a saída crua do Deno.
 *
 * @module
 */

import { opcoesDaTarefa } from "./tarefas.ts";

const PROGRAMAS = ["servidor", "cliente"] as const;
const ALVOS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

const raiz = new URL("../", import.meta.url);

/**
 * Arquivos que o programa lê em vez de importar: a página do painel
 * (`lib/painel/pagina.ts` os lê pelo caminho, e o executável os acha no seu
 * sistema de arquivos embutido).
 */
const INCLUIR: Record<string, string[]> = {
  servidor: ["lib/painel/pagina/"],
};

/** Os argumentos do `deno compile` de `programa` (relativos à raiz). */
export function argumentosDeCompilacao(
  programa: string,
  saida: string,
  alvo?: string,
): string[] {
  return [
    "compile",
    ...opcoesDaTarefa(programa),
    ...(INCLUIR[programa] ?? []).flatMap((caminho) => ["--include", caminho]),
    ...(alvo ? ["--target", alvo] : []),
    "--output",
    saida,
    `${programa}.ts`,
  ];
}

async function compilar(
  programa: string,
  saida: string,
  alvo?: string,
): Promise<void> {
  const args = argumentosDeCompilacao(programa, saida, alvo);
  console.log(`deno ${args.join(" ")}`);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: raiz,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (code === 0) return;
  throw new Error(
    explicarFalha(new TextDecoder().decode(stderr), {
      programa,
      alvo,
      denortBin: Deno.env.get("DENORT_BIN"),
      versao: Deno.version.deno,
    }),
  );
}

/** O que se sabe de uma compilação que falhou, além do que o Deno disse. */
export interface Contexto {
  programa: string;
  alvo?: string | undefined;
  /** O valor de DENORT_BIN, se definida. */
  denortBin?: string | undefined;
  versao: string;
}

/**
 * A frase (uma linha, em português) que diz por que `deno compile` falhou, a
 * partir da saída de erro dele: o DENORT_BIN que não existe, o runtime que não
 * pôde ser baixado (sem internet) ou, se nenhum, a primeira linha de erro do
 * Deno, sem as cores nem o rastro ("Stack backtrace").
 */
export function explicarFalha(erros: string, contexto: Contexto): string {
  // deno-lint-ignore no-control-regex -- as cores ANSI do Deno, tiradas
  const texto = erros.replace(/\x1b\[[0-9;]*m/g, "");
  const para = contexto.alvo ? ` para ${contexto.alvo}` : "";
  const naoAchou = /Could not find denort at '([^']*)'/.exec(texto);
  if (naoAchou) {
    return `DENORT_BIN aponta para ${
      naoAchou[1]
    }, que não existe: corrija o caminho (um denort ${contexto.versao}${para}) ou remova a variável para o Deno baixá-lo`;
  }
  if (
    /dl\.deno\.land|denort/i.test(texto) &&
    /dns error|error sending request|Connect|timed out|download/i.test(texto)
  ) {
    return `não foi possível baixar o runtime do Deno (denort ${contexto.versao}${para}): sem internet? ` +
      "Defina DENORT_BIN com o caminho de um denort da mesma versão, ou rode uma vez com internet para preencher o cache do Deno";
  }
  const primeira = texto.split("\n").map((linha) => linha.trim())
    .find((linha) => linha.startsWith("error:"))
    ?.replace(/^error:\s*/, "");
  const denortBin = contexto.denortBin
    ? ` (DENORT_BIN=${contexto.denortBin})`
    : "";
  return `deno compile falhou para ${contexto.programa}${para}${denortBin}${
    primeira ? `: ${primeira}` : ""
  }`;
}

async function sha256(caminho: URL): Promise<string> {
  const bytes = await Deno.readFile(caminho);
  const resumo = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(resumo)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

async function main(args: string[]): Promise<number> {
  try {
    if (!args.includes("--todos")) {
      for (const programa of PROGRAMAS) await compilar(programa, programa);
      return 0;
    }
    await Deno.mkdir(new URL("dist/", raiz), { recursive: true });
    const linhas: string[] = [];
    for (const alvo of ALVOS) {
      for (const programa of PROGRAMAS) {
        const nome = `${programa}-${alvo}${
          alvo.includes("windows") ? ".exe" : ""
        }`;
        await compilar(programa, `dist/${nome}`, alvo);
        linhas.push(`${await sha256(new URL(`dist/${nome}`, raiz))}  ${nome}`);
      }
    }
    await Deno.writeTextFile(
      new URL("dist/SHA256SUMS", raiz),
      linhas.join("\n") + "\n",
    );
    console.log(
      "dist/SHA256SUMS escrito; confira com: cd dist && sha256sum -c SHA256SUMS",
    );
    return 0;
  } catch (erro) {
    console.error(`compilar: ${(erro as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
