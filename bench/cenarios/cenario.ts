/**
 * A forma comum dos cenários do banco de medidas: cada um em
 * bench/cenarios/<nome>.ts exporta um `Cenario`, que mede e devolve o
 * resultado (para o JSON) e a sua linha da tabela; o `main` de
 * bench/principal.ts só os percorre. Aqui também as peças comuns das linhas.
 *
 * @module
 */

import type { Config } from "../configuracao.ts";
import { numero } from "../estatistica.ts";
import type { Linha } from "../relatorio.ts";

/** Um cenário da issue de desempenho. */
export interface Cenario {
  /** O número do cenário na issue; `--cenarios` escolhe por ele. */
  numero: number;
  /** A chave do resultado no JSON. */
  chave: string;
  /** O título no console e na linha de falha. */
  titulo(config: Config): string;
  /**
   * Mede (iniciando e parando os processos de que precisa, na pasta `temp`)
   * e monta a linha da tabela. Uma exceção vira uma linha de falha e não
   * para os outros cenários.
   */
  executar(config: Config, temp: string): Promise<Medida>;
}

/** O que um cenário devolve. */
export interface Medida {
  /** Tudo o que foi medido, para o JSON. */
  resultado: unknown;
  linha: Linha;
  /** Notas para o relatório, além das do método. */
  notas?: string[];
}

/** A razão, com uma casa decimal a mais quando é muito pequena. */
export function razao(valor: number, base: number): string {
  const r = valor / base;
  return `${numero(r, r < 0.1 ? 3 : 2)}×`;
}

/** A linha de um cenário que falhou: o erro no lugar da figura. */
export function linhaDeFalha(cenario: string, erro: unknown): Linha {
  return {
    cenario,
    figura: `falhou: ${(erro as Error).message.split("\n")[0]}`,
    base: "—",
    razao: "—",
    alvo: "—",
    atende: false,
  };
}
