/**
 * Os eventos que o servidor relata. A sessão do servidor só os produz; quem os
 * mostra é um `Registro` de lib/saida/ (`legivel.ts`, texto para pessoas, ou
 * `json.ts`, um JSON por linha).
 *
 * @module
 */

import type { Mensagem } from "../protocolo/quadros.ts";

/** O endereço de um cliente, como o sistema o deu. */
export interface Par {
  endereco: string;
  porta: number;
}

/** Tudo o que acontece no servidor e merece uma linha (ou um bloco) no log. */
export type EventoServidor =
  | {
    tipo: "pronto";
    instante: number;
    endereco: string;
    porta: number;
    tamanhoMaximo: number;
    maxConexoes: number;
  }
  | { tipo: "conectou"; instante: number; par: Par }
  | {
    tipo: "mensagem";
    instante: number;
    par: Par;
    mensagem: Mensagem;
    /** Veio de um cliente original (Python), sem fuso conhecido. */
    legado: boolean;
  }
  | { tipo: "saiu"; instante: number; par: Par; mensagens: number }
  | {
    tipo: "desconectou";
    instante: number;
    par: Par;
    mensagens: number;
    motivo: string;
  }
  | {
    tipo: "rejeitado";
    instante: number;
    par: Par;
    codigo: number;
    motivo: string;
  }
  | { tipo: "erro"; instante: number; texto: string }
  | { tipo: "aviso"; instante: number; texto: string }
  | { tipo: "encerrando"; instante: number; sinal: string; clientes: number }
  | {
    tipo: "resumo";
    instante: number;
    clientes: number;
    mensagens: number;
    rejeitadas: number;
  };

/** Para onde o servidor manda seus eventos. */
export interface Registro {
  /**
   * Relata um evento. A `mensagem` de um evento pode apontar para o buffer de
   * leitura (`MensagemNoLugar`) e só vale durante esta chamada: quem quiser
   * guardá-la copia (`copiar()`).
   */
  registrar(evento: EventoServidor): void;
  /** Uma promessa quando a saída está cheia e convém parar de ler; senão `null`. */
  pronta(): Promise<void> | null;
}
