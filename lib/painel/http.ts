/**
 * O HTTP/1.1 do painel, pequeno e com limites, no lugar do `Deno.serve`: o
 * `Deno.serve` não tem teto de conexões nem prazo para o pedido chegar, e
 * conexões com pedidos pela metade (slowloris) ficavam abertas sem fim,
 * gastando os descritores do processo — os mesmos de que a porta do
 * protocolo precisa. Aqui cada conexão tem um prazo para o pedido inteiro
 * (cabeçalho e corpo) chegar, o cabeçalho e o corpo têm tamanho máximo, há um
 * teto de conexões e outro, por endereço, de conexões ainda sem o pedido
 * inteiro, e cada conexão leva um pedido só
 * (`connection: close`). O tratador é o mesmo de um `Deno.serve`
 * (`Request` → `Response`), e a análise do pedido, pura, fica em
 * `pedido_http.ts`.
 *
 * @module
 */

import {
  analisarPedido,
  FIM_DO_CABECALHO,
  type Pedido,
} from "./pedido_http.ts";
import { depoisDaFalha } from "../servidor/aceitacao.ts";
import { comPorta } from "../saida/endereco.ts";

/** Os limites de quem chega. */
export interface LimitesHttp {
  /** Conexões abertas ao mesmo tempo; a excedente é fechada ao chegar. */
  conexoes: number;
  /**
   * Conexões de um mesmo endereço ainda sem o pedido inteiro (as que já
   * pediram, como os fluxos de eventos, não contam: atrás de um proxy ou de
   * um NAT, muitos espectadores vêm do mesmo endereço).
   */
  pendentesPorEndereco: number;
  /** Prazo, desde a conexão, para o pedido inteiro chegar. */
  prazoMs: number;
  /** Maior cabeçalho (linha do pedido e campos). */
  bytesCabecalho: number;
  /** Maior corpo de pedido. */
  bytesCorpo: number;
}

/** O que o tratador recebe além do pedido (como no `Deno.serve`). */
export interface InfoHttp {
  remoteAddr: Deno.NetAddr;
}

export type TratadorHttp = (
  pedido: Request,
  info: InfoHttp,
) => Response | Promise<Response>;

export interface OpcoesHttp {
  ouvinte: Deno.Listener<Deno.Conn, Deno.NetAddr>;
  tls: boolean;
  tratador: TratadorHttp;
  limites: LimitesHttp;
  /** Uma falha ao aceitar (sem descritores livres...): o painel a relata. */
  aoFalharAceitar(erro: unknown): void;
  /**
   * A origem de um endereço nos tetos por endereço (o painel agrupa o IPv6
   * pelo prefixo, como a porta do protocolo); padrão: o próprio endereço.
   */
  origem?: (endereco: string) => string;
}

/** `acharFim`: uma linha vazia só com LF, sem CR. */
const LF_SOZINHO = -2;

/** Espera antes de aceitar de novo depois de uma falha ao aceitar. */
export const PAUSA_DEPOIS_DE_FALHA_MS = 1000;

const codificador = new TextEncoder();

/** O servidor HTTP do painel, aceitando desde a criação. */
export class ServidorHttp {
  readonly addr: Deno.NetAddr;
  /** Resolve quando parou de aceitar (depois de `shutdown`). */
  readonly finished: Promise<void>;
  readonly #opcoes: OpcoesHttp;
  /** As conexões abertas e, de cada uma, o que a encerra já (shutdown). */
  readonly #conexoes = new Map<Deno.Conn, () => void>();
  /** Conexões ainda sem o pedido inteiro, por endereço. */
  readonly #pendentes = new Map<string, number>();
  /** Os atendimentos em curso, que o `shutdown` espera terminar. */
  readonly #atendimentos = new Set<Promise<void>>();
  #fechado = false;
  #acordar: (() => void) | undefined;

  constructor(opcoes: OpcoesHttp) {
    this.#opcoes = opcoes;
    this.addr = opcoes.ouvinte.addr;
    this.finished = this.#aceitar();
  }

  /** Conexões abertas agora. */
  get conexoes(): number {
    return this.#conexoes.size;
  }

  /** Para de aceitar e fecha todas as conexões (os fluxos SSE terminam). */
  async shutdown(): Promise<void> {
    this.#fechado = true;
    this.#acordar?.();
    try {
      this.#opcoes.ouvinte.close();
    } catch {
      // Já fechado.
    }
    for (const [conn, encerrar] of this.#conexoes) {
      fechar(conn);
      encerrar();
    }
    await this.finished;
    await Promise.allSettled(this.#atendimentos);
  }

  async #aceitar(): Promise<void> {
    // Limitado pelo fechamento: cada volta aceita uma conexão ou espera.
    while (!this.#fechado) {
      let conn: Deno.Conn;
      try {
        conn = await this.#opcoes.ouvinte.accept();
      } catch (erro) {
        if (this.#fechado) return;
        // Uma conexão reiniciada antes de aceita (ENOTCONN...) não é falta
        // de recursos: de novo, já, sem pausa nem aviso.
        if (depoisDaFalha(erro).pausa === 0) continue;
        this.#opcoes.aoFalharAceitar(erro);
        await this.#pausa(PAUSA_DEPOIS_DE_FALHA_MS);
        continue;
      }
      if (this.#fechado || !this.#cabe(conn)) {
        fechar(conn);
        continue;
      }
      const atendimento = this.#atender(conn);
      this.#atendimentos.add(atendimento);
      atendimento.finally(() => this.#atendimentos.delete(atendimento));
    }
  }

  /** Uma pausa que o `shutdown` interrompe. */
  #pausa(ms: number): Promise<void> {
    return new Promise((pronto) => {
      const prazo = setTimeout(acordar, ms);
      function acordar() {
        clearTimeout(prazo);
        pronto();
      }
      this.#acordar = acordar;
    });
  }

  /** A origem da conexão, para os tetos por endereço. */
  #origem(conn: Deno.Conn): string {
    const endereco = (conn.remoteAddr as Deno.NetAddr).hostname;
    return this.#opcoes.origem?.(endereco) ?? endereco;
  }

  /** Há vaga para esta conexão (no total e entre as pendentes da origem)? */
  #cabe(conn: Deno.Conn): boolean {
    const { conexoes, pendentesPorEndereco } = this.#opcoes.limites;
    const endereco = this.#origem(conn);
    return this.#conexoes.size < conexoes &&
      (this.#pendentes.get(endereco) ?? 0) < pendentesPorEndereco;
  }

  /** Soma `delta` às pendentes de `endereco` (e esquece quem chega a 0). */
  #contarPendente(endereco: string, delta: 1 | -1): void {
    const n = (this.#pendentes.get(endereco) ?? 0) + delta;
    if (n > 0) this.#pendentes.set(endereco, n);
    else this.#pendentes.delete(endereco);
  }

  async #atender(conn: Deno.Conn): Promise<void> {
    const endereco = this.#origem(conn);
    this.#contarPendente(endereco, 1);
    let pendente = true;
    // O prazo vale até a resposta sair inteira, salvo num fluxo (SSE), que
    // a difusão desliga quando o espectador fica para trás.
    const prazo = prazoDaConexao(conn, this.#opcoes.limites.prazoMs);
    this.#conexoes.set(conn, prazo.vencerJa);
    try {
      const lido = await lerPedido(conn, this.#opcoes.limites);
      this.#contarPendente(endereco, -1);
      pendente = false;
      let resposta: Response;
      if (typeof lido === "number") resposta = respostaDeErro(lido);
      else {
        const tratando = this.#tratar(lido, conn);
        try {
          resposta = await Promise.race([tratando, prazo.vencido]);
        } catch (erro) {
          // A resposta que chegar depois do prazo não vai a ninguém: o fluxo
          // dela (um espectador da difusão) é cancelado, não esquecido.
          tratando.then(descartar);
          throw erro;
        }
      }
      const soCabecalho = typeof lido !== "number" && lido.metodo === "HEAD";
      const escrita = escreverResposta(
        conn,
        resposta,
        soCabecalho,
        prazo.cancelar,
      );
      escrita.catch(() => {}); // se o prazo vencer antes, ela falha sozinha
      await Promise.race([escrita, prazo.vencido]);
    } catch {
      // A conexão caiu ou o prazo a fechou: nada a responder.
    } finally {
      prazo.cancelar();
      fechar(conn);
      this.#conexoes.delete(conn);
      if (pendente) this.#contarPendente(endereco, -1);
    }
  }

  /**
   * A URL do pedido: o endereço em que o painel escuta e o alvo, juntos como
   * texto. O `Host` do pedido não entra (as rotas não o usam, e um `@`, `/`
   * ou `?` nele mudaria a URL), nem o alvo é resolvido: `//outro/x` é o
   * caminho `//outro/x`, e não `/x` noutro hospedeiro.
   */
  #url(alvo: string): string {
    const { hostname, port } = this.addr;
    return `${this.#opcoes.tls ? "https" : "http"}://${
      comPorta(hostname, port)
    }${alvo}`;
  }

  async #tratar(pedido: Pedido, conn: Deno.Conn): Promise<Response> {
    let request: Request;
    try {
      request = new Request(this.#url(pedido.alvo), {
        method: pedido.metodo,
        headers: pedido.cabecalhos,
        body: pedido.metodo === "GET" || pedido.metodo === "HEAD" ||
            pedido.corpo.length === 0
          ? null
          : pedido.corpo,
      });
    } catch {
      // Um método que o `Request` recusa (CONNECT, TRACE...).
      return respostaDeErro(400);
    }
    try {
      return await this.#opcoes.tratador(request, {
        remoteAddr: conn.remoteAddr as Deno.NetAddr,
      });
    } catch {
      return respostaDeErro(500);
    }
  }
}

/**
 * O prazo de uma conexão: vencido, fecha a conexão e rejeita `vencido`, que
 * solta quem espera por ela mesmo que o tratador nunca responda.
 */
function prazoDaConexao(
  conn: Deno.Conn,
  ms: number,
): { vencido: Promise<never>; cancelar(): void; vencerJa(): void } {
  let vencer = () => {};
  const vencido = new Promise<never>((_, rejeitar) => {
    vencer = () => rejeitar(new Error("prazo do pedido"));
  });
  vencido.catch(() => {}); // quem não correu contra ele não precisa saber
  let ativo = true;
  const vencerJa = () => {
    if (!ativo) return;
    ativo = false;
    clearTimeout(temporizador);
    fechar(conn);
    vencer();
  };
  const temporizador = setTimeout(vencerJa, ms);
  return {
    vencido,
    cancelar: () => {
      ativo = false;
      clearTimeout(temporizador);
    },
    vencerJa,
  };
}

/** Cancela o corpo de uma resposta que não será escrita. */
function descartar(resposta: Response): void {
  resposta.body?.cancel().catch(() => {});
}

/** Fecha sem reclamar de quem já fechou. */
function fechar(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Já fechada.
  }
}

/**
 * Lê o cabeçalho (até `FIM_DO_CABECALHO`) e o corpo que ele anuncia. Devolve
 * o pedido, ou o código HTTP do erro (400, 413, 431, 501...) a responder.
 * Rejeita com a conexão fechada antes do fim.
 */
async function lerPedido(
  conn: Deno.Conn,
  limites: LimitesHttp,
): Promise<Pedido | number> {
  const buffer = new Uint8Array(limites.bytesCabecalho + limites.bytesCorpo);
  let usados = 0;
  let fim = -1;
  // Limitado pelo tamanho do buffer e pelo prazo da conexão.
  while (fim === -1) {
    if (usados >= limites.bytesCabecalho) return 431;
    const n = await conn.read(buffer.subarray(usados, limites.bytesCabecalho));
    if (n === null) throw new Error("a conexão fechou antes do pedido");
    // Só o que chegou agora (e os 3 bytes antes): varrer tudo a cada leitura
    // custaria O(n²) a quem manda um byte por vez.
    const desde = Math.max(0, usados - 3);
    usados += n;
    fim = acharFim(buffer, desde, usados);
  }
  if (fim === LF_SOZINHO) return 400;
  const analisado = analisarPedido(buffer.subarray(0, fim), limites.bytesCorpo);
  if (typeof analisado === "number") return analisado;
  const inicioDoCorpo = fim + FIM_DO_CABECALHO.length;
  const total = inicioDoCorpo + analisado.tamanhoDoCorpo;
  while (usados < total) {
    const n = await conn.read(buffer.subarray(usados, total));
    if (n === null) throw new Error("a conexão fechou antes do corpo");
    usados += n;
  }
  return { ...analisado, corpo: buffer.slice(inicioDoCorpo, total) };
}

/**
 * Onde começa `\r\n\r\n` entre `desde` e `usados`, ou -1; `LF_SOZINHO` se
 * antes disso vem uma linha vazia só com LF (um pedido que nunca terminaria).
 * O que vem depois do fim (o corpo) não é olhado.
 */
function acharFim(buffer: Uint8Array, desde: number, usados: number): number {
  for (let i = desde; i + 1 < usados; i++) {
    if (buffer[i] === 10 && buffer[i + 1] === 10) return LF_SOZINHO;
    if (
      buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 &&
      buffer[i + 3] === 10 && i + 3 < usados
    ) return i;
  }
  return -1;
}

/** O corpo das respostas de erro deste módulo. */
const EXPLICACOES: Record<number, string> = {
  400: "pedido malformado",
  413: "pedido grande demais",
  431: "cabeçalho grande demais",
  500: "erro interno",
  501: "não implementado",
  505: "versão do HTTP não suportada",
};

/** As frases da linha de estado (o cliente não as usa; são as do padrão). */
const FRASES: Record<number, string> = {
  200: "OK",
  303: "See Other",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

function respostaDeErro(status: number): Response {
  return new Response(`${EXPLICACOES[status] ?? "erro"}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

/**
 * Escreve a resposta: a linha de estado, os campos com `connection: close` e
 * o corpo — inteiro, com `content-length`, ou, num fluxo de eventos (SSE),
 * pedaço a pedaço até o fluxo acabar ou o espectador sair; com
 * `soCabecalho` (um HEAD), sem o corpo. `emFluxo` é chamado quando a resposta
 * vira um fluxo (o prazo deixa de valer).
 */
async function escreverResposta(
  conn: Deno.Conn,
  resposta: Response,
  soCabecalho: boolean,
  emFluxo: () => void,
): Promise<void> {
  const fluxo = resposta.headers.get("content-type")?.startsWith(
    "text/event-stream",
  );
  if (fluxo) {
    try {
      await escreverTudo(conn, cabecalho(resposta, undefined));
    } catch (erro) {
      descartar(resposta); // o espectador não chegou a existir
      throw erro;
    }
    // Um HEAD num fluxo leva só o cabeçalho, e o fluxo é cancelado: quem o
    // produz (a difusão) solta o espectador.
    if (soCabecalho || !resposta.body) return await resposta.body?.cancel();
    emFluxo();
    return await escoar(conn, resposta.body);
  }
  const corpo = new Uint8Array(await resposta.arrayBuffer());
  await escreverTudo(conn, cabecalho(resposta, corpo.length));
  if (!soCabecalho && corpo.length > 0) await escreverTudo(conn, corpo);
}

/** A linha de estado e os campos, em bytes. */
function cabecalho(
  resposta: Response,
  tamanho: number | undefined,
): Uint8Array {
  const linhas = [
    `HTTP/1.1 ${resposta.status} ${FRASES[resposta.status] ?? ""}`,
  ];
  for (const [nome, valor] of resposta.headers) {
    if (nome === "set-cookie" || nome === "content-length") continue;
    if (nome === "connection" || nome === "transfer-encoding") continue;
    linhas.push(`${nome}: ${valor}`);
  }
  for (const cookie of resposta.headers.getSetCookie()) {
    linhas.push(`set-cookie: ${cookie}`);
  }
  if (tamanho !== undefined) linhas.push(`content-length: ${tamanho}`);
  linhas.push("connection: close", "", "");
  return codificador.encode(linhas.join("\r\n"));
}

/**
 * Passa o fluxo para a conexão até ele acabar; se o espectador fecha (ou a
 * escrita falha), cancela o fluxo, e quem o produz fica sabendo.
 */
async function escoar(
  conn: Deno.Conn,
  corpo: ReadableStream<Uint8Array>,
): Promise<void> {
  const leitor = corpo.getReader();
  // Nada mais deve chegar do espectador: um byte ou o fim dizem que ele saiu.
  // O `cancel` de um fluxo que já acabou com erro rejeita: nunca deixar isso
  // solto (uma rejeição sem tratador derrubaria o processo inteiro).
  const saiu = conn.read(new Uint8Array(1)).then(() => {}, () => {}).then(
    () => {
      fechar(conn);
      return leitor.cancel().catch(() => {});
    },
  );
  // O fluxo que acaba (a difusão desligou quem ficou para trás, ou o painel
  // fechou) fecha a conexão mesmo com uma escrita parada: quem não lê não
  // segura o descritor.
  leitor.closed.then(() => fechar(conn), () => fechar(conn));
  try {
    // Limitado pelo fluxo, que a difusão termina ou o espectador cancela.
    for (let r = await leitor.read(); !r.done; r = await leitor.read()) {
      await escreverTudo(conn, r.value);
    }
  } catch {
    await leitor.cancel().catch(() => {});
  } finally {
    fechar(conn);
    await saiu;
  }
}

async function escreverTudo(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let escritos = 0; escritos < bytes.length;) {
    escritos += await conn.write(bytes.subarray(escritos));
  }
}
