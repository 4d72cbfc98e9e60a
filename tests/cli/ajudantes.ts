/**
 * Ajudantes dos testes da linha de comando: esperar um {@linkcode ErroDeUso}
 * com a mensagem exata e comparar só alguns campos de uma configuração.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ErroDeUso } from "../../lib/cli/argumentos.ts";

/** Espera um ErroDeUso com exatamente esta mensagem. */
export function falhaDeUso(acao: () => unknown, mensagem: string): void {
  assert.throws(acao, (erro: unknown) => {
    assert.ok(erro instanceof ErroDeUso, `esperava ErroDeUso, veio ${erro}`);
    assert.equal(erro.name, "ErroDeUso");
    assert.equal(erro.message, mensagem);
    return true;
  });
}

/** Só os campos pedidos (outros módulos podem acrescentar opções). */
export function escolher<T extends object>(
  objeto: T,
  campos: readonly (keyof T)[],
): Partial<T> {
  return Object.fromEntries(campos.map((c) => [c, objeto[c]])) as Partial<T>;
}
