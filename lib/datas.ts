/**
 * Datas e títulos das mensagens: o título do original
 * (`MENSAGEM #001 - 24/11/2026 19:27:52`), a hora local de recebimento e o
 * formato ISO 8601 com fuso. Sem E/S; só aritmética de datas.
 *
 * @module
 */

import type { Mensagem } from "./protocolo/quadros.ts";

const MINUTO = 60_000;

function dois(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

// Memórias: formatar uma data (ou consultar o fuso) custa mais que uma
// mensagem inteira, e num fluxo quase todas caem no mesmo segundo. Cada função
// memorizada lembra só o último resultado, num objeto seu mudado no lugar
// (`chave` e, se preciso, `fuso`, com o `valor`), conferido logo no início.
// A linha JSON de mensagem tem memória própria (RelogioIso, lib/saida/json.ts).

const ultimaDataHoraNoFuso = { chave: NaN, valor: "" };

/**
 * `dd/mm/aaaa HH:MM:SS` de um instante visto num fuso (minutos a leste de
 * UTC). Memoriza o último segundo (na hora do fuso).
 */
export function dataHoraNoFuso(instante: number, fuso: number): string {
  const local = Math.floor((instante + fuso * MINUTO) / 1000);
  const ultima = ultimaDataHoraNoFuso;
  if (local !== ultima.chave) {
    ultima.chave = local;
    const d = new Date(local * 1000);
    ultima.valor = `${dois(d.getUTCDate())}/${
      dois(d.getUTCMonth() + 1)
    }/${d.getUTCFullYear()} ${dois(d.getUTCHours())}:${
      dois(d.getUTCMinutes())
    }:${dois(d.getUTCSeconds())}`;
  }
  return ultima.valor;
}

/** Fuso local, em minutos a leste de UTC, num dado instante. */
export function fusoLocal(instante: number): number {
  const minutos = -new Date(instante).getTimezoneOffset();
  return minutos === 0 ? 0 : minutos; // evita -0
}

const ultimoFusoLocal = { chave: NaN, valor: 0 };

/** Fuso local num instante, lembrado por minuto (consultar o fuso custa caro). */
export function fusoLocalMemorizado(instante: number): number {
  const minuto = Math.floor(instante / MINUTO);
  const ultimo = ultimoFusoLocal;
  if (minuto !== ultimo.chave) {
    ultimo.chave = minuto;
    ultimo.valor = fusoLocal(instante);
  }
  return ultimo.valor;
}

const ultimaDataHoraLocal = { chave: NaN, valor: "" };

/** `dd/mm/aaaa HH:MM:SS` na hora local; memoriza o último segundo formatado. */
export function dataHoraLocal(instante: number): string {
  const segundo = Math.floor(instante / 1000);
  const ultima = ultimaDataHoraLocal;
  if (segundo !== ultima.chave) {
    ultima.chave = segundo;
    ultima.valor = dataHoraNoFuso(segundo * 1000, fusoLocal(instante));
  }
  return ultima.valor;
}

/** O título do original: `MENSAGEM #001 - 24/11/2026 19:27:52`, na hora do cliente. */
export function tituloDaMensagem(mensagem: Mensagem): string {
  return `MENSAGEM #${String(mensagem.numero).padStart(3, "0")} - ${
    dataHoraNoFuso(mensagem.instante, mensagem.fuso)
  }`;
}

const ultimoIso8601 = { chave: NaN, fuso: NaN, valor: "" };

/**
 * ISO 8601 com fuso, ex. `2026-11-24T19:27:52.123-03:00`. Memoriza o último
 * instante: eventos seguidos (conectou, saiu, linhas legadas) o repetem.
 */
export function iso8601(instante: number, fuso: number): string {
  const ultimo = ultimoIso8601;
  if (instante !== ultimo.chave || fuso !== ultimo.fuso) {
    ultimo.valor = formatarIso(instante, fuso); // pode lançar: antes da chave
    ultimo.chave = instante;
    ultimo.fuso = fuso;
  }
  return ultimo.valor;
}

function formatarIso(instante: number, fuso: number): string {
  const d = new Date(instante + fuso * MINUTO);
  const base = d.toISOString().slice(0, -1); // sem o "Z"
  if (fuso === 0) return `${base}Z`;
  const sinal = fuso > 0 ? "+" : "-";
  const abs = Math.abs(fuso);
  return `${base}${sinal}${dois(Math.floor(abs / 60))}:${dois(abs % 60)}`;
}

/** Uma mensagem nova, com o instante e o fuso de agora. */
export function novaMensagem(
  numero: number,
  assunto: string,
  texto: string,
  instante: number = Date.now(),
): Mensagem {
  return { numero, instante, fuso: fusoLocal(instante), assunto, texto };
}
