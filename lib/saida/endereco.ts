/**
 * Um endereço com porta como as pessoas o escrevem: `127.0.0.1:5000`,
 * `srv.exemplo:5000` ou, para IPv6, `[::1]:5000` (sem os colchetes, os dois
 * pontos da porta se confundiriam com os do endereço). Toda mensagem que junta
 * endereço e porta passa por aqui. Pura: só texto.
 *
 * @module
 */

/**
 * `host:porta`, com colchetes em volta de um endereço IPv6.
 *
 * @example
 * ```ts
 * import { comPorta } from "./endereco.ts";
 *
 * comPorta("::1", 5000); // "[::1]:5000"
 * comPorta("127.0.0.1", 5000); // "127.0.0.1:5000"
 * ```
 */
export function comPorta(host: string, porta: number): string {
  return host.includes(":") ? `[${host}]:${porta}` : `${host}:${porta}`;
}
