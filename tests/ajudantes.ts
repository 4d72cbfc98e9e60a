/**
 * Ajudantes dos testes de ponta a ponta: iniciam os programas de verdade
 * (`servidor.ts`, `cliente.ts`) com exatamente as permissões das tarefas do
 * deno.json — as mesmas dos binários compilados —, esperam linhas da saída em
 * vez de dormir, e digitam no cliente como uma pessoa.
 *
 * @module
 */

import { codificar } from "../lib/protocolo/codificador.ts";
import { Decodificador } from "../lib/protocolo/decodificador.ts";
import {
  limitesDoCliente,
  type Quadro,
  Tipo,
  VERSAO_1,
} from "../lib/protocolo/quadros.ts";
import { opcoesDaTarefa } from "../scripts/tarefas.ts";
import type { Escritor } from "../lib/saida/lotes.ts";

const RAIZ = new URL("../", import.meta.url);
/** Prazo de qualquer espera dos testes: evita que um defeito trave a suíte. */
export const PRAZO_TESTE_MS = 15_000;

export { opcoesDaTarefa };

/** Acumula a saída de um processo e espera trechos dela aparecerem. */
export class Saida {
  #texto = "";
  #cursor = 0;
  #acabou = false;
  #avisar: (() => void) | undefined;
  readonly terminou: Promise<void>;

  constructor(fluxo: ReadableStream<Uint8Array>) {
    this.terminou = this.#consumir(fluxo);
  }

  get texto(): string {
    return this.#texto;
  }

  async #consumir(fluxo: ReadableStream<Uint8Array>) {
    for await (const parte of fluxo.pipeThrough(new TextDecoderStream())) {
      this.#texto += parte;
      this.#avisar?.();
    }
    this.#acabou = true;
    this.#avisar?.();
  }

  /**
   * Espera, a partir do ponto da última espera, um trecho que case com
   * `padrao`; devolve o casamento e avança o ponto para depois dele.
   */
  async esperar(
    padrao: RegExp,
    prazoMs = PRAZO_TESTE_MS,
  ): Promise<RegExpExecArray> {
    const limite = Date.now() + prazoMs;
    while (true) {
      const casou = new RegExp(padrao.source, padrao.flags.replace("g", ""))
        .exec(this.#texto.slice(this.#cursor));
      if (casou) {
        this.#cursor += casou.index + casou[0].length;
        return casou;
      }
      const resta = limite - Date.now();
      if (this.#acabou || resta <= 0) {
        throw new Error(
          `esperava ${padrao} na saída (${
            this.#acabou ? "o processo terminou" : "prazo esgotado"
          }); saída até aqui:\n${this.#texto}`,
        );
      }
      await new Promise<void>((resolve) => {
        const prazo = setTimeout(resolve, resta);
        this.#avisar = () => {
          clearTimeout(prazo);
          resolve();
        };
      });
      this.#avisar = undefined;
    }
  }
}

/** Um processo iniciado pelo teste, com a saída acompanhada. */
export class Processo {
  readonly filho: Deno.ChildProcess;
  readonly saida: Saida;
  readonly erros: Saida;
  #escritor: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #codificador = new TextEncoder();

  constructor(filho: Deno.ChildProcess, comEntrada: boolean) {
    this.filho = filho;
    this.saida = new Saida(filho.stdout);
    this.erros = new Saida(filho.stderr);
    if (comEntrada) this.#escritor = filho.stdin.getWriter();
  }

  /** Digita uma linha (com Enter). */
  async digitar(linha: string): Promise<void> {
    await this.#escritor!.write(this.#codificador.encode(linha + "\n"));
  }

  /** Escreve bytes na entrada, como vierem. */
  async escreverBytes(bytes: Uint8Array): Promise<void> {
    await this.#escritor!.write(bytes);
  }

  /** Fecha a entrada (Ctrl-D). */
  async fecharEntrada(): Promise<void> {
    if (!this.#escritor) return;
    const escritor = this.#escritor;
    this.#escritor = undefined;
    await escritor.close().catch(() => {});
  }

  /** Espera o processo acabar (dentro do prazo) e devolve o código de saída. */
  async status(prazoMs = PRAZO_TESTE_MS): Promise<number> {
    await this.fecharEntrada();
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const estourou = new Promise<"prazo">((resolve) => {
      prazo = setTimeout(() => resolve("prazo"), prazoMs);
    });
    const resultado = await Promise.race([this.filho.status, estourou]);
    clearTimeout(prazo);
    if (resultado === "prazo") {
      this.filho.kill("SIGKILL");
      await this.filho.status;
      await Promise.all([this.saida.terminou, this.erros.terminou]);
      throw new Error(
        `o processo não terminou em ${prazoMs} ms; saída:\n${this.saida.texto}\nerros:\n${this.erros.texto}`,
      );
    }
    await Promise.all([this.saida.terminou, this.erros.terminou]);
    return resultado.code;
  }

  /** Manda um sinal ao processo (só aos que o teste iniciou, pelo PID). */
  sinal(sinal: Deno.Signal): void {
    try {
      this.filho.kill(sinal);
    } catch {
      // Já terminou.
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.sinal("SIGKILL");
    await this.status().catch(() => {});
  }
}

/** Inicia um dos programas com as permissões da sua tarefa. */
export function iniciar(
  programa: "servidor" | "cliente",
  args: string[],
  opcoes: { entrada?: boolean; env?: Record<string, string> } = {},
): Processo {
  const filho = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...opcoesDaTarefa(programa),
      new URL(`${programa}.ts`, RAIZ).pathname,
      ...args,
    ],
    stdin: opcoes.entrada ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...opcoes.env },
  }).spawn();
  return new Processo(filho, opcoes.entrada ?? false);
}

/** Um servidor em execução, já pronto, numa porta efêmera. */
export interface ServidorEmTeste extends Processo {
  porta: number;
  host: string;
}

/** Inicia o servidor em 127.0.0.1 (ou `host`), porta 0, e espera a linha de pronto. */
export async function iniciarServidor(
  args: string[] = [],
  host = "127.0.0.1",
  env: Record<string, string> = {},
): Promise<ServidorEmTeste> {
  const processo = iniciar("servidor", [
    "--host",
    host,
    "--porta",
    "0",
    ...args,
  ], { env });
  const json = args.includes("--json");
  const pronto = await (json ? processo.erros : processo.saida).esperar(
    /na porta (\d+)\. Aguardando/,
  );
  return Object.assign(processo, { porta: Number(pronto[1]), host });
}

/** Roda o cliente até o fim com `entrada` na entrada padrão. */
export async function rodarCliente(
  args: string[],
  entrada = "",
  env: Record<string, string> = {},
): Promise<{ codigo: number; saida: string; erros: string }> {
  const processo = iniciar("cliente", args, { entrada: true, env });
  if (entrada) {
    await processo.escreverBytes(new TextEncoder().encode(entrada));
  }
  const codigo = await processo.status();
  return { codigo, saida: processo.saida.texto, erros: processo.erros.texto };
}

/** Argumentos `--host`/`--porta` para falar com um servidor de teste. */
export function alvo(servidor: { host: string; porta: number }): string[] {
  return ["--host", servidor.host, "--porta", String(servidor.porta)];
}

/** Um ouvinte TCP próprio do teste (para fingir servidores estranhos). */
export function ouvinteLocal(): Deno.TcpListener {
  return Deno.listen({ hostname: "127.0.0.1", port: 0 });
}

/**
 * Um par TCP cru, escrito no teste, para mandar ao servidor bytes que nenhum
 * cliente bem-comportado mandaria; lê as respostas com o codec do projeto.
 */
export class ParCru {
  readonly conn: Deno.TcpConn;
  readonly #decodificador = new Decodificador({ limites: limitesDoCliente() });
  readonly #quadros: Quadro[] = [];
  #fim = false;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  static async conectar(
    servidor: { host: string; porta: number },
  ): Promise<ParCru> {
    const conn = await Deno.connect({
      hostname: servidor.host,
      port: servidor.porta,
    });
    conn.setNoDelay(true);
    return new ParCru(conn);
  }

  async escrever(bytes: Uint8Array | string): Promise<void> {
    const dados = typeof bytes === "string"
      ? new TextEncoder().encode(bytes)
      : bytes;
    let escritos = 0;
    while (escritos < dados.length) {
      escritos += await this.conn.write(dados.subarray(escritos));
    }
  }

  /** Saudação válida; devolve a saudação do servidor. */
  async saudar(): Promise<Quadro> {
    await this.escrever(
      codificar({ tipo: Tipo.OLA_CLIENTE, versao: VERSAO_1, token: "" }),
    );
    return await this.proximo();
  }

  /** O próximo quadro do servidor, ou `null` quando ele fecha. */
  async proximo(): Promise<Quadro> {
    const quadro = await this.proximoOuFim();
    if (quadro === null) {
      throw new Error("o servidor fechou antes do quadro esperado");
    }
    return quadro;
  }

  async proximoOuFim(): Promise<Quadro | null> {
    const buffer = new Uint8Array(64 * 1024);
    while (this.#quadros.length === 0 && !this.#fim) {
      let n: number | null = null;
      try {
        n = await this.conn.read(buffer);
      } catch {
        n = null; // reiniciada: conta como fim
      }
      if (n === null) this.#fim = true;
      else {this.#decodificador.decodificar(buffer.subarray(0, n), (q) =>
          this.#quadros.push(q));}
    }
    return this.#quadros.shift() ?? null;
  }

  /** Lê até o servidor fechar; devolve o que veio. */
  async ateOFim(): Promise<Quadro[]> {
    const todos: Quadro[] = [];
    for (
      let q = await this.proximoOuFim();
      q !== null;
      q = await this.proximoOuFim()
    ) {
      todos.push(q);
    }
    return todos;
  }

  fechar(): void {
    try {
      this.conn.close();
    } catch {
      // já fechada
    }
  }

  [Symbol.dispose](): void {
    this.fechar();
  }
}

/** Um destino falso que conta as escritas; cada uma pode ser segurada. */
export class EscritorFalso implements Escritor {
  escritas: Uint8Array[] = [];
  /** Máximo de bytes aceitos por escrita (escritas parciais). */
  maximo = Infinity;
  segurar = false;
  falhar: Error | undefined;
  #liberar: (() => void)[] = [];

  #aoSegurar: (() => void)[] = [];

  async write(bytes: Uint8Array): Promise<number> {
    if (this.falhar) throw this.falhar;
    if (this.segurar) {
      const segurada = new Promise<void>((resolve) =>
        this.#liberar.push(resolve)
      );
      for (const avisar of this.#aoSegurar.splice(0)) avisar();
      await segurada;
    }
    const n = Math.min(bytes.length, this.maximo);
    this.escritas.push(bytes.slice(0, n));
    return n;
  }

  /** Resolve quando uma escrita estiver segura (`segurar`), à espera de `soltar`. */
  segurando(): Promise<void> {
    if (this.#liberar.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#aoSegurar.push(resolve));
  }

  soltar(): void {
    this.segurar = false;
    for (const liberar of this.#liberar.splice(0)) liberar();
  }

  get texto(): string {
    const total = this.escritas.reduce((s, b) => s + b.length, 0);
    const tudo = new Uint8Array(total);
    let pos = 0;
    for (const b of this.escritas) {
      tudo.set(b, pos);
      pos += b.length;
    }
    return new TextDecoder().decode(tudo);
  }
}
