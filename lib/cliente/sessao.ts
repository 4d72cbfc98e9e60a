/**
 * A sessão do cliente com o protocolo: troca saudações, envia mensagens
 * (várias a caminho ao mesmo tempo, se quiser) e só as dá por entregues quando
 * a confirmação chega; mantém a conexão viva com PING enquanto espera. Quem
 * abre a conexão é conectar.ts; quem traduz cada fim numa frase e num código
 * de retorno é falhas.ts. Não imprime nada.
 *
 * @module
 */

import { Conexao } from "../conexao.ts";
import { CodigoErro, ErroDeProtocolo } from "../erros.ts";
import { RetornoCliente } from "../retornos.ts";
import {
  abrirConexao,
  LIMITE_FILA_ENVIO,
  type OpcoesCliente,
} from "./conectar.ts";
import {
  falhaAoLer,
  FalhaDoCliente,
  falhaDoServidor,
  falhaNoFim,
  naoEntregue,
} from "./falhas.ts";
import { novaMensagem } from "../datas.ts";
import {
  codificar,
  codificarMensagemEm,
  espacoParaMensagem,
} from "../protocolo/codificador.ts";
import { Decodificador } from "../protocolo/decodificador.ts";
import {
  excessoDaMensagem,
  limitesDoCliente,
  type Mensagem,
  type Quadro,
  TAMANHO_SESSAO,
  Tipo,
  TOKEN_MAXIMO,
  VERSAO,
  VERSAO_1,
} from "../protocolo/quadros.ts";
import { bytesUtf8 } from "../protocolo/utf8.ts";
import { sortearSessao } from "../sorteio.ts";
import { type Agendamento, agendar, repetir } from "../temporizador.ts";
import { comPorta } from "../saida/endereco.ts";

/** Sempre os mesmos 5 bytes: codificados uma vez. */
const PONG = codificar({ tipo: Tipo.PONG });

interface Pendente {
  numero: number;
  resolver(): void;
  rejeitar(falha: FalhaDoCliente): void;
}

/** Uma sessão com o servidor. Crie com `Cliente.conectar`. */
export class Cliente {
  /** O servidor confirma cada mensagem. */
  readonly confirma = true;
  /** Máximo de bytes de assunto + texto anunciado pelo servidor. */
  readonly tamanhoMaximo: number;
  /**
   * A sessão (versão 2), ou `undefined` se o servidor só fala a versão 1:
   * então não há retomada, e um reenvio pode duplicar.
   */
  readonly sessao: string | undefined;
  /** Versão 2: o maior número desta sessão que o servidor já gravou. */
  readonly ultimoGravado: number;
  /** Resolve quando a conexão acaba: `null` se foi por `sair()`, senão a falha. */
  readonly fim: Promise<FalhaDoCliente | null>;
  readonly #conexao: Conexao;
  readonly #decodificador: Decodificador;
  readonly #opcoes: OpcoesCliente;
  readonly #pendentes: Pendente[] = [];
  #numero = 0;
  #saindo = false;
  #servidorEncerrou = false;
  #falha: FalhaDoCliente | null = null;
  #ultimoEnvio = Date.now();
  #pingDesde = 0;
  #vigia: Agendamento | undefined;
  /** Onde cada MENSAGEM é codificada antes de `enviar` copiá-la: sem alocar. */
  #rascunho = new Uint8Array(0);
  /** O último pedaço lido confirmou alguma mensagem. */
  #confirmou = false;

  private constructor(
    conexao: Conexao,
    decodificador: Decodificador,
    opcoes: OpcoesCliente,
    ola: Extract<Quadro, { tipo: typeof Tipo.OLA_SERVIDOR }>,
    resto: Quadro[],
    sessao: string | undefined,
  ) {
    this.#conexao = conexao;
    this.#decodificador = decodificador;
    this.#opcoes = opcoes;
    this.tamanhoMaximo = ola.tamanhoMaximo;
    this.sessao = sessao;
    this.ultimoGravado = ola.ultimoGravado ?? 0;
    this.#numero = this.ultimoGravado;
    if (ola.tempoOcioso > 0) this.#vigiar(ola.tempoOcioso);
    for (const quadro of resto) this.#aoQuadro(quadro);
    this.fim = this.#ler();
  }

  /**
   * Conecta e troca saudações dentro de `tempoLimite`, na versão 2 com a
   * `sessao` dada (ou uma nova). Um servidor antigo recusa a versão 2 com o
   * erro 2: então a conexão é refeita na versão 1, sem sessão.
   *
   * @throws {FalhaDoCliente} recusada, host desconhecido, sem resposta, etc.
   */
  static async conectar(
    opcoes: OpcoesCliente,
    sessao: string = sortearSessao(),
  ): Promise<Cliente> {
    try {
      return await Cliente.#conectar(opcoes, sessao);
    } catch (erro) {
      if (!(erro instanceof FalhaDoCliente) || !recusouAVersao2(erro, opcoes)) {
        throw erro;
      }
      return await Cliente.#conectar(opcoes, undefined);
    }
  }

  static async #conectar(
    opcoes: OpcoesCliente,
    sessao: string | undefined,
  ): Promise<Cliente> {
    const { host, porta, tempoLimite } = opcoes;
    const conn = await abrirConexao(opcoes);
    const conexao = new Conexao(conn, { limiteFila: LIMITE_FILA_ENVIO });
    const decodificador = new Decodificador({ limites: limitesDoCliente() });
    conexao.enviar(codificar({
      tipo: Tipo.OLA_CLIENTE,
      versao: sessao === undefined ? VERSAO_1 : VERSAO,
      token: opcoes.token ?? "",
      sessao,
    }));
    const prazo = agendar(tempoLimite, () => conexao.fechar());
    try {
      const [ola, resto] = await lerSaudacao(
        conexao,
        decodificador,
        opcoes,
        sessao === undefined ? VERSAO_1 : VERSAO,
      );
      return new Cliente(conexao, decodificador, opcoes, ola, resto, sessao);
    } catch (erro) {
      conexao.fechar();
      if (erro instanceof FalhaDoCliente) throw erro;
      throw new FalhaDoCliente(
        RetornoCliente.CONEXAO_PERDIDA,
        `falha na saudação com ${comPorta(host, porta)}: ${
          (erro as Error).message
        }`,
        { cause: erro },
      );
    } finally {
      prazo.cancelar();
    }
  }

  /** Número que a próxima mensagem vai receber. */
  get proximoNumero(): number {
    return this.#numero + 1;
  }

  /** Bytes que a mensagem passa do limite do servidor ou do assunto (0 se cabe). */
  excesso(assunto: string, texto: string): number {
    return excessoDaMensagem(assunto, texto, this.tamanhoMaximo);
  }

  /**
   * Envia uma mensagem; resolve quando o servidor confirma tê-la recebido.
   *
   * @throws {RangeError} se passa do limite (confira antes com `excesso`)
   * @throws {FalhaDoCliente} se a conexão acaba antes da confirmação
   */
  enviar(mensagem: Mensagem): Promise<void> {
    const excesso = this.excesso(mensagem.assunto, mensagem.texto);
    if (excesso > 0) {
      return Promise.reject(
        new RangeError(`mensagem excede o limite em ${excesso} bytes`),
      );
    }
    if (this.#falha || this.#saindo || this.#servidorEncerrou) {
      return Promise.reject(
        this.#falha ?? naoEntregue(mensagem.numero, "a sessão está terminando"),
      );
    }
    this.#numero = mensagem.numero;
    const entregue = new Promise<void>((resolver, rejeitar) => {
      this.#pendentes.push({ numero: mensagem.numero, resolver, rejeitar });
    });
    this.#conexao.enviar(this.#codificar(mensagem));
    this.#ultimoEnvio = Date.now();
    return entregue;
  }

  /** O quadro da mensagem, no rascunho (vale até o próximo envio). */
  #codificar(mensagem: Mensagem): Uint8Array {
    const espaco = espacoParaMensagem(mensagem.assunto, mensagem.texto);
    if (espaco > this.#rascunho.length) {
      this.#rascunho = new Uint8Array(
        Math.max(espaco, 2 * this.#rascunho.length),
      );
    }
    return this.#rascunho.subarray(
      0,
      codificarMensagemEm(mensagem, this.#rascunho),
    );
  }

  /** Uma mensagem nova com o próximo número e o instante de agora. */
  compor(assunto: string, texto: string, instante?: number): Mensagem {
    return novaMensagem(this.proximoNumero, assunto, texto, instante);
  }

  /**
   * Manda CODIGO_SAIDA, espera a resposta do servidor (dentro do prazo) e fecha.
   * Resolve com a falha, se a conexão já tinha acabado por outro motivo.
   */
  async sair(): Promise<FalhaDoCliente | null> {
    if (!this.#saindo && !this.#conexao.fechada) {
      this.#saindo = true;
      this.#conexao.enviar(codificar({ tipo: Tipo.DESPEDIDA }));
    }
    const prazo = agendar(
      this.#opcoes.tempoLimite,
      () => this.#conexao.fechar(),
    );
    try {
      return await this.fim;
    } finally {
      prazo.cancelar();
    }
  }

  /** Fecha já, sem despedida. */
  fechar(): void {
    this.#conexao.fechar();
  }

  async #ler(): Promise<FalhaDoCliente | null> {
    try {
      while (true) {
        const pedaco = await this.#conexao.ler();
        if (pedaco === null) break;
        this.#pingDesde = 0;
        this.#decodificador.decodificar(
          pedaco,
          (quadro) => this.#aoQuadro(quadro),
        );
        if (this.#falha) break;
        if (this.#confirmou) {
          // Quem esperava a confirmação roda antes da próxima leitura: o
          // próximo envio sai sem esperar a chamada que a prepara.
          this.#confirmou = false;
          await Promise.resolve();
        }
      }
    } catch (erro) {
      this.#falha ??= falhaAoLer(erro);
    } finally {
      this.#vigia?.cancelar();
      this.#conexao.fechar();
    }
    // Saindo, o fim é o esperado só se nada ficou sem confirmação: o
    // servidor responde à despedida depois de confirmar tudo.
    if (!this.#falha && (!this.#saindo || this.#pendentes.length > 0)) {
      this.#falha = falhaNoFim(this.#servidorEncerrou);
    }
    this.#rejeitarPendentes();
    return this.#falha;
  }

  #aoQuadro(quadro: Quadro) {
    switch (quadro.tipo) {
      case Tipo.CONFIRMACAO:
        return this.#confirmar(quadro.numero);
      case Tipo.DESPEDIDA:
        if (!this.#saindo && !this.#servidorEncerrou) {
          // O servidor vai encerrar: respondemos e lemos até o fim, pois
          // confirmações de mensagens a caminho ainda podem chegar.
          this.#servidorEncerrou = true;
          this.#conexao.enviar(codificar({ tipo: Tipo.DESPEDIDA }));
        }
        return;
      case Tipo.PING:
        this.#conexao.enviar(PONG);
        return;
      case Tipo.PONG:
        return;
      case Tipo.ERRO:
        this.#falha ??= falhaDoServidor(quadro.codigo, quadro.texto);
        return;
      case Tipo.OLA_SERVIDOR:
        throw new ErroDeProtocolo(
          CodigoErro.FORA_DE_ORDEM,
          "saudação repetida",
        );
    }
  }

  #confirmar(numero: number) {
    let confirmadas = 0;
    while (
      confirmadas < this.#pendentes.length &&
      this.#pendentes[confirmadas].numero <= numero
    ) {
      this.#pendentes[confirmadas].resolver();
      confirmadas++;
    }
    if (confirmadas > 0) this.#confirmou = true;
    this.#pendentes.splice(0, confirmadas);
  }

  #rejeitarPendentes() {
    const motivo = this.#falha?.message ?? "a sessão terminou";
    for (const pendente of this.#pendentes.splice(0)) {
      pendente.rejeitar(naoEntregue(pendente.numero, motivo, this.#falha));
    }
  }

  /**
   * Manda PING quando nada foi enviado por um terço do tempo ocioso do
   * servidor, para não ser desligado parado no menu; e desiste do servidor
   * se um PING fica sem resposta além do prazo.
   */
  #vigiar(tempoOcioso: number) {
    const intervalo = Math.max(100, Math.floor(tempoOcioso / 3));
    this.#vigia = repetir(Math.max(50, Math.floor(intervalo / 2)), () => {
      const agora = Date.now();
      if (
        this.#pingDesde && agora - this.#pingDesde > this.#opcoes.tempoLimite
      ) {
        this.#falha ??= new FalhaDoCliente(
          RetornoCliente.TEMPO_ESGOTADO,
          `o servidor parou de responder (PING sem resposta em ${
            this.#opcoes.tempoLimite / 1000
          } s)`,
        );
        this.#conexao.fechar();
        return;
      }
      if (agora - this.#ultimoEnvio >= intervalo && !this.#pingDesde) {
        this.#conexao.enviar(codificar({ tipo: Tipo.PING }));
        this.#ultimoEnvio = agora;
        this.#pingDesde = agora;
      }
    });
  }
}

/** Lê até a saudação do servidor; devolve também quadros que vieram junto. */
async function lerSaudacao(
  conexao: Conexao,
  decodificador: Decodificador,
  opcoes: OpcoesCliente,
  versao: number,
): Promise<[Extract<Quadro, { tipo: typeof Tipo.OLA_SERVIDOR }>, Quadro[]]> {
  const quadros: Quadro[] = [];
  while (true) {
    const pedaco = await conexao.ler();
    if (pedaco === null) {
      throw new FalhaDoCliente(
        conexao.fechada
          ? RetornoCliente.TEMPO_ESGOTADO
          : RetornoCliente.CONEXAO_PERDIDA,
        conexao.fechada
          ? `conectado a ${
            comPorta(opcoes.host, opcoes.porta)
          }, mas sem saudação em ${
            opcoes.tempoLimite / 1000
          } s; é um servidor Sockets de Rede?`
          : `o servidor ${
            comPorta(opcoes.host, opcoes.porta)
          } fechou a conexão antes da saudação${
            opcoes.tls ? "" : " (se ele usa TLS, tente --tls)"
          }`,
      );
    }
    try {
      decodificador.decodificar(pedaco, (quadro) => quadros.push(quadro));
    } catch (erro) {
      if (!(erro instanceof ErroDeProtocolo)) throw erro;
      // 0x15/0x16 abrem registros TLS (alerta, handshake): um servidor com TLS.
      const dica = !opcoes.tls && (pedaco[0] === 0x15 || pedaco[0] === 0x16)
        ? "; ele parece usar TLS: tente --tls"
        : "";
      throw new FalhaDoCliente(
        RetornoCliente.PROTOCOLO_INCOMPATIVEL,
        `${
          comPorta(opcoes.host, opcoes.porta)
        } não fala o protocolo Sockets de Rede (${erro.message})${dica}`,
      );
    }
    const primeiro = quadros.shift();
    if (primeiro === undefined) continue;
    if (primeiro.tipo === Tipo.ERRO) {
      throw falhaDoServidor(primeiro.codigo, primeiro.texto);
    }
    if (primeiro.tipo !== Tipo.OLA_SERVIDOR) {
      throw new FalhaDoCliente(
        RetornoCliente.PROTOCOLO_INCOMPATIVEL,
        `${
          comPorta(opcoes.host, opcoes.porta)
        } respondeu sem a saudação do protocolo`,
      );
    }
    if (primeiro.versao !== versao) {
      throw new FalhaDoCliente(
        RetornoCliente.PROTOCOLO_INCOMPATIVEL,
        `o servidor respondeu na versão ${primeiro.versao} do protocolo a uma saudação da versão ${versao}`,
      );
    }
    return [primeiro, quadros];
  }
}

/**
 * A recusa de um servidor da versão 1 à saudação da versão 2: o erro 2 ou,
 * com um token tão longo que a sessão o faz passar do limite de saudação da
 * versão 1 (8 + 4096), o erro 1 ou 4 (a saudação passa do máximo dele).
 */
function recusouAVersao2(
  falha: FalhaDoCliente,
  opcoes: OpcoesCliente,
): boolean {
  const codigo = falha.codigoDoServidor;
  if (codigo === CodigoErro.VERSAO_INCOMPATIVEL) return true;
  const longo = bytesUtf8(opcoes.token ?? "") > TOKEN_MAXIMO - TAMANHO_SESSAO;
  return longo &&
    (codigo === CodigoErro.QUADRO_MALFORMADO ||
      codigo === CodigoErro.PROTOCOLO_DESCONHECIDO);
}
