/**
 * O formato de texto cru dos programas originais em Python (`cliente.py` e
 * `servidor.py`), descrito em LEGADO.md: cada mensagem vai como um bloco de
 * linhas, sem prefixo de tamanho, e o cliente se despede com os 12 bytes
 * `CODIGO_SAIDA`. Como o codec (`quadros.ts`, `codificador.ts`, `decodificador.ts`), este módulo não faz E/S: só
 * transforma mensagens em bytes e bytes em mensagens.
 *
 * O decodificador é uma máquina de estados por linha. O original lê assunto e
 * texto com uma linha de terminal cada, então a posição da linha diz o que ela
 * é; nunca se procura um delimitador dentro do bloco, e um assunto como `---`
 * ou `> TEXTO:` não confunde nada.
 *
 * @module
 */

import { CodigoErro, ErroDeProtocolo } from "../erros.ts";
import { tituloDaMensagem } from "../datas.ts";
import { CODIGO_SAIDA, type Mensagem } from "./quadros.ts";

const codificador = new TextEncoder();
// `ignoreBOM`: um assunto que começa com U+FEFF é entregue como veio.
const decodificadorUtf8 = new TextDecoder("utf-8", {
  fatal: true,
  ignoreBOM: true,
});

/** Os 12 bytes crus que o cliente original envia para sair. */
export const BYTES_CODIGO_SAIDA: Uint8Array = codificador.encode(CODIGO_SAIDA);

const NL = 0x0a;
const C = 0x43;
/** Teto das linhas fixas; o título tem 34 bytes mais os dígitos do número. */
const TITULO_MAXIMO = 64;
const PREFIXO_TITULO = codificador.encode("> MENSAGEM #");
const TITULO_ESPERADO = '"> MENSAGEM #NNN - dd/mm/aaaa HH:MM:SS"';
const FORMATO_TITULO =
  /^> MENSAGEM #(\d{3,}) - (\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;
/** O número vira u32 no nosso protocolo; acima disso não há como repassar. */
const NUMERO_MAXIMO = 0xffff_ffff;

/**
 * Diz se o primeiro byte de uma conexão pode iniciar a fala do original:
 * `\n` abre um bloco e `C` abre `CODIGO_SAIDA`. O nosso protocolo sempre
 * começa com 0x00 (o byte alto do comprimento), então não há ambiguidade.
 */
export function pareceLegado(primeiroByte: number): boolean {
  return primeiroByte === NL || primeiroByte === C;
}

/**
 * Os bytes exatos que o `cliente.py` envia para uma mensagem, com o título na
 * hora do cliente (`instante` visto em `fuso`).
 *
 * @example
 * ```ts
 * import { codificarBlocoLegado } from "./legado.ts";
 *
 * const bytes = codificarBlocoLegado({
 *   numero: 1,
 *   instante: Date.UTC(2025, 10, 24, 12, 30), // 09:30 em UTC-3
 *   fuso: -180,
 *   assunto: "Olá",
 *   texto: "Tudo bem?",
 * });
 * // "\n---\n> MENSAGEM #001 - 24/11/2025 09:30:00\n\n> ASSUNTO:\nOlá\n\n> TEXTO:\nTudo bem?\n---\n"
 * ```
 * @throws {RangeError} se assunto ou texto tiverem quebra de linha: o original
 *   não consegue enviá-la e o bloco sairia ilegível.
 */
export function codificarBlocoLegado(mensagem: Mensagem): Uint8Array {
  semQuebraDeLinha(mensagem.assunto, "assunto");
  semQuebraDeLinha(mensagem.texto, "texto");
  return codificador.encode(
    `\n---\n> ${
      tituloDaMensagem(mensagem)
    }\n\n> ASSUNTO:\n${mensagem.assunto}\n\n> TEXTO:\n${mensagem.texto}\n---\n`,
  );
}

function semQuebraDeLinha(valor: string, campo: string) {
  if (valor.includes("\n")) {
    throw new RangeError(
      `o ${campo} não pode ter quebra de linha no formato do cliente original`,
    );
  }
}

/** Onde o decodificador está: entre blocos, numa linha do bloco, ou no fim. */
const Estado = {
  FRONTEIRA: 0, // espera "\n" (novo bloco) ou CODIGO_SAIDA
  ABERTURA: 1, // "---"
  TITULO: 2, // "> MENSAGEM #NNN - dd/mm/aaaa HH:MM:SS"
  VAZIA_TITULO: 3,
  ROTULO_ASSUNTO: 4, // "> ASSUNTO:"
  ASSUNTO: 5,
  VAZIA_ASSUNTO: 6,
  ROTULO_TEXTO: 7, // "> TEXTO:"
  TEXTO: 8,
  FECHAMENTO: 9, // "---"
  TERMINOU: 10,
  FALHOU: 11,
} as const;
type Estado = typeof Estado[keyof typeof Estado];

/** Uma linha de conteúdo fixo, com o `\n` final, e como nomeá-la num erro. */
interface LinhaFixa {
  bytes: Uint8Array;
  descricao: string;
}

function linhaFixa(conteudo: string, descricao: string): LinhaFixa {
  return { bytes: codificador.encode(`${conteudo}\n`), descricao };
}

const LINHAS_FIXAS: Partial<Record<Estado, LinhaFixa>> = {
  [Estado.ABERTURA]: linhaFixa("---", 'a linha "---" que abre o bloco'),
  [Estado.VAZIA_TITULO]: linhaFixa("", "uma linha vazia depois do título"),
  [Estado.ROTULO_ASSUNTO]: linhaFixa("> ASSUNTO:", 'a linha "> ASSUNTO:"'),
  [Estado.VAZIA_ASSUNTO]: linhaFixa("", "uma linha vazia depois do assunto"),
  [Estado.ROTULO_TEXTO]: linhaFixa("> TEXTO:", 'a linha "> TEXTO:"'),
  [Estado.FECHAMENTO]: linhaFixa("---", 'a linha "---" que fecha o bloco'),
};

/**
 * Decodificador incremental do fluxo do cliente original. Guarda só a linha
 * corrente: uma linha inteira dentro do pedaço é lida no lugar (`subarray`);
 * só se copia a que atravessa pedaços, e nunca além dos limites.
 *
 * Depois de um erro, o decodificador fica falho e repete o mesmo erro.
 *
 * @example
 * ```ts
 * import {
 *   BYTES_CODIGO_SAIDA,
 *   codificarBlocoLegado,
 *   DecodificadorLegado,
 * } from "./legado.ts";
 * import type { Mensagem } from "./quadros.ts";
 *
 * const bloco = codificarBlocoLegado({
 *   numero: 1,
 *   instante: 0,
 *   fuso: 0,
 *   assunto: "Olá",
 *   texto: "Tudo bem?",
 * });
 * const d = new DecodificadorLegado(1024);
 * const recebidas: Mensagem[] = [];
 * d.decodificar(bloco.subarray(0, 10), (m) => recebidas.push(m));
 * d.decodificar(bloco.subarray(10), (m) => recebidas.push(m));
 * d.decodificar(BYTES_CODIGO_SAIDA, (m) => recebidas.push(m));
 * // recebidas: a mensagem 1, inteira; d.terminou: true (o original saiu)
 * ```
 */
export class DecodificadorLegado {
  #tamanhoMaximo: number;
  #estado: Estado = Estado.FRONTEIRA;
  /** Bytes já conferidos da linha fixa corrente ou de CODIGO_SAIDA. */
  #casados = 0;
  /** A linha variável (título, assunto ou texto) que atravessa pedaços. */
  #linha: Uint8Array = new Uint8Array(0);
  #preenchido = 0;
  /** Já se viu um título válido: daí em diante o par é mesmo o original. */
  #reconhecido = false;
  #falha: ErroDeProtocolo | undefined;
  // O bloco em montagem.
  #numero = 0;
  #instante = 0;
  #assunto = "";
  #bytesAssunto = 0;
  #texto = "";

  /** @param tamanhoMaximo máximo de bytes de assunto + texto (UTF-8) */
  constructor(tamanhoMaximo: number) {
    if (!Number.isSafeInteger(tamanhoMaximo) || tamanhoMaximo < 0) {
      throw new RangeError(
        `tamanho máximo inválido: ${tamanhoMaximo} (esperava um inteiro >= 0)`,
      );
    }
    this.#tamanhoMaximo = tamanhoMaximo;
  }

  /** Há bytes de um bloco inacabado (ou de um CODIGO_SAIDA parcial) guardados. */
  get incompleto(): boolean {
    if (this.#estado === Estado.FRONTEIRA) return this.#casados > 0;
    return this.#estado !== Estado.TERMINOU && this.#estado !== Estado.FALHOU;
  }

  /** CODIGO_SAIDA chegou; o que vier depois é ignorado. */
  get terminou(): boolean {
    return this.#estado === Estado.TERMINOU;
  }

  /**
   * Consome um pedaço de qualquer tamanho e chama `aoBloco` para cada bloco
   * completo, na ordem. Os blocos anteriores a um erro são entregues antes de
   * o erro ser lançado.
   *
   * @throws {ErroDeProtocolo} quando os bytes não seguem o formato do original
   */
  decodificar(
    pedaco: Uint8Array,
    aoBloco: (mensagem: Mensagem) => void,
  ): void {
    if (this.#falha) throw this.#falha;
    let pos = 0;
    while (pos < pedaco.length) {
      switch (this.#estado) {
        case Estado.TERMINOU:
          return;
        case Estado.FRONTEIRA:
          pos = this.#fronteira(pedaco, pos);
          break;
        case Estado.TITULO:
          pos = this.#titulo(pedaco, pos);
          break;
        case Estado.ASSUNTO:
        case Estado.TEXTO:
          pos = this.#conteudo(pedaco, pos);
          break;
        default:
          pos = this.#fixa(pedaco, pos, aoBloco);
      }
    }
  }

  /** Entre blocos: "\n" abre outro; senão, só CODIGO_SAIDA, talvez partido. */
  #fronteira(pedaco: Uint8Array, pos: number): number {
    if (this.#casados === 0 && pedaco[pos] === NL) {
      this.#estado = Estado.ABERTURA;
      return pos + 1;
    }
    const saida = BYTES_CODIGO_SAIDA;
    while (pos < pedaco.length && this.#casados < saida.length) {
      if (pedaco[pos] !== saida[this.#casados]) {
        throw this.#foraDoFormato(
          this.#casados === 0
            ? 'esperava "\\n" (novo bloco) ou CODIGO_SAIDA'
            : "esperava CODIGO_SAIDA",
        );
      }
      this.#casados++;
      pos++;
    }
    if (this.#casados < saida.length) return pos;
    this.#estado = Estado.TERMINOU;
    this.#casados = 0;
    this.#linha = new Uint8Array(0); // nada mais será guardado
    return pedaco.length;
  }

  /** Confere uma linha fixa byte a byte: o lixo é recusado no primeiro byte. */
  #fixa(
    pedaco: Uint8Array,
    pos: number,
    aoBloco: (mensagem: Mensagem) => void,
  ): number {
    const linha = LINHAS_FIXAS[this.#estado]!;
    const esperado = linha.bytes;
    while (pos < pedaco.length) {
      if (pedaco[pos] !== esperado[this.#casados]) {
        throw this.#foraDoFormato(`esperava ${linha.descricao}`);
      }
      pos++;
      if (++this.#casados < esperado.length) continue;
      this.#casados = 0;
      if (this.#estado === Estado.FECHAMENTO) {
        // O estado volta à fronteira antes de chamar quem recebe, para que
        // um erro lá fora não deixe o decodificador no meio de um bloco.
        this.#estado = Estado.FRONTEIRA;
        aoBloco(this.#bloco());
      } else {
        this.#estado = (this.#estado + 1) as Estado;
      }
      return pos;
    }
    return pos;
  }

  #bloco(): Mensagem {
    const mensagem: Mensagem = {
      numero: this.#numero,
      instante: this.#instante,
      fuso: 0, // a hora de parede do cliente, vista em UTC, é a que ele viu
      assunto: this.#assunto,
      texto: this.#texto,
    };
    this.#assunto = "";
    this.#texto = "";
    return mensagem;
  }

  /** O título: curto, ASCII, guardado até o `\n` e lido de uma vez. */
  #titulo(pedaco: Uint8Array, pos: number): number {
    const restante = TITULO_MAXIMO - this.#preenchido;
    const nl = indiceDeNL(pedaco, pos, restante);
    const fim = nl === -1 ? pedaco.length : nl;
    if (fim - pos > restante) {
      throw this.#foraDoFormato(
        `título com mais de ${TITULO_MAXIMO} bytes, esperava ${TITULO_ESPERADO}`,
      );
    }
    const antes = this.#preenchido;
    this.#guardar(pedaco.subarray(pos, fim), TITULO_MAXIMO);
    // Confere o prefixo já no que chegou, para recusar lixo sem esperar o `\n`.
    const ate = Math.min(this.#preenchido, PREFIXO_TITULO.length);
    for (let i = antes; i < ate; i++) {
      if (this.#linha[i] !== PREFIXO_TITULO[i]) {
        throw this.#foraDoFormato(`esperava o título ${TITULO_ESPERADO}`);
      }
    }
    if (nl === -1) return pedaco.length;
    this.#lerTitulo(this.#linha.subarray(0, this.#preenchido));
    this.#preenchido = 0;
    this.#estado = Estado.VAZIA_TITULO;
    return nl + 1;
  }

  #lerTitulo(bytes: Uint8Array) {
    // Cada byte vira um caractere: o que não for ASCII simplesmente não casa.
    const titulo = String.fromCharCode(...bytes);
    const partes = FORMATO_TITULO.exec(titulo);
    if (partes === null) {
      throw this.#foraDoFormato(`esperava o título ${TITULO_ESPERADO}`);
    }
    const numero = Number(partes[1]);
    if (numero > NUMERO_MAXIMO) {
      throw this.#falhar(
        CodigoErro.QUADRO_MALFORMADO,
        `número de mensagem grande demais no título: ${partes[1]}`,
      );
    }
    const [dia, mes, ano, hora, minuto, segundo] = partes.slice(2).map(Number);
    const instante = instanteDeParede(ano, mes, dia, hora, minuto, segundo);
    if (instante === undefined) {
      throw this.#falhar(
        CodigoErro.QUADRO_MALFORMADO,
        `data inválida no título do bloco do cliente original: ${
          titulo.slice(titulo.length - 19)
        }`,
      );
    }
    this.#numero = numero;
    this.#instante = instante;
    this.#reconhecido = true;
  }

  /** Assunto ou texto: qualquer byte menos `\n`, dentro do limite conjunto. */
  #conteudo(pedaco: Uint8Array, pos: number): number {
    const eAssunto = this.#estado === Estado.ASSUNTO;
    const limite = this.#tamanhoMaximo - (eAssunto ? 0 : this.#bytesAssunto);
    const restante = limite - this.#preenchido;
    const nl = indiceDeNL(pedaco, pos, restante);
    const fim = nl === -1 ? pedaco.length : nl;
    if (fim - pos > restante) {
      throw this.#falhar(
        CodigoErro.MENSAGEM_GRANDE,
        `bloco do cliente original excede o limite de ${this.#tamanhoMaximo} bytes`,
      );
    }
    if (nl !== -1 && this.#preenchido === 0) {
      // A linha inteira está no pedaço: lê no lugar, sem copiar.
      this.#fecharConteudo(pedaco.subarray(pos, nl), eAssunto);
      return nl + 1;
    }
    this.#guardar(pedaco.subarray(pos, fim), limite);
    if (nl === -1) return pedaco.length;
    this.#fecharConteudo(this.#linha.subarray(0, this.#preenchido), eAssunto);
    this.#preenchido = 0;
    return nl + 1;
  }

  #fecharConteudo(bytes: Uint8Array, eAssunto: boolean) {
    const valor = this.#utf8(bytes, eAssunto ? "assunto" : "texto");
    if (eAssunto) {
      this.#assunto = valor;
      this.#bytesAssunto = bytes.length;
      this.#estado = Estado.VAZIA_ASSUNTO;
    } else {
      this.#texto = valor;
      this.#estado = Estado.FECHAMENTO;
    }
  }

  /** Copia para o buffer da linha, que cresce em dobro até `teto`. */
  #guardar(parte: Uint8Array, teto: number) {
    const necessario = this.#preenchido + parte.length;
    if (necessario > this.#linha.length) {
      const tamanho = Math.min(
        Math.max(necessario, this.#linha.length * 2, TITULO_MAXIMO),
        Math.max(teto, TITULO_MAXIMO),
      );
      const maior = new Uint8Array(tamanho);
      maior.set(this.#linha.subarray(0, this.#preenchido));
      this.#linha = maior;
    }
    this.#linha.set(parte, this.#preenchido);
    this.#preenchido = necessario;
  }

  #utf8(bytes: Uint8Array, campo: string): string {
    try {
      return decodificadorUtf8.decode(bytes);
    } catch (erro) {
      throw this.#registrar(
        new ErroDeProtocolo(
          CodigoErro.UTF8_INVALIDO,
          `UTF-8 inválido no ${campo} do bloco do cliente original`,
          { cause: erro },
        ),
      );
    }
  }

  /**
   * Bytes fora do formato. Antes do primeiro título válido, o par pode ser
   * qualquer coisa que começou com `\n` ou `C`: protocolo desconhecido.
   */
  #foraDoFormato(esperado: string): ErroDeProtocolo {
    return this.#reconhecido
      ? this.#falhar(
        CodigoErro.QUADRO_MALFORMADO,
        `bloco do cliente original malformado: ${esperado}`,
      )
      : this.#falhar(
        CodigoErro.PROTOCOLO_DESCONHECIDO,
        `os bytes não seguem o formato do cliente original: ${esperado}`,
      );
  }

  #falhar(codigo: CodigoErro, texto: string): ErroDeProtocolo {
    return this.#registrar(new ErroDeProtocolo(codigo, texto));
  }

  /** Fica falho: o estado no meio de um bloco ruim não tem como continuar. */
  #registrar(erro: ErroDeProtocolo): ErroDeProtocolo {
    this.#estado = Estado.FALHOU;
    this.#falha = erro;
    this.#linha = new Uint8Array(0);
    this.#preenchido = 0;
    return erro;
  }
}

/**
 * Posição do primeiro `\n` a partir de `pos`, olhando no máximo `restante + 1`
 * bytes: além disso a linha já passou do limite e não adianta procurar.
 */
function indiceDeNL(pedaco: Uint8Array, pos: number, restante: number): number {
  const fim = Math.min(pedaco.length, pos + restante + 1);
  const i = pedaco.subarray(pos, fim).indexOf(NL);
  return i === -1 ? -1 : pos + i;
}

/**
 * A hora de parede do título como instante UTC, ou `undefined` se a data não
 * existe (31/02, 25:00...). `setUTCFullYear` porque `Date.UTC` leria o ano
 * 0050 como 1950.
 */
function instanteDeParede(
  ano: number,
  mes: number,
  dia: number,
  hora: number,
  minuto: number,
  segundo: number,
): number | undefined {
  const data = new Date(0);
  data.setUTCFullYear(ano, mes - 1, dia);
  data.setUTCHours(hora, minuto, segundo, 0);
  const existe = data.getUTCFullYear() === ano &&
    data.getUTCMonth() === mes - 1 && data.getUTCDate() === dia &&
    data.getUTCHours() === hora && data.getUTCMinutes() === minuto &&
    data.getUTCSeconds() === segundo;
  return existe ? data.getTime() : undefined;
}
