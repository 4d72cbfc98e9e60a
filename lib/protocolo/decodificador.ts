/**
 * Bytes em quadros: o decodificador incremental do protocolo. Recebe pedaços
 * de qualquer tamanho e entrega quadros completos, conferindo cada comprimento
 * contra o limite do tipo antes de alocar ou guardar qualquer byte do corpo.
 * Não faz E/S nenhuma (não usa a API do runtime), para ser testado byte a byte
 * sem socket. O formato está em PROTOCOLO.md.
 *
 * @module
 */

import { CodigoErro, ErroDeProtocolo } from "../erros.ts";
import {
  BYTES_CODIGO_SAIDA,
  CABECALHO,
  eHexMinusculo,
  FIXO_MENSAGEM,
  type Limites,
  MAGICO,
  type Quadro,
  TAMANHO_OLA_CLIENTE,
  TAMANHO_OLA_SERVIDOR,
  TAMANHO_OLA_SERVIDOR_2,
  TAMANHO_SESSAO,
  Tipo,
} from "./quadros.ts";
import type { MensagemNoLugar } from "./mensagem_no_lugar.ts";
import { decodificarUtf8 } from "./utf8.ts";

const VAZIO = new Uint8Array(0);

/** Como um `Decodificador` trabalha. */
export interface OpcoesDecodificador {
  /** Maior corpo aceito de cada tipo. */
  limites: Readonly<Limites>;
  /**
   * Tipo que tem de vir primeiro; qualquer outro início é tratado como quem
   * não fala o protocolo.
   */
  saudacao?: Tipo | undefined;
  /**
   * Quem lê o corpo de cada MENSAGEM: a classe `MensagemNoLugar`
   * (mensagem_no_lugar.ts), obrigatória quando `limites` aceita MENSAGEM. Vem
   * de fora para que quem só recebe as respostas do servidor (o cliente) não
   * carregue ela nem a varredura: a partida do cliente de uma mensagem é
   * medida no banco (cenário 5).
   */
  mensagens?: new () => MensagemNoLugar;
  /**
   * Cada MENSAGEM chega como uma `MensagemNoLugar` reaproveitada, sem cópia
   * nem objeto novo (o caminho quente do servidor).
   */
  noLugar?: boolean;
}

/** Os estados do decodificador entre um pedaço e outro. */
const Estado = {
  CABECALHO: 0,
  CORPO: 1,
} as const;
type Estado = typeof Estado[keyof typeof Estado];

/**
 * Decodificador incremental. Fatias de um pedaço que contém quadros inteiros
 * são decodificadas no lugar (`subarray`); só se copia um quadro que atravessa pedaços.
 *
 * @example
 * ```ts
 * import { codificar } from "./codificador.ts";
 * import { Decodificador } from "./decodificador.ts";
 * import { limitesDoCliente, type Quadro, Tipo } from "./quadros.ts";
 *
 * const bytes = codificar({ tipo: Tipo.CONFIRMACAO, numero: 3 });
 * const d = new Decodificador({ limites: limitesDoCliente() });
 * const quadros: Quadro[] = [];
 * d.decodificar(bytes.subarray(0, 2), (quadro) => quadros.push(quadro));
 * d.decodificar(bytes.subarray(2), (quadro) => quadros.push(quadro));
 * // quadros: [{ tipo: Tipo.CONFIRMACAO, numero: 3 }], montado de dois pedaços
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
  /** O buffer inteiro de onde `#corpo` foi tirado (pode ser maior). */
  #corpoInteiro: Uint8Array = VAZIO;
  /**
   * O buffer do último corpo montado, para o próximo quadro que atravessar
   * pedaços na mesma chamada: numa rajada de quadros grandes, cada pedaço
   * termina um e começa outro, e um buffer serve a rajada toda. Largado no fim
   * de cada chamada, para que uma conexão que parou não prenda nada.
   */
  #sobra: Uint8Array = VAZIO;
  #aguardandoOla: Tipo | undefined;
  #mensagens: (new () => MensagemNoLugar) | undefined;

  constructor(opcoes: OpcoesDecodificador) {
    this.#mensagens = opcoes.mensagens;
    this.#limites = comLeitor(opcoes.limites, this.#mensagens);
    this.#aguardandoOla = opcoes.saudacao;
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

  /**
   * Troca os limites (o cliente só sabe o do servidor depois da saudação).
   *
   * @throws {TypeError} se aceitam MENSAGEM e não há `opcoes.mensagens`
   */
  set limites(limites: Readonly<Limites>) {
    this.#limites = comLeitor(limites, this.#mensagens);
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
    this.#decodificarAPartir(pedaco, 0, false, aoQuadro, alvo);
  }

  /**
   * Como `decodificar`, mas de `pedaco[inicio]` em diante e só até entregar
   * um quadro (completando o que estava guardado, se havia): devolve onde
   * parou. Para quem leva os quadros comuns por outro caminho (a passagem
   * do servidor) e só deixa aqui os que ela não sabe levar e o que atravessa
   * pedaços. Guarda o buffer do último corpo montado para o próximo quadro
   * partido do mesmo pedaço; quem chama, ao fim do pedaço, chama
   * `largarSobra`.
   *
   * @throws {ErroDeProtocolo} quando os bytes violam o protocolo
   */
  decodificarUm<T = undefined>(
    pedaco: Uint8Array,
    inicio: number,
    aoQuadro: (this: T, quadro: Quadro) => void,
    alvo?: T,
  ): number {
    return this.#decodificarAPartir(pedaco, inicio, true, aoQuadro, alvo);
  }

  /**
   * O pedaço acabou: larga o buffer guardado para o próximo quadro partido
   * (`decodificarUm`), que uma conexão que parou prenderia.
   */
  largarSobra(): void {
    this.#sobra = VAZIO;
  }

  #decodificarAPartir<T>(
    pedaco: Uint8Array,
    inicio: number,
    umSo: boolean,
    aoQuadro: (this: T, quadro: Quadro) => void,
    alvo?: T,
  ): number {
    try {
      return this.#decodificar(pedaco, inicio, umSo, aoQuadro, alvo);
    } finally {
      // A vista reaproveitada só vale dentro de `aoQuadro`: solta os bytes
      // do pedaço (ou do corpo montado), que uma conexão ociosa prenderia.
      this.#noLugar?.mensagem.soltar();
      if (!umSo) this.#sobra = VAZIO;
    }
  }

  #decodificar<T>(
    pedaco: Uint8Array,
    inicio: number,
    umSo: boolean,
    aoQuadro: (this: T, quadro: Quadro) => void,
    alvo?: T,
  ): number {
    let pos = inicio;
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
            if (umSo) return pos;
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
        if (pos === pedaco.length) return pos; // falta ao menos o tipo
        const tamanho = this.#tamanho;
        const tipo = pedaco[pos++];
        this.#preenchido = 0;
        this.#tamanho = 0;
        this.#verificarCabecalho(tipo, tamanho);
        if (tamanho === 0) {
          this.#fimDoPedaco = pos === pedaco.length;
          aoQuadro.call(alvo as T, this.#quadro(tipo, VAZIO, 0, 0));
          if (umSo) return pos;
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
      if (this.#preenchido < this.#corpo.length) return pos;
      const corpo = this.#corpo;
      this.#estado = Estado.CABECALHO;
      this.#preenchido = 0;
      this.#corpo = VAZIO;
      // Reaproveitável depois do `aoQuadro` abaixo: nada do quadro aponta
      // para o corpo depois dele (a vista no lugar só vale durante a chamada).
      this.#sobra = this.#corpoInteiro;
      this.#corpoInteiro = VAZIO;
      this.#fimDoPedaco = pos === pedaco.length;
      aoQuadro.call(
        alvo as T,
        this.#quadro(this.#tipo, corpo, 0, corpo.length),
      );
      if (umSo) return pos;
    }
    return pos;
  }

  /** O quadro cujo corpo são `bytes[inicio, fim)`. */
  #quadro(tipo: number, bytes: Uint8Array, inicio: number, fim: number) {
    if (tipo === Tipo.MENSAGEM) {
      if (this.#noLugar !== null) {
        const noLugar = this.#noLugar ??= {
          tipo,
          mensagem: new this.#mensagens!(),
        };
        noLugar.mensagem.decodificar(bytes, inicio, fim);
        return noLugar;
      }
      const mensagem = new this.#mensagens!();
      mensagem.decodificar(bytes, inicio, fim);
      return { tipo, mensagem: mensagem.copiar() };
    }
    return decodificarCorpo(tipo, bytes.subarray(inicio, fim));
  }

  #iniciarCorpo(tipo: number, tamanho: number) {
    // O comprimento já foi conferido contra o limite: alocar é seguro.
    this.#tipo = tipo;
    // A sobra serve se couber sem desperdiçar mais que o próprio quadro.
    const sobra = this.#sobra;
    this.#sobra = VAZIO;
    this.#corpoInteiro = sobra.length >= tamanho && sobra.length <= tamanho * 2
      ? sobra
      : new Uint8Array(tamanho);
    this.#corpo = this.#corpoInteiro.subarray(0, tamanho);
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
    // 0x16 0x03 abre um registro de handshake TLS: um ClientHello.
    if (
      (tamanho >>> 16) === 0x1603 && this.#aguardandoOla === Tipo.OLA_CLIENTE
    ) {
      throw new ErroDeProtocolo(
        CodigoErro.PROTOCOLO_DESCONHECIDO,
        "os primeiros bytes são de TLS (um ClientHello), não uma saudação do protocolo Sockets de Rede: o cliente usa --tls e este servidor não tem TLS; inicie o servidor com --tls-cert e --tls-chave, ou o cliente sem --tls",
      );
    }
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

/** `limites`, se quem lê MENSAGEM foi dado ou eles não a aceitam. */
function comLeitor(
  limites: Readonly<Limites>,
  mensagens: (new () => MensagemNoLugar) | undefined,
): Readonly<Limites> {
  if (limites[Tipo.MENSAGEM] !== undefined && mensagens === undefined) {
    throw new TypeError(
      "limites que aceitam MENSAGEM pedem opcoes.mensagens (MensagemNoLugar)",
    );
  }
  return limites;
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

/** Decodifica o corpo de um quadro cujo tipo e tamanho já foram aceitos. */
function decodificarCorpo(tipo: number, corpo: Uint8Array): Quadro {
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
      return decodificarOlaCliente(corpo);
    }
    case Tipo.OLA_SERVIDOR:
      if (corpo.length < TAMANHO_OLA_SERVIDOR) {
        throw malformado("saudação do servidor curta demais");
      }
      conferirMagico(corpo);
      if (corpo[4] >= 2 && corpo.length < TAMANHO_OLA_SERVIDOR_2) {
        throw malformado("saudação do servidor (versão 2) curta demais");
      }
      return {
        tipo,
        versao: corpo[4],
        tamanhoMaximo: vista.getUint32(5),
        tempoOcioso: vista.getUint32(9),
        ...(corpo[4] >= 2 ? { ultimoGravado: vista.getUint32(13) } : {}),
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
        texto: decodificarUtf8(corpo.subarray(2), "texto do erro"),
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
 * O corpo de OLA_CLIENTE (mágico e tamanhos já conferidos). Versão 1: o resto
 * é o token. Versão 2: a sessão (32 dígitos hexadecimais) e depois o token.
 * Outra versão: nada do resto é lido, e quem recebe responde ERRO 2.
 */
function decodificarOlaCliente(
  corpo: Uint8Array,
): Extract<Quadro, { tipo: typeof Tipo.OLA_CLIENTE }> {
  const versao = corpo[4];
  const resto = corpo.subarray(TAMANHO_OLA_CLIENTE);
  if (versao === 1) {
    return {
      tipo: Tipo.OLA_CLIENTE,
      versao,
      token: decodificarUtf8(resto, "token"),
    };
  }
  if (versao !== 2) return { tipo: Tipo.OLA_CLIENTE, versao, token: "" };
  if (resto.length < TAMANHO_SESSAO) {
    throw malformado("saudação da versão 2 sem a sessão");
  }
  for (let i = 0; i < TAMANHO_SESSAO; i++) {
    if (!eHexMinusculo(resto[i])) {
      throw malformado(
        "sessão com caractere que não é dígito hexadecimal minúsculo",
      );
    }
  }
  // Uma string só (e não 32 concatenações): cada saudação da versão 2 passa
  // por aqui, e o lixo de uma enxurrada de conexões pesa na memória.
  const sessao = String.fromCharCode(...resto.subarray(0, TAMANHO_SESSAO));
  return {
    tipo: Tipo.OLA_CLIENTE,
    versao,
    sessao,
    token: decodificarUtf8(resto.subarray(TAMANHO_SESSAO), "token"),
  };
}
