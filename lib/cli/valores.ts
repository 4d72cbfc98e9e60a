/**
 * Os valores das opções: transformam o texto que o analisador de argumentos
 * devolveu em números (porta, inteiros, durações), com a explicação em
 * português quando não servem, e fazem o caminho inverso para a ajuda mostrar
 * os padrões na mesma unidade que o usuário digita. Puro: sem `Deno.*`.
 *
 * @module
 */

import { ErroDeUso } from "./argumentos.ts";

/** Analisa `--porta`: inteiro de 0 a 65535 (0 = o sistema escolhe). */
export function analisarPorta(
  valor: string | undefined,
  padrao: number,
): number {
  return analisarInteiro(valor, "--porta", 0, 65535, padrao);
}

/**
 * Analisa um inteiro decimal dentro de `[minimo, maximo]`.
 *
 * @throws {ErroDeUso} quando não é um inteiro ou está fora do intervalo
 */
export function analisarInteiro(
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

/**
 * Analisa uma duração em segundos (aceita frações) e a devolve em
 * milissegundos.
 *
 * @throws {ErroDeUso} quando não é um número ou fica abaixo de `minimoMs`
 */
export function analisarSegundos(
  valor: string | undefined,
  nome: string,
  padraoMs: number,
  minimoMs = 0,
): number {
  if (valor === undefined) return padraoMs;
  const ms = Math.round(Number(valor) * 1000);
  if (valor.trim() === "" || !Number.isFinite(ms) || ms < minimoMs) {
    const minimo = minimoMs === 0 ? "0 ou mais" : `mais que 0`;
    throw new ErroDeUso(
      `${nome} deve ser um número de segundos (${minimo}), não "${valor}"`,
    );
  }
  return ms;
}

/**
 * Uma duração em milissegundos escrita em segundos, como o usuário a daria
 * numa opção (`300_000` → `"300"`): o inverso de {@linkcode analisarSegundos}.
 */
export function textoDeSegundos(ms: number): string {
  return String(ms / 1000);
}
