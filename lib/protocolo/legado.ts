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
import {
  CODIGO_SAIDA,
  type Mensagem,
  type MensagemEmBytes,
} from "./quadros.ts";
import { decodificarUtf8 } from "./utf8.ts";
import { nadaAEscapar } from "./varredura.ts";

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
/** Maior `#campos` guardado entre pedaços (o limite padrão do servidor). */
const CAMPOS_GUARDADOS = 1024;
const VAZIO = new Uint8Array(0);
const PREFIXO_TITULO = codificador.encode("> MENSAGEM #");
const TITULO_ESPERADO = '"> MENSAGEM #NNN - dd/mm/aaaa HH:MM:SS"';
/**
 * O fim de todo título, depois dos dígitos do número: `9` é um dígito ASCII
 * qualquer, o resto é literal. Conferido byte a byte, sem expressão regular
 * nem `string` (o título é lido a cada mensagem).
 */
const FIM_DO_TITULO = codificador.encode(" - 99/99/9999 99:99:99");
const NOVE = 0x39;
/** Menos dígitos que isto no número não é o formato `%03d` do original. */
const DIGITOS_MINIMOS = 3;
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
 * Um bloco do original decodificado no lugar, como a `MensagemNoLugar` do
 * protocolo: assunto e texto em bytes (UTF-8 já validado), só convertidos em
 * `string` quando alguém os pede. O decodificador no modo `noLugar` entrega
 * sempre o mesmo objeto, reaproveitado a cada bloco: só vale durante o
 * `aoBloco` que o recebe. Para guardá-lo, `copiar()`.
 */
export class MensagemLegada implements MensagemEmBytes {
  numero = 0;
  instante = 0;
  /** A hora de parede do cliente, vista em UTC, é a que ele viu. */
  readonly fuso = 0;
  bytesAssunto: Uint8Array = new Uint8Array(0);
  bytesTexto: Uint8Array = new Uint8Array(0);
  semEscape = true;
  /** @internal já decodificados na validação (campos fora do ASCII simples) */
  _assunto: string | undefined;
  /** @internal */
  _texto: string | undefined;

  get assunto(): string {
    return this._assunto ??= decodificarUtf8(this.bytesAssunto, "assunto");
  }

  get texto(): string {
    return this._texto ??= decodificarUtf8(this.bytesTexto, "texto");
  }

  /** Uma `Mensagem` comum, independente dos bytes do decodificador. */
  copiar(): Mensagem {
    const { numero, instante, fuso, assunto, texto } = this;
    return { numero, instante, fuso, assunto, texto };
  }
}

/** Opções do `DecodificadorLegado`. */
export interface OpcoesLegado {
  /**
   * Entrega sempre a mesma `MensagemLegada`, reaproveitada (o caminho quente
   * do servidor, que a consome durante a chamada); sem isto, cada bloco vem
   * como uma `Mensagem` comum, nova.
   */
  noLugar?: boolean;
}

/**
 * Decodificador incremental do fluxo do cliente original. Guarda só a linha
 * corrente: o título num buffer de 64 bytes; assunto e texto, um depois do
 * outro, num buffer que cresce até o limite de mensagem (os dois precisam
 * sobreviver até o `---` que fecha o bloco, que pode vir noutro pedaço).
 * Nunca guarda além dos limites.
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
  #noLugar: boolean;
  #estado: Estado = Estado.FRONTEIRA;
  /** Bytes já conferidos da linha fixa corrente ou de CODIGO_SAIDA. */
  #casados = 0;
  /** O título que atravessa pedaços (ou que está sendo lido). */
  #linha: Uint8Array = new Uint8Array(0);
  /** Bytes guardados da linha variável corrente (título, assunto ou texto). */
  #preenchido = 0;
  /** Assunto e depois texto do bloco em montagem, em UTF-8. */
  #campos: Uint8Array = new Uint8Array(0);
  /** A linha de conteúdo corrente, até aqui, só tem ASCII simples. */
  #limpo = true;
  /** Já se viu um título válido: daí em diante o par é mesmo o original. */
  #reconhecido = false;
  #falha: ErroDeProtocolo | undefined;
  /**
   * O fim do último título válido (` - dd/mm/aaaa HH:MM:SS`) e o instante
   * dele: num fluxo, quase todos os blocos repetem o segundo, e montar uma
   * data custa mais que o bloco inteiro.
   */
  #fimDoTitulo = new Uint8Array(FIM_DO_TITULO.length);
  #instanteDoFim = NaN;
  // O bloco em montagem.
  #mensagem = new MensagemLegada();
  #bytesAssunto = 0;
  #assuntoLimpo = true;
  #assunto: string | undefined;
  #bytesTexto = 0;
  #textoLimpo = true;
  #texto: string | undefined;

  /** @param tamanhoMaximo máximo de bytes de assunto + texto (UTF-8) */
  constructor(tamanhoMaximo: number, opcoes: OpcoesLegado = {}) {
    if (!Number.isSafeInteger(tamanhoMaximo) || tamanhoMaximo < 0) {
      throw new RangeError(
        `tamanho máximo inválido: ${tamanhoMaximo} (esperava um inteiro >= 0)`,
      );
    }
    this.#tamanhoMaximo = tamanhoMaximo;
    this.#noLugar = opcoes.noLugar ?? false;
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
   * completo, na ordem, com `este` como `this` (quem recebe pode passar um
   * método, sem criar um fecho por pedaço). Os blocos anteriores a um erro
   * são entregues antes de o erro ser lançado.
   *
   * @throws {ErroDeProtocolo} quando os bytes não seguem o formato do original
   */
  decodificar<T = undefined>(
    pedaco: Uint8Array,
    aoBloco: (this: T, mensagem: Mensagem) => void,
    este?: T,
  ): void {
    this.#decodificarDe(pedaco, 0, false, aoBloco, este as T);
  }

  /**
   * Como `decodificar`, a partir de `inicio` e só até o fim do primeiro bloco
   * (ou de CODIGO_SAIDA, ou do pedaço); devolve onde parou. Para quem leva os
   * blocos comuns por outro caminho (a passagem do servidor,
   * lib/saida/passagem.ts) e dá a este só os que ela não leva. Consome ao
   * menos um byte se `inicio` não é o fim do pedaço.
   *
   * @throws {ErroDeProtocolo} quando os bytes não seguem o formato do original
   */
  decodificarUm<T = undefined>(
    pedaco: Uint8Array,
    inicio: number,
    aoBloco: (this: T, mensagem: Mensagem) => void,
    este?: T,
  ): number {
    return this.#decodificarDe(pedaco, inicio, true, aoBloco, este as T);
  }

  /**
   * O fim ` - dd/mm/aaaa HH:MM:SS` do último título válido (22 bytes,
   * reescritos no lugar quando muda) e o instante dele, em
   * `instanteDoTitulo`: `NaN` enquanto nenhum título foi lido.
   */
  get fimDoTitulo(): Uint8Array {
    return this.#fimDoTitulo;
  }

  get instanteDoTitulo(): number {
    return this.#instanteDoFim;
  }

  #decodificarDe<T>(
    pedaco: Uint8Array,
    inicio: number,
    umBloco: boolean,
    aoBloco: (this: T, mensagem: Mensagem) => void,
    este: T,
  ): number {
    if (this.#falha) throw this.#falha;
    let pos = inicio;
    while (pos < pedaco.length) {
      switch (this.#estado) {
        case Estado.TERMINOU:
          return pedaco.length;
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
          pos = this.#fixa(pedaco, pos, aoBloco, este);
          // O `---` que fecha o bloco volta o estado à fronteira.
          if (umBloco && this.#entreBlocos()) {
            this.#largar();
            return pos;
          }
      }
    }
    if (this.#entreBlocos()) this.#largar();
    return pos;
  }

  #entreBlocos(): boolean {
    return this.#estado === Estado.FRONTEIRA && this.#casados === 0;
  }

  /**
   * Entre blocos, no fim de um pedaço: a vista reaproveitada (que só vale
   * dentro de `aoBloco`) larga os bytes, e `#campos`, se um bloco grande o
   * fez crescer, volta a vazio. Uma conexão que mandou um bloco grande e parou
   * não prende nada; numa rajada, os blocos do mesmo pedaço o reaproveitam.
   */
  #largar() {
    const mensagem = this.#mensagem;
    mensagem.bytesAssunto = mensagem.bytesTexto = VAZIO;
    mensagem._assunto = mensagem._texto = undefined;
    if (this.#campos.length > CAMPOS_GUARDADOS) this.#campos = VAZIO;
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
    this.#campos = new Uint8Array(0);
    return pedaco.length;
  }

  /** Confere uma linha fixa byte a byte: o lixo é recusado no primeiro byte. */
  #fixa<T>(
    pedaco: Uint8Array,
    pos: number,
    aoBloco: (this: T, mensagem: Mensagem) => void,
    este: T,
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
        aoBloco.call(este, this.#bloco());
      } else {
        this.#estado = (this.#estado + 1) as Estado;
      }
      return pos;
    }
    return pos;
  }

  /** O bloco completo: a `MensagemLegada` reaproveitada ou uma cópia. */
  #bloco(): Mensagem {
    const mensagem = this.#mensagem;
    const fimAssunto = this.#bytesAssunto;
    mensagem.bytesAssunto = this.#campos.subarray(0, fimAssunto);
    mensagem.bytesTexto = this.#campos.subarray(
      fimAssunto,
      fimAssunto + this.#bytesTexto,
    );
    mensagem.semEscape = this.#assuntoLimpo && this.#textoLimpo;
    mensagem._assunto = this.#assunto;
    mensagem._texto = this.#texto;
    return this.#noLugar ? mensagem : mensagem.copiar();
  }

  /** O título: curto, ASCII, guardado até o `\n` e lido de uma vez. */
  #titulo(pedaco: Uint8Array, pos: number): number {
    const restante = TITULO_MAXIMO - this.#preenchido;
    const nl = indiceDeNL(pedaco, pos);
    const fim = nl === -1 ? pedaco.length : nl;
    if (fim - pos > restante) {
      throw this.#foraDoFormato(
        `título com mais de ${TITULO_MAXIMO} bytes, esperava ${TITULO_ESPERADO}`,
      );
    }
    const antes = this.#preenchido;
    this.#guardarTitulo(pedaco.subarray(pos, fim));
    // Confere o prefixo já no que chegou, para recusar lixo sem esperar o `\n`.
    const ate = Math.min(this.#preenchido, PREFIXO_TITULO.length);
    for (let i = antes; i < ate; i++) {
      if (this.#linha[i] !== PREFIXO_TITULO[i]) {
        throw this.#foraDoFormato(`esperava o título ${TITULO_ESPERADO}`);
      }
    }
    if (nl === -1) return pedaco.length;
    this.#lerTitulo(this.#linha, this.#preenchido);
    this.#preenchido = 0;
    this.#estado = Estado.VAZIA_TITULO;
    return nl + 1;
  }

  /**
   * Lê `> MENSAGEM #NNN - dd/mm/aaaa HH:MM:SS` (os `tamanho` primeiros bytes
   * de `b`, prefixo já conferido) direto dos bytes: 3 ou mais dígitos ASCII
   * de número e o fim no formato de `FIM_DO_TITULO`. O mesmo que a expressão
   * `^> MENSAGEM #(\d{3,}) - (\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$`
   * sobre o título, sem criar `string` nem `Date` quando o fim repete o do
   * título anterior.
   */
  #lerTitulo(b: Uint8Array, tamanho: number) {
    const inicioDoFim = tamanho - FIM_DO_TITULO.length;
    const inicioDoNumero = PREFIXO_TITULO.length;
    if (inicioDoFim - inicioDoNumero < DIGITOS_MINIMOS) {
      throw this.#foraDoFormato(`esperava o título ${TITULO_ESPERADO}`);
    }
    let numero = 0;
    for (let i = inicioDoNumero; i < inicioDoFim; i++) {
      const d = b[i] - 0x30;
      if (d < 0 || d > 9) {
        throw this.#foraDoFormato(`esperava o título ${TITULO_ESPERADO}`);
      }
      numero = numero * 10 + d;
    }
    const fim = this.#fimDoTitulo;
    let igual = this.#instanteDoFim === this.#instanteDoFim; // já há um (não NaN)
    for (let i = 0; i < fim.length; i++) {
      const c = b[inicioDoFim + i];
      if (c !== fim[i]) igual = false;
      const modelo = FIM_DO_TITULO[i];
      const casa = modelo === NOVE ? c >= 0x30 && c <= NOVE : c === modelo;
      if (!casa) {
        throw this.#foraDoFormato(`esperava o título ${TITULO_ESPERADO}`);
      }
    }
    if (numero > NUMERO_MAXIMO) {
      throw this.#falhar(
        CodigoErro.QUADRO_MALFORMADO,
        `número de mensagem grande demais no título: ${
          String.fromCharCode(...b.subarray(inicioDoNumero, inicioDoFim))
        }`,
      );
    }
    if (!igual) {
      const n = (i: number, digitos: number) => {
        let v = 0;
        for (let j = 0; j < digitos; j++) {
          v = v * 10 + b[inicioDoFim + i + j] - 0x30;
        }
        return v;
      };
      // ` - dd/mm/aaaa HH:MM:SS`: dia em 3, mês em 6, ano em 9...
      const instante = instanteDeParede(
        n(9, 4),
        n(6, 2),
        n(3, 2),
        n(14, 2),
        n(17, 2),
        n(20, 2),
      );
      if (instante === undefined) {
        throw this.#falhar(
          CodigoErro.QUADRO_MALFORMADO,
          `data inválida no título do bloco do cliente original: ${
            String.fromCharCode(...b.subarray(inicioDoFim + 3, tamanho))
          }`,
        );
      }
      fim.set(b.subarray(inicioDoFim, tamanho));
      this.#instanteDoFim = instante;
    }
    this.#mensagem.numero = numero;
    this.#mensagem.instante = this.#instanteDoFim;
    this.#reconhecido = true;
  }

  /**
   * Assunto ou texto: qualquer byte menos `\n`, dentro do limite conjunto,
   * copiado para `#campos` (o assunto no início, o texto logo depois) e
   * examinado ao passar: só ASCII simples dispensa validar o UTF-8 e
   * escapar na saída.
   */
  #conteudo(pedaco: Uint8Array, pos: number): number {
    const eAssunto = this.#estado === Estado.ASSUNTO;
    const inicio = eAssunto ? 0 : this.#bytesAssunto;
    const limite = this.#tamanhoMaximo - inicio;
    const restante = limite - this.#preenchido;
    const nl = indiceDeNL(pedaco, pos);
    const fim = nl === -1 ? pedaco.length : nl;
    if (fim - pos > restante) {
      throw this.#falhar(
        CodigoErro.MENSAGEM_GRANDE,
        `bloco do cliente original excede o limite de ${this.#tamanhoMaximo} bytes`,
      );
    }
    if (this.#preenchido === 0) this.#limpo = true;
    if (fim > pos) {
      this.#limpo = this.#limpo && nadaAEscapar(pedaco, pos, fim);
      const destino = inicio + this.#preenchido;
      this.#garantirCampos(destino + fim - pos);
      this.#campos.set(pedaco.subarray(pos, fim), destino);
      this.#preenchido += fim - pos;
    }
    if (nl === -1) return pedaco.length;
    this.#fecharConteudo(eAssunto, inicio);
    this.#preenchido = 0;
    return nl + 1;
  }

  #fecharConteudo(eAssunto: boolean, inicio: number) {
    const tamanho = this.#preenchido;
    // Fora do ASCII simples: valida o UTF-8 já, na linha em que chegou
    // (decodificando; a `string` fica para quem pedir).
    const valor = this.#limpo ? undefined : this.#utf8(
      this.#campos.subarray(inicio, inicio + tamanho),
      eAssunto ? "assunto" : "texto",
    );
    if (eAssunto) {
      this.#bytesAssunto = tamanho;
      this.#assuntoLimpo = this.#limpo;
      this.#assunto = valor;
      this.#estado = Estado.VAZIA_ASSUNTO;
    } else {
      this.#bytesTexto = tamanho;
      this.#textoLimpo = this.#limpo;
      this.#texto = valor;
      this.#estado = Estado.FECHAMENTO;
    }
  }

  /** O título, copiado para `#linha` (no máximo `TITULO_MAXIMO` bytes). */
  #guardarTitulo(parte: Uint8Array) {
    if (this.#linha.length < TITULO_MAXIMO) {
      this.#linha = new Uint8Array(TITULO_MAXIMO);
    }
    this.#linha.set(parte, this.#preenchido);
    this.#preenchido += parte.length;
  }

  /** `#campos` com pelo menos `n` bytes: cresce em dobro até o limite. */
  #garantirCampos(n: number) {
    if (n <= this.#campos.length) return;
    const tamanho = Math.min(
      Math.max(n, this.#campos.length * 2, TITULO_MAXIMO),
      Math.max(this.#tamanhoMaximo, n),
    );
    const maior = new Uint8Array(tamanho);
    maior.set(this.#campos);
    this.#campos = maior;
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
    this.#campos = new Uint8Array(0);
    this.#preenchido = 0;
    return erro;
  }
}

/**
 * Posição do primeiro `\n` a partir de `pos`, ou -1. Procura no pedaço
 * inteiro, sem criar um `subarray` por linha: se o `\n` vier depois do que
 * cabe na linha, quem chama a recusa; se não vier, o pedaço é consumido (ou
 * recusado). Cada byte é examinado uma vez só.
 */
function indiceDeNL(pedaco: Uint8Array, pos: number): number {
  return pedaco.indexOf(NL, pos);
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
