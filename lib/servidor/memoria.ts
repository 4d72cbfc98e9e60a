/**
 * A memória das sessões da versão 2: para cada sessão de cliente, o maior
 * número que o servidor já gravou na saída. Um cliente que reconecta com a
 * mesma sessão fica sabendo disso na saudação e reenvia só o que vem depois:
 * uma queda de conexão com o servidor no ar não perde nem duplica nada.
 *
 * A memória tem limites: uma sessão sem conexão é esquecida depois de
 * `horizonteMs`, e acima de `maximo` sessões as mais antigas sem conexão são
 * esquecidas primeiro. Esquecida a sessão (ou reiniciado o servidor), o
 * cliente reenvia tudo o que não foi confirmado, e o que já estava gravado
 * aparece de novo, com o mesmo `id`.
 *
 * @module
 */

/** Quanto tempo uma sessão sem conexão é lembrada, por padrão: 15 minutos. */
export const HORIZONTE_PADRAO_MS = 15 * 60_000;
/** Quantas sessões são lembradas, no máximo, por padrão. */
export const MAXIMO_PADRAO = 100_000;

/** Intervalo mínimo entre duas varreduras do horizonte. */
const VARREDURA_MS = 5_000;

/** O que se lembra de uma sessão. */
export interface Lembrada {
  /** Maior número desta sessão já gravado na saída; 0 = nenhum. */
  ultimoGravado: number;
  /** A conexão que fala por ela agora (um objeto da sessão do servidor). */
  dona: object | undefined;
  /** Quando perdeu a última conexão (ms), para esquecer depois do horizonte. */
  solta: number;
}

export class MemoriaDeSessoes {
  readonly #sessoes = new Map<string, Lembrada>();
  readonly #horizonteMs: number;
  readonly #maximo: number;
  #varrida = 0;

  constructor(horizonteMs = HORIZONTE_PADRAO_MS, maximo = MAXIMO_PADRAO) {
    this.#horizonteMs = horizonteMs;
    this.#maximo = maximo;
  }

  /**
   * A sessão `id`, lembrada ou nova, agora com `dona` como conexão. Devolve
   * também a dona anterior, se havia (uma conexão velha que o cliente já
   * trocou por esta: quem chama a fecha).
   */
  assumir(
    id: string,
    dona: object,
  ): { lembrada: Lembrada; nova: boolean; anterior: object | undefined } {
    let lembrada = this.#sessoes.get(id);
    const nova = lembrada === undefined;
    if (lembrada === undefined) {
      lembrada = { ultimoGravado: 0, dona: undefined, solta: 0 };
      this.#abrirEspaco();
    } else {
      this.#sessoes.delete(id); // volta para o fim da ordem: a mais recente
    }
    this.#sessoes.set(id, lembrada);
    const anterior = lembrada.dona;
    lembrada.dona = dona;
    return { lembrada, nova, anterior };
  }

  /** A conexão `dona` acabou: a sessão passa a contar o horizonte. */
  soltar(lembrada: Lembrada, dona: object, agora: number): void {
    if (lembrada.dona !== dona) return; // já assumida por outra conexão
    lembrada.dona = undefined;
    lembrada.solta = agora;
  }

  /**
   * Esquece as sessões sem conexão há mais que o horizonte. Percorre a
   * memória inteira, então no máximo uma vez a cada `VARREDURA_MS`.
   */
  varrer(agora: number): void {
    if (agora - this.#varrida < VARREDURA_MS) return;
    this.#varrida = agora;
    for (const [id, lembrada] of this.#sessoes) {
      if (
        lembrada.dona === undefined &&
        agora - lembrada.solta > this.#horizonteMs
      ) {
        this.#sessoes.delete(id);
      }
    }
  }

  /** No máximo: esquece a mais antiga sem conexão (a ordem do `Map`). */
  #abrirEspaco() {
    if (this.#sessoes.size < this.#maximo) return;
    for (const [id, lembrada] of this.#sessoes) {
      if (lembrada.dona === undefined) {
        this.#sessoes.delete(id);
        return;
      }
    }
    // Todas com conexão: o limite de conexões já as limita; cresce além.
  }
}
