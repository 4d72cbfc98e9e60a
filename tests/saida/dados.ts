/**
 * Dados dos testes da saída (tests/saida/): o par, as cores de teste, os
 * caracteres que um terminal interpretaria e o evento de uma mensagem.
 *
 * @module
 */

import type { EventoServidor } from "../../lib/servidor/eventos.ts";
import type { Mensagem } from "../../lib/protocolo/quadros.ts";
import type { Cores } from "../../lib/saida/cores.ts";

import { INSTANTE } from "../dados.ts";

/** 24/11/2026 22:27:52.123 UTC (19:27:52 em Brasília). */
export { INSTANTE };
export const PAR = { endereco: "127.0.0.1", porta: 5000 };

export const SEM_CORES: Cores = {
  negrito: (t) => t,
  realce: (t) => t,
  fraco: (t) => t,
  erro: (t) => t,
};

/** Cores visíveis no teste: cada estilo vira uma marca. */
export const MARCAS: Cores = {
  negrito: (t) => `<n>${t}</n>`,
  realce: (t) => `<r>${t}</r>`,
  fraco: (t) => `<f>${t}</f>`,
  erro: (t) => `<e>${t}</e>`,
};

/** Qualquer caractere que um terminal interpretaria (exceto `\n`). */
export const CRU_PERIGOSO =
  // deno-lint-ignore no-control-regex -- procura justamente os controles
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A mensagem dos testes da saída, com os campos de `parcial` trocados. */
function mensagem(parcial: Partial<Mensagem> = {}): Mensagem {
  return {
    numero: 7,
    instante: INSTANTE,
    fuso: -180,
    assunto: "Backup",
    texto: "concluído",
    ...parcial,
  };
}

/** A sessão do cliente nos eventos de mensagem. */
export const SESSAO = "0123456789abcdef0123456789abcdef";

/** O evento de uma mensagem recebida meio segundo depois de composta. */
export function eventoMensagem(
  parcial: Partial<Mensagem> = {},
  legado = false,
  par = PAR,
): Extract<EventoServidor, { tipo: "mensagem" }> {
  return {
    tipo: "mensagem",
    instante: INSTANTE + 500,
    par,
    mensagem: mensagem(parcial),
    sessao: SESSAO,
    legado,
  };
}
