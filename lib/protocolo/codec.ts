/**
 * O codec do protocolo Sockets de Rede: transforma quadros em bytes e bytes em
 * quadros. Não faz E/S nenhuma (não toca em `Deno.*`), para ser testado byte a
 * byte sem socket. O formato está descrito em PROTOCOLO.md.
 *
 * Cada quadro é `[comprimento u32 BE][tipo u8][corpo]`, em que o comprimento
 * conta só o corpo. O decodificador é incremental: recebe pedaços de qualquer
 * tamanho e entrega quadros completos, conferindo cada comprimento contra o
 * limite do tipo antes de alocar ou guardar qualquer byte do corpo.
 *
 * @module
 */

import { CodigoErro, ErroDeProtocolo } from "../erros.ts";

/** Versão do protocolo que este código fala. */
export const VERSAO = 1;
/** Bytes mágicos no início de cada saudação: "SKRD". */
export const MAGICO = Uint8Array.of(0x53, 0x4b, 0x52, 0x44);
/** O código de saída do original, corpo do quadro DESPEDIDA. */
export const CODIGO_SAIDA = "CODIGO_SAIDA";
/** Limite de assunto + texto, em bytes, quando o servidor não diz outro. */
export const TAMANHO_MAXIMO_PADRAO = 1024;
/** Tamanho do cabeçalho de todo quadro: comprimento (4) + tipo (1). */
export const CABECALHO = 5;
/** Parte fixa do corpo de MENSAGEM: número, instante, fuso, tamanho do assunto. */
export const FIXO_MENSAGEM = 16;

/** Tipos de quadro (o byte depois do comprimento). */
export const Tipo = {
  OLA_CLIENTE: 0x01,
  OLA_SERVIDOR: 0x02,
  MENSAGEM: 0x03,
  CONFIRMACAO: 0x04,
  DESPEDIDA: 0x05,
  ERRO: 0x06,
  PING: 0x07,
  PONG: 0x08,
} as const;
export type Tipo = typeof Tipo[keyof typeof Tipo];

/** Uma mensagem como o cliente a compôs. */
export interface Mensagem {
  /** Número da mensagem na sessão do cliente, a partir de 1. */
  numero: number;
  /** Quando o cliente a compôs, em milissegundos desde 1970 (UTC). */
  instante: number;
  /** Fuso do cliente em minutos a leste de UTC, para mostrar a hora dele. */
  fuso: number;
  assunto: string;
  texto: string;
}

export type Quadro =
  | { tipo: typeof Tipo.OLA_CLIENTE; versao: number; token: string }
  | {
    tipo: typeof Tipo.OLA_SERVIDOR;
    versao: number;
    /** Máximo de bytes de assunto + texto. */
    tamanhoMaximo: number;
    /** Milissegundos sem quadros depois dos quais o servidor desliga; 0 = nunca. */
    tempoOcioso: number;
  }
  | { tipo: typeof Tipo.MENSAGEM; mensagem: Mensagem }
  | { tipo: typeof Tipo.CONFIRMACAO; numero: number }
  | { tipo: typeof Tipo.DESPEDIDA }
  | { tipo: typeof Tipo.ERRO; codigo: number; texto: string }
  | { tipo: typeof Tipo.PING }
  | { tipo: typeof Tipo.PONG };

/** Maior corpo aceito para cada tipo; um tipo ausente não é aceito. */
export type Limites = Partial<Record<Tipo, number>>;

const TAMANHO_OLA_CLIENTE = 8; // mágico, versão, reservado, tamanho do token
const TAMANHO_OLA_SERVIDOR = 13; // mágico, versão, tamanho máximo, tempo ocioso
const TOKEN_MAXIMO = 4096;
const TEXTO_ERRO_MAXIMO = 2048;

const codificador = new TextEncoder();
// ignoreBOM: um U+FEFF no início de um campo é entregue como veio.
const decodificadorUtf8 = new TextDecoder("utf-8", {
  fatal: true,
  ignoreBOM: true,
});
const BYTES_CODIGO_SAIDA = codificador.encode(CODIGO_SAIDA);

/** Quadros que um servidor com este limite de mensagem aceita de um cliente. */
export function limitesDoServidor(tamanhoMaximo: number): Limites {
  return {
    [Tipo.OLA_CLIENTE]: TAMANHO_OLA_CLIENTE + TOKEN_MAXIMO,
    [Tipo.MENSAGEM]: FIXO_MENSAGEM + tamanhoMaximo,
    [Tipo.DESPEDIDA]: BYTES_CODIGO_SAIDA.length,
    [Tipo.ERRO]: 2 + TEXTO_ERRO_MAXIMO,
    [Tipo.PING]: 0,
    [Tipo.PONG]: 0,
  };
}

/** Quadros que um cliente aceita de um servidor. */
export function limitesDoCliente(): Limites {
  return {
    [Tipo.OLA_SERVIDOR]: TAMANHO_OLA_SERVIDOR,
    [Tipo.CONFIRMACAO]: 4,
    [Tipo.DESPEDIDA]: BYTES_CODIGO_SAIDA.length,
    [Tipo.ERRO]: 2 + TEXTO_ERRO_MAXIMO,
    [Tipo.PING]: 0,
    [Tipo.PONG]: 0,
  };
}

/** Bytes de assunto + texto em UTF-8: o que o limite de mensagem mede. */
export function tamanhoDaMensagem(assunto: string, texto: string): number {
  return bytesUtf8(assunto) + bytesUtf8(texto);
}

/** Comprimento de uma string em UTF-8, sem codificá-la. */
export function bytesUtf8(texto: string): number {
  let bytes = texto.length;
  for (let i = 0; i < texto.length; i++) {
    const c = texto.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < texto.length) {
      const proximo = texto.charCodeAt(i + 1);
      if (proximo >= 0xdc00 && proximo <= 0xdfff) {
        bytes += 2; // o par vira 4 bytes: 2 unidades + 2
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

function novoQuadro(tipo: Tipo, tamanhoCorpo: number) {
  const bytes = new Uint8Array(CABECALHO + tamanhoCorpo);
  const vista = new DataView(bytes.buffer);
  vista.setUint32(0, tamanhoCorpo);
  bytes[4] = tipo;
  return { bytes, vista };
}

/** Codifica um quadro num único buffer, dimensionado de antemão. */
export function codificar(quadro: Quadro): Uint8Array {
  switch (quadro.tipo) {
    case Tipo.OLA_CLIENTE: {
      const token = codificador.encode(quadro.token);
      const { bytes, vista } = novoQuadro(
        quadro.tipo,
        TAMANHO_OLA_CLIENTE + token.length,
      );
      bytes.set(MAGICO, CABECALHO);
      bytes[CABECALHO + 4] = quadro.versao;
      vista.setUint16(CABECALHO + 6, token.length);
      bytes.set(token, CABECALHO + TAMANHO_OLA_CLIENTE);
      return bytes;
    }
    case Tipo.OLA_SERVIDOR: {
      const { bytes, vista } = novoQuadro(quadro.tipo, TAMANHO_OLA_SERVIDOR);
      bytes.set(MAGICO, CABECALHO);
      bytes[CABECALHO + 4] = quadro.versao;
      vista.setUint32(CABECALHO + 5, quadro.tamanhoMaximo);
      vista.setUint32(CABECALHO + 9, quadro.tempoOcioso);
      return bytes;
    }
    case Tipo.MENSAGEM:
      return codificarMensagem(quadro.mensagem);
    case Tipo.CONFIRMACAO: {
      const { bytes, vista } = novoQuadro(quadro.tipo, 4);
      vista.setUint32(CABECALHO, quadro.numero);
      return bytes;
    }
    case Tipo.DESPEDIDA: {
      const { bytes } = novoQuadro(quadro.tipo, BYTES_CODIGO_SAIDA.length);
      bytes.set(BYTES_CODIGO_SAIDA, CABECALHO);
      return bytes;
    }
    case Tipo.ERRO: {
      const texto = cortarUtf8(
        codificador.encode(quadro.texto),
        TEXTO_ERRO_MAXIMO,
      );
      const { bytes, vista } = novoQuadro(quadro.tipo, 2 + texto.length);
      vista.setUint16(CABECALHO, quadro.codigo);
      bytes.set(texto, CABECALHO + 2);
      return bytes;
    }
    case Tipo.PING:
    case Tipo.PONG:
      return novoQuadro(quadro.tipo, 0).bytes;
  }
}

/** Corta bytes UTF-8 em no máximo `maximo`, sem partir um caractere ao meio. */
function cortarUtf8(bytes: Uint8Array, maximo: number): Uint8Array {
  if (bytes.length <= maximo) return bytes;
  let fim = maximo;
  while (fim > 0 && (bytes[fim] & 0xc0) === 0x80) fim--; // byte de continuação
  return bytes.subarray(0, fim);
}

/** Maior assunto, em bytes: o tamanho vai num u16. */
export const ASSUNTO_MAXIMO = 0xffff;

/**
 * Codifica uma MENSAGEM: `[número u32][instante f64][fuso i16][tam. assunto u16][assunto][texto]`. */
export function codificarMensagem(mensagem: Mensagem): Uint8Array {
  const quadro = new Uint8Array(
    CABECALHO + FIXO_MENSAGEM +
      tamanhoDaMensagem(mensagem.assunto, mensagem.texto),
  );
  codificarMensagemEm(mensagem, quadro);
  return quadro;
}

/**
 * Quantos bytes `codificarMensagemEm` pode precisar: cada unidade UTF-16 vira
 * no máximo 3 bytes (um par substituto, 2 unidades, vira 4).
 */
export function espacoParaMensagem(assunto: string, texto: string): number {
  return CABECALHO + FIXO_MENSAGEM + 3 * (assunto.length + texto.length);
}

/**
 * Codifica uma MENSAGEM no início de `destino`, sem alocar nada: para quem
 * reaproveita um buffer a cada envio. Devolve o tamanho do quadro.
 *
 * @throws {RangeError} com um campo fora do seu tipo, ou se `destino` tem
 *   menos que `espacoParaMensagem` e a mensagem não coube
 */
export function codificarMensagemEm(
  mensagem: Mensagem,
  destino: Uint8Array,
): number {
  // Os campos de tamanho fixo dariam a volta em silêncio; melhor recusar.
  if (
    !Number.isInteger(mensagem.numero) || mensagem.numero < 0 ||
    mensagem.numero > 0xffff_ffff
  ) {
    throw new RangeError(`número de mensagem fora de u32: ${mensagem.numero}`);
  }
  if (
    !Number.isInteger(mensagem.fuso) || mensagem.fuso < -32768 ||
    mensagem.fuso > 32767
  ) {
    throw new RangeError(`fuso fora de i16: ${mensagem.fuso}`);
  }
  const inicioAssunto = CABECALHO + FIXO_MENSAGEM;
  const assunto = codificarEm(mensagem.assunto, destino, inicioAssunto);
  if (assunto > ASSUNTO_MAXIMO) {
    throw new RangeError(
      `assunto de ${assunto} bytes; o máximo é ${ASSUNTO_MAXIMO}`,
    );
  }
  const texto = codificarEm(mensagem.texto, destino, inicioAssunto + assunto);
  const corpo = FIXO_MENSAGEM + assunto + texto;
  escreverU32(destino, 0, corpo);
  destino[4] = Tipo.MENSAGEM;
  escreverU32(destino, CABECALHO, mensagem.numero);
  VISTA_F64.setFloat64(0, mensagem.instante);
  destino.set(BYTES_F64, CABECALHO + 4);
  escreverU16(destino, CABECALHO + 12, mensagem.fuso & 0xffff);
  escreverU16(destino, CABECALHO + 14, assunto);
  return CABECALHO + corpo;
}

/** Escreve `texto` em UTF-8 a partir de `inicio`; devolve quantos bytes. */
function codificarEm(texto: string, destino: Uint8Array, inicio: number) {
  const { read, written } = codificador.encodeInto(
    texto,
    destino.subarray(inicio),
  );
  if (read < texto.length) {
    throw new RangeError(
      "destino pequeno demais para a mensagem (veja espacoParaMensagem)",
    );
  }
  return written;
}

function escreverU32(destino: Uint8Array, pos: number, valor: number) {
  destino[pos] = valor >>> 24;
  destino[pos + 1] = valor >>> 16;
  destino[pos + 2] = valor >>> 8;
  destino[pos + 3] = valor;
}

function escreverU16(destino: Uint8Array, pos: number, valor: number) {
  destino[pos] = valor >>> 8;
  destino[pos + 1] = valor;
}

/**
 * Troca o número de uma CONFIRMACAO já codificada (9 bytes), para quem
 * reaproveita o mesmo buffer a cada confirmação.
 */
export function renumerarConfirmacao(quadro: Uint8Array, numero: number): void {
  escreverU32(quadro, CABECALHO, numero);
}

/** Os estados do decodificador entre um pedaço e outro. */
const Estado = {
  CABECALHO: 0,
  CORPO: 1,
} as const;
type Estado = typeof Estado[keyof typeof Estado];

/**
 * Decodificador incremental. Fatias de um pedaço que contém quadros inteiros
 * são lidas no lugar (`subarray`); só se copia um quadro que atravessa pedaços.
 *
 * @example
 * ```ts
 * const d = new Decodificador(limitesDoCliente());
 * d.decodificar(bytes, (quadro) => console.log(quadro.tipo));
 * ```
 */
export class Decodificador {
  #limites: Readonly<Limites>;
  /**
   * Com `noLugar`, a vista reaproveitada a cada MENSAGEM, criada na primeira
   * (`undefined` até lá: uma conexão ociosa não paga por ela); senão, `null`.
   */
  #noLugar:
    | { tipo: typeof Tipo.MENSAGEM; mensagem: MensagemNoLugar }
    | null
    | undefined;
  #estado: Estado = Estado.CABECALHO;
  /**
   * Bytes já guardados do cabeçalho (em CABECALHO) ou do corpo (em CORPO).
   * Um cabeçalho partido entre pedaços não tem buffer: o comprimento se
   * acumula em `#tamanho`, byte a byte, e o quinto byte é o tipo.
   */
  #preenchido = 0;
  #tamanho = 0;
  #tipo = 0;
  /** Fora de CORPO, o `VAZIO` compartilhado: comprimento 0, nunca escrito. */
  #corpo: Uint8Array = VAZIO;
  #aguardandoOla: Tipo | undefined;

  /**
   * @param limites maior corpo aceito de cada tipo
   * @param saudacao tipo que tem de vir primeiro; qualquer outro início é
   *   tratado como quem não fala o protocolo
   * @param opcoes `noLugar`: cada MENSAGEM chega como uma `MensagemNoLugar`
   *   reaproveitada, sem cópia nem objeto novo (o caminho quente do servidor)
   */
  constructor(
    limites: Readonly<Limites>,
    saudacao?: Tipo,
    opcoes: { noLugar?: boolean } = {},
  ) {
    this.#limites = limites;
    this.#aguardandoOla = saudacao;
    this.#noLugar = opcoes.noLugar ? undefined : null;
  }

  #fimDoPedaco = false;

  /**
   * O quadro entregue agora é o último completo do pedaço: nada vem depois
   * dele nesta chamada. Só vale dentro de `aoQuadro`.
   */
  get fimDoPedaco(): boolean {
    return this.#fimDoPedaco;
  }

  /** Há bytes de um quadro incompleto guardados. */
  get incompleto(): boolean {
    return this.#estado === Estado.CORPO || this.#preenchido > 0;
  }

  /** Troca os limites (o cliente só sabe o do servidor depois da saudação). */
  set limites(limites: Readonly<Limites>) {
    this.#limites = limites;
  }

  /**
   * Consome um pedaço e chama `aoQuadro` para cada quadro completo, na ordem.
   * Os quadros anteriores a um erro são entregues antes de o erro ser lançado.
   * Com `alvo`, `aoQuadro` é chamado como método dele: quem decodifica sempre
   * para o mesmo objeto passa um método, sem guardar um fecho por objeto.
   *
   * @throws {ErroDeProtocolo} quando os bytes violam o protocolo
   */
  decodificar<T = undefined>(
    pedaco: Uint8Array,
    aoQuadro: (this: T, quadro: Quadro) => void,
    alvo?: T,
  ): void {
    let pos = 0;
    while (pos < pedaco.length) {
      if (this.#estado === Estado.CABECALHO) {
        if (this.#preenchido === 0 && pedaco.length - pos >= CABECALHO) {
          // Caminho rápido: cabeçalho inteiro no pedaço.
          const tamanho = (pedaco[pos] * 0x1000000) +
            ((pedaco[pos + 1] << 16) | (pedaco[pos + 2] << 8) |
              pedaco[pos + 3]);
          const tipo = pedaco[pos + 4];
          this.#verificarCabecalho(tipo, tamanho);
          pos += CABECALHO;
          if (pedaco.length - pos >= tamanho) {
            this.#fimDoPedaco = pedaco.length - pos === tamanho;
            aoQuadro.call(
              alvo as T,
              this.#quadro(tipo, pedaco, pos, pos + tamanho),
            );
            pos += tamanho;
            continue;
          }
          this.#iniciarCorpo(tipo, tamanho);
          continue;
        }
        // Cabeçalho partido: o comprimento (u32 BE) se acumula byte a byte.
        while (this.#preenchido < CABECALHO - 1 && pos < pedaco.length) {
          this.#tamanho = this.#tamanho * 0x100 + pedaco[pos++];
          this.#preenchido++;
        }
        if (pos === pedaco.length) return; // falta ao menos o tipo
        const tamanho = this.#tamanho;
        const tipo = pedaco[pos++];
        this.#preenchido = 0;
        this.#tamanho = 0;
        this.#verificarCabecalho(tipo, tamanho);
        if (tamanho === 0) {
          this.#fimDoPedaco = pos === pedaco.length;
          aoQuadro.call(alvo as T, this.#quadro(tipo, VAZIO, 0, 0));
          continue;
        }
        this.#iniciarCorpo(tipo, tamanho);
        continue;
      }
      const falta = this.#corpo.length - this.#preenchido;
      const parte = pedaco.subarray(pos, pos + falta);
      this.#corpo.set(parte, this.#preenchido);
      this.#preenchido += parte.length;
      pos += parte.length;
      if (this.#preenchido < this.#corpo.length) return;
      const corpo = this.#corpo;
      this.#estado = Estado.CABECALHO;
      this.#preenchido = 0;
      this.#corpo = VAZIO;
      this.#fimDoPedaco = pos === pedaco.length;
      aoQuadro.call(
        alvo as T,
        this.#quadro(this.#tipo, corpo, 0, corpo.length),
      );
    }
  }

  /** O quadro cujo corpo são `bytes[inicio, fim)`. */
  #quadro(tipo: number, bytes: Uint8Array, inicio: number, fim: number) {
    if (tipo === Tipo.MENSAGEM) {
      if (this.#noLugar !== null) {
        const noLugar = this.#noLugar ??= {
          tipo,
          mensagem: new MensagemNoLugar(),
        };
        noLugar.mensagem.ler(bytes, inicio, fim);
        return noLugar;
      }
      const mensagem = new MensagemNoLugar();
      mensagem.ler(bytes, inicio, fim);
      return { tipo, mensagem: mensagem.copiar() };
    }
    return lerCorpo(tipo, bytes.subarray(inicio, fim));
  }

  #iniciarCorpo(tipo: number, tamanho: number) {
    // O comprimento já foi conferido contra o limite: alocar é seguro.
    this.#tipo = tipo;
    this.#corpo = new Uint8Array(tamanho);
    this.#preenchido = 0;
    this.#estado = Estado.CORPO;
  }

  #verificarCabecalho(tipo: number, tamanho: number) {
    if (this.#aguardandoOla !== undefined) {
      this.#verificarSaudacao(tipo, tamanho);
      this.#aguardandoOla = undefined;
    }
    const limite = this.#limites[tipo as Tipo];
    if (limite === undefined) {
      throw new ErroDeProtocolo(
        CodigoErro.TIPO_DESCONHECIDO,
        `tipo de quadro desconhecido ou inesperado: 0x${hex2(tipo)}`,
      );
    }
    if (tamanho > limite) throw erroDeTamanho(tipo, tamanho, limite);
  }

  #verificarSaudacao(tipo: number, tamanho: number) {
    if (tipo === this.#aguardandoOla) return;
    const limite = this.#limites[tipo as Tipo];
    if (limite !== undefined && tamanho <= limite) {
      throw new ErroDeProtocolo(
        CodigoErro.FORA_DE_ORDEM,
        `quadro 0x${hex2(tipo)} recebido antes da saudação`,
      );
    }
    throw new ErroDeProtocolo(
      CodigoErro.PROTOCOLO_DESCONHECIDO,
      "os primeiros bytes não são uma saudação do protocolo Sockets de Rede",
    );
  }
}

function erroDeTamanho(tipo: number, tamanho: number, limite: number) {
  if (tipo === Tipo.MENSAGEM) {
    const bytes = tamanho - FIXO_MENSAGEM;
    const maximo = limite - FIXO_MENSAGEM;
    return new ErroDeProtocolo(
      CodigoErro.MENSAGEM_GRANDE,
      `mensagem de ${bytes} bytes excede o limite de ${maximo} bytes em ${
        bytes - maximo
      } bytes`,
    );
  }
  return new ErroDeProtocolo(
    CodigoErro.QUADRO_MALFORMADO,
    `quadro 0x${hex2(tipo)} de ${tamanho} bytes excede o máximo de ${limite}`,
  );
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

function malformado(descricao: string): ErroDeProtocolo {
  return new ErroDeProtocolo(CodigoErro.QUADRO_MALFORMADO, descricao);
}

/** Campos curtos só-ASCII são decodificados aqui: mais barato que chamar o TextDecoder. */
const ASCII_CURTO = 128;

function utf8(bytes: Uint8Array, campo: string): string {
  if (bytes.length <= ASCII_CURTO) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return String.fromCharCode.apply(null, bytes as unknown as number[]);
    }
  }
  try {
    return decodificadorUtf8.decode(bytes);
  } catch (erro) {
    throw new ErroDeProtocolo(
      CodigoErro.UTF8_INVALIDO,
      `UTF-8 inválido no campo ${campo}`,
      { cause: erro },
    );
  }
}

function conferirMagico(corpo: Uint8Array) {
  for (let i = 0; i < MAGICO.length; i++) {
    if (corpo[i] !== MAGICO[i]) {
      throw new ErroDeProtocolo(
        CodigoErro.PROTOCOLO_DESCONHECIDO,
        "saudação sem a assinatura do protocolo Sockets de Rede",
      );
    }
  }
}

/** Interpreta o corpo de um quadro cujo tipo e tamanho já foram aceitos. */
function lerCorpo(tipo: number, corpo: Uint8Array): Quadro {
  const vista = new DataView(corpo.buffer, corpo.byteOffset, corpo.length);
  switch (tipo) {
    case Tipo.CONFIRMACAO:
      if (corpo.length !== 4) {
        throw malformado("confirmação com tamanho errado");
      }
      return { tipo, numero: vista.getUint32(0) };
    case Tipo.OLA_CLIENTE: {
      if (corpo.length < TAMANHO_OLA_CLIENTE) {
        throw malformado("saudação do cliente curta demais");
      }
      conferirMagico(corpo);
      const tamanhoToken = vista.getUint16(6);
      if (TAMANHO_OLA_CLIENTE + tamanhoToken !== corpo.length) {
        throw malformado("saudação do cliente com token de tamanho errado");
      }
      return {
        tipo,
        versao: corpo[4],
        token: utf8(corpo.subarray(TAMANHO_OLA_CLIENTE), "token"),
      };
    }
    case Tipo.OLA_SERVIDOR:
      if (corpo.length < TAMANHO_OLA_SERVIDOR) {
        throw malformado("saudação do servidor curta demais");
      }
      conferirMagico(corpo);
      return {
        tipo,
        versao: corpo[4],
        tamanhoMaximo: vista.getUint32(5),
        tempoOcioso: vista.getUint32(9),
      };
    case Tipo.DESPEDIDA:
      for (let i = 0; i < BYTES_CODIGO_SAIDA.length; i++) {
        if (corpo[i] !== BYTES_CODIGO_SAIDA[i]) {
          throw malformado("quadro de saída sem CODIGO_SAIDA");
        }
      }
      return { tipo };
    case Tipo.ERRO:
      if (corpo.length < 2) throw malformado("quadro de erro sem código");
      return {
        tipo,
        codigo: vista.getUint16(0),
        texto: utf8(corpo.subarray(2), "texto do erro"),
      };
    case Tipo.PING:
    case Tipo.PONG:
      return { tipo };
  }
  // Inalcançável: #verificarCabecalho só aceita tipos com limite.
  throw new ErroDeProtocolo(
    CodigoErro.TIPO_DESCONHECIDO,
    `tipo de quadro desconhecido: 0x${hex2(tipo)}`,
  );
}

/**
 * Maior |instante| aceito, em ms: o limite do `Date` (8,64 × 10¹⁵) menos o
 * maior fuso (±32767 min), para que a hora local também caiba.
 */
export const INSTANTE_MAXIMO = 8.64e15 - 32768 * 60_000;

/** Bytes de um `f64` big-endian, para ler sem um `DataView` por mensagem. */
const BYTES_F64 = new Uint8Array(8);
const VISTA_F64 = new DataView(BYTES_F64.buffer);
const VAZIO = new Uint8Array(0);

/**
 * Uma MENSAGEM lida no lugar, sem cópia: os campos numéricos já conferidos, o
 * assunto e o texto validados como UTF-8 mas só convertidos em `string` quando
 * alguém os pede. Aponta para os bytes lidos e, no modo `noLugar` do
 * `Decodificador`, é reaproveitada a cada quadro: só vale durante o `aoQuadro`
 * que a recebe. Para guardá-la, `copiar()`.
 */
export class MensagemNoLugar implements Mensagem {
  numero = 0;
  instante = 0;
  fuso = 0;
  /** O assunto em UTF-8 (válido). */
  bytesAssunto: Uint8Array = VAZIO;
  /** O texto em UTF-8 (válido). */
  bytesTexto: Uint8Array = VAZIO;
  /**
   * Assunto e texto só têm ASCII imprimível (0x20–0x7e) sem `"` nem `\`:
   * podem ir para um terminal ou para uma string JSON exatamente como vieram.
   */
  semEscape = true;
  #assunto: string | undefined;
  #texto: string | undefined;

  get assunto(): string {
    return this.#assunto ??= utf8(this.bytesAssunto, "assunto");
  }

  get texto(): string {
    return this.#texto ??= utf8(this.bytesTexto, "texto");
  }

  /** Uma `Mensagem` comum, independente dos bytes lidos. */
  copiar(): Mensagem {
    const { numero, instante, fuso, assunto, texto } = this;
    return { numero, instante, fuso, assunto, texto };
  }

  /**
   * Lê o corpo `bytes[inicio, fim)` de uma MENSAGEM, conferindo tudo.
   *
   * @throws {ErroDeProtocolo} corpo malformado ou UTF-8 inválido
   */
  ler(bytes: Uint8Array, inicio: number, fim: number): void {
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
      this.#assunto = utf8(this.bytesAssunto, "assunto");
      this.#texto = utf8(this.bytesTexto, "texto");
    }
  }
}

/** 1 para cada byte que não é ASCII imprimível, `"` ou `\`; 0 para os demais. */
const A_ESCAPAR = Uint8Array.from(
  { length: 256 },
  (_, b) => b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c ? 1 : 0,
);

/** Um `DataView` do último buffer examinado: um por pedaço lido, não por mensagem. */
let bufferExaminado: ArrayBufferLike | undefined;
let vistaExaminada: DataView = new DataView(new ArrayBuffer(0));

/**
 * `bytes[inicio, fim)` vai tal e qual para um terminal ou uma string JSON?
 * Examina 4 bytes por vez (SWAR): num acumulador, o bit alto de cada byte
 * acende se o byte tem o bit alto, é menor que 0x20, ou é igual a `"`, `\` ou
 * DEL (o truque clássico "há um byte zero": `(v - 0x01…) & ~v & 0x80…`).
 * Tem o mesmo resultado que olhar byte a byte na tabela `A_ESCAPAR`, em
 * menos da metade do tempo: é o laço mais quente do servidor.
 */
function nadaAEscapar(bytes: Uint8Array, inicio: number, fim: number) {
  if (bytes.buffer !== bufferExaminado) {
    bufferExaminado = bytes.buffer;
    vistaExaminada = new DataView(bytes.buffer);
  }
  const vista = vistaExaminada;
  const deslocamento = bytes.byteOffset;
  let i = inicio;
  let alerta = 0;
  for (; i + 4 <= fim; i += 4) {
    const w = vista.getUint32(deslocamento + i) | 0;
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
