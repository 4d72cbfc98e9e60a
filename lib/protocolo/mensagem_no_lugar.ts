/**
 * A MENSAGEM decodificada no lugar, o caminho quente do servidor: os campos
 * numéricos conferidos, o assunto e o texto apontando para os bytes recebidos
 * e só convertidos em `string` quando alguém os pede. Sem E/S.
 *
 * @module
 */

import { CodigoErro, ErroDeProtocolo } from "../erros.ts";
import {
  FIXO_MENSAGEM,
  INSTANTE_MAXIMO,
  type Mensagem,
  type MensagemEmBytes,
} from "./quadros.ts";
import { decodificarUtf8 } from "./utf8.ts";
import { nadaAEscapar } from "./varredura.ts";

/** Bytes de um `f64` big-endian, para ler sem um `DataView` por mensagem. */
const BYTES_F64 = new Uint8Array(8);
const VISTA_F64 = new DataView(BYTES_F64.buffer);
const VAZIO = new Uint8Array(0);

function malformado(descricao: string): ErroDeProtocolo {
  return new ErroDeProtocolo(CodigoErro.QUADRO_MALFORMADO, descricao);
}

/**
 * Uma MENSAGEM decodificada no lugar, sem cópia: os campos numéricos já
 * conferidos, o assunto e o texto validados como UTF-8 mas só convertidos em
 * `string` quando alguém os pede. Aponta para os bytes recebidos e, no modo
 * `noLugar` do `Decodificador`, é reaproveitada a cada quadro: só vale durante
 * o `aoQuadro` que a recebe. Para guardá-la, `copiar()`.
 */
export class MensagemNoLugar implements MensagemEmBytes {
  numero = 0;
  instante = 0;
  fuso = 0;
  bytesAssunto: Uint8Array = VAZIO;
  bytesTexto: Uint8Array = VAZIO;
  semEscape = true;
  #assunto: string | undefined;
  #texto: string | undefined;

  get assunto(): string {
    return this.#assunto ??= decodificarUtf8(this.bytesAssunto, "assunto");
  }

  get texto(): string {
    return this.#texto ??= decodificarUtf8(this.bytesTexto, "texto");
  }

  /** Uma `Mensagem` comum, independente dos bytes recebidos. */
  copiar(): Mensagem {
    const { numero, instante, fuso, assunto, texto } = this;
    return { numero, instante, fuso, assunto, texto };
  }

  /**
   * Larga os bytes recebidos. Quem reaproveita a vista a chama quando o
   * `aoQuadro` acabou: senão ela prenderia, numa conexão que ficou ociosa, o
   * buffer da última mensagem (o de leitura de uma rajada, até 256 KiB, ou o
   * corpo montado de um quadro que atravessou leituras).
   */
  soltar(): void {
    this.bytesAssunto = VAZIO;
    this.bytesTexto = VAZIO;
    this.#assunto = undefined;
    this.#texto = undefined;
  }

  /**
   * Decodifica o corpo `bytes[inicio, fim)` de uma MENSAGEM, conferindo tudo.
   *
   * @throws {ErroDeProtocolo} corpo malformado ou UTF-8 inválido
   */
  decodificar(bytes: Uint8Array, inicio: number, fim: number): void {
    if (fim - inicio < FIXO_MENSAGEM) throw malformado("mensagem curta demais");
    const fimAssunto = inicio + FIXO_MENSAGEM +
      ((bytes[inicio + 14] << 8) | bytes[inicio + 15]);
    if (fimAssunto > fim) {
      throw malformado("assunto maior que a própria mensagem");
    }
    for (let i = 0; i < 8; i++) BYTES_F64[i] = bytes[inicio + 4 + i];
    const instante = VISTA_F64.getFloat64(0);
    // NaN, ±∞ e datas além do calendário do `Date` (nem com o fuso) são recusados.
    if (!(Math.abs(instante) <= INSTANTE_MAXIMO)) {
      throw malformado("instante inválido");
    }
    this.numero = bytes[inicio] * 0x1000000 +
      ((bytes[inicio + 1] << 16) | (bytes[inicio + 2] << 8) |
        bytes[inicio + 3]);
    this.instante = instante;
    this.fuso = (((bytes[inicio + 12] << 8) | bytes[inicio + 13]) << 16) >> 16;
    this.bytesAssunto = bytes.subarray(inicio + FIXO_MENSAGEM, fimAssunto);
    this.bytesTexto = bytes.subarray(fimAssunto, fim);
    this.#assunto = undefined;
    this.#texto = undefined;
    this.semEscape = nadaAEscapar(bytes, inicio + FIXO_MENSAGEM, fim);
    if (!this.semEscape) {
      // Pode haver bytes fora do ASCII: valida o UTF-8 já, decodificando.
      this.#assunto = decodificarUtf8(this.bytesAssunto, "assunto");
      this.#texto = decodificarUtf8(this.bytesTexto, "texto");
    }
  }
}
