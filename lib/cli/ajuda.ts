/**
 * O texto de `--ajuda`, montado a partir da definição de um programa (opções,
 * códigos de retorno, exemplos), e a dica que acompanha todo erro de uso.
 * Puro: devolve texto, quem imprime é o ponto de entrada.
 *
 * @module
 */

import type { Opcao } from "./argumentos.ts";

/** Uma opção de linha de comando e como ela aparece na ajuda. */
export interface OpcaoDocumentada extends Opcao {
  /** Nome do valor na ajuda, ex. `PORTA`. */
  valor?: string;
  padrao?: string;
  descricao: string;
}

export type OpcoesDocumentadas = Record<string, OpcaoDocumentada>;

/** Um código de retorno e o que ele quer dizer. */
export interface CodigoDocumentado {
  codigo: number;
  descricao: string;
}

/** O que cada programa mostra em `--ajuda`. */
export interface Programa {
  nome: string;
  resumo: string;
  opcoes: OpcoesDocumentadas;
  codigos: readonly CodigoDocumentado[];
  exemplos: readonly string[];
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
