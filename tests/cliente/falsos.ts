/**
 * Peças de mentira para testar os modos do cliente (menu.ts, roteiro.ts) sem
 * socket nem processo: uma sessão que cumpre `SessaoDeEnvio` e deixa o teste
 * decidir quando cada mensagem é confirmada e quando a conexão cai, uma tela
 * que guarda o que foi escrito e uma entrada padrão feita de texto.
 *
 * @module
 */

import type { SessaoDeEnvio, Tela } from "../../lib/cliente/interfaces.ts";
import type { FalhaDoCliente } from "../../lib/cliente/falhas.ts";
import { LeitorDeLinhas } from "../../lib/cliente/linhas.ts";
import {
  type Mensagem,
  tamanhoDaMensagem,
} from "../../lib/protocolo/quadros.ts";
import { mensagem } from "../dados.ts";

/** Um envio a caminho: o teste o confirma ou o perde quando quiser. */
export interface EnvioFalso {
  mensagem: Mensagem;
  confirmar(): void;
  perder(falha: FalhaDoCliente): void;
}

/**
 * Uma sessão de mentira. Por padrão confirma cada mensagem na hora; com
 * `automatica = false`, cada envio fica em `aCaminho` até o teste decidir.
 * `compor` usa o instante fixo de tests/dados.ts (fuso -03:00), para que o
 * título da mensagem não dependa do relógio nem do fuso da máquina.
 */
export class SessaoFalsa implements SessaoDeEnvio {
  tamanhoMaximo = 1024;
  confirma = true;
  automatica = true;
  readonly enviadas: Mensagem[] = [];
  readonly aCaminho: EnvioFalso[] = [];
  /** O `instante` de cada chamada a `compor`. */
  readonly instantes: (number | undefined)[] = [];
  saidas = 0;
  /** Resolve na primeira chamada a `sair()`. */
  readonly despediu: Promise<void>;
  #despedir: () => void;
  readonly fim: Promise<FalhaDoCliente | null>;
  #terminar: (falha: FalhaDoCliente | null) => void;
  #numero = 0;
  #esperas: { quantas: number; resolver(): void }[] = [];
  #envios: Promise<void>[] = [];

  constructor(
    parcial: Partial<
      Pick<SessaoFalsa, "tamanhoMaximo" | "confirma" | "automatica">
    > = {},
  ) {
    Object.assign(this, parcial);
    const { promise, resolve } = Promise.withResolvers<FalhaDoCliente | null>();
    this.fim = promise;
    this.#terminar = resolve;
    const despedida = Promise.withResolvers<void>();
    this.despediu = despedida.promise;
    this.#despedir = despedida.resolve;
  }

  compor(assunto: string, texto: string, instante?: number): Mensagem {
    this.instantes.push(instante);
    return mensagem({ numero: this.#numero + 1, assunto, texto });
  }

  excesso(assunto: string, texto: string): number {
    return Math.max(0, tamanhoDaMensagem(assunto, texto) - this.tamanhoMaximo);
  }

  enviar(mensagem: Mensagem): Promise<void> {
    this.#numero = mensagem.numero;
    this.enviadas.push(mensagem);
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#envios.push(promise);
    if (this.automatica) resolve();
    else {
      this.aCaminho.push({ mensagem, confirmar: resolve, perder: reject });
    }
    this.#esperas = this.#esperas.filter((espera) => {
      if (this.enviadas.length < espera.quantas) return true;
      espera.resolver();
      return false;
    });
    return promise;
  }

  /** Resolve quando `quantas` mensagens já foram enviadas. */
  enviaram(quantas: number): Promise<void> {
    if (this.enviadas.length >= quantas) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#esperas.push({ quantas, resolver: resolve });
    return promise;
  }

  /**
   * Como a sessão de verdade: despede-se e devolve a falha, se já havia. A
   * resposta à despedida vem depois das confirmações do que está a caminho (e
   * nunca na mesma hora): até lá, uma queda ainda é a falha.
   */
  sair(): Promise<FalhaDoCliente | null> {
    this.saidas++;
    this.#despedir();
    Promise.allSettled(this.#envios).then(() => this.#terminar(null));
    return this.fim;
  }

  /** A conexão acaba sem o cliente pedir. */
  cair(falha: FalhaDoCliente): void {
    this.#terminar(falha);
  }
}

/** Uma tela que guarda o que foi escrito. */
export class TelaFalsa implements Tela {
  texto = "";
  #esperas: { trecho: string; resolver(): void }[] = [];

  escrever(texto: string): void {
    this.texto += texto;
    this.#esperas = this.#esperas.filter((espera) => {
      if (!this.texto.includes(espera.trecho)) return true;
      espera.resolver();
      return false;
    });
  }

  /** Resolve quando `trecho` aparece na tela. */
  esperar(trecho: string): Promise<void> {
    if (this.texto.includes(trecho)) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#esperas.push({ trecho, resolver: resolve });
    return promise;
  }
}

const codificador = new TextEncoder();

/** A entrada padrão com este texto, e depois o fim (Ctrl-D). */
export function entradaDe(texto: string): LeitorDeLinhas {
  return new LeitorDeLinhas(ReadableStream.from([codificador.encode(texto)]));
}

/**
 * Uma entrada padrão que fica aberta (alguém parado no teclado) depois deste
 * texto, até `cancelar()`.
 */
export function entradaAberta(texto = ""): LeitorDeLinhas {
  return new LeitorDeLinhas(
    new ReadableStream<Uint8Array>({
      start(controle) {
        if (texto) controle.enqueue(codificador.encode(texto));
      },
    }),
  );
}
