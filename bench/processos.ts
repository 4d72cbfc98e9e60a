/**
 * Os processos do banco de medidas: inicia `deno run` por meio de `sh` (para
 * subir o limite de arquivos abertos com `ulimit -n` e, se pedido, mandar a
 * saída padrão direto para um arquivo, sem passar por este processo), espera
 * linhas da saída em vez de dormir, lê a memória em /proc e para cada filho
 * pelo seu PID — nunca por nome.
 *
 * @module
 */

export { opcoesDaTarefa } from "../scripts/tarefas.ts";

import { LeitorDeLinhas } from "../lib/cliente/linhas.ts";

/** A raiz do repositório. */
export const RAIZ = new URL("../", import.meta.url);

/** Caminho de um arquivo do repositório. */
export function caminho(relativo: string): string {
  return new URL(relativo, RAIZ).pathname;
}

/** Variáveis que os filhos herdam; o resto (ex.: SOCKETS_TOKEN) fica de fora. */
const HERDADAS = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"];

/** O ambiente dos filhos: só o necessário para achar o cache do Deno, sem cores. */
export function ambienteLimpo(): Record<string, string> {
  const ambiente: Record<string, string> = { NO_COLOR: "1" };
  for (const nome of HERDADAS) {
    const valor = Deno.env.get(nome);
    if (valor !== undefined) ambiente[nome] = valor;
  }
  return ambiente;
}

/** Acompanha um fluxo de texto linha a linha, guardando tudo o que passou. */
export class Linhas {
  readonly #leitor: LeitorDeLinhas;
  readonly #guardadas: string[] = [];

  constructor(fluxo: ReadableStream<Uint8Array>) {
    this.#leitor = new LeitorDeLinhas(fluxo);
  }

  /** Tudo o que já foi lido, para mensagens de erro. */
  get texto(): string {
    return this.#guardadas.join("\n");
  }

  /** A próxima linha (ou `null` no fim), dentro do prazo. */
  async proxima(prazoMs: number): Promise<string | null> {
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const estouro = new Promise<"prazo">((resolve) => {
      prazo = setTimeout(() => resolve("prazo"), prazoMs);
    });
    try {
      const linha = await Promise.race([this.#leitor.proxima(), estouro]);
      if (linha === "prazo") {
        throw new Error(
          `nenhuma linha em ${prazoMs} ms; até aqui:\n${this.texto}`,
        );
      }
      if (linha !== null) this.#guardadas.push(linha);
      return linha;
    } finally {
      clearTimeout(prazo);
    }
  }

  /** Lê linhas até uma casar com `padrao`, dentro do prazo total. */
  async esperar(padrao: RegExp, prazoMs: number): Promise<RegExpExecArray> {
    const limite = Date.now() + prazoMs;
    // Cada volta consome uma linha; o prazo limita o laço.
    while (true) {
      const resta = limite - Date.now();
      if (resta <= 0) {
        throw new Error(`esperava ${padrao}; até aqui:\n${this.texto}`);
      }
      const linha = await this.proxima(resta);
      if (linha === null) {
        throw new Error(
          `o processo terminou sem ${padrao}; saída:\n${this.texto}`,
        );
      }
      const casou = padrao.exec(linha);
      if (casou) return casou;
    }
  }

  /** Consome o resto do fluxo (para o processo nunca travar num cano cheio). */
  async drenar(): Promise<void> {
    // Termina quando o fluxo termina, isto é, quando o processo sai.
    let linha: string | null;
    while ((linha = await this.#leitor.proxima()) !== null) {
      this.#guardadas.push(linha);
      // Só guarda as últimas, para não crescer sem limite.
      if (this.#guardadas.length > 200) this.#guardadas.splice(0, 100);
    }
  }
}

/** Processos ainda vivos iniciados por este banco de medidas. */
const vivos = new Set<Processo>();

/**
 * O laço de `sh` que sobe o limite de arquivos abertos e, se houver arquivo,
 * manda a saída padrão para ele (em modo de acréscimo, para que o arquivo
 * possa ser esvaziado entre execuções) antes de virar o próprio `deno`.
 */
const SCRIPT_SH = 'ulimit -n "$1" 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ' +
  "arquivo=$2; shift 2; " +
  'if [ -n "$arquivo" ]; then exec "$@" >>"$arquivo"; fi; exec "$@"';

export interface OpcoesProcesso {
  /** O programa; sem ele, o próprio `deno`. */
  programa?: string;
  /** Argumentos do programa (ex.: `run --allow-net x.ts --porta 0`). */
  args: string[];
  /** Arquivo que recebe a saída padrão; sem ele, a saída vem por cano. */
  arquivoSaida?: string;
  /** Entrada padrão por cano (para mandar comandos ao filho). */
  entrada?: boolean;
  /** Limite de arquivos abertos do filho. */
  limiteArquivos?: number;
}

/**
 * Um filho (`deno`, ou outro programa). O PID é o do próprio programa, porque
 * o `sh` faz `exec`: é dele o CPU que se lê em /proc.
 */
export class Processo {
  readonly filho: Deno.ChildProcess;
  readonly pid: number;
  /** Saída padrão, quando não vai para arquivo. */
  readonly saida: Linhas | undefined;
  readonly erros: Linhas;
  readonly status: Promise<Deno.CommandStatus>;
  #escritor: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #terminou = false;

  constructor(opcoes: OpcoesProcesso) {
    const arquivo = opcoes.arquivoSaida ?? "";
    this.filho = new Deno.Command("sh", {
      args: [
        "-c",
        SCRIPT_SH,
        "sh",
        String(opcoes.limiteArquivos ?? 1024),
        arquivo,
        opcoes.programa ?? Deno.execPath(),
        ...opcoes.args,
      ],
      clearEnv: true,
      env: ambienteLimpo(),
      stdin: opcoes.entrada ? "piped" : "null",
      stdout: arquivo ? "null" : "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.filho.pid;
    this.saida = arquivo ? undefined : new Linhas(this.filho.stdout);
    this.erros = new Linhas(this.filho.stderr);
    if (opcoes.entrada) this.#escritor = this.filho.stdin.getWriter();
    vivos.add(this);
    this.status = this.filho.status.finally(() => {
      this.#terminou = true;
      vivos.delete(this);
    });
  }

  /** Manda uma linha de comando para a entrada do filho. */
  async escrever(linha: string): Promise<void> {
    await this.#escritor?.write(new TextEncoder().encode(linha + "\n"));
  }

  /** Fecha a entrada do filho (fim de arquivo). */
  async fecharEntrada(): Promise<void> {
    const escritor = this.#escritor;
    this.#escritor = undefined;
    await escritor?.close().catch(() => {});
  }

  /**
   * Manda um sinal a este filho, pelo PID. Depois que o filho terminou, não
   * manda nada: o PID pode já ser de outro processo.
   */
  sinal(sinal: Deno.Signal): void {
    if (this.#terminou) return;
    try {
      Deno.kill(this.pid, sinal);
    } catch {
      // Já terminou.
    }
  }

  /** Espera o fim dentro do prazo; `undefined` se o prazo estourou. */
  async esperarFim(prazoMs: number): Promise<Deno.CommandStatus | undefined> {
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const estouro = new Promise<undefined>((resolve) => {
      prazo = setTimeout(() => resolve(undefined), prazoMs);
    });
    try {
      return await Promise.race([this.status, estouro]);
    } finally {
      clearTimeout(prazo);
    }
  }

  /** Para o filho: `sinal`, e SIGKILL se não sair no prazo. */
  async parar(
    sinal: Deno.Signal = "SIGTERM",
    prazoMs = 10_000,
  ): Promise<Deno.CommandStatus> {
    await this.fecharEntrada();
    this.sinal(sinal);
    const status = await this.esperarFim(prazoMs);
    if (status) return status;
    this.sinal("SIGKILL");
    return await this.status;
  }
}

/** Mata (pelo PID) todo filho ainda vivo: caminho de erro e Ctrl-C. */
export async function pararTodos(): Promise<void> {
  const lista = [...vivos];
  for (const processo of lista) processo.sinal("SIGKILL");
  await Promise.allSettled(lista.map((processo) => processo.status));
}

/**
 * Lê um arquivo de /proc/PID com `cat`: o Deno só deixa ler /proc/PID com
 * `--allow-all`, e o banco não pede tanto.
 */
function lerProc(pid: number, arquivo: string): Promise<string> {
  return rodar("cat", [`/proc/${pid}/${arquivo}`]);
}

/** Um campo em KiB de /proc/PID/status (`VmRSS`, `VmHWM`). */
export async function memoriaKiB(
  pid: number,
  campo = "VmRSS",
): Promise<number> {
  const status = await lerProc(pid, "status");
  const casou = new RegExp(`^${campo}:\\s+(\\d+) kB`, "m").exec(status);
  if (!casou) throw new Error(`sem ${campo} em /proc/${pid}/status`);
  return Number(casou[1]);
}

/** O limite (flexível) de arquivos abertos de um processo. */
export async function limiteDeArquivos(pid: number): Promise<number> {
  const limites = await lerProc(pid, "limits");
  const casou = /^Max open files\s+(\d+)/m.exec(limites);
  return casou ? Number(casou[1]) : NaN;
}

/** Quantas linhas do arquivo contêm algum dos trechos (`grep -c -F`). */
export async function contarLinhas(
  arquivo: string,
  trechos: string[],
): Promise<number> {
  const { code, stdout, stderr } = await new Deno.Command("grep", {
    args: ["-c", "-F", ...trechos.flatMap((t) => ["-e", t]), "--", arquivo],
    stdout: "piped",
    stderr: "piped",
  }).output();
  // grep sai com 1 quando não acha nada: é zero, não erro.
  if (code > 1) {
    throw new Error(`grep falhou: ${new TextDecoder().decode(stderr)}`);
  }
  return Number(new TextDecoder().decode(stdout).trim());
}

/** Roda um comando curto e devolve a saída padrão sem espaços nas pontas. */
export async function rodar(programa: string, args: string[]): Promise<string> {
  const { success, stdout } = await new Deno.Command(programa, {
    args,
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`${programa} ${args.join(" ")} falhou`);
  return new TextDecoder().decode(stdout).trim();
}

/** Diz se um programa existe no PATH (`command -v`). */
export async function existe(programa: string): Promise<boolean> {
  const { success } = await new Deno.Command("sh", {
    args: ["-c", 'command -v "$1" >/dev/null 2>&1', "sh", programa],
    stdout: "null",
    stderr: "null",
  }).output();
  return success;
}
