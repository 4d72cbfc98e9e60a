/**
 * Os eventos que o servidor relata. A sessão do servidor só os produz; quem os
 * mostra é um `Registro` de lib/saida/ (`legivel.ts`, texto para pessoas, ou
 * `json.ts`, um JSON por linha).
 *
 * @module
 */

import type { Mensagem } from "../protocolo/quadros.ts";
import type { Gravavel } from "../saida/lotes.ts";

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
    /**
     * A sessão do cliente (32 dígitos hexadecimais): a que ele mandou na
     * saudação da versão 2, ou uma sorteada pelo servidor para a conexão.
     * Com o número, identifica a mensagem (`id`) para tirar duplicatas.
     */
    sessao: string;
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
    /** Recebidas mas não gravadas (a saída parou ou falhou): nunca confirmadas. */
    naoGravadas: number;
  };

/** A conexão e a hora de uma leitura, para as passagens. */
export interface DaLeitura {
  par: Par;
  /** A sessão do cliente (o começo do `id` de cada mensagem). */
  sessao: string;
  /** Quando a leitura chegou: o `instante` de cada mensagem dela. */
  instante: number;
}

/** De onde vêm os quadros de uma leitura, para a `Passagem`. */
export interface OrigemDaLeitura extends DaLeitura {
  /** O último número aceito na conexão: os próximos têm de ser maiores. */
  ultimoNumero: number;
  /** O maior corpo de MENSAGEM aceito. */
  limite: number;
}

/**
 * O caminho rápido das mensagens (lib/saida/passagem.ts): quadros MENSAGEM
 * direto para linhas do log, sem um evento por mensagem.
 */
export interface Passagem {
  /**
   * Registra os quadros MENSAGEM de `bytes` a partir de `inicio`, até o
   * primeiro que não souber levar (ou o fim dos quadros inteiros), conferidos
   * como o `Decodificador` e a sessão confeririam; devolve onde parou.
   * Chamada de novo com o mesmo `bytes` (a mesma leitura, depois de um
   * quadro que ela não levou), não copia de novo o que já copiou: os bytes
   * de um mesmo objeto não podem mudar entre as chamadas.
   */
  passar(bytes: Uint8Array, inicio: number, origem: OrigemDaLeitura): number;
  /** Mensagens registradas pela última chamada. */
  readonly mensagens: number;
  /** O último número depois da última chamada. */
  readonly ultimoNumero: number;
}

/** De onde vêm os blocos do cliente original de uma leitura, para a `PassagemLegada`. */
export interface OrigemLegada extends DaLeitura {
  /** Máximo de bytes de assunto + texto. */
  tamanhoMaximo: number;
  /**
   * O fim ` - dd/mm/aaaa HH:MM:SS` do último título que o decodificador leu
   * (`DecodificadorLegado.fimDoTitulo`) e o instante dele (`NaN`: nenhum
   * ainda). A passagem só leva blocos com este mesmo fim.
   */
  fimDoTitulo: Uint8Array;
  instanteDoTitulo: number;
}

/**
 * O caminho rápido dos blocos do cliente original (lib/saida/passagem.ts):
 * direto para linhas do log, sem um evento por mensagem.
 */
export interface PassagemLegada {
  /**
   * Registra os blocos inteiros de `bytes` a partir de `inicio` (entre
   * blocos), até o primeiro que não souber levar — que o
   * `DecodificadorLegado` lê ou recusa — ou o fim dos blocos inteiros;
   * devolve onde parou.
   */
  passar(bytes: Uint8Array, inicio: number, origem: OrigemLegada): number;
  /** Mensagens registradas pela última chamada. */
  readonly mensagens: number;
}

/** Para onde o servidor manda seus eventos. */
export interface Registro {
  /**
   * O caminho rápido das mensagens, se este registro o tem; quem envolve um
   * registro para ver cada mensagem (painel, JetStream) não o repassa.
   */
  readonly passagem?: Passagem | undefined;
  /** O mesmo para os blocos do cliente original. */
  readonly passagemLegada?: PassagemLegada | undefined;
  /**
   * Relata um evento. A `mensagem` de um evento pode apontar para o buffer de
   * leitura (`MensagemNoLugar`) e só vale durante esta chamada: quem quiser
   * guardá-la copia (`copiar()`).
   */
  registrar(evento: EventoServidor): void;
  /**
   * Pede `alvo.gravado(numero)` quando as mensagens registradas até aqui
   * estiverem gravadas na saída: só então a sessão as confirma. `false` se
   * a saída já falhou (o aviso nunca virá).
   */
  aoGravar(alvo: Gravavel, numero: number): boolean;
  /** Mensagens entregues à saída cujas linhas ainda não foram gravadas. */
  readonly naoGravadas: number;
  /** Uma promessa quando a saída está cheia e convém parar de ler; senão `null`. */
  pronta(): Promise<void> | null;
}
