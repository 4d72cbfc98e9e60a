/**
 * O painel web do servidor (`--painel PORTA`): liga um `Deno.serve` no mesmo
 * host (HTTPS com o mesmo certificado, quando há), escuta os eventos do
 * servidor por um `Registro` que repassa tudo ao registro de sempre, e junta
 * as peças: histórico e difusão SSE, contadores, métricas e rotas. O caminho
 * das mensagens só serializa e enfileira: nunca espera por um espectador.
 *
 * @module
 */

import type { ListaDeAcesso } from "../servidor/acesso.ts";
import type { EventoServidor, Registro } from "../servidor/eventos.ts";
import type { MensagemEmBytes } from "../protocolo/quadros.ts";
import { jsonSeguro } from "../saida/escape.ts";
import { eventoParaJson } from "../saida/json.ts";
import { Contadores } from "./contadores.ts";
import { Difusao } from "./difusao.ts";
import { renderizarMetricas } from "./metricas.ts";
import { lerPagina } from "./pagina.ts";
import { Porteiro } from "./porteiro.ts";
import type { Tentativas } from "../servidor/tentativas.ts";
import { criarRotas } from "./rotas.ts";

/** Mensagens na memória para quem chega depois, por padrão. */
export const HISTORICO_PADRAO = 200;
/** Eventos à espera por espectador antes de desligá-lo. */
export const PENDENTES_MAXIMOS = 1000;
/** A cada quanto os contadores vão aos espectadores. */
const ESTADO_MS = 1000;
/** O gráfico: 60 pontos de 5 s (os últimos 5 minutos). */
const PONTOS_DO_GRAFICO = 60;
const SEGUNDOS_POR_PONTO = 5;

/** Números do servidor que só ele sabe. */
export interface EstadoDoServidor {
  clientesConectados: number;
  clientesAtendidos: number;
  /** Bytes do log à espera de escrita. */
  saidaPendente: number;
}

export interface OpcoesPainel {
  host: string;
  porta: number;
  historico: number;
  tls?: { cert: string; chave: string } | undefined;
  token?: string | undefined;
  acesso?: ListaDeAcesso | undefined;
  /** O limite de tentativas de token, o mesmo do servidor. */
  tentativas?: Tentativas | undefined;
  /** Lido a cada `/metricas` e a cada segundo para a página. */
  estadoDoServidor(): EstadoDoServidor;
  /** Eventos à espera por espectador (padrão `PENDENTES_MAXIMOS`). */
  pendentesMaximos?: number;
  /** Uma falha do painel que não o derruba (vai ao log como erro). */
  avisar?: (texto: string) => void;
}

/** Espera antes de religar o painel que parou de aceitar conexões. */
export const PAUSA_PARA_RELIGAR_MS = 1000;

const codificador = new TextEncoder();

/** O painel ligado. Crie com `Painel.ligar`. */
export class Painel {
  readonly endereco: Deno.NetAddr;
  readonly url: string;
  readonly difusao: Difusao;
  readonly contadores = new Contadores();
  readonly #opcoes: OpcoesPainel;
  readonly #rotas: Deno.ServeHandler<Deno.NetAddr>;
  #http: Deno.HttpServer<Deno.NetAddr>;
  readonly #estado: ReturnType<typeof setInterval>;
  #aceitando = true;
  /** O registro espiado (para `naoGravadas` em `/metricas`). */
  #registro: Registro | undefined;
  #fechamento: Promise<void> | undefined;
  /** O religamento agendado depois de uma falha, se há um. */
  #religamento: ReturnType<typeof setTimeout> | undefined;

  private constructor(opcoes: OpcoesPainel) {
    this.#opcoes = opcoes;
    this.difusao = new Difusao({
      historico: opcoes.historico,
      pendentesMaximos: opcoes.pendentesMaximos ?? PENDENTES_MAXIMOS,
    });
    const porteiro = new Porteiro({
      token: opcoes.token,
      acesso: opcoes.acesso,
      tls: opcoes.tls !== undefined,
      tentativas: opcoes.tentativas,
    });
    this.#rotas = criarRotas({
      pagina: lerPagina(),
      porteiro,
      difusao: this.difusao,
      metricas: () => this.metricas(),
      aceitando: () => this.#aceitando,
    });
    this.#http = this.#ligarHttp(opcoes.porta);
    this.endereco = this.#http.addr;
    const { hostname, port } = this.endereco;
    const nome = hostname.includes(":") ? `[${hostname}]` : hostname;
    this.url = `${opcoes.tls ? "https" : "http"}://${nome}:${port}/`;
    this.#estado = setInterval(() => this.#anunciarEstado(), ESTADO_MS);
  }

  /**
   * Liga o painel.
   *
   * @throws {Deno.errors.AddrInUse} e outros erros de `Deno.serve`
   * @throws {Deno.errors.NotFound} se faltam os arquivos da página
   */
  static ligar(opcoes: OpcoesPainel): Painel {
    return new Painel(opcoes);
  }

  /**
   * Um `Registro` que passa cada evento a `registro` e depois ao painel. A
   * contrapressão continua sendo só a do registro de sempre.
   */
  espiar(registro: Registro): Registro {
    this.#registro = registro;
    return {
      registrar: (evento) => {
        registro.registrar(evento);
        this.#aoEvento(evento);
      },
      pronta: () => registro.pronta(),
      aoGravar: (alvo, numero) => registro.aoGravar(alvo, numero),
      get naoGravadas() {
        return registro.naoGravadas;
      },
    };
  }

  /**
   * O `Deno.serve` do painel. Uma falha ao aceitar (sem descritores livres,
   * por exemplo) encerra o `Deno.serve` inteiro e rejeita o `finished`, que,
   * sem quem o tratasse, derrubava o processo com um rastro de pilha: aqui ela
   * é relatada e o painel é religado na mesma porta.
   */
  #ligarHttp(porta: number): Deno.HttpServer<Deno.NetAddr> {
    const tls = this.#opcoes.tls
      ? { cert: this.#opcoes.tls.cert, key: this.#opcoes.tls.chave }
      : {};
    const http = Deno.serve({
      hostname: this.#opcoes.host,
      port: porta,
      ...tls,
      onListen: () => {}, // quem anuncia é o servidor.ts
      onError: () => new Response("erro interno\n", { status: 500 }),
    }, this.#rotas);
    http.finished.catch((erro) => this.#caiu("aceitar conexão", erro));
    return http;
  }

  #caiu(oQue: string, erro: unknown) {
    if (this.#fechamento) return;
    this.#opcoes.avisar?.(
      `painel: falha ao ${oQue}: ${
        (erro as Error)?.message ?? erro
      }; religando em ${PAUSA_PARA_RELIGAR_MS / 1000} s`,
    );
    this.#religamento = setTimeout(
      () => this.#religar(),
      PAUSA_PARA_RELIGAR_MS,
    );
  }

  #religar() {
    this.#religamento = undefined;
    if (this.#fechamento) return;
    try {
      this.#http = this.#ligarHttp(this.endereco.port);
    } catch (erro) {
      this.#caiu("religar", erro);
    }
  }

  /** `/saude` passa a responder 503 (o servidor parou de aceitar). */
  encerrando(): void {
    this.#aceitando = false;
  }

  /** Desliga os espectadores e o HTTP. Pode ser chamado mais de uma vez. */
  fechar(): Promise<void> {
    this.#fechamento ??= (async () => {
      this.#aceitando = false;
      clearInterval(this.#estado);
      clearTimeout(this.#religamento);
      this.difusao.fechar();
      await this.#http.shutdown();
    })();
    return this.#fechamento;
  }

  /** O texto de `/metricas` agora. */
  metricas(): string {
    const servidor = this.#opcoes.estadoDoServidor();
    const memoria = Deno.memoryUsage();
    return renderizarMetricas({
      mensagens: this.contadores.mensagens,
      bytes: this.contadores.bytes,
      clientesAtendidos: servidor.clientesAtendidos,
      rejeitadas: this.contadores.rejeitadas,
      clientesConectados: servidor.clientesConectados,
      espectadores: this.difusao.espectadores,
      espectadoresDesligados: this.difusao.desligados,
      naoGravadas: this.#registro?.naoGravadas ?? 0,
      saidaPendente: servidor.saidaPendente,
      painelPendente: this.difusao.bytesPendentes,
      memoriaResidente: memoria.rss,
      memoriaHeap: memoria.heapUsed,
    });
  }

  #aoEvento(evento: EventoServidor) {
    if (evento.tipo === "mensagem") {
      const { mensagem } = evento;
      // Com os bytes recebidos (`MensagemEmBytes`), sem codificar de novo;
      // reconhecida pela interface, como no log JSON, não pela classe.
      const emBytes = mensagem as Partial<MensagemEmBytes>;
      const bytes = emBytes.bytesAssunto && emBytes.bytesTexto
        ? emBytes.bytesAssunto.length + emBytes.bytesTexto.length
        : codificador.encode(mensagem.assunto).length +
          codificador.encode(mensagem.texto).length;
      this.contadores.mensagem(bytes, evento.instante);
      // Serializada aqui, uma vez: a `MensagemNoLugar` só vale nesta chamada.
      this.difusao.publicar((id) =>
        jsonSeguro({ seq: id, ...eventoParaJson(evento) })
      );
    } else if (evento.tipo === "rejeitado") {
      this.contadores.rejeicao(evento.codigo);
    } else if (evento.tipo === "encerrando") {
      this.encerrando();
    }
  }

  #anunciarEstado() {
    if (this.difusao.espectadores === 0) return;
    const agora = Date.now();
    const servidor = this.#opcoes.estadoDoServidor();
    this.difusao.anunciar(
      "estado",
      JSON.stringify({
        conectados: servidor.clientesConectados,
        espectadores: this.difusao.espectadores,
        porMinuto: this.contadores.porMinuto(agora),
        segundosPorPonto: SEGUNDOS_POR_PONTO,
        serie: this.contadores.serie(
          agora,
          PONTOS_DO_GRAFICO,
          SEGUNDOS_POR_PONTO,
        ),
      }),
    );
  }
}
