/**
 * Dados dos testes de unidade, num lugar só: uma mensagem de exemplo com
 * instante fixo e um gerador pseudoaleatório determinístico (as sementes
 * tornam cada falha reproduzível).
 *
 * @module
 */

import type { Mensagem } from "../lib/protocolo/quadros.ts";

/** 24/11/2026 22:27:52.123 UTC. */
export const INSTANTE = Date.UTC(2026, 10, 24, 22, 27, 52, 123);

/** Uma mensagem de exemplo, com os campos de `parcial` trocados. */
export function mensagem(parcial: Partial<Mensagem> = {}): Mensagem {
  return {
    numero: 1,
    instante: INSTANTE,
    fuso: -180,
    assunto: "Olá",
    texto: "Tudo bem?",
    ...parcial,
  };
}

/** mulberry32: 32 bits de estado, rápido e bom o bastante para fuzz. */
export function mulberry32(semente: number): () => number {
  let a = semente >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
