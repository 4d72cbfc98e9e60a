/**
 * A linha de comando dos dois programas: definição das opções, leitura com
 * `node:util` `parseArgs`, validação com mensagens em português, o texto de
 * `--ajuda` e os códigos de saída documentados.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** Versão dos programas (também em `--versao`). */
export const VERSAO_PROGRAMA = "1.0.0";

/** Erro de uso (opção desconhecida, valor inválido): sai com código 2. */
export class ErroDeUso extends Error {
  constructor(mensagem: string) {
    super(mensagem);
    this.name = "ErroDeUso";
  }
}

/** Uma opção de linha de comando e como ela aparece na ajuda. */
export interface Opcao {
  tipo: "string" | "boolean";
  curta?: string;
  /** Nome do valor na ajuda, ex. `PORTA`. */
  valor?: string;
  padrao?: string;
  multipla?: boolean;
  descricao: string;
}

export type Opcoes = Record<string, Opcao>;
export type Valores = Record<string, string | boolean | string[] | undefined>;

/** Um código de saída e o que ele quer dizer. */
export interface CodigoDocumentado {
  codigo: number;
  descricao: string;
}

/** O que cada programa mostra em `--ajuda`. */
export interface Programa {
  nome: string;
  resumo: string;
  opcoes: Opcoes;
  codigos: readonly CodigoDocumentado[];
  exemplos: readonly string[];
}

/** Opções que os dois programas têm. */
export const OPCOES_COMUNS: Opcoes = {
  host: {
    tipo: "string",
    valor: "HOST",
    padrao: "o nome desta máquina",
    descricao: "endereço ou nome do servidor",
  },
  porta: {
    tipo: "string",
    valor: "PORTA",
    padrao: "3415",
    descricao: "porta TCP (0 a 65535)",
  },
  ajuda: { tipo: "boolean", curta: "h", descricao: "mostra esta ajuda e sai" },
  versao: { tipo: "boolean", descricao: "mostra a versão e sai" },
};

/**
 * Lê os argumentos conforme `opcoes`.
 *
 * @throws {ErroDeUso} com a explicação em português
 */
export function analisarArgumentos(
  args: readonly string[],
  opcoes: Opcoes,
): Valores {
  const config: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {};
  for (const [nome, opcao] of Object.entries(opcoes)) {
    config[nome] = {
      type: opcao.tipo,
      ...(opcao.curta ? { short: opcao.curta } : {}),
      ...(opcao.multipla ? { multiple: true } : {}),
    };
  }
  try {
    const { values } = parseArgs({
      args: [...args],
      options: config,
      strict: true,
      allowPositionals: false,
    });
    return values as Valores;
  } catch (erro) {
    throw traduzirErro(erro, args);
  }
}

function traduzirErro(erro: unknown, args: readonly string[]): Error {
  const codigo = (erro as { code?: string }).code;
  const texto = (erro as Error).message ?? "";
  const citada = /'(-[^' ]+)/.exec(texto)?.[1] ?? "";
  switch (codigo) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new ErroDeUso(`opção desconhecida: ${citada}`);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new ErroDeUso(
        `argumento inesperado: ${/'([^']*)'/.exec(texto)?.[1] ?? ""}`,
      );
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      if (texto.includes("does not take an argument")) {
        return new ErroDeUso(`a opção ${citada} não recebe valor`);
      }
      const seguinte = args[args.indexOf(citada) + 1];
      if (texto.includes("ambiguous") && seguinte !== undefined) {
        return new ErroDeUso(
          `a opção ${citada} recebeu "${seguinte}", que parece outra opção; para um valor começado por "-", use ${citada}=${seguinte}`,
        );
      }
      return new ErroDeUso(`a opção ${citada} precisa de um valor`);
    }
  }
  return erro instanceof Error ? erro : new Error(String(erro));
}

/** Lê `--porta`: inteiro de 0 a 65535 (0 = o sistema escolhe). */
export function lerPorta(valor: string | undefined, padrao: number): number {
  return lerInteiro(valor, "--porta", 0, 65535, padrao);
}

/**
 * Lê um inteiro decimal dentro de `[minimo, maximo]`.
 *
 * @throws {ErroDeUso} quando não é um inteiro ou está fora do intervalo
 */
export function lerInteiro(
  valor: string | undefined,
  nome: string,
  minimo: number,
  maximo: number,
  padrao: number,
): number {
  if (valor === undefined) return padrao;
  if (!/^-?\d+$/.test(valor.trim())) {
    throw new ErroDeUso(`${nome} deve ser um número inteiro, não "${valor}"`);
  }
  const numero = Number(valor);
  if (numero < minimo || numero > maximo) {
    throw new ErroDeUso(
      `${nome} deve estar entre ${minimo} e ${maximo}, não ${valor}`,
    );
  }
  return numero;
}

/** Lê uma duração em segundos (aceita frações) e a devolve em milissegundos. */
export function lerSegundos(
  valor: string | undefined,
  nome: string,
  padraoMs: number,
): number {
  if (valor === undefined) return padraoMs;
  const segundos = Number(valor);
  if (valor.trim() === "" || !Number.isFinite(segundos) || segundos < 0) {
    throw new ErroDeUso(
      `${nome} deve ser um número de segundos (0 ou mais), não "${valor}"`,
    );
  }
  return Math.round(segundos * 1000);
}

/** O texto de `--ajuda`. */
export function textoDeAjuda(programa: Programa): string {
  const linhas = [
    programa.resumo,
    "",
    `Uso: ${programa.nome} [opções]`,
    "",
    "Opções:",
  ];
  for (const [nome, opcao] of Object.entries(programa.opcoes)) {
    const curta = opcao.curta ? `-${opcao.curta}, ` : "    ";
    const valor = opcao.valor ? ` ${opcao.valor}` : "";
    const padrao = opcao.padrao ? ` (padrão: ${opcao.padrao})` : "";
    linhas.push(
      `  ${curta}--${nome}${valor}`.padEnd(30) + " " + opcao.descricao + padrao,
    );
  }
  linhas.push("", "Códigos de saída:");
  for (const { codigo, descricao } of programa.codigos) {
    linhas.push(`  ${String(codigo).padStart(3)}  ${descricao}`);
  }
  linhas.push("", "Exemplos:");
  for (const exemplo of programa.exemplos) linhas.push(`  ${exemplo}`);
  return linhas.join("\n") + "\n";
}

/** A linha que acompanha todo erro de uso. */
export function dicaDeAjuda(nome: string): string {
  return `Use "${nome} --ajuda" para ver as opções.`;
}
