/**
 * O teto dos eventos que não são mensagens (conectou, rejeitado, saiu...):
 * com a saída lotada, uma enxurrada de conexões de lixo não pode fazer a
 * memória crescer. Mensagens nunca são descartadas (elas param a leitura e
 * esperam: contrapressão); os outros eventos além do teto são contados e
 * descartados, e a contagem sai numa linha de aviso quando a saída anda.
 *
 * @module
 */

import type { EventoServidor } from "../servidor/eventos.ts";
import type { SaidaEmLotes } from "./lotes.ts";

/** Conta os eventos descartados por um registro com a saída lotada. */
export class Omitidos {
  #quantos = 0;

  /**
   * `true` se o evento deve ser descartado agora (e conta); senão, se havia
   * descartados, devolve antes o aviso a escrever (`avisoPendente`).
   */
  descartar(evento: EventoServidor, saida: SaidaEmLotes): boolean {
    if (evento.tipo === "mensagem" || evento.tipo === "resumo") return false;
    if (!saida.lotada) return false;
    this.#quantos++;
    return true;
  }

  /** O aviso dos descartados até aqui (e zera a conta), se houve algum. */
  avisoPendente(instante: number): EventoServidor | undefined {
    if (this.#quantos === 0) return undefined;
    const n = this.#quantos;
    this.#quantos = 0;
    return {
      tipo: "aviso",
      instante,
      texto: `${n} ${
        n === 1 ? "evento omitido" : "eventos omitidos"
      } (conexões, rejeições, saídas) enquanto a saída estava lotada`,
    };
  }
}
