/**
 * A difusão do painel por Server-Sent Events: cada mensagem é serializada uma
 * vez, guardada no histórico com um id e posta num lote; no fim do tique o
 * lote vira bytes uma vez só e o mesmo `Uint8Array` entra na fila de cada
 * espectador. Quem publica nunca espera: um espectador que não lê acumula até
 * `pendentesMaximos` eventos e então é desligado (o navegador volta sozinho,
 * com `Last-Event-ID`, e recebe o que perdeu se ainda estiver na memória).
 *
 * @module
 */

import { type Guardada, Historico } from "./historico.ts";

const codificador = new TextEncoder();

/** Milissegundos que o navegador espera antes de reconectar (campo `retry`). */
export const RECONECTAR_MS = 500;

export interface OpcoesDifusao {
  /** Mensagens guardadas para quem chega depois (`--painel-historico`). */
  historico: number;
  /** Eventos à espera, por espectador, antes de desligá-lo. */
  pendentesMaximos: number;
}

/** O quadro SSE de uma mensagem: id, tipo e o JSON numa linha só. */
export function quadroDeMensagem(guardada: Guardada): string {
  return `id: ${guardada.id}\nevent: mensagem\ndata: ${guardada.json}\n\n`;
}

/** Um quadro SSE sem id (não mexe no `Last-Event-ID` do navegador). */
export function quadroSemId(evento: string, json: string): string {
  return `event: ${evento}\ndata: ${json}\n\n`;
}

/** Um pedaço já codificado, com quantos eventos leva. */
interface Pedaco {
  bytes: Uint8Array;
  eventos: number;
}

/** Um navegador (ou script) lendo `/eventos`. */
class Espectador {
  readonly #fila: Pedaco[] = [];
  #eventos = 0;
  #bytes = 0;
  #acordar: (() => void) | undefined;
  #controle: ReadableStreamDefaultController<Uint8Array> | undefined;
  readonly fluxo: ReadableStream<Uint8Array>;

  constructor(inicio: Uint8Array, aoSair: (e: Espectador) => void) {
    this.#fila.push({ bytes: inicio, eventos: 0 });
    this.#bytes = inicio.length;
    this.fluxo = new ReadableStream<Uint8Array>({
      start: (controle) => {
        this.#controle = controle;
      },
      pull: (controle) => this.#entregar(controle),
      cancel: () => {
        this.#esvaziar();
        aoSair(this);
      },
    }, { highWaterMark: 0 });
  }

  get bytesPendentes(): number {
    return this.#bytes;
  }

  get eventosPendentes(): number {
    return this.#eventos;
  }

  /** Põe um pedaço na fila; `false` se a fila passou do teto. */
  receber(pedaco: Pedaco, teto: number): boolean {
    this.#fila.push(pedaco);
    this.#eventos += pedaco.eventos;
    this.#bytes += pedaco.bytes.length;
    this.#acordar?.();
    return this.#eventos <= teto;
  }

  async #entregar(controle: ReadableStreamDefaultController<Uint8Array>) {
    if (this.#fila.length === 0) {
      await new Promise<void>((resolve) => this.#acordar = resolve);
      this.#acordar = undefined;
    }
    const pedaco = this.#fila.shift();
    if (pedaco === undefined) return; // fechado enquanto esperava
    this.#eventos -= pedaco.eventos;
    this.#bytes -= pedaco.bytes.length;
    controle.enqueue(pedaco.bytes);
  }

  /** Desliga: descarta a fila e encerra o fluxo (com erro, se `motivo`). */
  desligar(motivo?: string): void {
    this.#esvaziar();
    try {
      if (motivo === undefined) this.#controle?.close();
      else this.#controle?.error(new Error(motivo));
    } catch {
      // já fechado
    }
    this.#acordar?.();
  }

  #esvaziar() {
    this.#fila.length = 0;
    this.#eventos = 0;
    this.#bytes = 0;
  }
}

/** Os espectadores, o histórico e o lote do tique corrente. */
export class Difusao {
  readonly historico: Historico;
  /** Muda a cada execução: o navegador percebe que o servidor reiniciou. */
  readonly instancia: string = crypto.randomUUID();
  readonly #pendentesMaximos: number;
  readonly #espectadores = new Set<Espectador>();
  #lote: string[] = [];
  #eventosNoLote = 0;
  #agendado: ReturnType<typeof setTimeout> | undefined;
  /** Espectadores desligados por não lerem, desde o início. */
  desligados = 0;

  constructor(opcoes: OpcoesDifusao) {
    this.historico = new Historico(opcoes.historico);
    this.#pendentesMaximos = opcoes.pendentesMaximos;
  }

  get espectadores(): number {
    return this.#espectadores.size;
  }

  /** Bytes à espera de ir para os espectadores, somados. */
  get bytesPendentes(): number {
    let total = 0;
    for (const e of this.#espectadores) total += e.bytesPendentes;
    return total;
  }

  /**
   * Guarda uma mensagem e a manda a todos; `montar` recebe o id que ela terá
   * e devolve o JSON (chamado uma vez, qualquer que seja o número de
   * espectadores).
   */
  publicar(montar: (id: number) => string): Guardada {
    const guardada = this.historico.guardar(montar(this.historico.ultimo + 1));
    if (this.#espectadores.size > 0) {
      this.#acrescentar(quadroDeMensagem(guardada));
    }
    return guardada;
  }

  /** Manda a todos um evento que não se guarda (ex.: `estado`). */
  anunciar(evento: string, json: string): void {
    if (this.#espectadores.size > 0) {
      this.#acrescentar(quadroSemId(evento, json));
    }
  }

  /**
   * Um espectador novo: o fluxo começa com `retry`, o evento `sessao` e o que
   * veio depois de `ultimoId` (ou o histórico todo, se `undefined`).
   */
  abrir(ultimoId: number | undefined): ReadableStream<Uint8Array> {
    const trecho = this.historico.desde(ultimoId ?? 0);
    const sessao = JSON.stringify({
      instancia: this.instancia,
      lacuna: ultimoId !== undefined && trecho.lacuna,
      historico: this.historico.capacidade,
    });
    const inicio = `retry: ${RECONECTAR_MS}\n\n` +
      quadroSemId("sessao", sessao) +
      trecho.guardadas.map(quadroDeMensagem).join("");
    const espectador = new Espectador(
      codificador.encode(inicio),
      (e) => this.#espectadores.delete(e),
    );
    this.#espectadores.add(espectador);
    return espectador.fluxo;
  }

  /** Desliga todos (encerramento). */
  fechar(): void {
    clearTimeout(this.#agendado);
    this.#agendado = undefined;
    this.#lote = [];
    for (const e of this.#espectadores) e.desligar();
    this.#espectadores.clear();
  }

  #acrescentar(quadro: string) {
    this.#lote.push(quadro);
    this.#eventosNoLote++;
    this.#agendado ??= setTimeout(() => this.#despachar(), 0);
  }

  /** Uma codificação por lote; o mesmo pedaço vai para a fila de cada um. */
  #despachar() {
    this.#agendado = undefined;
    const pedaco = {
      bytes: codificador.encode(this.#lote.join("")),
      eventos: this.#eventosNoLote,
    };
    this.#lote = [];
    this.#eventosNoLote = 0;
    for (const e of this.#espectadores) {
      if (!e.receber(pedaco, this.#pendentesMaximos)) {
        this.#espectadores.delete(e);
        this.desligados++;
        e.desligar("espectador não lê: desligado");
      }
    }
  }
}
