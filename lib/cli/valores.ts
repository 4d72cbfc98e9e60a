/**
 * Os valores das opções: transformam o texto que o analisador de argumentos
 * devolveu em números (porta, inteiros, durações), com a explicação em
 * português quando não servem, e fazem o caminho inverso para a ajuda mostrar
 * os padrões na mesma unidade que o usuário digita. Puro: sem `Deno.*`.
 *
 * @module
 */

import { ErroDeUso } from "./argumentos.ts";

/**
 * Analisa `--porta`: inteiro de `minimo` a 65535 (no servidor, 0 = o sistema
 * escolhe; o cliente precisa de uma porta de verdade, de 1 em diante).
 */
export function analisarPorta(
  valor: string | undefined,
  padrao: number,
  minimo: 0 | 1 = 0,
): number {
  return analisarInteiro(valor, "--porta", minimo, 65535, padrao);
}

/**
 * Analisa `--host`: um nome ou endereço, sem porta (`[::1]` vale `::1`).
 *
 * @throws {ErroDeUso} vazio, com espaços ou com a porta junto
 */
export function analisarHost(valor: string | undefined): string | undefined {
  if (valor === undefined) return undefined;
  if (eNomeSimples(valor)) return valor;
  if (valor.trim() === "") {
    throw new ErroDeUso(
      "--host não pode ficar vazio; dê um nome ou endereço (ou omita a opção)",
    );
  }
  const entreColchetes = /^\[([^\]]*)\](?::(\d*))?$/.exec(valor);
  const comPorta = entreColchetes?.[2] ??
    /^[^:]*:(\d*)$/.exec(valor)?.[1];
  if (comPorta !== undefined) {
    const host = entreColchetes?.[1] ?? valor.slice(0, valor.lastIndexOf(":"));
    throw new ErroDeUso(
      `--host recebe só o endereço; a porta vai em --porta: --host ${host} --porta ${comPorta}`,
    );
  }
  if (/\s|\/|\[|\]/.test(entreColchetes?.[1] ?? valor)) {
    throw new ErroDeUso(`--host deve ser um nome ou endereço, não "${valor}"`);
  }
  return entreColchetes?.[1] ?? valor;
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
  if (!eInteiroDecimal(valor.trim())) {
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
 * Maior duração aceita, em segundos: uns 24,8 dias, o maior prazo que um
 * temporizador do JavaScript agenda sem disparar na hora (2³¹ − 1 ms), e que
 * cabe no u32 de milissegundos da saudação do protocolo.
 */
export const SEGUNDOS_MAXIMOS = 2_147_483;

/**
 * Analisa uma duração em segundos e a devolve em milissegundos. Uma regra só
 * para frações: a duração é arredondada ao milissegundo, e o que arredonda
 * para 0 sem ser 0 (menos de 0,0005 s) é recusado — nunca vira "nunca" nem
 * "na hora" calado. O 0 escrito só vale onde quer dizer "nunca"
 * (`zeroEhNunca`).
 *
 * @throws {ErroDeUso} quando não é um número decimal ou está fora de
 *   0,001 a {@linkcode SEGUNDOS_MAXIMOS} segundos
 */
export function analisarSegundos(
  valor: string | undefined,
  nome: string,
  padraoMs: number,
  zeroEhNunca = false,
): number {
  if (valor === undefined) return padraoMs;
  const limpo = valor.trim();
  const segundos = /^(\d+\.?\d*|\.\d+)$/.test(limpo) ? Number(limpo) : NaN;
  const ms = Math.round(segundos * 1000);
  if (zeroEhNunca && segundos === 0) return 0;
  if (!(ms >= 1 && segundos <= SEGUNDOS_MAXIMOS)) {
    throw new ErroDeUso(
      `${nome} deve ser ${
        zeroEhNunca ? "0 (nunca) ou " : ""
      }de 0.001 a ${SEGUNDOS_MAXIMOS} segundos, não "${valor}"`,
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

// As duas conferências abaixo, as do caso comum da partida do cliente, não
// usam expressão regular: a primeira execução de cada uma custa dezenas de
// µs, e a partida do cliente de uma mensagem é medida no banco (cenário 5).

/** Um nome ou IPv4 comum: só letras, dígitos, `.`, `-` e `_`. */
function eNomeSimples(texto: string): boolean {
  for (let i = 0; i < texto.length; i++) {
    const c = texto.charCodeAt(i);
    const simples = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x5f;
    if (!simples) return false;
  }
  return texto.length > 0;
}

/** Só dígitos decimais, talvez com um `-` na frente. */
function eInteiroDecimal(texto: string): boolean {
  const inicio = texto.startsWith("-") ? 1 : 0;
  if (texto.length === inicio) return false;
  for (let i = inicio; i < texto.length; i++) {
    const c = texto.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
