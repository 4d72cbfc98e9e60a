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

/**
 * `dd/mm/aaaa HH:MM:SS` de um instante visto num fuso (minutos a leste de
 * UTC). Memoriza o último segundo: num fluxo de mensagens, quase todas caem no
 * mesmo segundo, e formatar uma data custa mais que a mensagem inteira.
 */
export const dataHoraNoFuso: (instante: number, fuso: number) => string =
  (() => {
    let segundo = NaN;
    let texto = "";
    return (instante: number, fuso: number) => {
      const local = Math.floor((instante + fuso * MINUTO) / 1000);
      if (local !== segundo) {
        segundo = local;
        const d = new Date(local * 1000);
        texto = `${dois(d.getUTCDate())}/${
          dois(d.getUTCMonth() + 1)
        }/${d.getUTCFullYear()} ${dois(d.getUTCHours())}:${
          dois(d.getUTCMinutes())
        }:${dois(d.getUTCSeconds())}`;
      }
      return texto;
    };
  })();

/** Fuso local, em minutos a leste de UTC, num dado instante. */
export function fusoLocal(instante: number): number {
  const minutos = -new Date(instante).getTimezoneOffset();
  return minutos === 0 ? 0 : minutos; // evita -0
}

/** `dd/mm/aaaa HH:MM:SS` na hora local; memoriza o último segundo formatado. */
export const dataHoraLocal: (instante: number) => string = (() => {
  let segundo = NaN;
  let texto = "";
  return (instante: number) => {
    const s = Math.floor(instante / 1000);
    if (s !== segundo) {
      segundo = s;
      texto = dataHoraNoFuso(s * 1000, fusoLocal(instante));
    }
    return texto;
  };
})();

/** O título do original: `MENSAGEM #001 - 24/11/2026 19:27:52`, na hora do cliente. */
export function tituloDaMensagem(mensagem: Mensagem): string {
  return `MENSAGEM #${String(mensagem.numero).padStart(3, "0")} - ${
    dataHoraNoFuso(mensagem.instante, mensagem.fuso)
  }`;
}

/** ISO 8601 com fuso, ex. `2026-11-24T19:27:52.123-03:00`. */
export function iso8601(instante: number, fuso: number): string {
  // Eventos seguidos (conectou, saiu, linhas legadas) repetem o mesmo instante;
  // a linha JSON de mensagem tem memória própria (RelogioIso, lib/saida/terminal.ts).
  if (instante === ultimoIso.instante && fuso === ultimoIso.fuso) {
    return ultimoIso.texto;
  }
  const texto = formatarIso(instante, fuso);
  ultimoIso = { instante, fuso, texto };
  return texto;
}

let ultimoIso = { instante: NaN, fuso: 0, texto: "" };

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

/** Fuso local num instante, lembrado por minuto (consultar o fuso custa caro). */
export const fusoLocalMemorizado: (instante: number) => number = (() => {
  let minuto = NaN;
  let fuso = 0;
  return (instante: number) => {
    const m = Math.floor(instante / MINUTO);
    if (m !== minuto) {
      minuto = m;
      fuso = fusoLocal(instante);
    }
    return fuso;
  };
})();
