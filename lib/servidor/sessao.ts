/**
 * A sessão de um cliente no servidor, do primeiro byte ao fechamento: decide
 * pelo primeiro byte se o par fala o protocolo ou é o cliente original em
 * Python, confere saudação, versão e token, confirma as mensagens em lote (uma
 * confirmação por leitura, e só depois que as linhas delas foram gravadas na
 * saída), retoma a sessão de um cliente que reconecta (versão 2), recusa quem
 * sai da regra e encerra com cortesia.
 * Quem aceita, conta e encerra todas é `Servidor` (servidor.ts); os prazos
 * vêm de prazos.ts. Relata tudo como eventos; não imprime nada.
 *
 * @module
 */

import { motivoDeLeitura } from "./motivos.ts";
import { tokensIguais } from "./acesso.ts";
import type { Tentativas } from "./tentativas.ts";
import { type Conexao, FilaCheia, type Leitor } from "../conexao.ts";
import { CodigoErro, ErroDeProtocolo } from "../erros.ts";
import type {
  EventoServidor,
  Par,
  Passagem,
  PassagemLegada,
  Registro,
} from "./eventos.ts";
import type { Lembrada, MemoriaDeSessoes } from "./memoria.ts";
import { sortearSessao } from "../sorteio.ts";
import { inicioDoQuadro, prazoVencido } from "./prazos.ts";
import { DecodificadorLegado, pareceLegado } from "../protocolo/legado.ts";
import { codificar, renumerarConfirmacao } from "../protocolo/codificador.ts";
import { Decodificador } from "../protocolo/decodificador.ts";
import {
  type Limites,
  type Mensagem,
  type Quadro,
  Tipo,
  VERSAO,
  VERSAO_1,
} from "../protocolo/quadros.ts";
import { MensagemNoLugar } from "../protocolo/mensagem_no_lugar.ts";

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
/** Atraso da resposta a um token errado: nada a ganhar martelando. */
const ATRASO_FALHA_MS = 100;
/**
 * Leituras menores que isto (uma sessão curta, uma mensagem por vez) vão pelo
 * caminho comum: preparar a passagem custa uns µs por leitura, mais que
 * levar umas poucas mensagens uma a uma.
 */
const PASSAGEM_MINIMA = 4096;
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
  /** O limite de tentativas de token (tentativas.ts). */
  tentativas: Tentativas;
  /** Os limites de quadro de `limitesDoServidor`, compartilhados. */
  limites: Readonly<Limites>;
  registrar(evento: EventoServidor): void;
  contarMensagens(n: number): void;
  contarRejeicao(): void;
  /** A sessão acabou: chamado sempre, antes de `terminada` resolver. */
  terminou(sessao: Sessao): void;
  /** A resposta OLA_SERVIDOR da versão 1, a mesma para todos. */
  ola: Uint8Array;
  /** O que se lembra das sessões da versão 2 (a retomada). */
  memoria: MemoriaDeSessoes;
  /** A resposta OLA_SERVIDOR da versão 2 com este último número (vale até o próximo uso: `enviar` copia). */
  olaV2(ultimoGravado: number): Uint8Array;
}

/** Um cliente conectado, do primeiro byte ao fechamento. */
export class Sessao implements Leitor {
  readonly #conexao: Conexao;
  readonly #par: Par;
  readonly #opcoes: OpcoesSessao;
  readonly #doServidor: DoServidor;
  #estado: Estado = Estado.SAUDACAO;
  #decodificador: Decodificador;
  #legado: DecodificadorLegado | undefined;
  #mensagens = 0;
  #ultimoNumero = 0;
  /** Maior número já pedido à saída para confirmar quando gravado. */
  #ultimoPedido = 0;
  /** Maior número gravado e confirmado nesta conexão. */
  #ultimoGravado = 0;
  #confirmar = false;
  /** A sessão do cliente (32 dígitos hex); sorteada se ele não mandou. */
  #sessao = "";
  /** Na versão 2: o que o servidor lembra desta sessão entre conexões. */
  #lembrada: Lembrada | undefined;
  /** Resolve uma espera por espaço na saída quando a sessão é fechada. */
  #interromperEspera: (() => void) | undefined;
  #despedida: "saiu" | "rejeitado" | "servidor" | undefined;
  readonly #inicio = Date.now();
  #ultimaAtividade = this.#inicio;
  /** Quando começou o quadro que ainda está incompleto; 0 = nenhum. */
  #inicioQuadro = 0;
  /** Quadros (ou blocos do original) completos até aqui: o prazo de cada um. */
  #quadros = 0;
  #agora = 0;
  #prazoFechamento: ReturnType<typeof setTimeout> | undefined;
  /**
   * Com token: a conexão conta entre as pendentes da sua origem
   * (`Tentativas.entrou`, pelo servidor) até a saudação ser aceita ou ela
   * fechar.
   */
  #pendente: boolean;
  /**
   * `terminada`, criada só se alguém a pede (o encerramento do servidor): uma
   * conexão ociosa não paga por uma promessa; `true` depois do fim.
   */
  #fim: PromiseWithResolvers<void> | true | undefined;

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
    this.#pendente = opcoes.token !== undefined;
    // Mensagens lidas no lugar: o registro as consome antes da próxima leitura.
    this.#decodificador = new Decodificador({
      mensagens: MensagemNoLugar,
      limites: doServidor.limites,
      saudacao: Tipo.OLA_CLIENTE,
      noLugar: true,
    });
    this.#conexao.lerPara(this);
  }

  /** Resolve quando a sessão acabou (conexão fechada, fim relatado). */
  get terminada(): Promise<void> {
    if (this.#fim === true) return Promise.resolve();
    this.#fim ??= Promise.withResolvers();
    return this.#fim.promise;
  }

  // A sessão lê por `lerPara` (um pedaço de cada vez, entregue a `lido`), não
  // num laço `async`: uma função suspensa e as promessas do `await` eram
  // ~0,4 KiB de cada conexão ociosa.

  /** Um pedaço lido (chamado pela `Conexao`); `null` = o par fechou. */
  lido(pedaco: Uint8Array | null): void {
    if (pedaco === null) return this.#terminar("conexão fechada pelo cliente");
    try {
      if (this.#estado !== Estado.FECHANDO) { // senão descarta até o par fechar
        this.#agora = Date.now();
        this.#ultimaAtividade = this.#agora;
        this.#processar(pedaco);
        const espera = this.#opcoes.registro.pronta();
        if (espera) return this.#esperar(espera); // saída cheia: para de ler
      }
    } catch (erro) {
      return this.#terminar(motivoDeLeitura(erro));
    }
    this.#conexao.lerPara(this);
  }

  /** A leitura falhou (chamado pela `Conexao`). */
  falhou(erro: unknown): void {
    this.#terminar(motivoDeLeitura(erro));
  }

  /** Fecha, solta o que a sessão prendia, relata o fim e avisa o servidor. */
  #terminar(motivoFim: string): void {
    try {
      clearTimeout(this.#prazoFechamento);
      this.#conexao.fechar();
      this.#soltarPendente();
      if (this.#lembrada) {
        this.#doServidor.memoria.soltar(this.#lembrada, this, Date.now());
      }
      try {
        this.#relatarFim(motivoFim);
      } finally {
        this.#doServidor.terminou(this);
      }
    } catch (erro) {
      // Quem espera o fim fica sabendo; sem ninguém esperando, o erro sobe.
      if (this.#fim === undefined || this.#fim === true) throw erro;
      this.#fim.reject(erro);
      this.#fim = true;
      return;
    }
    const fim = this.#fim;
    this.#fim = true;
    if (fim !== undefined && fim !== true) fim.resolve();
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
          // Blocos lidos no lugar, como as mensagens do protocolo.
          this.#legado = new DecodificadorLegado(this.#opcoes.tamanhoMaximo, {
            noLugar: true,
          });
        }
      }
      if (this.#legado) this.#processarLegado(this.#legado, pedaco);
      else this.#decodificarQuadros(pedaco);
      if (this.#confirmar) this.#pedirConfirmacao();
      this.#inicioQuadro = inicioDoQuadro(
        this.#inicioQuadro,
        this.#agora,
        this.#legado?.incompleto ?? this.#decodificador.incompleto,
        this.#quadros !== quadrosAntes,
      );
    } catch (erro) {
      if (this.#confirmar) this.#pedirConfirmacao();
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

  /**
   * Os quadros da leitura: os MENSAGEM comuns pela passagem do registro, se
   * ele tem uma (lib/saida/passagem.ts); o resto — a saudação, outros tipos,
   * o que atravessa leituras, o que ela não sabe levar — pelo
   * `Decodificador`, um quadro por vez, e a passagem retoma depois dele.
   */
  #decodificarQuadros(pedaco: Uint8Array) {
    const passagem = pedaco.length >= PASSAGEM_MINIMA
      ? this.#opcoes.registro.passagem
      : undefined;
    if (passagem === undefined) {
      this.#decodificador.decodificar(pedaco, this.#aoQuadro, this);
      return;
    }
    let pos = 0;
    try {
      // Cada volta consome ao menos um byte (`decodificarUm`).
      while (pos < pedaco.length) {
        if (
          this.#estado === Estado.PROTOCOLO && !this.#decodificador.incompleto
        ) {
          pos = this.#passar(passagem, pedaco, pos);
          if (pos === pedaco.length) return;
        }
        pos = this.#decodificador.decodificarUm(
          pedaco,
          pos,
          this.#aoQuadro,
          this,
        );
      }
    } finally {
      this.#decodificador.largarSobra();
    }
  }

  /** Os MENSAGEM seguidos a partir de `inicio` pela passagem; devolve onde ela parou. */
  #passar(passagem: Passagem, pedaco: Uint8Array, inicio: number): number {
    if (this.#sessao === "") this.#sessao = sortearSessao(); // versão 1
    const parou = passagem.passar(pedaco, inicio, {
      par: this.#par,
      sessao: this.#sessao,
      instante: this.#agora,
      ultimoNumero: this.#ultimoNumero,
      limite: this.#doServidor.limites[Tipo.MENSAGEM] ?? 0,
    });
    const n = passagem.mensagens;
    if (n > 0) {
      this.#quadros += n;
      this.#mensagens += n;
      this.#ultimoNumero = passagem.ultimoNumero;
      this.#confirmar = true;
      this.#doServidor.contarMensagens(n);
    }
    return parou;
  }

  /**
   * Os blocos do cliente original, como `#decodificarQuadros`: os comuns
   * pela passagem do registro, se ele tem uma; o resto — o primeiro título,
   * outro segundo, o que precisa de escape, o que atravessa leituras,
   * CODIGO_SAIDA, os erros — pelo `DecodificadorLegado`, um bloco por vez.
   */
  #processarLegado(legado: DecodificadorLegado, pedaco: Uint8Array) {
    const passagem = pedaco.length >= PASSAGEM_MINIMA
      ? this.#opcoes.registro.passagemLegada
      : undefined;
    if (passagem === undefined) legado.decodificar(pedaco, this.#aoBloco, this);
    else {
      let pos = 0;
      // Cada volta consome ao menos um byte (`decodificarUm`).
      while (pos < pedaco.length && !legado.terminou) {
        if (!legado.incompleto) {
          pos = this.#passarLegado(passagem, legado, pedaco, pos);
          if (pos === pedaco.length) break;
        }
        pos = legado.decodificarUm(pedaco, pos, this.#aoBloco, this);
      }
    }
    if (legado.terminou && this.#estado !== Estado.FECHANDO) {
      this.#despedida = "saiu";
      this.#estado = Estado.FECHANDO;
      this.#fecharDepois(); // o original fecha logo depois de CODIGO_SAIDA
    }
  }

  /** Os blocos seguidos a partir de `inicio` pela passagem; devolve onde ela parou. */
  #passarLegado(
    passagem: PassagemLegada,
    legado: DecodificadorLegado,
    pedaco: Uint8Array,
    inicio: number,
  ): number {
    if (this.#sessao === "") this.#sessao = sortearSessao();
    const parou = passagem.passar(pedaco, inicio, {
      par: this.#par,
      sessao: this.#sessao,
      instante: this.#agora,
      tamanhoMaximo: this.#opcoes.tamanhoMaximo,
      fimDoTitulo: legado.fimDoTitulo,
      instanteDoTitulo: legado.instanteDoTitulo,
    });
    const n = passagem.mensagens;
    if (n > 0) {
      this.#quadros += n;
      this.#mensagens += n;
      this.#doServidor.contarMensagens(n);
    }
    return parou;
  }

  /** Um bloco do cliente original (método, como `#aoQuadro`). */
  #aoBloco(mensagem: Mensagem): void {
    this.#quadros++;
    this.#aoMensagem(mensagem, true);
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
        this.#aoMensagem(quadro.mensagem, false);
        return;
      case Tipo.OLA_CLIENTE:
        return this.#aoSaudacao(quadro.versao, quadro.token, quadro.sessao);
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

  #aoSaudacao(versao: number, token: string, sessao: string | undefined) {
    if (this.#estado !== Estado.SAUDACAO) {
      throw new ErroDeProtocolo(CodigoErro.FORA_DE_ORDEM, "saudação repetida");
    }
    if (versao !== VERSAO && versao !== VERSAO_1) {
      throw new ErroDeProtocolo(
        CodigoErro.VERSAO_INCOMPATIVEL,
        `versão ${versao} do protocolo não suportada; este servidor fala as versões ${VERSAO_1} e ${VERSAO}`,
      );
    }
    const exigido = this.#opcoes.token;
    if (exigido !== undefined && !this.#conferirToken(token, exigido)) return;
    this.#soltarPendente();
    this.#estado = Estado.PROTOCOLO;
    if (sessao === undefined) {
      this.#conexao.enviar(this.#doServidor.ola);
      return;
    }
    this.#retomar(sessao);
  }

  /**
   * Versão 2: a sessão do cliente passa a ser desta conexão. Uma conexão
   * velha da mesma sessão (o cliente reconectou antes de o servidor notar a
   * queda) é fechada; a resposta espera as linhas já recebidas da sessão
   * chegarem à saída, para dizer com certeza o último número gravado.
   */
  #retomar(sessao: string) {
    this.#sessao = sessao;
    const { lembrada, nova, anterior } = this.#doServidor.memoria.assumir(
      sessao,
      this,
    );
    this.#lembrada = lembrada;
    if (anterior instanceof Sessao) anterior.substituir();
    if (nova) return this.#responderRetomada();
    this.#depoisDeGravar(() => this.#responderRetomada());
  }

  #responderRetomada() {
    if (this.#conexao.fechada || this.#estado !== Estado.PROTOCOLO) return;
    const ultimo = this.#lembrada!.ultimoGravado;
    this.#ultimoNumero = Math.max(this.#ultimoNumero, ultimo);
    this.#ultimoPedido = this.#ultimoGravado = this.#ultimoNumero;
    this.#conexao.enviar(this.#doServidor.olaV2(ultimo));
  }

  /** O cliente reconectou por outra conexão: esta sai sem mais nada. */
  substituir(): void {
    if (this.#estado === Estado.FECHANDO) return;
    this.#estado = Estado.FECHANDO;
    this.#despedida = "rejeitado";
    this.#doServidor.registrar({
      tipo: "desconectou",
      instante: Date.now(),
      par: this.#par,
      mensagens: this.#mensagens,
      motivo: "o cliente reconectou por outra conexão (mesma sessão)",
    });
    this.fechar();
  }

  /**
   * Confere o token, se a origem ainda tem saldo de tentativas (tentativas.ts);
   * sem saldo, recusa sem conferir — certo ou errado —, senão adivinhar em
   * paralelo correria na velocidade da rede. `true` = certo.
   */
  #conferirToken(token: string, exigido: string): boolean {
    const tentativas = this.#doServidor.tentativas;
    const endereco = this.#par.endereco;
    const espera = tentativas.consultar(endereco, this.#agora);
    if (espera > 0) {
      const motivo = `tentativas demais de ${
        tentativas.origem(endereco)
      }; tente de novo em ${Math.ceil(espera / 1000)} s`;
      this.#recusarToken(motivo, 0, motivo);
      return false;
    }
    if (tokensIguais(token, exigido)) {
      tentativas.acertou(endereco);
      return true;
    }
    tentativas.falhou(endereco, this.#agora);
    this.#recusarToken(
      token === "" ? "token ausente" : "token errado",
      ATRASO_FALHA_MS,
    );
    return false;
  }

  /** A conexão deixa de contar entre as pendentes da sua origem. */
  #soltarPendente() {
    if (!this.#pendente) return;
    this.#pendente = false;
    this.#doServidor.tentativas.saiu(this.#par.endereco);
  }

  /**
   * Token recusado: relata já e responde depois de `atraso` ms ("não
   * autorizado", e o motivo só se `explicar`). A conexão
   * continua pendente até fechar: uma origem não acumula mais que
   * `--max-pendentes` delas.
   */
  #recusarToken(motivo: string, atraso: number, explicar?: string) {
    this.#estado = Estado.FECHANDO;
    this.#despedida = "rejeitado";
    this.#doServidor.contarRejeicao();
    const texto = `não autorizado: ${motivo}`;
    this.#doServidor.registrar({
      tipo: "rejeitado",
      instante: this.#agora,
      par: this.#par,
      codigo: CodigoErro.NAO_AUTORIZADO,
      motivo: texto,
    });
    this.#prazoFechamento = setTimeout(() => {
      this.#conexao.enviar(codificar({
        tipo: Tipo.ERRO,
        codigo: CodigoErro.NAO_AUTORIZADO,
        // Ao par, só o que ele pode usar: nem "ausente" nem "errado".
        texto: explicar ? texto : "não autorizado",
      }));
      this.#fecharDepois();
    }, atraso);
  }

  #aoMensagem(mensagem: Mensagem, legado: boolean) {
    this.#mensagens++;
    if (this.#sessao === "") this.#sessao = sortearSessao(); // versão 1, original
    this.#doServidor.contarMensagens(1);
    this.#doServidor.registrar({
      tipo: "mensagem",
      instante: this.#agora,
      par: this.#par,
      mensagem,
      sessao: this.#sessao,
      legado,
    });
  }

  #aoDespedida() {
    if (this.#confirmar) this.#pedirConfirmacao();
    const servidorPediu = this.#despedida === "servidor";
    this.#despedida = "saiu";
    this.#estado = Estado.FECHANDO;
    // As confirmações do que já chegou saem antes da resposta: ela espera a
    // gravação. Se fomos nós que avisamos o encerramento, o DESPEDIDA do
    // cliente já é a resposta.
    this.#depoisDeGravar(() => {
      if (!servidorPediu) {
        this.#conexao.enviar(codificar({ tipo: Tipo.DESPEDIDA }));
      }
      this.#fecharDepois();
    });
  }

  /**
   * Pede à saída a confirmação das mensagens até `#ultimoNumero`, para quando
   * as linhas delas estiverem gravadas (`gravado`). Uma vez por leitura.
   */
  #pedirConfirmacao() {
    this.#confirmar = false;
    this.#ultimoPedido = this.#ultimoNumero;
    this.#opcoes.registro.aoGravar(this, this.#ultimoNumero);
  }

  /**
   * As linhas até a mensagem `numero` estão gravadas: agora, e só agora, ela
   * é confirmada (e lembrada, na versão 2).
   */
  gravado(numero: number): void {
    if (numero <= this.#ultimoGravado) return;
    this.#ultimoGravado = numero;
    const lembrada = this.#lembrada;
    if (lembrada && numero > lembrada.ultimoGravado) {
      lembrada.ultimoGravado = numero;
    }
    if (this.#conexao.fechada) return;
    renumerarConfirmacao(CONFIRMACAO, numero);
    try {
      this.#conexao.enviar(CONFIRMACAO);
    } catch (erro) {
      if (!(erro instanceof FilaCheia)) throw erro;
      this.rejeitar(
        CodigoErro.FILA_CHEIA,
        "o cliente não lê as confirmações",
        false,
      );
    }
  }

  /**
   * Faz `acao` depois que tudo o que já foi para a saída estiver gravado (na
   * ordem das confirmações); na hora, se a saída já falhou.
   */
  #depoisDeGravar(acao: () => void) {
    if (!this.#opcoes.registro.aoGravar({ gravado: acao }, 0)) acao();
  }

  /**
   * Espera espaço na saída, ou a sessão ser fechada (o que vier antes), e
   * volta a ler.
   */
  #esperar(espera: Promise<void>): void {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#interromperEspera = resolve;
    void Promise.race([espera, promise]).then(() => {
      this.#interromperEspera = undefined;
      this.#conexao.lerPara(this);
    }, (erro) => this.#terminar(motivoDeLeitura(erro)));
  }

  /** Mensagens recebidas nesta conexão cujas linhas ainda não foram gravadas. */
  get naoGravadas(): boolean {
    return this.#ultimoPedido > this.#ultimoGravado;
  }

  /** Fecha nosso lado de escrita e dá ao par um instante para ler e fechar. */
  #fecharDepois() {
    this.#prazoFechamento = setTimeout(() => {
      this.#conexao.fechar();
      // Parada à espera de espaço na saída, a sessão terminaria só quando ela
      // andasse: a conexão já fechou, a vaga volta agora.
      this.#interromperEspera?.();
    }, ESPERA_FECHAMENTO_MS);
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
    // O cliente original não lê nada; aos demais, o motivo vai num quadro
    // ERRO, depois das confirmações do que já estava a caminho da saída.
    let explicada = false;
    const explicarEFechar = (texto: string) => {
      if (explicada) return;
      explicada = true;
      clearTimeout(this.#prazoFechamento);
      if (!eraLegado) {
        this.#conexao.enviar(codificar({ tipo: Tipo.ERRO, codigo, texto }));
      }
      this.#fecharDepois();
    };
    if (!this.naoGravadas) return explicarEFechar(motivo);
    this.#depoisDeGravar(() => explicarEFechar(motivo));
    // Com a saída parada, a explicação não espera mais que o prazo: vai sem
    // as confirmações, dizendo quais mensagens não foram gravadas.
    this.#prazoFechamento = setTimeout(
      () => explicarEFechar(`${motivo}; ${this.#textoNaoGravadas()}`),
      this.#opcoes.prazo,
    );
  }

  /** "a mensagem #3 não foi gravada" ou "as mensagens #3 a #9 não foram gravadas". */
  #textoNaoGravadas(): string {
    const [de, ate] = [this.#ultimoGravado + 1, this.#ultimoPedido];
    return de === ate
      ? `a mensagem #${de} não foi gravada (a saída do servidor parou)`
      : `as mensagens #${de} a #${ate} não foram gravadas (a saída do servidor parou)`;
  }

  /**
   * A saída do servidor falhou: nada mais será gravado nem confirmado. Quem
   * fala o protocolo é avisado num ERRO (o que não foi confirmado não foi
   * gravado); a conexão fecha.
   */
  abortarPorSaida(): void {
    if (this.#estado === Estado.FECHANDO) return this.fechar();
    this.rejeitar(
      CodigoErro.GRAVACAO_FALHOU,
      "o servidor não consegue mais gravar as mensagens (a saída dele falhou); as não confirmadas não foram gravadas",
    );
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

  /**
   * Fecha já (fim da tolerância do encerramento). Quem ainda esperava
   * confirmação de mensagens que a saída não gravou fica sabendo quais.
   */
  fechar(): void {
    this.#despedida ??= "servidor";
    if (this.naoGravadas && !this.#conexao.fechada) {
      this.#conexao.enviar(codificar({
        tipo: Tipo.ERRO,
        codigo: CodigoErro.GRAVACAO_FALHOU,
        texto: `mensagens #${
          this.#ultimoGravado + 1
        } a #${this.#ultimoPedido} não foram gravadas: a saída do servidor parou`,
      }));
      this.#conexao.esvaziar().finally(() => this.#conexao.fechar());
      clearTimeout(this.#prazoFechamento);
      this.#prazoFechamento = setTimeout(() => this.#conexao.fechar(), 200);
    } else this.#conexao.fechar();
    this.#interromperEspera?.();
  }
}
