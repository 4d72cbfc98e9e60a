/**
 * O ouvinte TLS do servidor, sobre `node:tls` em vez de `Deno.listenTls`.
 * Por quê: no Deno 2.9.6 o handshake de `Deno.listenTls` corre numa tarefa à
 * parte que guarda sua própria referência ao socket TCP; fechar a conexão no
 * meio do handshake não fecha o socket, e um par que conecta e fica calado
 * prende um descritor enquanto quiser, mesmo depois do `--prazo` (issue 15).
 * Aqui o socket TCP é nosso (`node:net`) e o TLS roda sobre ele
 * (`tls.TLSSocket`): `close()` destrói os dois, no handshake ou depois.
 *
 * `OuvinteTls` e `ConexaoTls` imitam o pedaço de `Deno.Listener` e
 * `Deno.Conn` que o servidor e `Conexao` usam: `accept`/`close`/`addr`,
 * `read`/`write`/`closeWrite`/`close`/`remoteAddr`/`setNoDelay`.
 *
 * @module
 */

import net from "node:net";
import tls from "node:tls";
import type { Buffer } from "node:buffer";
import { createPrivateKey, X509Certificate } from "node:crypto";

/** Bytes lidos e ainda não entregues acima disso: pausa o socket. */
const PAUSAR_ACIMA = 64 * 1024;

/** Uma conexão TLS aceita, com a forma de um `Deno.Conn`. */
export class ConexaoTls {
  readonly remoteAddr: Deno.NetAddr;
  readonly localAddr: Deno.NetAddr;
  readonly #tcp: net.Socket;
  readonly #tls: tls.TLSSocket;
  /** Pedaços decifrados à espera de `read`. */
  #pedacos: Uint8Array[] = [];
  #bytes = 0;
  #fim = false;
  #erro: Error | undefined;
  #esperando: (() => void) | undefined;

  constructor(tcp: net.Socket, opcoes: tls.TlsOptions) {
    this.#tcp = tcp;
    this.remoteAddr = {
      transport: "tcp",
      hostname: desmapear(tcp.remoteAddress ?? ""),
      port: tcp.remotePort ?? 0,
    };
    this.localAddr = {
      transport: "tcp",
      hostname: desmapear(tcp.localAddress ?? ""),
      port: tcp.localPort ?? 0,
    };
    const s = this.#tls = new tls.TLSSocket(tcp, { ...opcoes, isServer: true });
    s.on("data", (pedaco: Buffer) => {
      this.#pedacos.push(pedaco);
      this.#bytes += pedaco.length;
      if (this.#bytes > PAUSAR_ACIMA) s.pause();
      this.#acordar();
    });
    s.on("end", () => {
      this.#fim = true;
      this.#acordar();
    });
    s.on("close", () => {
      this.#fim = true;
      this.#acordar();
    });
    s.on("error", (erro: Error) => {
      this.#erro ??= erro;
      this.#acordar();
    });
    tcp.on("error", (erro: Error) => {
      this.#erro ??= erro;
      this.#acordar();
    });
  }

  #acordar() {
    const acordar = this.#esperando;
    this.#esperando = undefined;
    acordar?.();
  }

  /** Como `Deno.Conn.read`: bytes em `destino`, ou `null` no fim. */
  async read(destino: Uint8Array): Promise<number | null> {
    while (this.#pedacos.length === 0) {
      if (this.#erro) throw this.#erro;
      if (this.#fim) return null;
      await new Promise<void>((acordar) => this.#esperando = acordar);
    }
    let n = 0;
    while (n < destino.length && this.#pedacos.length > 0) {
      const pedaco = this.#pedacos[0];
      const parte = Math.min(pedaco.length, destino.length - n);
      destino.set(pedaco.subarray(0, parte), n);
      n += parte;
      if (parte === pedaco.length) this.#pedacos.shift();
      else this.#pedacos[0] = pedaco.subarray(parte);
    }
    this.#bytes -= n;
    if (this.#bytes <= PAUSAR_ACIMA && this.#tls.isPaused()) this.#tls.resume();
    return n;
  }

  /** Como `Deno.Conn.write`: resolve quando os bytes saíram do nosso lado. */
  write(bytes: Uint8Array): Promise<number> {
    if (this.#erro) return Promise.reject(this.#erro);
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    // Uma cópia: quem chama reaproveita o buffer quando a promessa resolve,
    // e o fluxo pode guardar o pedaço até lá.
    this.#tls.write(bytes.slice(), (erro) => {
      if (erro) reject(erro);
      else resolve(bytes.length);
    });
    return promise;
  }

  setNoDelay(ligado = true): void {
    this.#tcp.setNoDelay(ligado);
  }

  /** Fecha o sentido de escrita (close_notify e FIN). */
  closeWrite(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#tls.end(resolve);
    return promise;
  }

  /** Fecha já, inclusive no meio do handshake: o descritor é liberado. */
  close(): void {
    this.#fim = true;
    this.#tls.destroy();
    this.#tcp.destroy();
    this.#acordar();
  }
}

/** Um ouvinte TLS com a forma de um `Deno.Listener`. */
export class OuvinteTls {
  readonly addr: Deno.NetAddr;
  readonly #servidor: net.Server;
  readonly #opcoes: tls.TlsOptions;
  readonly #fila: net.Socket[] = [];
  #esperando: ((tcp: net.Socket | null) => void) | undefined;
  #fechado = false;

  private constructor(servidor: net.Server, opcoes: tls.TlsOptions) {
    this.#servidor = servidor;
    this.#opcoes = opcoes;
    const endereco = servidor.address() as net.AddressInfo;
    this.addr = {
      transport: "tcp",
      hostname: endereco.address,
      port: endereco.port,
    };
    servidor.on("connection", (tcp: net.Socket) => {
      if (this.#fechado) return void tcp.destroy();
      const esperando = this.#esperando;
      this.#esperando = undefined;
      if (esperando) esperando(tcp);
      else this.#fila.push(tcp);
    });
  }

  /**
   * Escuta em `hostname:port`.
   *
   * @throws {Deno.errors.AddrInUse} e os outros erros de `Deno.listen`
   */
  static async ouvir(
    opcoes: { hostname: string; port: number; cert: string; key: string },
  ): Promise<OuvinteTls> {
    conferirPar(opcoes.cert, opcoes.key);
    const contexto = tls.createSecureContext({
      cert: opcoes.cert,
      key: opcoes.key,
    });
    const servidor = net.createServer({ noDelay: true });
    await new Promise<void>((pronto, falhou) => {
      const aoFalhar = (erro: Error) => falhou(comoDoDeno(erro));
      servidor.once("error", aoFalhar);
      servidor.listen(opcoes.port, opcoes.hostname, () => {
        servidor.off("error", aoFalhar);
        pronto();
      });
    });
    return new OuvinteTls(servidor, { secureContext: contexto });
  }

  /** A próxima conexão TCP, já com o TLS por cima (o handshake segue nela). */
  async accept(): Promise<ConexaoTls> {
    const tcp = this.#fila.shift() ??
      await new Promise<net.Socket | null>((r) => this.#esperando = r);
    if (tcp === null) throw new Deno.errors.BadResource("ouvinte fechado");
    return new ConexaoTls(tcp, this.#opcoes);
  }

  close(): void {
    if (this.#fechado) return;
    this.#fechado = true;
    this.#servidor.close();
    for (const tcp of this.#fila.splice(0)) tcp.destroy();
    const esperando = this.#esperando;
    this.#esperando = undefined;
    esperando?.(null);
  }
}

/** `::ffff:1.2.3.4` (IPv4 num socket IPv6) vira `1.2.3.4`, como no Deno. */
function desmapear(endereco: string): string {
  return endereco.startsWith("::ffff:") && endereco.includes(".")
    ? endereco.slice(7)
    : endereco;
}

/** Os erros de `listen` do node como os de `Deno.listen`, que o servidor já explica. */
function comoDoDeno(erro: Error): Error {
  const Classe = {
    EADDRINUSE: Deno.errors.AddrInUse,
    EACCES: Deno.errors.PermissionDenied,
    EADDRNOTAVAIL: Deno.errors.AddrNotAvailable,
  }[(erro as { code?: string }).code ?? ""];
  return Classe ? new Classe(erro.message, { cause: erro }) : erro;
}

/**
 * Confere, antes de escutar, que a chave é a do certificado: o `node:tls`
 * do Deno aceita qualquer texto aqui e só falharia no primeiro cliente. Os
 * erros têm os textos de `Deno.listenTls`, que o servidor já explica.
 */
function conferirPar(cert: string, chave: string): void {
  let certificado: X509Certificate;
  try {
    certificado = new X509Certificate(cert);
  } catch (erro) {
    throw new Error("No certificates found in certificate data", {
      cause: erro,
    });
  }
  let privada;
  try {
    privada = createPrivateKey(chave);
  } catch (erro) {
    throw new Error("No keys found in key data", { cause: erro });
  }
  if (!certificado.checkPrivateKey(privada)) {
    throw new Error("KeyMismatch: the key does not match the certificate");
  }
}
