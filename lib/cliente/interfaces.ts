/**
 * O que os modos do cliente (o menu, menu.ts; o envio sem menu, roteiro.ts)
 * pedem de uma sessão e de onde escrevem. As duas sessões — a do protocolo
 * (sessao.ts) e a do original (legado.ts) — cumprem `SessaoDeEnvio`; um teste
 * pode cumpri-la com uma sessão de mentira. Só tipos: nada disto é carregado
 * quando o cliente roda.
 *
 * @module
 */

import type { FalhaDoCliente } from "./falhas.ts";
import type { Mensagem } from "../protocolo/quadros.ts";

/** O que o menu e o envio sem menu precisam de uma sessão (a do protocolo ou a do original). */
export interface SessaoDeEnvio {
  readonly tamanhoMaximo: number;
  readonly fim: Promise<FalhaDoCliente | null>;
  /** O servidor confirma o recebimento? (O original não confirma.) */
  readonly confirma: boolean;
  compor(assunto: string, texto: string, instante?: number): Mensagem;
  excesso(assunto: string, texto: string): number;
  enviar(mensagem: Mensagem): Promise<void>;
  sair(): Promise<FalhaDoCliente | null>;
}

/** Onde o menu e o envio sem menu escrevem. */
export interface Tela {
  escrever(texto: string): void;
}
