/**
 * A sessão do servidor: aceita quantos clientes vierem (até o limite), decide
 * pelo primeiro byte se o par fala o protocolo ou é o cliente original em
 * Python, confirma as mensagens em lote (uma confirmação por leitura), aplica
 * prazos e limites, e encerra com cortesia. Relata tudo como eventos; não
 * imprime nada.
 *
 * @module
 */

import { type ListaDeAcesso, Penalidades, tokensIguais } from "./acesso.ts";
import { Conexao, FilaCheia } from "../conexao.ts";
import { CodigoErro, ErroDeProtocolo } from "../erros.ts";
import type { EventoServidor, Par, Registro } from "./eventos.ts";
import { DecodificadorLegado, pareceLegado } from "../protocolo/legado.ts";
import { codificar, renumerarConfirmacao } from "../protocolo/codificador.ts";
import { Decodificador } from "../protocolo/decodificador.ts";
import {
  type Limites,
  limitesDoServidor,
  type Mensagem,
  type Quadro,
  Tipo,
  VERSAO,
} from "../protocolo/quadros.ts";

export interface OpcoesServidor {
  host: string;
  porta: number;
  /** Máximo de bytes de assunto + texto. */
  tamanhoMaximo: number;
  /** Máximo de clientes conectados ao mesmo tempo. */
  maxConexoes: number;
  /** Milissegundos sem receber nada antes de desligar um cliente; 0 = nunca. */
  tempoOcioso: number;
  /** Milissegundos para a saudação chegar e para cada quadro começado terminar. */
  prazo: number;
  /** Teto, por conexão, de bytes à espera de escrita. */
  limiteFila: number;
  /** Milissegundos de tolerância no encerramento para quadros a caminho. */
  graca: number;
  registro: Registro;
  /** Certificado e chave PEM: com eles, o servidor só fala TLS. */
  tls?: { cert: string; chave: string } | undefined;
  /** Token exigido na saudação de todo cliente. */
  token?: string | undefined;
  /** Quem pode conectar (`--permitir`/`--negar`). */
  acesso?: ListaDeAcesso | undefined;
}

/** Sempre os mesmos 5 bytes: codificados uma vez. */
const PONG = codificar({ tipo: Tipo.PONG });
/**
 * A CONFIRMACAO de todas as sessões, renumerada a cada envio: `enviar` copia
 * os bytes, e um `ArrayBuffer` novo por confirmação custaria ~0,4 µs.
 */
const CONFIRMACAO = codificar({ tipo: Tipo.CONFIRMACAO, numero: 0 });
/** Conexões recusadas por lotação que ainda estão sendo avisadas, no máximo. */
const RECUSAS_SIMULTANEAS = 64;
/** Quanto esperar o par fechar depois de nosso último quadro. */
const ESPERA_FECHAMENTO_MS = 1000;
/** Pausa do laço de aceitação depois de um erro (ex.: EMFILE). */
const PAUSA_ACEITACAO_MS = 100;

const Estado = {
  SAUDACAO: 0,
  PROTOCOLO: 1,
  LEGADO: 2,
  /** Avisamos o fim (DESPEDIDA ou ERRO); só esperamos o par fechar. */
  FECHANDO: 3,
} as const;
type Estado = typeof Estado[keyof typeof Estado];

/** Contadores do resumo final. */
export interface Resumo {
  clientes: number;
  mensagens: number;
  rejeitadas: number;
}

/** Um servidor ligado a um endereço. Crie com `Servidor.ligar`. */
export class Servidor {
  readonly endereco: Deno.NetAddr;
  readonly #ouvinte: Deno.Listener;
  readonly #opcoes: OpcoesServidor;
  readonly #sessoes = new Set<Sessao>();
  readonly #resumo: Resumo = { clientes: 0, mensagens: 0, rejeitadas: 0 };
  readonly #penalidades = new Penalidades();
  /** Os limites de quadro que toda sessão aplica: um objeto só, congelado. */
  readonly #limites: Readonly<Limites>;
  /** O que toda sessão usa do servidor: um objeto só, não um por sessão. */
  readonly #doServidor: DoServidor;
  #recusando = 0;
  #encerrando = false;
  #varredura: ReturnType<typeof setInterval> | undefined;
  #aceitando: Promise<void> | undefined;
  #encerramento: Promise<Resumo> | undefined;

  private constructor(ouvinte: Deno.Listener, opcoes: OpcoesServidor) {
    this.#ouvinte = ouvinte;
    this.#opcoes = opcoes;
    this.endereco = ouvinte.addr as Deno.NetAddr;
    this.#limites = Object.freeze(limitesDoServidor(opcoes.tamanhoMaximo));
    this.#doServidor = {
      penalidades: this.#penalidades,
      limites: this.#limites,
      registrar: (evento) => this.#registrar(evento),
      contarMensagens: (n) => this.#resumo.mensagens += n,
      contarRejeicao: () => this.#resumo.rejeitadas++,
      terminou: (sessao) => this.#sessoes.delete(sessao),
      ola: codificar({
        tipo: Tipo.OLA_SERVIDOR,
        versao: VERSAO,
        tamanhoMaximo: opcoes.tamanhoMaximo,
        tempoOcioso: opcoes.tempoOcioso,
      }),
    };
  }

  /**
   * Liga o servidor ao endereço e à porta.
   *
   * @throws {Deno.errors.AddrInUse} e outros erros de `Deno.listen`
   */
  static ligar(opcoes: OpcoesServidor): Servidor {
    const endereco = { hostname: opcoes.host, port: opcoes.porta };
    const ouvinte = opcoes.tls
      ? Deno.listenTls({
        ...endereco,
        cert: opcoes.tls.cert,
        key: opcoes.tls.chave,
      })
      : Deno.listen(endereco);
    return new Servidor(ouvinte, opcoes);
  }

  get resumo(): Readonly<Resumo> {
    return this.#resumo;
  }

  /** Anuncia que está pronto e começa a aceitar; resolve quando parar de aceitar. */
  servir(): Promise<void> {
    this.#registrar({
      tipo: "pronto",
      instante: Date.now(),
      endereco: this.endereco.hostname,
      porta: this.endereco.port,
      tamanhoMaximo: this.#opcoes.tamanhoMaximo,
      maxConexoes: this.#opcoes.maxConexoes,
    });
    if (
      this.#opcoes.token !== undefined && !this.#opcoes.tls &&
      !eLoopback(this.endereco.hostname)
    ) {
      this.#registrar({
        tipo: "aviso",
        instante: Date.now(),
        texto:
          `token exigido sem TLS em ${this.endereco.hostname}: o token passa pela rede em claro; use --tls-cert e --tls-chave`,
      });
    }
    const intervalo = Math.max(
      50,
      Math.min(
        1000,
        this.#opcoes.prazo / 4,
        this.#opcoes.tempoOcioso / 4 || 1000,
      ),
    );
    this.#varredura = setInterval(() => this.#varrerPrazos(), intervalo);
    this.#aceitando = this.#aceitar();
    return this.#aceitando;
  }

  /**
   * Encerramento gracioso: para de aceitar, manda CODIGO_SAIDA a todos, ainda
   * confirma o que chegar durante a tolerância, fecha o resto e relata o resumo.
   */
  encerrar(sinal: string): Promise<Resumo> {
    this.#encerramento ??= this.#encerrar(sinal);
    return this.#encerramento;
  }

  async #encerrar(sinal: string): Promise<Resumo> {
    this.#encerrando = true;
    this.#registrar({
      tipo: "encerrando",
      instante: Date.now(),
      sinal,
      clientes: this.#sessoes.size,
    });
    this.#ouvinte.close();
    await this.#aceitando;
    const sessoes = [...this.#sessoes];
    for (const sessao of sessoes) sessao.avisarEncerramento();
    const fim = Promise.all(sessoes.map((s) => s.terminada));
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const tolerancia = new Promise<void>((resolve) => {
      prazo = setTimeout(resolve, this.#opcoes.graca);
    });
    await Promise.race([fim, tolerancia]);
    clearTimeout(prazo);
    for (const sessao of this.#sessoes) sessao.fechar();
    await fim;
    clearInterval(this.#varredura);
    this.#registrar({ tipo: "resumo", instante: Date.now(), ...this.#resumo });
    return this.#resumo;
  }

  async #aceitar(): Promise<void> {
    while (!this.#encerrando) {
      let conn: Deno.Conn;
      try {
        conn = await this.#ouvinte.accept();
      } catch (erro) {
        if (this.#encerrando) return;
        // EMFILE e afins: relata e tenta de novo, sem derrubar o servidor.
        this.#registrar({
          tipo: "erro",
          instante: Date.now(),
          texto: `falha ao aceitar conexão: ${(erro as Error).message}`,
        });
        await new Promise((resolve) => setTimeout(resolve, PAUSA_ACEITACAO_MS));
        continue;
      }
      this.#receber(conn);
    }
  }

  #receber(conn: Deno.Conn) {
    const remoto = conn.remoteAddr as Deno.NetAddr;
    const par: Par = { endereco: remoto.hostname, porta: remoto.port };
    const conexao = new Conexao(conn, {
      limiteFila: this.#opcoes.limiteFila,
    });
    const recusa = this.#opcoes.acesso?.recusar(par.endereco);
    if (recusa !== undefined) {
      // Fora da lista: fecha antes da saudação, sem explicar a quem não devia entrar.
      this.#resumo.rejeitadas++;
      this.#registrar({
        tipo: "rejeitado",
        instante: Date.now(),
        par,
        codigo: CodigoErro.NAO_AUTORIZADO,
        motivo: recusa,
      });
      conexao.fechar();
      return;
    }
    if (this.#sessoes.size >= this.#opcoes.maxConexoes) {
      this.#recusarPorLotacao(conexao, par);
      return;
    }
    this.#resumo.clientes++;
    this.#registrar({ tipo: "conectou", instante: Date.now(), par });
    const sessao = new Sessao(conexao, par, this.#opcoes, this.#doServidor);
    this.#sessoes.add(sessao);
  }

  #recusarPorLotacao(conexao: Conexao, par: Par) {
    this.#resumo.rejeitadas++;
    const motivo =
      `servidor cheio: ${this.#opcoes.maxConexoes} conexões é o máximo`;
    this.#registrar({
      tipo: "rejeitado",
      instante: Date.now(),
      par,
      codigo: CodigoErro.SERVIDOR_CHEIO,
      motivo,
    });
    if (this.#recusando >= RECUSAS_SIMULTANEAS) {
      conexao.fechar(); // uma enxurrada não ganha nem a explicação
      return;
    }
    this.#recusando++;
    conexao.enviar(
      codificar({
        tipo: Tipo.ERRO,
        codigo: CodigoErro.SERVIDOR_CHEIO,
        texto: motivo,
      }),
    );
    conexao.encerrarComCortesia().finally(() => this.#recusando--);
  }

  #varrerPrazos() {
    const agora = Date.now();
    for (const sessao of this.#sessoes) sessao.verificarPrazos(agora);
  }

  #registrar(evento: EventoServidor) {
    this.#opcoes.registro.registrar(evento);
  }
}

/** Endereços que não saem desta máquina. */
function eLoopback(endereco: string): boolean {
  return endereco.startsWith("127.") || endereco === "::1" ||
    endereco === "localhost";
}

/**
 * O que o servidor dá a cada sessão: o que é de todas (limites, penalidades,
 * a saudação já codificada) e por onde ela relata eventos e contagens. Um só
 * objeto para todas as sessões: uma conexão ociosa não paga por ele.
 */
interface DoServidor {
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
class Sessao {
  readonly terminada: Promise<void>;
  readonly #conexao: Conexao;
  readonly #par: Par;
  readonly #opcoes: OpcoesServidor;
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
  #agora = 0;
  #prazoFechamento: ReturnType<typeof setTimeout> | undefined;

  constructor(
    conexao: Conexao,
    par: Par,
    opcoes: OpcoesServidor,
    doServidor: DoServidor,
  ) {
    this.#conexao = conexao;
    this.#par = par;
    this.#opcoes = opcoes;
    this.#doServidor = doServidor;
    // Mensagens lidas no lugar: o registro as consome antes da próxima leitura.
    this.#decodificador = new Decodificador({
      limites: doServidor.limites,
      saudacao: Tipo.OLA_CLIENTE,
      noLugar: true,
    });
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
      const incompleto = this.#legado?.incompleto ??
        this.#decodificador.incompleto;
      if (!incompleto) this.#inicioQuadro = 0;
      else if (this.#inicioQuadro === 0) this.#inicioQuadro = this.#agora;
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
    legado.decodificar(pedaco, (mensagem) => this.#aoMensagem(mensagem, true));
    if (legado.terminou && this.#estado !== Estado.FECHANDO) {
      this.#despedida = "saiu";
      this.#estado = Estado.FECHANDO;
      this.#fecharDepois(); // o original fecha logo depois de CODIGO_SAIDA
    }
  }

  // Método, chamado pelo decodificador com `this`: nem fecho por pedaço no
  // caminho quente, nem um fecho guardado por sessão.
  #aoQuadro(quadro: Quadro): void {
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

  verificarPrazos(agora: number): void {
    if (this.#estado === Estado.FECHANDO) return;
    const { prazo, tempoOcioso } = this.#opcoes;
    const segundos = (ms: number) => `${ms / 1000} s`;
    if (this.#estado === Estado.SAUDACAO && agora - this.#inicio > prazo) {
      this.rejeitar(
        CodigoErro.PRAZO_ESGOTADO,
        `nenhuma saudação em ${segundos(prazo)}`,
      );
    } else if (this.#inicioQuadro !== 0 && agora - this.#inicioQuadro > prazo) {
      this.rejeitar(
        CodigoErro.PRAZO_ESGOTADO,
        `quadro incompleto por mais de ${segundos(prazo)}`,
      );
    } else if (tempoOcioso > 0 && agora - this.#ultimaAtividade > tempoOcioso) {
      this.rejeitar(
        CodigoErro.OCIOSO,
        `nada recebido em ${segundos(tempoOcioso)} (tempo ocioso)`,
      );
    }
  }

  /** Fecha já (fim da tolerância do encerramento). */
  fechar(): void {
    this.#despedida ??= "servidor";
    this.#conexao.fechar();
  }
}
