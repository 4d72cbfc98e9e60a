/**
 * O servidor como produtor do JetStream: cada mensagem recebida é também
 * publicada no stream (a mesma linha de `--json`, com `Nats-Msg-Id` = o `id`
 * dela), e a confirmação ao cliente só sai depois da linha gravada na saída
 * E da confirmação do JetStream (uma duplicata conta como gravada). As
 * publicações vão em paralelo (muitas em voo, com teto); as confirmações aos
 * clientes saem na ordem em que foram pedidas.
 *
 * Sem NATS (ou sem o stream), nada é confirmado: as publicações ficam à
 * espera, o teto faz as sessões pararem de ler (o cliente sente a
 * contrapressão), o servidor diz isso uma vez e de novo quando volta, e uma
 * publicação de prova por vez tenta de novo, com espera crescente. Uma
 * repetição leva o mesmo `Nats-Msg-Id`: a janela de duplicatas do stream
 * garante que nada seja gravado duas vezes.
 *
 * @module
 */

import type { JetStreamClient } from "@nats-io/jetstream";
import type { Registro } from "../servidor/eventos.ts";
import type { Gravavel } from "../saida/lotes.ts";
import { linhaEmBytes } from "../saida/json.ts";

/** Publicações sem confirmação a partir das quais as sessões param de ler. */
export const TETO_PENDENTES = 16_384;
/** Prazo de cada publicação (depois dele, repete com o mesmo id). */
const PRAZO_PUBLICACAO_MS = 5_000;
/** Primeira espera antes de repetir; dobra até `ESPERA_MAXIMA_MS`. */
const ESPERA_INICIAL_MS = 100;
const ESPERA_MAXIMA_MS = 2_000;

/** Uma mensagem a publicar, até a confirmação do JetStream. */
interface Publicacao {
  indice: number;
  id: string;
  dados: Uint8Array;
  confirmada: boolean;
  /** A geração em que foi enviada pela última vez (veja `#geracao`). */
  geracao: number;
}

/** Um pedido de confirmação: espera a saída e as publicações até `marca`. */
class Marco implements Gravavel {
  saidaGravou = false;
  constructor(
    readonly alvo: Gravavel,
    readonly numero: number,
    readonly marca: number,
    readonly publicador: PublicadorNats,
  ) {}
  gravado(): void {
    this.saidaGravou = true;
    this.publicador.avancar();
  }
}

/** O que o publicador usa do JetStream (um cliente de verdade, ou um falso). */
export type Publicar = Pick<JetStreamClient, "publish">;

export interface OpcoesPublicador {
  js: Publicar;
  stream: string;
  /** O assunto em que este servidor publica. */
  assunto: string;
  /** Conta a quem opera (uma linha na saída de erro). */
  avisar(texto: string): void;
  /** Teto de publicações sem confirmação (padrão `TETO_PENDENTES`). */
  teto?: number;
}

/** Publica as mensagens no JetStream e segura as confirmações até lá. */
export class PublicadorNats {
  readonly #opcoes: OpcoesPublicador;
  readonly #teto: number;
  /** As publicações ainda não confirmadas em sequência, da `#cabeca` em diante. */
  #fila: Publicacao[] = [];
  #cabeca = 0;
  #publicadas = 0;
  /** Publicações confirmadas em sequência (todas as de índice menor). */
  #confirmadas = 0;
  #marcos: Marco[] = [];
  #cabecaMarcos = 0;
  /** À espera de nova tentativa (falharam, ou chegaram com o NATS fora). */
  #repetir: Publicacao[] = [];
  #relogio: ReturnType<typeof setTimeout> | undefined;
  #espera = ESPERA_INICIAL_MS;
  #indisponivel = false;
  /**
   * Sobe a cada volta do NATS: uma falha de algo enviado numa geração
   * anterior (um prazo que venceu durante a queda) só é repetida, sem dar o
   * NATS por fora de novo.
   */
  #geracao = 0;
  #aguardando: (() => void)[] = [];
  #fechado = false;

  constructor(opcoes: OpcoesPublicador) {
    this.#opcoes = opcoes;
    this.#teto = opcoes.teto ?? TETO_PENDENTES;
  }

  /** Publicações ainda sem confirmação do JetStream. */
  get pendentes(): number {
    return this.#publicadas - this.#confirmadas;
  }

  /** O NATS (ou o stream) está fora, pelo que se sabe agora. */
  get indisponivel(): boolean {
    return this.#indisponivel;
  }

  /**
   * Um `Registro` que passa tudo a `registro` e publica cada mensagem; as
   * confirmações esperam os dois. Como `Painel.espiar`.
   */
  envolver(registro: Registro): Registro {
    // deno-lint-ignore no-this-alias
    const publicador = this;
    return {
      registrar(evento) {
        registro.registrar(evento);
        if (evento.tipo === "mensagem") {
          publicador.#publicar(
            `${evento.sessao}-${evento.mensagem.numero}`,
            linhaEmBytes(evento),
          );
        }
      },
      aoGravar: (alvo, numero) => this.#aoGravar(registro, alvo, numero),
      get naoGravadas() {
        return Math.max(registro.naoGravadas, publicador.pendentes);
      },
      pronta: () => registro.pronta() ?? this.#pronta(),
    };
  }

  /** Publica uma mensagem (a linha `dados`, com `Nats-Msg-Id` = `id`). */
  #publicar(id: string, dados: Uint8Array) {
    const publicacao: Publicacao = {
      indice: this.#publicadas++,
      id,
      dados,
      confirmada: false,
      geracao: this.#geracao,
    };
    this.#fila.push(publicacao);
    if (this.#indisponivel) {
      this.#repetir.push(publicacao); // a prova vai antes
      return;
    }
    this.#enviar(publicacao);
  }

  #enviar(publicacao: Publicacao) {
    publicacao.geracao = this.#geracao;
    let promessa;
    try {
      promessa = this.#opcoes.js.publish(
        this.#opcoes.assunto,
        publicacao.dados,
        {
          msgID: publicacao.id,
          expect: { streamName: this.#opcoes.stream },
          timeout: PRAZO_PUBLICACAO_MS,
        },
      );
    } catch (erro) {
      promessa = Promise.reject(erro);
    }
    promessa.then(
      () => this.#confirmou(publicacao),
      (erro) => this.#falhou(publicacao, erro),
    );
  }

  #confirmou(publicacao: Publicacao) {
    if (publicacao.confirmada) return;
    publicacao.confirmada = true;
    publicacao.dados = VAZIO;
    this.#espera = ESPERA_INICIAL_MS;
    if (this.#indisponivel) this.#voltou();
    const fila = this.#fila;
    let cabeca = this.#cabeca;
    while (cabeca < fila.length && fila[cabeca]!.confirmada) cabeca++;
    this.#confirmadas += cabeca - this.#cabeca;
    this.#cabeca = cabeca;
    if (cabeca > 4096 && cabeca * 2 > fila.length) {
      this.#fila = fila.slice(cabeca);
      this.#cabeca = 0;
    }
    this.avancar();
    this.#liberar();
  }

  #falhou(publicacao: Publicacao, erro: unknown) {
    if (this.#fechado || publicacao.confirmada) return;
    this.#repetir.push(publicacao);
    if (publicacao.geracao < this.#geracao && !this.#indisponivel) {
      this.#programar(0); // enviada antes da volta: só repete
      return;
    }
    if (!this.#indisponivel) {
      this.#indisponivel = true;
      this.#opcoes.avisar(
        `o JetStream não confirmou a publicação no stream ${this.#opcoes.stream} (${
          descreverErro(erro)
        }): nada mais é confirmado aos clientes até ele voltar; tentando de novo`,
      );
    }
    this.#programar(this.#espera);
    this.#espera = Math.min(this.#espera * 2, ESPERA_MAXIMA_MS);
  }

  /** Programa uma nova tentativa daqui a `ms`. */
  #programar(ms: number) {
    if (this.#relogio !== undefined || this.#fechado) return;
    this.#relogio = setTimeout(() => {
      this.#relogio = undefined;
      this.#tentarDeNovo();
    }, ms);
  }

  /**
   * Com o NATS fora, uma publicação de prova (a mais antiga); com ele de
   * volta, todas as que esperam, na ordem.
   */
  #tentarDeNovo() {
    if (this.#repetir.length === 0) return;
    this.#repetir.sort((a, b) => a.indice - b.indice);
    if (this.#indisponivel) {
      this.#enviar(this.#repetir.shift()!);
      return;
    }
    const todas = this.#repetir;
    this.#repetir = [];
    for (const publicacao of todas) {
      if (!publicacao.confirmada) this.#enviar(publicacao);
    }
  }

  #voltou() {
    this.#indisponivel = false;
    this.#geracao++;
    this.#opcoes.avisar(
      `o JetStream voltou a confirmar as publicações no stream ${this.#opcoes.stream}; ${this.#repetir.length} à espera vão agora`,
    );
    this.#tentarDeNovo();
  }

  /**
   * A conexão com o NATS voltou: as respostas do que estava em voo se
   * perderam com a conexão velha. Em vez de esperar o prazo de cada uma,
   * reenvia já tudo o que não foi confirmado (o mesmo id: a janela de
   * duplicatas tira o que já tinha sido gravado).
   */
  reconectou(): void {
    if (this.#fechado || this.pendentes === 0) return;
    this.#geracao++;
    clearTimeout(this.#relogio);
    this.#relogio = undefined;
    this.#repetir = [];
    const fila = this.#fila;
    for (let i = this.#cabeca; i < fila.length; i++) {
      if (!fila[i]!.confirmada) this.#enviar(fila[i]!);
    }
  }

  #aoGravar(registro: Registro, alvo: Gravavel, numero: number): boolean {
    const marco = new Marco(alvo, numero, this.#publicadas, this);
    this.#marcos.push(marco);
    if (registro.aoGravar(marco, numero)) return true;
    this.#marcos.pop();
    return false;
  }

  /**
   * Confirma, na ordem, os pedidos cuja saída já gravou e cujas publicações
   * já foram todas confirmadas pelo JetStream.
   */
  avancar(): void {
    const marcos = this.#marcos;
    let i = this.#cabecaMarcos;
    while (i < marcos.length) {
      const marco = marcos[i]!;
      if (!marco.saidaGravou || marco.marca > this.#confirmadas) break;
      marcos[i] = undefined as unknown as Marco;
      i++;
      marco.alvo.gravado(marco.numero);
    }
    if (i === marcos.length) {
      this.#marcos = [];
      this.#cabecaMarcos = 0;
    } else if (i > 4096 && i * 2 > marcos.length) {
      this.#marcos = marcos.slice(i);
      this.#cabecaMarcos = 0;
    } else this.#cabecaMarcos = i;
  }

  #pronta(): Promise<void> | null {
    if (this.pendentes < this.#teto || this.#fechado) return null;
    return new Promise((resolve) => this.#aguardando.push(resolve));
  }

  #liberar() {
    if (this.#aguardando.length === 0 || this.pendentes >= this.#teto / 2) {
      return;
    }
    for (const resolver of this.#aguardando.splice(0)) resolver();
  }

  /**
   * Espera as publicações pendentes até `prazoMs` e para de tentar; devolve
   * quantas ficaram sem confirmação (nenhuma delas foi confirmada ao cliente).
   */
  async terminar(prazoMs: number): Promise<number> {
    const limite = Date.now() + prazoMs;
    // Limitado pelo prazo.
    while (this.pendentes > 0 && Date.now() < limite) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.#fechado = true;
    clearTimeout(this.#relogio);
    for (const resolver of this.#aguardando.splice(0)) resolver();
    return this.pendentes;
  }
}

const VAZIO = new Uint8Array(0);

/** A causa de uma falha de publicação, numa frase curta. */
export function descreverErro(erro: unknown): string {
  const texto = (erro as Error)?.message ?? String(erro);
  if (/no responders|503/i.test(texto)) {
    return "nenhum servidor JetStream respondeu pelo stream";
  }
  if (/timeout/i.test(texto)) return "sem resposta no prazo";
  if (/closed|disconnect|connection/i.test(texto)) {
    return "conexão com o NATS perdida";
  }
  return texto;
}
