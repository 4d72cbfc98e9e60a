/**
 * Estatística mínima do banco de medidas: mediana, percentis e o resumo
 * "mediana (mín–máx)" de um conjunto de execuções. Sem E/S.
 *
 * @module
 */

/** Mediana, mínimo e máximo de um conjunto de execuções. */
export interface Resumo {
  mediana: number;
  minimo: number;
  maximo: number;
  /** Os valores de cada execução, na ordem em que foram medidos. */
  valores: number[];
}

/** O percentil `p` (0 a 100) pelo método do posto mais próximo. */
export function percentil(valores: readonly number[], p: number): number {
  if (valores.length === 0) return NaN;
  const ordenados = [...valores].sort((a, b) => a - b);
  const posto = Math.ceil((p / 100) * ordenados.length);
  return ordenados[Math.min(ordenados.length - 1, Math.max(0, posto - 1))];
}

/** A mediana (média dos dois do meio quando a quantidade é par). */
export function mediana(valores: readonly number[]): number {
  if (valores.length === 0) return NaN;
  const ordenados = [...valores].sort((a, b) => a - b);
  const meio = Math.floor(ordenados.length / 2);
  return ordenados.length % 2 === 1
    ? ordenados[meio]
    : (ordenados[meio - 1] + ordenados[meio]) / 2;
}

/** Mediana, mínimo e máximo. */
export function resumir(valores: readonly number[]): Resumo {
  return {
    mediana: mediana(valores),
    minimo: Math.min(...valores),
    maximo: Math.max(...valores),
    valores: [...valores],
  };
}

/** Um número com separador de milhar e `casas` decimais, à brasileira. */
export function numero(valor: number, casas = 0): string {
  if (!Number.isFinite(valor)) return "—";
  return valor.toLocaleString("pt-BR", {
    minimumFractionDigits: casas,
    maximumFractionDigits: casas,
  });
}

/** "mediana (mín–máx)" com `casas` decimais. */
export function faixa(resumo: Resumo, casas = 0): string {
  return `${numero(resumo.mediana, casas)} (${numero(resumo.minimo, casas)}–${
    numero(resumo.maximo, casas)
  })`;
}
