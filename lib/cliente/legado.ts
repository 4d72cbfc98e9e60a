/**
 * A sessão com o `servidor.py` original (`cliente --legado`): os blocos de
 * texto do `cliente.py`, sem saudação nem confirmação. Fica fora de
 * lib/cliente/sessao.ts, e não a importa (conecta por conectar.ts, relata por
 * falhas.ts), para que o cliente só carregue o formato original (e
 * lib/protocolo/legado.ts) quando ele é pedido. Sem confirmação, o prazo de
 * progresso (`tempoLimite`) vale para a escrita: um servidor que para de ler
 * encerra a sessão em vez de deixá-la esperando para sempre.
 *
 * @module
 */

import {
  abrirConexao,
  LIMITE_FILA_ENVIO,
  type OpcoesCliente,
} from "./conectar.ts";
import { FalhaDoCliente, naoEnviada } from "./falhas.ts";
import { Conexao } from "../conexao.ts";
import { RetornoCliente } from "../retornos.ts";
import {
  BYTES_CODIGO_SAIDA,
  codificarBlocoLegado,
} from "../protocolo/legado.ts";
import { novaMensagem } from "../datas.ts";
import { type Mensagem, tamanhoDaMensagem } from "../protocolo/quadros.ts";
import { type Agendamento, esperar, repetir } from "../temporizador.ts";

/**
 * Pausa antes de CODIGO_SAIDA no modo legado: o servidor.py original só
 * reconhece CODIGO_SAIDA quando ele chega sozinho num `recv`, e não há como
 * saber quando ele leu o bloco anterior; esperar um pouco com o Nagle
 * desligado faz o último bloco e CODIGO_SAIDA saírem em segmentos separados.
 */
const PAUSA_ANTES_DA_SAIDA_MS = 300;

/** Limite de assunto + texto no modo legado: o `recv(1024)` do original. */
const TAMANHO_MAXIMO_LEGADO = 1024;

/**
 * Sessão com o `servidor.py` original: manda os blocos de texto exatos do
 * `cliente.py` e CODIGO_SAIDA sozinho no fim. O original não responde nada,
 * então "enviada" é o máximo que se pode afirmar.
 */
export class ClienteLegado {
  readonly confirma = false;
  readonly tamanhoMaximo: number = TAMANHO_MAXIMO_LEGADO;
  readonly fim: Promise<FalhaDoCliente | null>;
  readonly #conexao: Conexao;
  readonly #tempoLimite: number;
  #numero = 0;
  #saindo = false;
  /** O original não confirma: o progresso é o núcleo aceitar os bytes. */
  readonly #vigia: Agendamento;
  #escritosAntes = 0;
  #ultimoProgresso = Date.now();
  /** O servidor parou de ler por `tempoLimite`: a conexão foi fechada. */
  #parado = false;

  private constructor(conexao: Conexao, tempoLimite: number) {
    this.#conexao = conexao;
    this.#tempoLimite = tempoLimite;
    this.#vigia = repetir(
      Math.max(50, Math.floor(tempoLimite / 4)),
      () => this.#conferirEscrita(),
    );
    this.fim = this.#esperarFim();
  }

  /** Conecta dentro do prazo (não há saudação no formato original). */
  static async conectar(opcoes: OpcoesCliente): Promise<ClienteLegado> {
    const conn = await abrirConexao(opcoes);
    return new ClienteLegado(
      new Conexao(conn, { limiteFila: LIMITE_FILA_ENVIO }),
      opcoes.tempoLimite,
    );
  }

  get proximoNumero(): number {
    return this.#numero + 1;
  }

  excesso(assunto: string, texto: string): number {
    return Math.max(0, tamanhoDaMensagem(assunto, texto) - this.tamanhoMaximo);
  }

  compor(assunto: string, texto: string, instante?: number): Mensagem {
    return novaMensagem(this.proximoNumero, assunto, texto, instante);
  }

  /** Escreve o bloco; resolve quando saiu deste lado (não há confirmação). */
  async enviar(mensagem: Mensagem): Promise<void> {
    let bloco: Uint8Array;
    try {
      bloco = codificarBlocoLegado(mensagem);
    } catch (erro) {
      throw new FalhaDoCliente(
        RetornoCliente.NAO_ENTREGUE,
        `mensagem #${mensagem.numero} não enviada: o formato original não comporta quebras de linha no assunto ou no texto`,
        { cause: erro },
      );
    }
    this.#numero = mensagem.numero;
    this.#conexao.enviar(bloco);
    await this.#conexao.esvaziar();
    if (this.#parado) {
      const parado = this.#falhaDoParado();
      throw naoEnviada(mensagem.numero, parado.message, parado);
    }
    if (this.#conexao.erroEscrita !== undefined || this.#conexao.fechada) {
      throw naoEnviada(mensagem.numero, "a conexão com o servidor caiu");
    }
  }

  /** Espera, manda CODIGO_SAIDA sozinho e fecha, como o original. */
  async sair(): Promise<FalhaDoCliente | null> {
    if (!this.#saindo && !this.#conexao.fechada) {
      this.#saindo = true;
      await this.#conexao.esvaziar();
      await esperar(PAUSA_ANTES_DA_SAIDA_MS);
      this.#conexao.enviar(BYTES_CODIGO_SAIDA);
      await this.#conexao.esvaziar();
      this.#conexao.fechar();
    }
    return await this.fim;
  }

  fechar(): void {
    this.#conexao.fechar();
  }

  /** O original nunca escreve: qualquer fim que não pedimos é queda. */
  async #esperarFim(): Promise<FalhaDoCliente | null> {
    while (await this.#conexao.ler() !== null) {
      // Bytes inesperados de um servidor que não devia falar: ignorados.
    }
    this.#conexao.fechar();
    this.#vigia.cancelar();
    if (this.#parado) return this.#falhaDoParado();
    if (this.#saindo) return null;
    return new FalhaDoCliente(
      RetornoCliente.CONEXAO_PERDIDA,
      "o servidor fechou a conexão",
    );
  }

  /**
   * Com bytes à espera, se o núcleo não aceitou nenhum por `tempoLimite`, o
   * servidor parou de ler (a escrita ficaria pendente para sempre): fecha.
   */
  #conferirEscrita() {
    const escritos = this.#conexao.bytesEscritos;
    if (
      this.#conexao.bytesPendentes === 0 || escritos !== this.#escritosAntes
    ) {
      this.#escritosAntes = escritos;
      this.#ultimoProgresso = Date.now();
      return;
    }
    if (Date.now() - this.#ultimoProgresso > this.#tempoLimite) {
      this.#parado = true;
      this.#conexao.fechar();
    }
  }

  #falhaDoParado(): FalhaDoCliente {
    return new FalhaDoCliente(
      RetornoCliente.TEMPO_ESGOTADO,
      `o servidor parou de ler: nada saiu em ${
        this.#tempoLimite / 1000
      } s (a entrada dele pode estar parada)`,
    );
  }
}
