/**
 * Uma conexão TCP com leituras num buffer pequeno que cresce só para rajadas
 * (e volta a ser pequeno quando a rajada acaba), e escritas em lote: com a linha livre, os bytes saem já (latência); o que se
 * enfileira enquanto uma escrita está em curso sai junto na seguinte, uma
 * escrita de cada vez. A saída pendente tem um teto, para que um par que não
 * lê não faça a memória crescer. Não conhece quadros: só bytes.
 *
 * @module
 */

import { eDesconexao } from "./erros.ts";

/**
 * Tamanho inicial do buffer de leitura: pequeno, para muitas conexões ociosas
 * (cada metade a menos poupou ~0,35 KiB por conexão no banco, cenário 4); uma
 * MENSAGEM de 100 bytes cabe, e uma leitura cheia dobra o buffer.
 */
const LEITURA_INICIAL = 256;
/** Maior buffer de leitura, atingido só quando as leituras o enchem. */
const LEITURA_MAXIMA = 256 * 1024;
// A leitura pendente de uma conexão ociosa prende o seu buffer: se fosse o
// grande da última rajada, mil clientes que mandaram 1,6 MB uma vez e então
// pararam prenderiam ~283 KiB cada. Por isso uma leitura que não enche o
// buffer (o par parou de mandar) faz a seguinte voltar ao buffer pequeno; se
// o pequeno enche, a rajada continua e a leitura seguinte já usa o tamanho
// que a rajada tinha alcançado (só o número é lembrado, não a memória).
// Os buffers de rajada largados voltam para uma reserva de todas as conexões
// (`livres`): sem ela, cada rajada deixava ~512 KiB de buffers mortos (os da
// escada 512 B → 256 KiB), que num servidor ocioso nenhuma coleta recolhe, e
// o alocador não devolve ao sistema o que chegou a ser recolhido.
/** Buffers de rajada guardados no máximo, de cada tamanho (~4 MiB ao todo). */
const LIVRES_POR_TAMANHO = 8;
/** Buffers de rajada sem leitura nem pedaço válido, por tamanho. */
const livres = new Map<number, Uint8Array<ArrayBuffer>[]>();

/** Um buffer de rajada de `tamanho` bytes: da reserva, ou novo. */
function tomarBuffer(tamanho: number): Uint8Array<ArrayBuffer> {
  return livres.get(tamanho)?.pop() ?? new Uint8Array(tamanho);
}

/** Devolve um buffer de rajada à reserva (se houver lugar). */
function devolverBuffer(buffer: Uint8Array<ArrayBuffer>): void {
  let lista = livres.get(buffer.length);
  if (lista === undefined) livres.set(buffer.length, lista = []);
  if (lista.length < LIVRES_POR_TAMANHO) lista.push(buffer);
}

// O buffer pequeno de cada conexão é um lugar de `LEITURA_INICIAL` bytes num
// bloco compartilhado: um `ArrayBuffer` próprio (o objeto, o registro do
// runtime e o bloco do alocador) custava ~0,4 KiB de RSS a mais por conexão
// ociosa do que a vista num bloco (banco, cenário 4: 6,0 → 5,6 KiB). Um lugar só volta a `lugaresLivres`
// depois que a conexão foi fechada e a sua última leitura terminou (o runtime
// não escreve mais nele), e essa leitura entrega `null`, não bytes: nenhum
// pedaço de uma conexão fechada aponta para o lugar que outra vai usar.
/** Lugares de `LEITURA_INICIAL` bytes em cada bloco (64 KiB). */
const LUGARES_POR_BLOCO = 256;
/** Lugares sem conexão, de todos os blocos já criados. */
const lugaresLivres: Uint8Array<ArrayBuffer>[] = [];
/**
 * O bloco de onde saem os lugares que nunca foram usados, e quantos já
 * saíram dele. A vista de cada lugar é criada quando ele sai pela primeira
 * vez: o cliente, com uma conexão, não cria as 256 de uma vez (0,1 a 0,3 ms
 * medidos na partida dele).
 */
let blocoNovo: ArrayBuffer | undefined;
let saidosDoBlocoNovo = LUGARES_POR_BLOCO;

/** Um lugar livre para o buffer pequeno de uma conexão. */
function tomarLugar(): Uint8Array<ArrayBuffer> {
  const livre = lugaresLivres.pop();
  if (livre !== undefined) return livre;
  if (blocoNovo === undefined || saidosDoBlocoNovo === LUGARES_POR_BLOCO) {
    blocoNovo = new ArrayBuffer(LEITURA_INICIAL * LUGARES_POR_BLOCO);
    saidosDoBlocoNovo = 0;
  }
  const inicio = LEITURA_INICIAL * saidosDoBlocoNovo++;
  return new Uint8Array(blocoNovo, inicio, LEITURA_INICIAL);
}

/** Quanto esperar pelo fim do par ao encerrar com cortesia. */
const ESPERA_FECHAMENTO_MS = 1000;
/** Quanto ler (e descartar) no máximo ao encerrar com cortesia. */
const DESCARTE_MAXIMO = 64 * 1024;
/**
 * A fila vazia de todas as conexões. Com comprimento 0 nada é escrito nela
 * (`enviar` a troca por uma maior antes), e uma conexão ociosa não paga por uma.
 */
const FILA_VAZIA = new Uint8Array(0);
/**
 * Tamanho dos buffers de escrita reaproveitados. Criar um `ArrayBuffer` custa
 * ~0,4 µs aqui (mais que escrever uma confirmação), então os lotes pequenos
 * saem de buffers que voltam para esta reserva quando a escrita termina.
 */
const LOTE_RECICLAVEL = 4096;
/** Buffers livres guardados no máximo, para todas as conexões juntas. */
const RESERVA_MAXIMA = 64;
/** Buffers de `LOTE_RECICLAVEL` bytes sem escrita em curso. */
const reserva: Uint8Array<ArrayBuffer>[] = [];

/** A saída pendente passou do teto: o par não está lendo. */
export class FilaCheia extends Error {
  constructor(bytes: number) {
    super(`saída pendente de ${bytes} bytes passou do limite`);
    this.name = "FilaCheia";
  }
}

/**
 * O que `Conexao` usa de um socket: um `Deno.Conn`, ou o que o imita (o TLS
 * do servidor, lib/servidor/tls.ts).
 */
export interface Fluxo {
  readonly remoteAddr: Deno.Addr;
  read(destino: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  closeWrite?(): Promise<void>;
  setNoDelay?(ligado?: boolean): void;
  close(): void;
}

/**
 * Quem recebe os pedaços de `lerPara`, como métodos: uma conexão ociosa não
 * carrega uma função `async` suspensa nem as promessas de um `await`.
 */
export interface Leitor {
  /** O pedaço lido (vale até a próxima leitura), ou `null` no fim. */
  lido(pedaco: Uint8Array | null): void;
  /** A leitura falhou (não por desconexão: essa vira `lido(null)`). */
  falhou(erro: unknown): void;
}

export interface OpcoesConexao {
  /** Teto de bytes à espera de escrita. */
  limiteFila: number;
}

/** Envolve um `Fluxo`; `fechar()` pode ser chamado quantas vezes for. */
export class Conexao {
  readonly conn: Fluxo;
  /** O buffer da próxima leitura: `#pequeno` ou um maior, durante rajadas. */
  #buffer: Uint8Array<ArrayBuffer>;
  /**
   * O buffer das leituras entre rajadas (e da leitura ociosa): um lugar de
   * um bloco compartilhado, devolvido por `#soltarLugar`.
   */
  #pequeno: Uint8Array<ArrayBuffer> | undefined = tomarLugar();
  /** Há uma leitura em curso: o runtime pode escrever em `#buffer`. */
  #lendo = false;
  /** O tamanho que a última rajada alcançou: por onde a próxima recomeça. */
  #tamanhoRajada = LEITURA_INICIAL * 2;
  /**
   * Um buffer de rajada trocado por outro na última leitura: o pedaço dela
   * ainda aponta para ele, então só volta à reserva na leitura seguinte.
   */
  #largado: Uint8Array<ArrayBuffer> | undefined;
  /**
   * Bytes enfileirados, copiados num só buffer: mil quadros de 5 bytes custam
   * 5 KB, não mil objetos (um par que só manda PING não infla a memória).
   */
  #fila = FILA_VAZIA;
  #usados = 0;
  /** Bytes enfileirados mais os da escrita em curso. */
  #bytesPendentes = 0;
  /** Há uma escrita em curso: a do `#lote`. */
  #escrevendo = false;
  /** O buffer em escrita (os primeiros `#tamanhoLote` bytes). */
  #lote = FILA_VAZIA;
  #tamanhoLote = 0;
  #escritosLote = 0;
  /** Quem espera a escrita acabar (`esvaziar`). */
  #aoEsvaziar: (() => void)[] | undefined;
  #fechada = false;
  #bytesEscritos = 0;
  /** Com `lerPara`: quem recebe o resultado da leitura em curso. */
  #leitor: Leitor | undefined;
  #erroEscrita: unknown;
  #limiteFila: number;

  constructor(conn: Fluxo, opcoes: OpcoesConexao) {
    this.conn = conn;
    this.#buffer = this.#pequeno!;
    this.#limiteFila = opcoes.limiteFila;
    // Sem isso, um quadro escrito em duas partes espera ~40 ms (Nagle + ACK atrasado).
    conn.setNoDelay?.(true);
  }

  get fechada(): boolean {
    return this.#fechada;
  }

  /** Bytes enfileirados e ainda não escritos. */
  get bytesPendentes(): number {
    return this.#bytesPendentes;
  }

  /**
   * Bytes já entregues ao núcleo, desde o início. Cresce a cada escrita, mesmo
   * no meio de um lote grande: é a medida de progresso de quem só escreve.
   */
  get bytesEscritos(): number {
    return this.#bytesEscritos;
  }

  /**
   * Lê o próximo pedaço. O pedaço aponta para o buffer interno e só vale até a
   * próxima leitura. Devolve `null` no fim da conexão (inclusive reinício) e
   * depois de `fechar()`, mesmo que a leitura em curso tenha recebido bytes.
   */
  ler(): Promise<Uint8Array | null> {
    // Sem `async`: a leitura pendente de uma conexão ociosa não carrega um
    // gerador suspenso, só a reação com os dois tratadores abaixo.
    if (this.#fechada) return Promise.resolve(null);
    if (this.#largado !== undefined) {
      // O pedaço anterior deixou de valer: o buffer dele pode servir a outra.
      devolverBuffer(this.#largado);
      this.#largado = undefined;
    }
    return this.#ler().then(this.#lido, this.#falhou);
  }

  /** Começa a leitura em `#buffer`; `#lendo` até ela terminar. */
  #ler(): Promise<number | null> {
    this.#lendo = true;
    try {
      return this.conn.read(this.#buffer);
    } catch (erro) {
      return Promise.reject(erro);
    }
  }

  /**
   * Lê o próximo pedaço e o entrega a `leitor` (`lido`, ou `falhou`), sempre
   * depois desta chamada: o mesmo que `ler()`, sem uma promessa a esperar.
   * Uma leitura por vez, como `ler()`; `leitor` não deve lançar.
   */
  lerPara(leitor: Leitor): void {
    this.#leitor = leitor;
    if (this.#fechada) {
      void Promise.resolve(null).then(this.#lido);
      return;
    }
    if (this.#largado !== undefined) {
      devolverBuffer(this.#largado);
      this.#largado = undefined;
    }
    void this.#ler().then(this.#lido, this.#falhou);
  }

  /** Uma leitura por vez: `#buffer` ainda é o da leitura que terminou. */
  #lido = (n: number | null): Uint8Array | null => {
    this.#lendo = false;
    // Fechada: os bytes que chegaram não interessam, e o lugar pode voltar.
    const pedaco = this.#fechada ? null : this.#pedaco(n);
    if (this.#fechada) this.#soltarLugar();
    const leitor = this.#leitor;
    if (leitor !== undefined) {
      this.#leitor = undefined;
      leitor.lido(pedaco);
    }
    return pedaco;
  };

  #pedaco(n: number | null): Uint8Array | null {
    if (n === null) return null;
    const buffer = this.#buffer;
    const pedaco = buffer.subarray(0, n);
    if (n < buffer.length) {
      // Não encheu: o par parou (por ora). A próxima leitura, que pode ficar
      // pendente por muito tempo, usa o buffer pequeno.
      if (buffer !== this.#pequeno) this.#largado = buffer;
      this.#buffer = this.#pequeno!;
    } else if (buffer === this.#pequeno) {
      // Encheu o pequeno: a rajada recomeça do tamanho que já tinha alcançado.
      this.#buffer = tomarBuffer(this.#tamanhoRajada);
    } else if (n < LEITURA_MAXIMA) {
      // Encheu um grande: dobra. Este pedaço continua válido (outro buffer).
      this.#largado = buffer;
      this.#tamanhoRajada = n * 2;
      this.#buffer = tomarBuffer(this.#tamanhoRajada);
    }
    return pedaco;
  }

  #falhou = (erro: unknown): null => {
    this.#lendo = false;
    if (this.#fechada || eDesconexao(erro)) {
      this.#lido(null);
      return null;
    }
    const leitor = this.#leitor;
    if (leitor === undefined) throw erro;
    this.#leitor = undefined;
    leitor.falhou(erro);
    return null;
  };

  /**
   * Copia os bytes para a saída (quem chama pode reaproveitar o buffer logo
   * depois). Com a linha livre, a escrita começa já, dentro desta chamada; com
   * uma escrita em curso, os bytes esperam e saem todos juntos na próxima.
   *
   * @throws {FilaCheia} quando a fila passaria do limite
   */
  enviar(bytes: Uint8Array): void {
    if (this.#fechada) return;
    if (this.#bytesPendentes + bytes.length > this.#limiteFila) {
      throw new FilaCheia(this.#bytesPendentes + bytes.length);
    }
    const total = this.#usados + bytes.length;
    if (total > this.#fila.length) this.#crescerFila(total);
    this.#fila.set(bytes, this.#usados);
    this.#usados = total;
    this.#bytesPendentes += bytes.length;
    if (!this.#escrevendo) this.#escreverLote();
  }

  /** Uma fila com lugar para `total` bytes, mantendo os que já estão nela. */
  #crescerFila(total: number) {
    const maior = this.#usados === 0 && total <= LOTE_RECICLAVEL
      ? reserva.pop() ?? new Uint8Array(LOTE_RECICLAVEL)
      : new Uint8Array(Math.max(total, this.#fila.length * 2));
    maior.set(this.#fila.subarray(0, this.#usados));
    this.#fila = maior;
  }

  /** Espera até que tudo o que foi enfileirado tenha sido escrito (ou falhado). */
  async esvaziar(): Promise<void> {
    while (this.#escrevendo) {
      await new Promise<void>((pronto) =>
        (this.#aoEsvaziar ??= []).push(pronto)
      );
    }
  }

  /** O erro da última escrita que falhou, se houve. */
  get erroEscrita(): unknown {
    return this.#erroEscrita;
  }

  // A escrita é uma cadeia de `then` com tratadores fixos, não uma função
  // `async`: no caminho de cada confirmação, o quadro e as promessas de uma
  // função `async` eram ~18% de tudo o que o servidor alocava.

  /** A fila vira o lote em escrita; o que chegar agora vai para outro buffer. */
  #escreverLote(): void {
    this.#escrevendo = true;
    this.#lote = this.#fila;
    this.#tamanhoLote = this.#usados;
    this.#escritosLote = 0;
    this.#fila = FILA_VAZIA;
    this.#usados = 0;
    this.#escreverResto();
  }

  #escreverResto(): void {
    let escrita: Promise<number>;
    try {
      escrita = this.conn.write(
        this.#lote.subarray(this.#escritosLote, this.#tamanhoLote),
      );
    } catch (erro) {
      return this.#falhouEscrita(erro);
    }
    escrita.then(this.#escreveu, this.#falhouEscrita);
  }

  #escreveu = (n: number): void => {
    this.#escritosLote += n;
    this.#bytesEscritos += n;
    if (this.#fechada) return this.#terminarEscrita(); // `fechar` zerou a conta
    if (this.#escritosLote < this.#tamanhoLote) return this.#escreverResto();
    this.#bytesPendentes -= this.#tamanhoLote;
    // A escrita terminou: o runtime não guarda mais o buffer.
    const lote = this.#lote;
    if (lote.length === LOTE_RECICLAVEL && reserva.length < RESERVA_MAXIMA) {
      reserva.push(lote);
    }
    if (this.#usados > 0) return this.#escreverLote();
    this.#terminarEscrita();
  };

  #falhouEscrita = (erro: unknown): void => {
    this.#erroEscrita = erro;
    this.fechar();
    this.#terminarEscrita();
  };

  #terminarEscrita(): void {
    this.#lote = FILA_VAZIA;
    this.#escrevendo = false;
    const esperando = this.#aoEsvaziar;
    this.#aoEsvaziar = undefined;
    if (esperando) { for (const resolver of esperando) resolver(); }
  }

  /** Fecha só o sentido de escrita (FIN): o par lê até o fim e então fecha. */
  async fecharEscrita(): Promise<void> {
    if (this.#fechada || this.conn.closeWrite === undefined) return;
    try {
      await this.conn.closeWrite();
    } catch {
      this.fechar();
    }
  }

  /**
   * Escreve o que falta, fecha o sentido de escrita e lê (descartando) até o
   * par fechar, por um tempo curto. Assim o par lê nosso último quadro antes do
   * fim: fechar com bytes dele por ler faria o kernel mandar RST.
   */
  async encerrarComCortesia(): Promise<void> {
    if (this.#fechada) return;
    await this.esvaziar();
    if (this.#fechada) return;
    await this.fecharEscrita();
    if (this.#fechada) return;
    const prazo = setTimeout(() => this.fechar(), ESPERA_FECHAMENTO_MS);
    try {
      let descartados = 0;
      while (descartados < DESCARTE_MAXIMO) {
        const pedaco = await this.ler();
        if (pedaco === null) break;
        descartados += pedaco.length;
      }
    } finally {
      clearTimeout(prazo);
      this.fechar();
    }
  }

  fechar(): void {
    if (this.#fechada) return;
    this.#fechada = true;
    this.#fila = FILA_VAZIA;
    this.#usados = 0;
    this.#bytesPendentes = 0;
    try {
      this.conn.close();
    } catch {
      // Já fechada pelo runtime: nada a fazer.
    }
    if (!this.#lendo) this.#soltarLugar();
  }

  /** Devolve o lugar do buffer pequeno (fechada, sem leitura em curso). */
  #soltarLugar(): void {
    if (this.#pequeno === undefined) return;
    lugaresLivres.push(this.#pequeno);
    this.#pequeno = undefined;
    this.#buffer = FILA_VAZIA;
  }

  [Symbol.dispose](): void {
    this.fechar();
  }
}
