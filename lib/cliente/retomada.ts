/**
 * A sessão que sobrevive a quedas: por cima de uma conexão (`Cliente`) de
 * cada vez, guarda as mensagens ainda sem confirmação e, se a conexão cai (ou,
 * nos scripts, se o servidor reinicia), reconecta com espera exponencial e
 * sorteio, com a mesma sessão da versão 2: o servidor diz o último número que
 * já gravou, essas são dadas por entregues, e só as seguintes são reenviadas,
 * na ordem. Sem progresso (conectar, saudar, confirmar) por `tempoLimite`, a
 * sessão desiste e diz o que esperava.
 *
 * Com um servidor da versão 1 não há retomada: reenvia tudo o que não foi
 * confirmado, e o que ele já tinha gravado aparece duas vezes.
 *
 * @module
 */

import { Cliente } from "./sessao.ts";
import type { OpcoesCliente } from "./conectar.ts";
import { FalhaDoCliente, naoEntregue, passageira } from "./falhas.ts";
import type { SessaoDeEnvio } from "./interfaces.ts";
import { motivoDoExcesso } from "./limites.ts";
import { novaMensagem } from "../datas.ts";
import { excessoDaMensagem, type Mensagem } from "../protocolo/quadros.ts";
import { RetornoCliente } from "../retornos.ts";
import { contar } from "../saida/contagem.ts";
import { sortearSessao } from "../sorteio.ts";
import { type Agendamento, esperar, repetir } from "../temporizador.ts";

/*
 * A espera antes de cada tentativa de reconectar: o teto começa em
 * ESPERA_INICIAL_MS, cresce FATOR_ESPERA vezes por tentativa até
 * ESPERA_MAXIMA_MS, e cada espera é sorteada entre a metade e o todo do teto
 * (muitos clientes não voltam juntos). Medido no cenário 13 do banco
 * (bench/cenarios/reconexao.ts): um reinício do servidor deixa a porta fechada
 * uns 50 ms, e com 50 ms dobrando até 2 s quase todo o tempo do servidor
 * pronto à primeira confirmação nova era o cliente dormindo (mediana 50 ms,
 * 47 de espera, em 20 reinícios). O que sobra de espera depois que o servidor
 * volta é uma fração do degrau em que ele voltou, e o degrau é proporcional
 * ao fator: com 25 ms e 1,5× a mediana caiu para 8 ms (máx. 87 → 33), com
 * duas ou três tentativas durante a queda em vez de uma ou duas. O teto de
 * 1 s (era 2 s) corta pela metade a sobra de uma queda longa (um reinício de
 * segundos), e um servidor fora do ar ainda recebe no máximo uma tentativa a
 * cada 0,5–1 s de cada cliente. Não há tentativa imediata: depois de uma
 * despedida o servidor está saindo, e a primeira espera já é de 12–25 ms.
 */
/** Teto da primeira espera. */
const ESPERA_INICIAL_MS = 25;
/** Quanto o teto cresce a cada tentativa (exponencial, mais suave que 2×). */
const FATOR_ESPERA = 1.5;
/** Maior teto entre duas tentativas. */
const ESPERA_MAXIMA_MS = 1000;

export interface OpcoesRetomada {
  /**
   * Reconectar também depois do CODIGO_SAIDA do servidor (um reinício): sim
   * nos scripts; não no menu, que termina como o original.
   */
  aposDespedida: boolean;
  /** Conta a quem usa o que está acontecendo (caiu, reconectou...). */
  avisar?: ((texto: string) => void) | undefined;
}

interface AEntregar {
  mensagem: Mensagem;
  entregue: boolean;
  resolver(): void;
  rejeitar(falha: FalhaDoCliente): void;
}

/** Uma sessão com o servidor que reconecta sozinha. Crie com `conectar`. */
export class SessaoRetomavel implements SessaoDeEnvio {
  readonly confirma = true;
  readonly fim: Promise<FalhaDoCliente | null>;
  readonly #opcoes: OpcoesCliente;
  readonly #retomada: OpcoesRetomada;
  /** A sessão sorteada na primeira conexão, a mesma em todas as seguintes. */
  readonly #sessao: string;
  /** As mensagens enviadas e ainda não confirmadas, na ordem. */
  readonly #fila: AEntregar[] = [];
  #cliente: Cliente | undefined;
  /** A reconexão em curso, se há uma. */
  #reconectando: Promise<void> | undefined;
  #numero = 0;
  #tamanhoMaximo: number;
  #ultimoProgresso = Date.now();
  #saindo = false;
  #terminou: ((falha: FalhaDoCliente | null) => void) | undefined;
  #falha: FalhaDoCliente | null = null;
  #vigia: Agendamento;

  private constructor(
    cliente: Cliente,
    opcoes: OpcoesCliente,
    retomada: OpcoesRetomada,
    sessao: string,
  ) {
    this.#sessao = sessao;
    this.#opcoes = opcoes;
    this.#retomada = retomada;
    this.#tamanhoMaximo = cliente.tamanhoMaximo;
    this.fim = new Promise((resolve) => this.#terminou = resolve);
    this.#vigia = repetir(
      Math.max(50, Math.floor(opcoes.tempoLimite / 4)),
      () => this.#conferirProgresso(),
    );
    this.#usar(cliente);
  }

  /**
   * Conecta (a primeira vez, sem insistir: um servidor que não está lá é
   * relatado já).
   *
   * @throws {FalhaDoCliente}
   */
  static async conectar(
    opcoes: OpcoesCliente,
    retomada: OpcoesRetomada,
  ): Promise<SessaoRetomavel> {
    const sessao = sortearSessao();
    const cliente = await Cliente.conectar(opcoes, sessao);
    return new SessaoRetomavel(cliente, opcoes, retomada, sessao);
  }

  get tamanhoMaximo(): number {
    return this.#tamanhoMaximo;
  }

  compor(assunto: string, texto: string, instante?: number): Mensagem {
    return novaMensagem(this.#numero + 1, assunto, texto, instante);
  }

  /** Também enquanto reconecta: vale o limite da última saudação. */
  excesso(assunto: string, texto: string): number {
    return excessoDaMensagem(assunto, texto, this.#tamanhoMaximo);
  }

  /** Envia; resolve quando confirmada, mesmo que seja depois de reconexões. */
  enviar(mensagem: Mensagem): Promise<void> {
    if (this.#falha || this.#saindo) {
      return Promise.reject(
        this.#falha ?? naoEntregue(mensagem.numero, "a sessão está terminando"),
      );
    }
    this.#numero = mensagem.numero;
    if (this.#fila.length === 0) this.#ultimoProgresso = Date.now();
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const item: AEntregar = {
      mensagem,
      entregue: false,
      resolver: resolve,
      rejeitar: reject,
    };
    this.#fila.push(item);
    if (this.#cliente) this.#enviarPor(this.#cliente, item);
    return promise;
  }

  /**
   * Espera as confirmações que faltam, diz CODIGO_SAIDA e fecha. Se a conexão
   * cai antes das confirmações, reconecta, reenvia e sai de novo; se cai
   * depois delas (só a despedida se perdeu), tudo foi entregue.
   */
  async sair(): Promise<FalhaDoCliente | null> {
    this.#saindo = true;
    while (true) {
      while (this.#reconectando && !this.#falha) await this.#reconectando;
      const cliente = this.#cliente;
      if (this.#falha || cliente === undefined) {
        return this.#terminar(this.#falha);
      }
      const falha = await cliente.sair();
      // `#aoFimDaConexao` já correu: ou reconecta, ou terminou a sessão.
      if (this.#falha) return this.#terminar(this.#falha);
      if (this.#reconectando) continue;
      if (falha && this.#fila.length === 0 && passageira(falha)) {
        return this.#terminar(null);
      }
      return this.#terminar(falha);
    }
  }

  #usar(cliente: Cliente) {
    this.#cliente = cliente;
    this.#tamanhoMaximo = cliente.tamanhoMaximo;
    cliente.fim.then((falha) => this.#aoFimDaConexao(cliente, falha));
  }

  #enviarPor(cliente: Cliente, item: AEntregar) {
    cliente.enviar(item.mensagem).then(
      () => this.#confirmada(item),
      (erro) => {
        // Não cabe no limite desta conexão (o servidor reiniciou com um
        // menor): recusada, as outras seguem. Uma queda é tratada por
        // `#aoFimDaConexao`, que reenvia.
        if (erro instanceof RangeError) this.#naoCabe(item);
      },
    );
  }

  /** As confirmações são cumulativas e chegam na ordem. */
  #confirmada(item: AEntregar) {
    item.entregue = true;
    this.#ultimoProgresso = Date.now();
    this.#soltarEntregues();
  }

  #soltarEntregues() {
    while (this.#fila.length > 0 && this.#fila[0].entregue) {
      this.#fila.shift()!.resolver();
    }
  }

  #naoCabe(item: AEntregar) {
    const i = this.#fila.indexOf(item);
    if (i < 0) return;
    this.#fila.splice(i, 1);
    const { numero, assunto, texto } = item.mensagem;
    item.rejeitar(
      naoEntregue(
        numero,
        motivoDoExcesso(assunto, texto, this.#tamanhoMaximo),
      ),
    );
    this.#soltarEntregues();
  }

  #aoFimDaConexao(cliente: Cliente, falha: FalhaDoCliente | null) {
    if (this.#cliente !== cliente) return;
    this.#cliente = undefined;
    if (falha === null || this.#falha) return; // saiu por `sair()`
    // Saindo, com tudo confirmado: só a despedida se perdeu (`sair()` decide).
    if (this.#saindo && this.#fila.length === 0) return;
    // O prazo de progresso já se esgotou (o prazo da despedida fechou a
    // conexão, por exemplo): o que houve foi falta de confirmação, não queda.
    if (
      this.#fila.length > 0 &&
      Date.now() - this.#ultimoProgresso >= this.#opcoes.tempoLimite
    ) {
      this.#terminar(semConfirmacao(this.#opcoes, this.#fila.length));
      return;
    }
    const reinicio = falha.codigoDeRetorno === RetornoCliente.SERVIDOR_ENCERROU;
    const retomar = passageira(falha) &&
      (!reinicio || this.#retomada.aposDespedida);
    if (!retomar) {
      this.#terminar(falha);
      return;
    }
    const aEspera = this.#fila.length;
    // O prazo de progresso conta o tempo sem confirmação do que está a
    // caminho; parado, sem nada a confirmar (no menu, por exemplo), não havia
    // o que esperar: o prazo para reconectar começa na queda.
    if (aEspera === 0) this.#ultimoProgresso = Date.now();
    this.#retomada.avisar?.(
      `${falha.message}; reconectando${
        aEspera > 0
          ? ` (${
            contar(aEspera, "mensagem", "mensagens")
          } à espera de confirmação)`
          : ""
      }...`,
    );
    const reconectando = this.#reconectar(falha).finally(() => {
      // Uma queda da conexão nova pode já ter começado outra reconexão.
      if (this.#reconectando === reconectando) this.#reconectando = undefined;
    });
    this.#reconectando = reconectando;
  }

  /** Tenta de novo com espera crescente e sorteada, até o prazo de progresso. */
  async #reconectar(causa: FalhaDoCliente) {
    let ultima = causa;
    for (let tentativa = 0;; tentativa++) {
      const teto = Math.min(
        ESPERA_MAXIMA_MS,
        ESPERA_INICIAL_MS * FATOR_ESPERA ** tentativa,
      );
      await esperar(teto / 2 + Math.random() * teto / 2);
      if (this.#falha) return;
      if (Date.now() - this.#ultimoProgresso > this.#opcoes.tempoLimite) {
        this.#terminar(
          semProgresso(this.#opcoes, causa, ultima, this.#fila.length),
        );
        return;
      }
      let cliente: Cliente;
      try {
        cliente = await Cliente.conectar(this.#opcoes, this.#sessao);
      } catch (erro) {
        // Nada escapa daqui sem dono (ninguém espera esta promessa com
        // `catch`): um erro que não é falha do cliente termina a sessão.
        if (!(erro instanceof FalhaDoCliente)) {
          return void this.#terminar(inesperado(erro));
        }
        if (!passageira(erro)) return void this.#terminar(erro);
        ultima = erro;
        continue;
      }
      return this.#retomar(cliente);
    }
  }

  /**
   * Conectado de novo: o que o servidor diz já ter gravado está entregue; o
   * resto vai de novo, na ordem.
   */
  #retomar(cliente: Cliente) {
    this.#ultimoProgresso = Date.now();
    const gravado = cliente.sessao === undefined ? 0 : cliente.ultimoGravado;
    for (const item of this.#fila) {
      if (item.mensagem.numero <= gravado) item.entregue = true;
    }
    const antes = this.#fila.length;
    this.#soltarEntregues();
    this.#usar(cliente);
    for (const item of this.#fila) this.#enviarPor(cliente, item);
    const gravadas = antes - this.#fila.length;
    this.#retomada.avisar?.(
      antes === 0
        ? "reconectado ao servidor"
        : `reconectado; ${
          contar(gravadas, "já estava gravada", "já estavam gravadas")
        }, ${contar(this.#fila.length, "reenviada", "reenviadas")}`,
    );
  }

  /** Sem confirmação nenhuma por `tempoLimite` com mensagens à espera: desiste. */
  #conferirProgresso() {
    if (this.#fila.length === 0 || this.#reconectando || !this.#cliente) return;
    if (Date.now() - this.#ultimoProgresso <= this.#opcoes.tempoLimite) return;
    const cliente = this.#cliente;
    this.#terminar(semConfirmacao(this.#opcoes, this.#fila.length));
    cliente.fechar();
  }

  #terminar(falha: FalhaDoCliente | null): FalhaDoCliente | null {
    this.#vigia.cancelar();
    if (falha && !this.#falha) {
      this.#falha = falha;
      for (const item of this.#fila.splice(0)) {
        item.rejeitar(naoEntregue(item.mensagem.numero, falha.message, falha));
      }
    }
    this.#terminou?.(this.#falha);
    this.#terminou = undefined;
    return this.#falha;
  }
}

/** O servidor não confirmou nada dentro do prazo de progresso. */
function semConfirmacao(
  opcoes: OpcoesCliente,
  aEspera: number,
): FalhaDoCliente {
  return new FalhaDoCliente(
    RetornoCliente.TEMPO_ESGOTADO,
    `o servidor não confirmou nada em ${opcoes.tempoLimite / 1000} s (${
      contar(aEspera, "mensagem", "mensagens")
    } à espera de confirmação; a saída dele pode estar parada)`,
  );
}

/** Uma falha para um erro que não devia acontecer ao reconectar. */
function inesperado(erro: unknown): FalhaDoCliente {
  return new FalhaDoCliente(
    RetornoCliente.NAO_ENTREGUE,
    `erro inesperado ao reconectar: ${(erro as Error)?.message ?? erro}`,
    { cause: erro },
  );
}

/** Desistência: o código é o da queda que começou tudo; a frase diz o resto. */
function semProgresso(
  opcoes: OpcoesCliente,
  causa: FalhaDoCliente,
  ultima: FalhaDoCliente,
  aEspera: number,
): FalhaDoCliente {
  return new FalhaDoCliente(
    causa.codigoDeRetorno,
    `sem conseguir reconectar a ${opcoes.host}:${opcoes.porta} em ${
      opcoes.tempoLimite / 1000
    } s (${aEspera} ${
      aEspera === 1 ? "mensagem" : "mensagens"
    } sem confirmação; última falha: ${ultima.message})`,
  );
}
