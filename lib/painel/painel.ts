/**
 * O painel web do servidor (`--painel PORTA`): liga o HTTP do painel
 * (http.ts, com teto de conexões e prazo para cada pedido) no mesmo host
 * (HTTPS com o mesmo certificado, quando há), escuta os eventos do
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
import { comPorta } from "../saida/endereco.ts";
import { Contadores } from "./contadores.ts";
import {
  type LimitesHttp,
  PAUSA_DEPOIS_DE_FALHA_MS,
  ServidorHttp,
  type TratadorHttp,
} from "./http.ts";
import { Difusao } from "./difusao.ts";
import { renderizarMetricas } from "./metricas.ts";
import { lerPagina } from "./pagina.ts";
import { Porteiro } from "./porteiro.ts";
import {
  LIMITES_PADRAO,
  origemDe,
  type Tentativas,
} from "../servidor/tentativas.ts";
import { CORPO_MAXIMO, criarRotas } from "./rotas.ts";

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
  /** Prazo para cada pedido chegar inteiro (o `--prazo` do servidor). */
  prazoMs: number;
  /** Uma falha do painel que não o derruba (vai ao log como erro). */
  avisar?: (texto: string) => void;
}

/** Conexões abertas no painel ao mesmo tempo, no máximo. */
const CONEXOES_DO_PAINEL = 1024;
/** Conexões de um mesmo endereço ainda sem o pedido inteiro, no máximo. */
const PENDENTES_POR_ENDERECO = 32;
/** O maior cabeçalho de pedido (o de um navegador tem 1 a 2 KiB). */
const BYTES_CABECALHO = 16 * 1024;

const codificador = new TextEncoder();

/** O painel ligado. Crie com `Painel.ligar`. */
export class Painel {
  readonly endereco: Deno.NetAddr;
  readonly url: string;
  readonly difusao: Difusao;
  readonly contadores = new Contadores();
  readonly #opcoes: OpcoesPainel;
  readonly #http: ServidorHttp;
  readonly #estado: ReturnType<typeof setInterval>;
  #aceitando = true;
  /** O registro espiado (para `naoGravadas` em `/metricas`). */
  #registro: Registro | undefined;
  #fechamento: Promise<void> | undefined;

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
    const rotas = criarRotas({
      pagina: lerPagina(),
      porteiro,
      difusao: this.difusao,
      metricas: () => this.metricas(),
      aceitando: () => this.#aceitando,
    });
    this.#http = this.#ligarHttp(rotas);
    this.endereco = this.#http.addr;
    this.url = `${opcoes.tls ? "https" : "http"}://${
      comPorta(this.endereco.hostname, this.endereco.port)
    }/`;
    this.#estado = setInterval(() => this.#anunciarEstado(), ESTADO_MS);
  }

  /**
   * Liga o painel.
   *
   * @throws {Deno.errors.AddrInUse} e outros erros de `Deno.listen`
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
   * O HTTP do painel. Uma falha ao aceitar (sem descritores livres, por
   * exemplo) é relatada, e ele volta a aceitar depois de uma pausa.
   */
  #ligarHttp(rotas: TratadorHttp): ServidorHttp {
    const { host, porta, tls } = this.#opcoes;
    const ouvinte = tls
      ? Deno.listenTls({
        hostname: host,
        port: porta,
        cert: tls.cert,
        key: tls.chave,
      })
      : Deno.listen({ hostname: host, port: porta });
    const limites: LimitesHttp = {
      conexoes: CONEXOES_DO_PAINEL,
      pendentesPorEndereco: PENDENTES_POR_ENDERECO,
      prazoMs: this.#opcoes.prazoMs,
      bytesCabecalho: BYTES_CABECALHO,
      bytesCorpo: CORPO_MAXIMO,
    };
    return new ServidorHttp({
      ouvinte,
      tls: tls !== undefined,
      tratador: rotas,
      limites,
      origem: (endereco) =>
        this.#opcoes.tentativas?.origem(endereco) ??
          origemDe(endereco, LIMITES_PADRAO.prefixoIpv6),
      aoFalharAceitar: (erro) =>
        this.#opcoes.avisar?.(
          `painel: falha ao aceitar conexão: ${
            (erro as Error)?.message ?? erro
          }; tentando de novo em ${PAUSA_DEPOIS_DE_FALHA_MS / 1000} s`,
        ),
    });
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
