/**
 * Escrita em lotes, em bytes: o texto (e as linhas montadas byte a byte pelo
 * log JSON) se acumula num buffer que cresce, e sai num único `write` por vez.
 * Dois buffers se revezam (um se enche enquanto o outro é escrito), então um
 * fluxo contínuo não aloca nada. Acima de 4 MiB à espera, quem produz é
 * avisado para esperar (contrapressão).
 *
 * @module
 */

const codificador = new TextEncoder();

/** Capacidade inicial de um acumulador: pequena, o cliente escreve pouco. */
const CAPACIDADE_INICIAL = 4096;
/**
 * Um acumulador maior que isto é trocado por um novo depois de escrito. Com
 * muitas sessões lendo enquanto uma escrita está em curso, um lote passa do
 * `LIMITE_PENDENTE`; guardar até 16 MiB evita realocar e copiar a cada lote.
 */
const CAPACIDADE_GUARDADA = 16 << 20;
/**
 * Bytes à espera (além da escrita em curso) a partir dos quais `pronta()` pede
 * para esperar. A escrita em curso não conta: enquanto ela corre (noutra
 * thread), quem produz enche o outro buffer, e os dois trabalham ao mesmo
 * tempo. A memória fica limitada a uns dois limites.
 */
export const LIMITE_PENDENTE = 4 << 20;

/**
 * Bytes que se escrevem direto num buffer que cresce por dobra: `garantir` o
 * espaço, escrever em `bytes` a partir de `usados` e avançar `usados`.
 */
export class Acumulador {
  bytes: Uint8Array;
  usados = 0;
  /**
   * Quem pediu aviso quando estes bytes estiverem gravados (`aoGravar`), e com
   * que número; os primeiros `avisos` valem. Dois vetores reaproveitados, sem
   * objeto por aviso.
   */
  readonly avisar: (Gravavel | undefined)[] = [];
  readonly numeros: number[] = [];
  avisos = 0;
  /** Mensagens cujas linhas estão neste lote (`contarMensagem`). */
  mensagens = 0;

  constructor(capacidade = CAPACIDADE_INICIAL) {
    this.bytes = new Uint8Array(capacidade);
  }

  /** Garante espaço para mais `n` bytes. */
  garantir(n: number): void {
    const minimo = this.usados + n;
    if (minimo <= this.bytes.length) return;
    let capacidade = this.bytes.length * 2;
    while (capacidade < minimo) capacidade *= 2;
    const maior = new Uint8Array(capacidade);
    maior.set(this.bytes.subarray(0, this.usados));
    this.bytes = maior;
  }

  /** Acrescenta um texto qualquer, em UTF-8. */
  texto(texto: string): void {
    if (texto.length === 0) return;
    this.garantir(texto.length * 3); // pior caso de UTF-16 para UTF-8
    this.usados += codificador.encodeInto(
      texto,
      this.bytes.subarray(this.usados),
    ).written;
  }
}

/**
 * Quem espera bytes seus chegarem ao destino: a sessão do servidor, que só
 * confirma uma mensagem depois que a linha dela foi gravada.
 */
export interface Gravavel {
  /** Tudo o que foi escrito antes do pedido com este `numero` foi gravado. */
  gravado(numero: number): void;
}

/** Destino de bytes: `Deno.stdout`, `Deno.stderr` ou um arquivo. */
export interface Escritor {
  write(bytes: Uint8Array): Promise<number>;
  writeSync?(bytes: Uint8Array): number;
}

/**
 * Até quantos bytes um lote vai por `writeSync` quando o destino é um arquivo
 * comum: todos. Um `write` assíncrono de arquivo roda noutra thread, e no
 * Deno 2.9 isso custava mais que a própria escrita: sob a carga do banco
 * (8 conexões, linhas `--json` de ~330 bytes), 430 ns de CPU por linha nas
 * threads de E/S contra ~60 ns do `write` em si — o servidor inteiro gastava
 * 544 ns por mensagem com lotes grandes assíncronos e 231 ns com tudo
 * síncrono, e recebia 1,8× mais. Um arquivo nunca espera por um leitor; o
 * lote de uma volta do laço de eventos é limitado pelo que as leituras
 * trouxeram (contrapressão em `LIMITE_PENDENTE`).
 */
export const ESCRITA_SINCRONA_MAXIMA = Infinity;

/**
 * O descritor `fd` (1 = saída padrão) é um arquivo comum, não um terminal,
 * cano ou socket? Só nesse caso uma escrita síncrona é segura: um arquivo
 * nunca espera por um leitor, então não pode parar o laço de eventos. Usa o
 * `fstat` do `node:fs` porque o Deno só deixa examinar `/dev/stdout` com
 * `--allow-all`; carregado sob demanda, só pelo servidor. Na dúvida, não.
 */
export async function eArquivoComum(fd: number): Promise<boolean> {
  try {
    const { fstatSync } = await import("node:fs");
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * Quem monta bytes direto no lote (a linha de mensagem do log JSON): escreve
 * em `destino` a partir de `inicio`, dentro do espaço pedido, e devolve onde
 * parou. `destino` só vale durante a chamada.
 */
export interface Montador {
  montar(destino: Uint8Array, inicio: number): number;
}

export interface OpcoesSaida {
  /**
   * Lotes até este tamanho são escritos com `writeSync` (0, o padrão: nunca).
   * Só para arquivos comuns; veja `eArquivoComum`.
   */
  sincronaAte?: number;
}

/**
 * Junta o que se escreve e manda num único `write` por vez. Enquanto uma
 * escrita está em curso, o que chega se acumula para a próxima; quando o
 * acumulado passa de `LIMITE_PENDENTE` (4 MiB), `pronta()` devolve uma
 * promessa para quem produz esperar.
 *
 * Para montar bytes sem passar por `string`, `escreverMontado`.
 */
export class SaidaEmLotes {
  #destino: Escritor;
  #atual = new Acumulador();
  #reserva: Acumulador | undefined;
  /** A descarga está programada ou em curso. */
  #agendada = false;
  /** Um lote está sendo escrito noutra thread (`#escreverNoutraThread`). */
  #noutraThread = false;
  /** Quem espera a descarga acabar (`esvaziar`). */
  #aoEsvaziar: (() => void)[] = [];
  #aguardando: (() => void)[] = [];
  #erro: unknown;
  #sincronaAte: number;
  #mensagensEntregues = 0;
  #mensagensGravadas = 0;
  /** Chamado uma vez, quando uma escrita falha (a saída morreu). */
  #aoFalhar: ((erro: unknown) => void) | undefined;

  constructor(destino: Escritor, opcoes: OpcoesSaida = {}) {
    this.#destino = destino;
    this.#sincronaAte = destino.writeSync ? opcoes.sincronaAte ?? 0 : 0;
  }

  /** Programa a escrita do que está no acumulador (no fim deste tique). */
  #agendar(): void {
    if (this.#agendada) return;
    this.#agendada = true;
    // Duas voltas de microtarefa: as outras sessões cujas leituras terminaram
    // na mesma volta do laço de eventos ainda põem suas linhas neste lote (e
    // suas confirmações saem juntas, depois de um só `write`). Sem função
    // `async`: no caminho de cada mensagem, ela custava ~10% de tudo o que o
    // servidor alocava.
    queueMicrotask(this.#segundaVolta);
  }

  escrever(texto: string): void {
    if (this.#erro !== undefined) return;
    this.#atual.texto(texto);
    this.#agendar();
  }

  /**
   * Escreve bytes montados direto no lote, sem passar por `string` nem por um
   * buffer intermediário: garante `maximo` bytes livres, chama
   * `montador.montar(destino, inicio)` e agenda a escrita.
   */
  escreverMontado(maximo: number, montador: Montador): void {
    if (this.#erro !== undefined) return;
    const lote = this.#atual;
    lote.garantir(maximo);
    lote.usados = montador.montar(lote.bytes, lote.usados);
    this.#agendar();
  }

  /**
   * Grava `bytes` já, por `writeSync`, depois do que estava no lote (que vai
   * antes, na ordem, e cujos avisos saem), contando `mensagens` como
   * gravadas: a passagem (passagem.ts) escreve assim as linhas de uma leitura
   * direto da memória do núcleo, sem copiá-las para o lote. Só quando o
   * destino é um arquivo comum (`sincronaAte`) e nenhum lote está sendo
   * escrito noutra thread; senão devolve `false`, e quem chamou as põe no
   * lote (`escreverMontado`).
   */
  escreverJa(bytes: Uint8Array, mensagens: number): boolean {
    if (this.#erro !== undefined) {
      this.#mensagensEntregues += mensagens; // descartadas, como no lote
      return true;
    }
    if (this.#noutraThread) return false;
    if (this.#atual.usados + bytes.length > this.#sincronaAte) return false;
    try {
      if (this.#atual.usados > 0 || this.#atual.avisos > 0) {
        const lote = this.#trocarLote();
        this.#escreverJa(lote);
        this.#devolver(lote);
      }
      for (let escritos = 0; escritos < bytes.length;) {
        escritos += this.#destino.writeSync!(bytes.subarray(escritos));
      }
    } catch (erro) {
      this.#mensagensEntregues += mensagens; // recebidas e não gravadas
      this.#falhou(erro);
      return true;
    }
    this.#mensagensEntregues += mensagens;
    this.#mensagensGravadas += mensagens;
    return true;
  }

  /**
   * Pede `alvo.gravado(numero)` quando tudo o que já foi escrito até aqui
   * estiver gravado no destino (o `write` voltou). Se a saída falhar antes,
   * o aviso nunca vem: nada do que não foi gravado é dado por gravado.
   * Devolve `false` se a saída já falhou.
   */
  aoGravar(alvo: Gravavel, numero: number): boolean {
    if (this.#erro !== undefined) return false;
    const lote = this.#atual;
    const n = lote.avisos;
    if (n > 0 && lote.avisar[n - 1] === alvo) {
      lote.numeros[n - 1] = numero; // o mesmo alvo no mesmo lote: um aviso só
    } else {
      lote.avisar[n] = alvo;
      lote.numeros[n] = numero;
      lote.avisos = n + 1;
    }
    this.#agendar();
    return true;
  }

  /** Conta `n` mensagens no lote atual (chamado por quem escreveu as linhas delas). */
  contarMensagem(n = 1): void {
    this.#atual.mensagens += n;
    this.#mensagensEntregues += n;
  }

  /** Mensagens contadas cujos lotes ainda não foram gravados. */
  get naoGravadas(): number {
    return this.#mensagensEntregues - this.#mensagensGravadas;
  }

  /** Quem chamar quando uma escrita falhar (`EPIPE`, disco cheio...). */
  quandoFalhar(acao: (erro: unknown) => void): void {
    this.#aoFalhar = acao;
  }

  /** Bytes à espera de escrita, fora a escrita em curso (e em `/metricas`). */
  get pendente(): number {
    return this.#atual.usados;
  }

  /** Há tanto à espera que convém parar de produzir (`pronta()` faria esperar). */
  get lotada(): boolean {
    return this.#atual.usados >= LIMITE_PENDENTE;
  }

  /** `null` se pode continuar produzindo; senão, uma promessa de espaço. */
  pronta(): Promise<void> | null {
    if (this.#atual.usados < LIMITE_PENDENTE || this.#erro !== undefined) {
      return null;
    }
    return new Promise((resolve) => this.#aguardando.push(resolve));
  }

  /** Espera tudo o que foi escrito chegar ao destino. */
  async esvaziar(): Promise<void> {
    while (this.#agendada) {
      await new Promise<void>((pronto) => this.#aoEsvaziar.push(pronto));
    }
    if (this.#erro) throw this.#erro;
  }

  #segundaVolta = (): void => queueMicrotask(this.#descarregar);

  /**
   * Escreve os lotes até não sobrar nada: os pequenos (para um arquivo
   * comum) aqui mesmo; o primeiro que não for, noutra thread, e esta descarga
   * continua quando ele terminar.
   */
  #descarregar = (): void => {
    try {
      while (this.#atual.usados > 0 || this.#atual.avisos > 0) {
        const lote = this.#trocarLote();
        if (lote.usados > this.#sincronaAte) {
          this.#escreverNoutraThread(lote);
          return;
        }
        this.#escreverJa(lote);
        this.#devolver(lote);
      }
    } catch (erro) {
      this.#falhou(erro);
      return;
    }
    this.#terminar();
  };

  /** O acumulador cheio sai para ser escrito; quem produz passa a usar outro. */
  #trocarLote(): Acumulador {
    const lote = this.#atual;
    this.#atual = this.#reserva ?? new Acumulador();
    this.#reserva = undefined;
    return lote;
  }

  /**
   * O lote foi escrito: avisa quem esperava por ele, e ele volta a ser a
   * reserva; quem esperava espaço segue.
   */
  #devolver(lote: Acumulador) {
    for (let i = 0; i < lote.avisos; i++) {
      const alvo = lote.avisar[i]!;
      lote.avisar[i] = undefined;
      try {
        alvo.gravado(lote.numeros[i]);
      } catch (erro) {
        // Um defeito de quem pediu o aviso não é falha da saída: não pode
        // fazer a escrita parar nem os outros avisos se perderem.
        queueMicrotask(() => {
          throw erro;
        });
      }
    }
    lote.avisos = 0;
    this.#mensagensGravadas += lote.mensagens;
    lote.mensagens = 0;
    lote.usados = 0;
    if (lote.bytes.length <= CAPACIDADE_GUARDADA) this.#reserva = lote;
    this.#liberar();
  }

  #escreverJa(lote: Acumulador) {
    let escritos = 0;
    while (escritos < lote.usados) {
      escritos += this.#destino.writeSync!(
        lote.bytes.subarray(escritos, lote.usados),
      );
    }
  }

  async #escreverNoutraThread(lote: Acumulador) {
    this.#noutraThread = true;
    try {
      let escritos = 0;
      while (escritos < lote.usados) {
        escritos += await this.#destino.write(
          lote.bytes.subarray(escritos, lote.usados),
        );
      }
    } catch (erro) {
      this.#noutraThread = false;
      this.#falhou(erro);
      return;
    }
    this.#noutraThread = false;
    this.#devolver(lote);
    this.#descarregar(); // o que chegou durante a escrita
  }

  /**
   * Saída fechada (ex.: `| head`) ou disco cheio: descarta o resto em vez de
   * travar, sem avisar ninguém de gravação, e conta a quem quiser saber. O
   * que vier depois também é descartado.
   */
  #falhou(erro: unknown) {
    const primeira = this.#erro === undefined;
    this.#erro = erro;
    this.#atual.usados = 0;
    this.#atual.avisar.fill(undefined);
    this.#atual.avisos = 0;
    this.#liberar(true);
    this.#terminar();
    if (primeira) this.#aoFalhar?.(erro);
  }

  #terminar() {
    this.#agendada = false;
    if (this.#aoEsvaziar.length === 0) return;
    for (const resolver of this.#aoEsvaziar.splice(0)) resolver();
  }

  #liberar(sempre = false) {
    if (!sempre && this.#atual.usados >= LIMITE_PENDENTE) return;
    if (this.#aguardando.length === 0) return;
    for (const resolver of this.#aguardando.splice(0)) resolver();
  }
}
