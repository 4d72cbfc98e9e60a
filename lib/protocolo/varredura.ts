/**
 * A varredura mais quente do servidor: um trecho de bytes pode ir tal e qual
 * para um terminal ou para uma string JSON? A `MensagemNoLugar` a faz uma vez
 * por mensagem, e o log JSON copia os bytes sem escape quando ela diz que sim.
 * Pura e sem E/S.
 *
 * @module
 */

/** 1 para cada byte que não é ASCII imprimível, `"` ou `\`; 0 para os demais. */
const A_ESCAPAR = Uint8Array.from(
  { length: 256 },
  (_, b) => b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c ? 1 : 0,
);

/** Um `DataView` do último buffer examinado: um por pedaço lido, não por mensagem. */
let bufferExaminado: ArrayBufferLike | undefined;
let vistaExaminada: DataView = new DataView(new ArrayBuffer(0));

/**
 * `bytes[inicio, fim)` vai tal e qual para um terminal ou uma string JSON, isto
 * é, só tem ASCII imprimível (0x20–0x7e) sem `"` nem `\`?
 *
 * Examina 4 bytes por vez (SWAR): num acumulador, o bit alto de cada byte
 * acende se o byte tem o bit alto, é menor que 0x20, ou é igual a `"`, `\` ou
 * DEL (o truque clássico "há um byte zero": `(v - 0x01…) & ~v & 0x80…`). Só
 * importa se algum byte acendeu, o que não depende da ordem dos bytes: a
 * palavra é lida em little-endian, a ordem da máquina, sem troca.
 * Tem o mesmo resultado que olhar byte a byte numa tabela, em menos da metade
 * do tempo: é o laço mais quente do servidor.
 *
 * @example
 * ```ts
 * import { nadaAEscapar } from "./varredura.ts";
 *
 * const bytes = new TextEncoder().encode('diz "oi"');
 * nadaAEscapar(bytes, 0, 3); // true: "diz"
 * nadaAEscapar(bytes, 0, bytes.length); // false: tem aspas
 * ```
 */
export function nadaAEscapar(
  bytes: Uint8Array,
  inicio: number,
  fim: number,
): boolean {
  if (bytes.buffer !== bufferExaminado) {
    bufferExaminado = bytes.buffer;
    vistaExaminada = new DataView(bytes.buffer);
  }
  const vista = vistaExaminada;
  const deslocamento = bytes.byteOffset;
  let i = inicio;
  let alerta = 0;
  for (; i + 4 <= fim; i += 4) {
    const w = vista.getUint32(deslocamento + i, true) | 0;
    const aspas = w ^ 0x22222222;
    const barra = w ^ 0x5c5c5c5c;
    const del = w ^ 0x7f7f7f7f;
    alerta |= w | ((w - 0x20202020) & ~w) |
      ((aspas - 0x01010101) & ~aspas) |
      ((barra - 0x01010101) & ~barra) |
      ((del - 0x01010101) & ~del);
  }
  if ((alerta & 0x80808080) !== 0) return false;
  for (; i < fim; i++) {
    if (A_ESCAPAR[bytes[i]] !== 0) return false;
  }
  return true;
}
