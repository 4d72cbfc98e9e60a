/**
 * O que fazer quando `accept()` falha, como regra pura. Uma falha de uma
 * conexão só (o par reiniciou antes de ser aceito: ENOTCONN, ECONNABORTED...)
 * não diz nada do servidor: tenta-se de novo na hora, sem alarme — senão uma
 * enxurrada de reinícios pararia o laço e atrasaria os clientes bons. Só a
 * falta de recursos (descritores, memória do núcleo) pede uma pausa, como
 * fazem o NATS e o nginx: repetir na hora só giraria em falso.
 *
 * @module
 */

/** Pausa do laço de aceitação quando faltam recursos (ex.: EMFILE). */
export const PAUSA_ACEITACAO_MS = 100;

/** Códigos de falta de recursos: o laço pausa e relata. */
const FALTA_DE_RECURSOS = new Set(["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]);

/**
 * Quantos ms pausar depois desta falha de `accept()`, e se ela merece uma
 * linha no log: `{ pausa: 0, relatar: false }` para a falha de uma conexão
 * só.
 *
 * @example
 * ```ts
 * import { depoisDaFalha } from "./aceitacao.ts";
 * const erro = Object.assign(new Error("Too many open files"), { code: "EMFILE" });
 * depoisDaFalha(erro); // { pausa: 100, relatar: true }
 * ```
 */
export function depoisDaFalha(
  erro: unknown,
): { pausa: number; relatar: boolean } {
  const codigo = (erro as { code?: unknown } | null)?.code;
  if (typeof codigo === "string" && FALTA_DE_RECURSOS.has(codigo)) {
    return { pausa: PAUSA_ACEITACAO_MS, relatar: true };
  }
  if (/os error (23|24|105|12)\)/.test(String((erro as Error)?.message))) {
    return { pausa: PAUSA_ACEITACAO_MS, relatar: true };
  }
  return { pausa: 0, relatar: false };
}
