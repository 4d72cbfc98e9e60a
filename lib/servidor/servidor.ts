/**
 * O servidor: escuta (TCP ou TLS), aceita quantos clientes vierem até o
 * limite, recusa quem a lista de acesso barra ou não cabe, dá a cada conexão
 * uma `Sessao` (sessao.ts), varre os prazos, soma os contadores do resumo e
 * encerra com cortesia. Relata tudo como eventos; não imprime nada.
 *
 * @module
 */

import { contar } from "../saida/contagem.ts";
import type { ListaDeAcesso } from "./acesso.ts";
import { Tentativas } from "./tentativas.ts";
import { depoisDaFalha } from "./aceitacao.ts";
import { Conexao, type Fluxo } from "../conexao.ts";
import { OuvinteTls } from "./tls.ts";
import { CodigoErro } from "../erros.ts";
import type { EventoServidor, Par } from "./eventos.ts";
import { MemoriaDeSessoes } from "./memoria.ts";
import { intervaloDeVarredura } from "./prazos.ts";
import { type DoServidor, type OpcoesSessao, Sessao } from "./sessao.ts";
import { codificar } from "../protocolo/codificador.ts";
import {
  type Limites,
  limitesDoServidor,
  Tipo,
  VERSAO,
  VERSAO_1,
} from "../protocolo/quadros.ts";

/** As opções do servidor, já lidas e validadas (`lerConfigServidor`). */
export interface OpcoesServidor extends OpcoesSessao {
  host: string;
  porta: number;
  /** Máximo de clientes conectados ao mesmo tempo. */
  maxConexoes: number;
  /** Teto, por conexão, de bytes à espera de escrita. */
  limiteFila: number;
  /** Milissegundos de tolerância no encerramento para quadros a caminho. */
  graca: number;
  /** Certificado e chave PEM: com eles, o servidor só fala TLS. */
  tls?: { cert: string; chave: string } | undefined;
  /** Quem pode conectar (`--permitir`/`--negar`). */
  acesso?: ListaDeAcesso | undefined;
  /** O limite de tentativas de token, o mesmo do painel; padrão: um novo. */
  tentativas?: Tentativas | undefined;
  /** A memória das sessões (retomada); o padrão vem de memoria.ts. */
  memoria?: MemoriaDeSessoes | undefined;
}

/** Conexões recusadas por lotação que ainda estão sendo avisadas, no máximo. */
const RECUSAS_SIMULTANEAS = 64;

/** Contadores do resumo final. */
export interface Resumo {
  clientes: number;
  mensagens: number;
  rejeitadas: number;
  /** Recebidas mas não gravadas: a saída parou ou falhou (nunca confirmadas). */
  naoGravadas: number;
}

/** Um servidor ligado a um endereço. Crie com `Servidor.ligar`. */
export class Servidor {
  readonly endereco: Deno.NetAddr;
  readonly #ouvinte: Deno.Listener | OuvinteTls;
  readonly #opcoes: OpcoesServidor;
  readonly #sessoes = new Set<Sessao>();
  readonly #resumo: Resumo = {
    clientes: 0,
    mensagens: 0,
    rejeitadas: 0,
    naoGravadas: 0,
  };
  readonly #memoria: MemoriaDeSessoes;
  readonly #tentativas: Tentativas;
  /** Os limites de quadro que toda sessão aplica: um objeto só, congelado. */
  readonly #limites: Readonly<Limites>;
  /** O que toda sessão usa do servidor: um objeto só, não um por sessão. */
  readonly #doServidor: DoServidor;
  #recusando = 0;
  #encerrando = false;
  #varredura: ReturnType<typeof setInterval> | undefined;
  #aceitando: Promise<void> | undefined;
  #encerramento: Promise<Resumo> | undefined;

  private constructor(
    ouvinte: Deno.Listener | OuvinteTls,
    opcoes: OpcoesServidor,
  ) {
    this.#ouvinte = ouvinte;
    this.#opcoes = opcoes;
    this.endereco = ouvinte.addr as Deno.NetAddr;
    this.#limites = Object.freeze(limitesDoServidor(opcoes.tamanhoMaximo));
    this.#memoria = opcoes.memoria ?? new MemoriaDeSessoes();
    this.#tentativas = opcoes.tentativas ?? new Tentativas();
    const ola = (versao: number, ultimoGravado = 0) =>
      codificar({
        tipo: Tipo.OLA_SERVIDOR,
        versao,
        tamanhoMaximo: opcoes.tamanhoMaximo,
        tempoOcioso: opcoes.tempoOcioso,
        ultimoGravado,
      });
    this.#doServidor = {
      tentativas: this.#tentativas,
      limites: this.#limites,
      registrar: (evento) => this.#registrar(evento),
      contarMensagens: (n) => this.#resumo.mensagens += n,
      contarRejeicao: () => this.#resumo.rejeitadas++,
      terminou: (sessao) => this.#sessoes.delete(sessao),
      ola: ola(VERSAO_1),
      memoria: this.#memoria,
      olaV2: olaRenumerada(ola(VERSAO)),
    };
  }

  /**
   * Liga o servidor ao endereço e à porta.
   *
   * Com TLS, o ouvinte é o de tls.ts (`node:tls`), não `Deno.listenTls`: só
   * assim um handshake que não anda solta o seu socket no prazo.
   *
   * @throws {Deno.errors.AddrInUse} e outros erros de `Deno.listen`
   */
  static async ligar(opcoes: OpcoesServidor): Promise<Servidor> {
    const endereco = { hostname: opcoes.host, port: opcoes.porta };
    const ouvinte = opcoes.tls
      ? await OuvinteTls.ouvir({
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

  /** Clientes conectados agora (para o painel e `/metricas`). */
  get conectados(): number {
    return this.#sessoes.size;
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
    const intervalo = intervaloDeVarredura(this.#opcoes);
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
    this.#resumo.naoGravadas = this.#opcoes.registro.naoGravadas;
    this.#registrar({ tipo: "resumo", instante: Date.now(), ...this.#resumo });
    return this.#resumo;
  }

  /**
   * A saída não aceita mais escrita (`EPIPE`, disco cheio): nada mais pode ser
   * confirmado. Para de aceitar conexões e mensagens na hora e avisa cada
   * cliente num ERRO; quem chamou encerra o processo.
   */
  abortarPorSaida(): Promise<Resumo> {
    for (const sessao of this.#sessoes) sessao.abortarPorSaida();
    return this.encerrar("falha na saída");
  }

  async #aceitar(): Promise<void> {
    while (!this.#encerrando) {
      let conn: Fluxo;
      try {
        conn = await this.#ouvinte.accept();
      } catch (erro) {
        if (this.#encerrando) return;
        // Falha de uma conexão só: de novo, já. Falta de descritores (EMFILE
        // e afins): relata, pausa e tenta de novo, sem derrubar o servidor.
        const { pausa, relatar } = depoisDaFalha(erro);
        if (relatar) {
          this.#registrar({
            tipo: "erro",
            instante: Date.now(),
            texto: `falha ao aceitar conexão: ${(erro as Error).message}`,
          });
        }
        if (pausa > 0) {
          await new Promise((resolve) => setTimeout(resolve, pausa));
        }
        continue;
      }
      this.#receber(conn);
    }
  }

  #receber(conn: Fluxo) {
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
    // Com token: uma origem não ocupa mais que `pendentes` vagas com conexões
    // ainda sem saudação aceita (as que esperam a resposta de um erro também).
    if (
      this.#opcoes.token !== undefined && !this.#tentativas.entrou(par.endereco)
    ) {
      const { pendentes } = this.#tentativas.limites;
      this.#recusarPorLotacao(
        conexao,
        par,
        `conexões demais de ${
          this.#tentativas.origem(par.endereco)
        } ainda sem saudação aceita: o máximo é ${pendentes}`,
      );
      return;
    }
    this.#resumo.clientes++;
    this.#registrar({ tipo: "conectou", instante: Date.now(), par });
    const sessao = new Sessao(conexao, par, this.#opcoes, this.#doServidor);
    this.#sessoes.add(sessao);
  }

  #recusarPorLotacao(
    conexao: Conexao,
    par: Par,
    motivo = `servidor cheio: o máximo é ${
      contar(this.#opcoes.maxConexoes, "conexão", "conexões")
    }`,
  ) {
    this.#resumo.rejeitadas++;
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
    this.#memoria.varrer(agora);
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
 * A saudação da versão 2 de todas as sessões, com o último número gravado
 * trocado no lugar a cada uso (`enviar` copia os bytes): uma enxurrada de
 * conexões não aloca um quadro por saudação.
 */
function olaRenumerada(ola: Uint8Array): (ultimoGravado: number) => Uint8Array {
  const vista = new DataView(ola.buffer, ola.byteOffset, ola.byteLength);
  return (ultimoGravado) => {
    vista.setUint32(ola.length - 4, ultimoGravado);
    return ola;
  };
}
