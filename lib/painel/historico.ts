/**
 * A memória do painel: as últimas mensagens, já serializadas, num anel de
 * tamanho fixo. Cada uma tem um número (`id`) que só cresce; quem volta depois
 * de uma queda pede "o que veio depois do id N" e recebe exatamente isso, sem
 * lacuna e sem repetição, enquanto N ainda estiver na memória. Não faz E/S.
 *
 * @module
 */

/** Uma mensagem guardada: o id e o objeto JSON dela, já em texto. */
export interface Guardada {
  id: number;
  json: string;
}

/** O que `desde` devolve: as guardadas e se alguma se perdeu no caminho. */
export interface Trecho {
  guardadas: Guardada[];
  /** Havia mensagens entre o id pedido e a mais antiga guardada: esquecidas. */
  lacuna: boolean;
}

/**
 * Anel das últimas `capacidade` mensagens.
 *
 * @example
 * ```ts
 * import { Historico } from "./historico.ts";
 * const h = new Historico(2);
 * h.guardar('{"n":1}');
 * h.guardar('{"n":2}');
 * h.guardar('{"n":3}');
 * h.desde(0); // { guardadas: [ids 2 e 3], lacuna: true }
 * ```
 */
export class Historico {
  readonly capacidade: number;
  readonly #anel: (Guardada | undefined)[];
  /** Id da próxima mensagem guardada; o primeiro é 1. */
  #proximo = 1;

  constructor(capacidade: number) {
    if (!Number.isInteger(capacidade) || capacidade < 0) {
      throw new RangeError(`capacidade inválida: ${capacidade}`);
    }
    this.capacidade = capacidade;
    this.#anel = new Array(capacidade);
  }

  /** O id da última mensagem guardada (0 se nenhuma). */
  get ultimo(): number {
    return this.#proximo - 1;
  }

  /** Quantas estão na memória agora. */
  get tamanho(): number {
    return Math.min(this.ultimo, this.capacidade);
  }

  /** Guarda uma mensagem e devolve o id dado a ela. */
  guardar(json: string): Guardada {
    const guardada = { id: this.#proximo++, json };
    if (this.capacidade > 0) {
      this.#anel[guardada.id % this.capacidade] = guardada;
    }
    return guardada;
  }

  /**
   * As mensagens de id maior que `id`, da mais antiga à mais nova. Um `id`
   * maior que o último (de outra execução do servidor) conta como 0.
   */
  desde(id: number): Trecho {
    const depois = id > this.ultimo || id < 0 ? 0 : Math.floor(id);
    const primeiro = this.ultimo - this.tamanho + 1;
    const inicio = Math.max(depois + 1, primeiro);
    const guardadas: Guardada[] = [];
    for (let i = inicio; i <= this.ultimo; i++) {
      guardadas.push(this.#anel[i % this.capacidade]!);
    }
    return { guardadas, lacuna: depois + 1 < primeiro };
  }
}
