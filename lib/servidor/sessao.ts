/**
 * A sessão de um cliente no servidor, do primeiro byte ao fechamento: decide
 * pelo primeiro byte se o par fala o protocolo ou é o cliente original em
 * Python, confere saudação, versão e token, confirma as mensagens em lote (uma
 * confirmação por leitura), recusa quem sai da regra e encerra com cortesia.
 * Quem aceita, conta e encerra todas é `Servidor` (servidor.ts); os prazos
 * vêm de prazos.ts. Relata tudo como eventos; não imprime nada.
 *
 * @module
 */

import { type Penalidades, tokensIguais } from "./acesso.ts";
import { type Conexao, FilaCheia } from "../conexao.ts";
import { CodigoErro, ErroDeProtocolo } from "../erros.ts";
import type { EventoServidor, Par, Registro } from "./eventos.ts";
import { inicioDoQuadro, prazoVencido } from "./prazos.ts";
import { DecodificadorLegado, pareceLegado } from "../protocolo/legado.ts";
import {
  codificar,
  Decodificador,
  type Limites,
  type Mensagem,
  type Quadro,
  renumerarConfirmacao,
  Tipo,
  VERSAO,
} from "../protocolo/codec.ts";

/** O que a sessão usa das opções do servidor (`OpcoesServidor` as estende). */
export interface OpcoesSessao {
  /** Máximo de bytes de assunto + texto. */
  tamanhoMaximo: number;
  /** Milissegundos sem receber nada antes de desligar um cliente; 0 = nunca. */
  tempoOcioso: number;
  /** Milissegundos para a saudação chegar e para cada quadro começado terminar. */
  prazo: number;
  registro: Registro;
  /** Token exigido na saudação de todo cliente. */
  token?: string | undefined;
}

/** Sempre os mesmos 5 bytes: codificados uma vez. */
const PONG = codificar({ tipo: Tipo.PONG });
/**
 * A CONFIRMACAO de todas as sessões, renumerada a cada envio: `enviar` copia
 * os bytes, e um `ArrayBuffer` novo por confirmação custaria ~0,4 µs.
 */
const CONFIRMACAO = codificar({ tipo: Tipo.CONFIRMACAO, numero: 0 });
/** Quanto esperar o par fechar depois de nosso último quadro. */
const ESPERA_FECHAMENTO_MS = 1000;

const Estado = {
  SAUDACAO: 0,
  PROTOCOLO: 1,
  LEGADO: 2,
  /** Avisamos o fim (DESPEDIDA ou ERRO); só esperamos o par fechar. */
  FECHANDO: 3,
} as const;
type Estado = typeof Estado[keyof typeof Estado];

/**
 * O que o servidor dá a cada sessão: o que é de todas (limites, penalidades,
 * a saudação já codificada) e por onde ela relata eventos e contagens. Um só
 * objeto para todas as sessões: uma conexão ociosa não paga por ele.
 */
export interface DoServidor {
  penalidades: Penalidades;
  /** Os limites de quadro de `limitesDoServidor`, compartilhados. */
  limites: Readonly<Limites>;
  registrar(evento: EventoServidor): void;
  contarMensagens(n: number): void;
  contarRejeicao(): void;
  /** A sessão acabou: chamado sempre, antes de `terminada` resolver. */
  terminou(sessao: Sessao): void;
  /** A resposta OLA_SERVIDOR, a mesma para todos (`enviar` copia os bytes). */
  ola: Uint8Array;
}

/** Um cliente conectado, do primeiro byte ao fechamento. */
export class Sessao {
  readonly terminada: Promise<void>;
  readonly #conexao: Conexao;
  readonly #par: Par;
  readonly #opcoes: OpcoesSessao;
  readonly #doServidor: DoServidor;
  #estado: Estado = Estado.SAUDACAO;
  #decodificador: Decodificador;
  #legado: DecodificadorLegado | undefined;
  #mensagens = 0;
  #ultimoNumero = 0;
  #confirmar = false;
  #despedida: "saiu" | "rejeitado" | "servidor" | undefined;
  readonly #inicio = Date.now();
  #ultimaAtividade = this.#inicio;
  /** Quando começou o quadro que ainda está incompleto; 0 = nenhum. */
  #inicioQuadro = 0;
  /** Quadros (ou blocos do original) completos até aqui: o prazo de cada um. */
  #quadros = 0;
  #agora = 0;
  #prazoFechamento: ReturnType<typeof setTimeout> | undefined;

  constructor(
    conexao: Conexao,
    par: Par,
    opcoes: OpcoesSessao,
    doServidor: DoServidor,
  ) {
    this.#conexao = conexao;
    this.#par = par;
    this.#opcoes = opcoes;
    this.#doServidor = doServidor;
    // Mensagens lidas no lugar: o registro as consome antes da próxima leitura.
    this.#decodificador = new Decodificador(
      doServidor.limites,
      Tipo.OLA_CLIENTE,
      { noLugar: true },
    );
    this.terminada = this.#atender();
  }

  async #atender(): Promise<void> {
    let motivoFim = "conexão fechada pelo cliente";
    try {
      while (true) {
        const pedaco = await this.#conexao.ler();
        if (pedaco === null) break;
        if (this.#estado === Estado.FECHANDO) continue; // descarta até o par fechar
        this.#agora = Date.now();
        this.#ultimaAtividade = this.#agora;
        this.#processar(pedaco);
        const espera = this.#opcoes.registro.pronta();
        if (espera) await espera; // saída cheia: para de ler (contrapressão)
      }
    } catch (erro) {
      motivoFim = `erro de leitura: ${(erro as Error).message}`;
    } finally {
      clearTimeout(this.#prazoFechamento);
      this.#conexao.fechar();
    }
    try {
      this.#relatarFim(motivoFim);
    } finally {
      this.#doServidor.terminou(this);
    }
  }

  #relatarFim(motivo: string) {
    if (this.#despedida === "rejeitado") return; // já relatado
    const instante = Date.now();
    if (this.#despedida === "saiu") {
      this.#doServidor.registrar({
        tipo: "saiu",
        instante,
        par: this.#par,
        mensagens: this.#mensagens,
      });
      return;
    }
    this.#doServidor.registrar({
      tipo: "desconectou",
      instante,
      par: this.#par,
      mensagens: this.#mensagens,
      motivo: this.#despedida === "servidor" ? "servidor encerrado" : motivo,
    });
  }

  #processar(pedaco: Uint8Array) {
    const quadrosAntes = this.#quadros;
    try {
      if (this.#estado === Estado.SAUDACAO && this.#legado === undefined) {
        if (pareceLegado(pedaco[0])) {
          if (this.#opcoes.token !== undefined) {
            throw new ErroDeProtocolo(
              CodigoErro.NAO_AUTORIZADO,
              "não autorizado: o cliente original não envia token",
            );
          }
          this.#estado = Estado.LEGADO;
          this.#legado = new DecodificadorLegado(this.#opcoes.tamanhoMaximo);
        }
      }
      if (this.#legado) this.#processarLegado(this.#legado, pedaco);
      else this.#decodificador.decodificar(pedaco, this.#aoQuadro, this);
      if (this.#confirmar) this.#enviarConfirmacao();
      this.#inicioQuadro = inicioDoQuadro(
        this.#inicioQuadro,
        this.#agora,
        this.#legado?.incompleto ?? this.#decodificador.incompleto,
        this.#quadros !== quadrosAntes,
      );
    } catch (erro) {
      if (this.#confirmar) this.#enviarConfirmacao();
      if (erro instanceof ErroDeProtocolo) {
        this.rejeitar(erro.codigo, erro.message);
      } else if (erro instanceof FilaCheia) {
        this.rejeitar(
          CodigoErro.FILA_CHEIA,
          "o cliente não lê as confirmações",
          false,
        );
      } else throw erro;
    }
  }

  #processarLegado(legado: DecodificadorLegado, pedaco: Uint8Array) {
    legado.decodificar(pedaco, (mensagem) => {
      this.#quadros++;
      this.#aoMensagem(mensagem, true);
    });
    if (legado.terminou && this.#estado !== Estado.FECHANDO) {
      this.#despedida = "saiu";
      this.#estado = Estado.FECHANDO;
      this.#fecharDepois(); // o original fecha logo depois de CODIGO_SAIDA
    }
  }

  // Método, chamado pelo decodificador com `this`: nem fecho por pedaço no
  // caminho quente, nem um fecho guardado por sessão.
  #aoQuadro(quadro: Quadro): void {
    this.#quadros++;
    switch (quadro.tipo) {
      case Tipo.MENSAGEM:
        if (this.#estado !== Estado.PROTOCOLO) return; // encerrando: ignora
        if (quadro.mensagem.numero <= this.#ultimoNumero) {
          throw new ErroDeProtocolo(
            CodigoErro.FORA_DE_ORDEM,
            `mensagem #${quadro.mensagem.numero} depois da #${this.#ultimoNumero}: a numeração deve crescer`,
          );
        }
        this.#ultimoNumero = quadro.mensagem.numero;
        this.#confirmar = true;
        if (this.#decodificador.fimDoPedaco) {
          // Último quadro do pedaço: a confirmação sai antes de formatar a
          // linha, que não muda a resposta (latência de quem espera por ela).
          try {
            this.#enviarConfirmacao();
          } finally {
            this.#aoMensagem(quadro.mensagem, false);
          }
          return;
        }
        this.#aoMensagem(quadro.mensagem, false);
        return;
      case Tipo.OLA_CLIENTE:
        return this.#aoSaudacao(quadro.versao, quadro.token);
      case Tipo.DESPEDIDA:
        return this.#aoDespedida();
      case Tipo.PING:
        this.#conexao.enviar(PONG);
        return;
      case Tipo.PONG:
        return;
      case Tipo.ERRO:
        this.#despedida = "rejeitado";
        this.#doServidor.registrar({
          tipo: "desconectou",
          instante: this.#agora,
          par: this.#par,
          mensagens: this.#mensagens,
          motivo: `o cliente relatou o erro ${quadro.codigo}: ${quadro.texto}`,
        });
        this.#estado = Estado.FECHANDO;
        this.#fecharDepois();
        return;
    }
  }

  #aoSaudacao(versao: number, token: string) {
    if (this.#estado !== Estado.SAUDACAO) {
      throw new ErroDeProtocolo(CodigoErro.FORA_DE_ORDEM, "saudação repetida");
    }
    if (versao !== VERSAO) {
      throw new ErroDeProtocolo(
        CodigoErro.VERSAO_INCOMPATIVEL,
        `versão ${versao} do protocolo não suportada; este servidor fala a versão ${VERSAO}`,
      );
    }
    const exigido = this.#opcoes.token;
    if (exigido !== undefined && !tokensIguais(token, exigido)) {
      this.#recusarToken(token === "" ? "token ausente" : "token errado");
      return;
    }
    this.#estado = Estado.PROTOCOLO;
    this.#conexao.enviar(this.#doServidor.ola);
  }

  /**
   * Token errado: relata já, mas só responde depois de um atraso que cresce a
   * cada erro do mesmo endereço, para que adivinhar não corra na velocidade da
   * rede. Quem acerta o token não espera nada.
   */
  #recusarToken(motivo: string) {
    this.#estado = Estado.FECHANDO;
    this.#despedida = "rejeitado";
    this.#doServidor.contarRejeicao();
    const atraso = this.#doServidor.penalidades.falhou(this.#par.endereco);
    this.#doServidor.registrar({
      tipo: "rejeitado",
      instante: this.#agora,
      par: this.#par,
      codigo: CodigoErro.NAO_AUTORIZADO,
      motivo: `não autorizado: ${motivo} (resposta atrasada ${atraso} ms)`,
    });
    this.#prazoFechamento = setTimeout(() => {
      this.#conexao.enviar(codificar({
        tipo: Tipo.ERRO,
        codigo: CodigoErro.NAO_AUTORIZADO,
        texto: "não autorizado",
      }));
      this.#fecharDepois();
    }, atraso);
  }

  #aoMensagem(mensagem: Mensagem, legado: boolean) {
    this.#mensagens++;
    this.#doServidor.contarMensagens(1);
    this.#doServidor.registrar({
      tipo: "mensagem",
      instante: this.#agora,
      par: this.#par,
      mensagem,
      legado,
    });
  }

  #aoDespedida() {
    if (this.#confirmar) this.#enviarConfirmacao();
    // Se fomos nós que avisamos o encerramento, o DESPEDIDA do cliente já é a resposta.
    if (this.#despedida !== "servidor") {
      this.#conexao.enviar(codificar({ tipo: Tipo.DESPEDIDA }));
    }
    this.#despedida = "saiu";
    this.#estado = Estado.FECHANDO;
    this.#fecharDepois();
  }

  #enviarConfirmacao() {
    this.#confirmar = false;
    renumerarConfirmacao(CONFIRMACAO, this.#ultimoNumero);
    this.#conexao.enviar(CONFIRMACAO);
  }

  /** Fecha nosso lado de escrita e dá ao par um instante para ler e fechar. */
  #fecharDepois() {
    this.#prazoFechamento = setTimeout(
      () => this.#conexao.fechar(),
      ESPERA_FECHAMENTO_MS,
    );
    this.#conexao.esvaziar().then(() => this.#conexao.fecharEscrita());
  }

  /**
   * Recusa o cliente: relata, explica-lhe o motivo num quadro ERRO (se ele lê)
   * e fecha.
   */
  rejeitar(codigo: CodigoErro, motivo: string, explicar = true): void {
    if (this.#estado === Estado.FECHANDO) return;
    const eraLegado = this.#estado === Estado.LEGADO;
    this.#estado = Estado.FECHANDO;
    this.#despedida = "rejeitado";
    this.#doServidor.contarRejeicao();
    this.#doServidor.registrar({
      tipo: "rejeitado",
      instante: Date.now(),
      par: this.#par,
      codigo,
      motivo,
    });
    if (!explicar) {
      this.#conexao.fechar();
      return;
    }
    // O cliente original não lê nada; aos demais, o motivo vai num quadro ERRO.
    if (!eraLegado) {
      this.#conexao.enviar(
        codificar({ tipo: Tipo.ERRO, codigo, texto: motivo }),
      );
    }
    this.#fecharDepois();
  }

  /** Chamado pelo servidor ao encerrar: CODIGO_SAIDA a quem fala o protocolo. */
  avisarEncerramento(): void {
    if (this.#estado === Estado.PROTOCOLO) {
      this.#despedida = "servidor";
      // Continua em PROTOCOLO: mensagens a caminho ainda são confirmadas.
      this.#conexao.enviar(codificar({ tipo: Tipo.DESPEDIDA }));
    } else if (this.#estado === Estado.SAUDACAO) {
      this.rejeitar(CodigoErro.ENCERRANDO, "o servidor está encerrando");
    }
  }

  /** Chamado pela varredura do servidor: recusa quem passou de um prazo. */
  verificarPrazos(agora: number): void {
    if (this.#estado === Estado.FECHANDO) return;
    const vencido = prazoVencido(agora, {
      saudando: this.#estado === Estado.SAUDACAO,
      inicio: this.#inicio,
      inicioQuadro: this.#inicioQuadro,
      ultimaAtividade: this.#ultimaAtividade,
    }, this.#opcoes);
    if (vencido) this.rejeitar(vencido.codigo, vencido.motivo);
  }

  /** Fecha já (fim da tolerância do encerramento). */
  fechar(): void {
    this.#despedida ??= "servidor";
    this.#conexao.fechar();
  }
}
