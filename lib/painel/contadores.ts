/**
 * As contas do painel e de `/metricas`: mensagens e bytes recebidos, conexões
 * rejeitadas por motivo e a taxa de mensagens por segundo dos últimos minutos
 * (um anel de contagens por segundo). Alimentado pelos eventos do servidor;
 * não faz E/S e recebe o relógio de quem chama, para testar sem esperar.
 *
 * @module
 */

import { CodigoErro } from "../erros.ts";

/** Segundos de taxa guardados: o gráfico mostra os últimos 5 minutos. */
export const JANELA_SEGUNDOS = 300;

/** Nome de cada código de erro, para o rótulo `motivo` das métricas. */
const NOMES_DOS_CODIGOS = new Map<number, string>(
  Object.entries(CodigoErro).map(([nome, codigo]) => [
    codigo,
    nome.toLowerCase(),
  ]),
);

/** O rótulo de um código de rejeição (`servidor_cheio`, `nao_autorizado`...). */
export function motivoDoCodigo(codigo: number): string {
  return NOMES_DOS_CODIGOS.get(codigo) ?? `codigo_${codigo}`;
}

/** Contadores que só crescem, e a taxa recente. */
export class Contadores {
  mensagens = 0;
  bytes = 0;
  readonly rejeitadas = new Map<string, number>();
  /** Mensagens em cada segundo, indexadas por segundo % janela. */
  readonly #porSegundo = new Uint32Array(JANELA_SEGUNDOS);
  /** O último segundo (desde 1970) já contado no anel. */
  #segundo = 0;

  /** Conta uma mensagem de `bytes` bytes (assunto + texto) no instante `ms`. */
  mensagem(bytes: number, ms: number): void {
    this.mensagens++;
    this.bytes += bytes;
    this.#avancar(ms);
    this.#porSegundo[indice(this.#segundo)]++;
  }

  /** Conta uma conexão rejeitada com o código de erro do protocolo. */
  rejeicao(codigo: number): void {
    const motivo = motivoDoCodigo(codigo);
    this.rejeitadas.set(motivo, (this.rejeitadas.get(motivo) ?? 0) + 1);
  }

  /** Mensagens nos últimos 60 segundos até `ms` (o segundo corrente incluso). */
  porMinuto(ms: number): number {
    return this.serie(ms, 60, 1).reduce((a, b) => a + b, 0);
  }

  /**
   * As contagens dos últimos `pontos * passo` segundos até `ms`, somadas de
   * `passo` em `passo` segundos, da mais antiga à mais nova.
   */
  serie(ms: number, pontos: number, passo: number): number[] {
    this.#avancar(ms);
    const total = Math.min(pontos * passo, JANELA_SEGUNDOS);
    const serie = new Array<number>(Math.ceil(total / passo)).fill(0);
    for (let i = 0; i < total; i++) {
      const segundo = this.#segundo - total + 1 + i;
      serie[Math.floor(i / passo)] += this.#porSegundo[indice(segundo)];
    }
    return serie;
  }

  /** Zera os segundos que passaram sem mensagens desde a última conta. */
  #avancar(ms: number): void {
    const agora = Math.floor(ms / 1000);
    if (agora <= this.#segundo) return;
    const passados = Math.min(agora - this.#segundo, JANELA_SEGUNDOS);
    for (let i = 1; i <= passados; i++) {
      this.#porSegundo[indice(this.#segundo + i)] = 0;
    }
    this.#segundo = agora;
  }
}

/** A posição do segundo no anel (também para segundos antes do primeiro). */
function indice(segundo: number): number {
  return ((segundo % JANELA_SEGUNDOS) + JANELA_SEGUNDOS) % JANELA_SEGUNDOS;
}
