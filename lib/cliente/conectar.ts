/**
 * Abre a conexão do cliente com o servidor, TCP ou TLS, dentro do prazo
 * (`tempoLimite`); com TLS, completa o handshake já aqui. Um erro vira uma
 * `FalhaDoCliente` (falhas.ts). Serve às duas sessões: a do protocolo
 * (sessao.ts) e a do original (legado.ts), que não dependem uma da outra.
 *
 * @module
 */

import { falhaAoConectar, falhaDeTls } from "./falhas.ts";
import { type Agendamento, agendar } from "../temporizador.ts";

/** Onde e como conectar (as duas sessões recebem as mesmas opções). */
export interface OpcoesCliente {
  host: string;
  porta: number;
  /** Prazo, em ms, para conectar e para o servidor responder à saudação. */
  tempoLimite: number;
  /** Token exigido pelo servidor (de `SOCKETS_TOKEN` ou `--token-arquivo`). */
  token?: string | undefined;
  /** Conectar com TLS; `ca` (PEM) substitui as raízes do sistema. */
  tls?: { ca?: string | undefined } | undefined;
}

/** Teto de bytes a caminho do servidor (o modo --linhas enfileira muito). */
export const LIMITE_FILA_ENVIO = 16 * 1024 * 1024;

/**
 * Abre a conexão (TCP ou TLS) dentro do prazo; com TLS, completa o handshake
 * já aqui, para que um certificado recusado seja relatado como tal.
 *
 * @throws {FalhaDoCliente}
 */
export async function abrirConexao(
  opcoes: OpcoesCliente,
): Promise<Deno.Conn> {
  const { host, porta, tempoLimite } = opcoes;
  if (!opcoes.tls) {
    // O prazo num AbortController nosso (temporizador.ts), e não num
    // `AbortSignal.timeout`: o primeiro custa mais à partida do cliente.
    const controle = new AbortController();
    const prazo = agendar(
      tempoLimite,
      () => controle.abort(new DOMException("prazo", "TimeoutError")),
    );
    try {
      return await Deno.connect({
        hostname: host,
        port: porta,
        signal: controle.signal,
      });
    } catch (erro) {
      throw falhaAoConectar(erro, host, porta, tempoLimite);
    } finally {
      prazo.cancelar();
    }
  }
  return await abrirTls(opcoes, opcoes.tls.ca);
}

/**
 * A conexão TLS com o handshake completo, dentro do prazo. O prazo fecha a
 * conexão (o que interrompe o handshake) e a falha dela também: fecha-se uma
 * vez só. Se o prazo vence antes de a conexão abrir, ela é fechada quando
 * abrir, e uma falha tardia não fica sem quem a trate.
 *
 * @throws {FalhaDoCliente}
 */
async function abrirTls(
  opcoes: OpcoesCliente,
  ca: string | undefined,
): Promise<Deno.TlsConn> {
  const { host, porta, tempoLimite } = opcoes;
  let conn: Deno.TlsConn | undefined;
  let fechada = false;
  const fechar = () => {
    if (conn === undefined || fechada) return;
    fechada = true;
    conn.close();
  };
  let desistiu = false;
  let prazo: Agendamento | undefined;
  const estouro = new Promise<never>((_, rejeitar) => {
    prazo = agendar(tempoLimite, () => {
      desistiu = true;
      fechar();
      rejeitar(new DOMException("prazo", "TimeoutError"));
    });
  });
  const conectando = Deno.connectTls({
    hostname: host,
    port: porta,
    ...(ca ? { caCerts: [ca] } : {}),
  });
  conectando.then((aberta) => {
    if (desistiu) aberta.close();
  }, () => {});
  try {
    conn = await Promise.race([conectando, estouro]);
    await Promise.race([conn.handshake(), estouro]);
    return conn;
  } catch (erro) {
    fechar();
    if (
      erro instanceof Deno.errors.InvalidData ||
      /tls|certificate|alert|corrupt/i.test(String(erro))
    ) {
      throw falhaDeTls(erro, host, porta, Boolean(ca));
    }
    throw falhaAoConectar(erro, host, porta, tempoLimite);
  } finally {
    prazo?.cancelar();
  }
}
