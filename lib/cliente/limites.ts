/**
 * Por que uma mensagem não cabe: no limite de assunto + texto que o servidor
 * anunciou, ou no campo de assunto do quadro (um u16, 65535 bytes). O menu e o
 * envio sem menu recusam com esta frase antes de enviar; a sessão confere com
 * `excesso()` (`excessoDaMensagem` do protocolo). Puro: só texto.
 *
 * @module
 */

import { ASSUNTO_MAXIMO } from "../protocolo/quadros.ts";
import { bytesUtf8 } from "../protocolo/utf8.ts";
import { contar } from "../saida/contagem.ts";

/**
 * A frase que explica o excesso (sem ponto final), para uma mensagem que
 * `excesso()` recusou. Com `comTotal`, diz também quantos bytes a mensagem tem.
 *
 * @example
 * ```ts
 * import { motivoDoExcesso } from "./limites.ts";
 *
 * motivoDoExcesso("Aviso", "x".repeat(20), 16);
 * // "9 bytes acima do limite de 16 bytes do servidor"
 * ```
 */
export function motivoDoExcesso(
  assunto: string,
  texto: string,
  tamanhoMaximo: number,
  comTotal = false,
): string {
  const bytesAssunto = bytesUtf8(assunto);
  const total = bytesAssunto + bytesUtf8(texto);
  if (total <= tamanhoMaximo && bytesAssunto > ASSUNTO_MAXIMO) {
    return `o assunto tem ${bytesAssunto} bytes, ${
      contar(bytesAssunto - ASSUNTO_MAXIMO, "byte", "bytes")
    } acima do máximo de ${ASSUNTO_MAXIMO} bytes que o protocolo permite num assunto`;
  }
  return `${comTotal ? `assunto + texto têm ${total} bytes, ` : ""}${
    contar(total - tamanhoMaximo, "byte", "bytes")
  } acima do limite de ${tamanhoMaximo} bytes do servidor`;
}
