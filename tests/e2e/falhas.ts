/**
 * Harness de injeção de falhas (issue 13, entrega confiável): o
 * `servidor.ts --json` de verdade, gravando direto num arquivo (por `sh -c
 * 'exec ... >> arquivo'`, para um `kill -9` não perder o que ele já
 * escreveu), o proxy de tests/e2e/proxy_falhas.ts na frente dele, e N
 * `cliente.ts --linhas --verbose` de verdade, cada um com M linhas numeradas
 * e únicas na entrada (`c07 000123`), todos falando com o proxy.
 *
 * Dois modos:
 * - `resets`: o proxy corta conexões a esmo; o servidor segue no ar.
 *   Esperado: cada mensagem exatamente uma vez na saída (pelo texto), todos
 *   os clientes saem com 0 relatando M de M entregues.
 * - `reinicios`: o mesmo, e o servidor é reiniciado algumas vezes no meio
 *   (SIGTERM e kill -9, alternados), na mesma porta. Esperado: cada mensagem
 *   ao menos uma vez; exatamente uma vez depois de tirar as repetidas pelo
 *   `id`; todos os clientes saem com 0.
 *
 * Os reinícios acontecem em pontos sorteados do progresso (fração das N × M
 * mensagens já na saída), não do relógio: assim caem no meio do envio por
 * rápidos que sejam os clientes. Toda espera tem prazo; só se matam os
 * processos que o harness iniciou, pelo PID.
 *
 * Curto em tests/e2e/falhas_test.ts; longo, sozinho:
 *
 *     deno task falhas
 *     deno run --allow-run --allow-read --allow-write --allow-net tests/e2e/falhas.ts --modo resets --clientes 20 --mensagens 20000
 *
 * @module
 */

import { parseArgs } from "node:util";
import { opcoesDaTarefa } from "../../scripts/tarefas.ts";
import { mulberry32 } from "../dados.ts";
import { type ContagemProxy, ProxyDeFalhas } from "./proxy_falhas.ts";

const RAIZ = new URL("../../", import.meta.url);
const HOST = "127.0.0.1";
/** Prazo para o servidor ficar pronto e para sair depois de um sinal. */
const PRAZO_SERVIDOR_MS = 15_000;
/** Tentativas de subir o servidor (cada falha troca a porta). */
const TENTATIVAS_SERVIDOR = 5;
/** De quanto em quanto tempo o arquivo de saída é lido. */
const INTERVALO_MS = 25;
/** Guarda-se só o fim da saída de cada processo, para o relatório. */
const CAUDA = 4000;

export type Modo = "resets" | "reinicios";

export interface OpcoesFalhas {
  modo: Modo;
  /** N: processos cliente. */
  clientes: number;
  /** M: linhas (mensagens) por cliente. */
  mensagens: number;
  /** Probabilidade de cada conexão ser cortada pelo proxy (padrão 0,8). */
  taxa?: number;
  /** Maior ponto de corte em bytes, num sentido (padrão 32 KiB). */
  maxBytes?: number;
  /** Teto de cortes sorteados pelo proxy (padrão 20 por cliente). */
  limiteCortes?: number;
  /** Reinícios do servidor no modo `reinicios` (padrão 4; 0 em `resets`). */
  reinicios?: number;
  /** Semente de tudo que é sorteado (padrão 13). */
  semente?: number;
  /** Prazo total, do início ao último cliente (padrão 120 s). */
  prazoMs?: number;
  /** `--tempo-limite` dos clientes, em segundos (padrão 10). */
  tempoLimiteCliente?: number;
  /** Manter o diretório temporário com a saída do servidor. */
  manter?: boolean;
  /**
   * Outro programa no lugar de `cliente.ts` (caminho de um .ts, rodado com as
   * permissões da tarefa `cliente` e os mesmos argumentos): para conferir o
   * próprio harness com um cliente de referência.
   */
  programaCliente?: string;
  /**
   * Ritmo da entrada de cada cliente: `linhas` por vez, com `pausaMs` entre
   * um bloco e o seguinte (padrão: blocos de 4096 linhas, sem pausa, como um
   * `cat`). Devagar, o envio dura o bastante para os reinícios caírem nele
   * mesmo numa rodada pequena, em que os clientes (que reconectam em
   * milissegundos) terminariam antes do último reinício pedido.
   */
  ritmo?: { linhas: number; pausaMs: number };
}

export interface FimDoCliente {
  nome: string;
  codigo: number;
  /** "N de T" da linha final do cliente, se ela veio. */
  relato: { entregues: number; total: number } | undefined;
  /** Última linha de erro, para o relatório. */
  ultimoErro: string;
}

export interface FigurasFalhas {
  modo: Modo;
  clientes: number;
  mensagens: number;
  semente: number;
  taxa: number;
  duracaoMs: number;
  /** Do início dos clientes ao último deles acabar. */
  duracaoClientesMs: number;
  prazoEsgotado: boolean;
  apuracao: Resultado;
  proxy: ContagemProxy;
  reinicios: { pedidos: number; sigterm: number; sigkill: number };
  /** Trocas de porta do servidor (a porta pedida estava ocupada). */
  trocasDePorta: number;
  fins: FimDoCliente[];
  /** Código de saída do servidor no SIGTERM final. */
  saidaDoServidor: number;
  /** Onde ficou a saída do servidor (só com `manter`). */
  arquivo: string | undefined;
}

// ---------------------------------------------------------------------------
// Apuração: pura, testada em tests/e2e/falhas_test.ts com entrada sintética.

export interface Resultado {
  /** Linhas lidas da saída do servidor. */
  linhas: number;
  /** Linhas que não são JSON (um kill -9 no meio de uma escrita). */
  quebradas: number;
  exemplosQuebradas: string[];
  /** Eventos "pronto": quantas vezes o servidor subiu. */
  inicios: number;
  /** Linhas de mensagem. */
  mensagens: number;
  /** Textos esperados vistos ao menos uma vez. */
  distintas: number;
  /** Textos esperados nunca vistos. */
  faltando: number;
  exemplosFaltando: string[];
  /** Linhas de mensagem com texto fora do esperado. */
  inesperadas: number;
  /** Cópias além da primeira, pelo texto (antes de tirar repetidas pelo id). */
  duplicadas: number;
  /** Textos vistos mais de uma vez. */
  textosRepetidos: number;
  /** Linhas de mensagem sem `id`. */
  semId: number;
  /** Linhas com `id` fora do formato `<32 hex>-<número>`. */
  idsMalformados: number;
  /** Ids distintos (mensagens depois de tirar as repetidas pelo id). */
  ids: number;
  /** Um mesmo id com textos diferentes (o id não identifica a mensagem). */
  idsConflitantes: number;
  /** Textos com mais de um id: repetidos que a deduplicação não tira. */
  duplicadasAposDedup: number;
  exemplosDuplicadasAposDedup: string[];
}

const ID = /^[0-9a-f]{32}-[1-9][0-9]*$/;
const EXEMPLOS = 5;

interface Vista {
  vezes: number;
  /** Primeiro id visto; `outros` só existe se vier outro diferente. */
  id: string | undefined;
  outros?: string[];
}

/**
 * Conta as linhas JSON da saída do servidor: por texto (cada mensagem do
 * harness tem texto único) e por `id`. Recebe as linhas uma a uma, para
 * acompanhar o progresso enquanto o arquivo cresce.
 */
export class Apuracao {
  readonly #esperadas: ReadonlySet<string>;
  readonly #porTexto = new Map<string, Vista>();
  readonly #porId = new Map<string, string>();
  readonly #r: Resultado = {
    linhas: 0,
    quebradas: 0,
    exemplosQuebradas: [],
    inicios: 0,
    mensagens: 0,
    distintas: 0,
    faltando: 0,
    exemplosFaltando: [],
    inesperadas: 0,
    duplicadas: 0,
    textosRepetidos: 0,
    semId: 0,
    idsMalformados: 0,
    ids: 0,
    idsConflitantes: 0,
    duplicadasAposDedup: 0,
    exemplosDuplicadasAposDedup: [],
  };

  constructor(esperadas: Iterable<string>) {
    this.#esperadas = new Set(esperadas);
  }

  /** Textos esperados já vistos (o progresso). */
  get distintas(): number {
    return this.#r.distintas;
  }

  /** Uma linha da saída (sem a quebra). Linhas vazias não contam. */
  linha(linha: string): void {
    if (linha === "") return;
    this.#r.linhas++;
    let evento: Record<string, unknown>;
    try {
      evento = JSON.parse(linha);
      if (typeof evento !== "object" || evento === null) throw new Error();
    } catch {
      this.#r.quebradas++;
      if (this.#r.exemplosQuebradas.length < EXEMPLOS) {
        this.#r.exemplosQuebradas.push(linha.slice(0, 200));
      }
      return;
    }
    if (evento.evento === "pronto") this.#r.inicios++;
    if (evento.evento !== "mensagem") return;
    this.#r.mensagens++;
    const texto = String(evento.texto);
    const id = typeof evento.id === "string" ? evento.id : undefined;
    if (id === undefined) this.#r.semId++;
    else {
      if (!ID.test(id)) this.#r.idsMalformados++;
      const doId = this.#porId.get(id);
      if (doId === undefined) this.#porId.set(id, texto);
      else if (doId !== texto) this.#r.idsConflitantes++;
    }
    if (!this.#esperadas.has(texto)) {
      this.#r.inesperadas++;
      return;
    }
    const vista = this.#porTexto.get(texto);
    if (vista === undefined) {
      this.#porTexto.set(texto, { vezes: 1, id });
      this.#r.distintas++;
      return;
    }
    vista.vezes++;
    this.#r.duplicadas++;
    if (vista.vezes === 2) this.#r.textosRepetidos++;
    // Sem id, uma repetida nunca se distingue: conta como outro id.
    if (id === undefined || vista.id === undefined || id !== vista.id) {
      const outro = id ?? "(sem id)";
      vista.outros ??= [];
      if (!vista.outros.includes(outro)) vista.outros.push(outro);
    }
  }

  /** O resultado, com as faltantes e as repetidas que o id não explica. */
  resultado(): Resultado {
    const r: Resultado = {
      ...this.#r,
      exemplosQuebradas: [...this.#r.exemplosQuebradas],
      exemplosFaltando: [],
      exemplosDuplicadasAposDedup: [],
      ids: this.#porId.size,
    };
    r.faltando = this.#esperadas.size - r.distintas;
    if (r.faltando > 0) {
      for (const texto of this.#esperadas) {
        if (this.#porTexto.has(texto)) continue;
        r.exemplosFaltando.push(texto);
        if (r.exemplosFaltando.length >= EXEMPLOS) break;
      }
    }
    for (const [texto, vista] of this.#porTexto) {
      if (vista.outros === undefined) continue;
      r.duplicadasAposDedup++;
      if (r.exemplosDuplicadasAposDedup.length < EXEMPLOS) {
        r.exemplosDuplicadasAposDedup.push(
          `${texto} (ids ${
            [vista.id ?? "(sem id)", ...vista.outros].join(", ")
          })`,
        );
      }
    }
    return r;
  }
}

/** Separa em linhas um fluxo de bytes que chega aos pedaços. */
export class Linhas {
  readonly #decodificador = new TextDecoder();
  #resto = "";

  /** Entrega cada linha completa de `bytes` a `porLinha`. */
  push(bytes: Uint8Array, porLinha: (linha: string) => void): void {
    const texto = this.#resto +
      this.#decodificador.decode(bytes, { stream: true });
    const partes = texto.split("\n");
    this.#resto = partes.pop() ?? "";
    for (const parte of partes) porLinha(parte);
  }

  /** Entrega o que sobrou sem quebra no fim. */
  fim(porLinha: (linha: string) => void): void {
    const resto = this.#resto + this.#decodificador.decode();
    this.#resto = "";
    if (resto !== "") porLinha(resto);
  }
}

/** As linhas de entrada do cliente `i` (texto único por cliente e número). */
export function linhasDoCliente(
  i: number,
  clientes: number,
  mensagens: number,
): string[] {
  const nome = nomeDoCliente(i, clientes);
  const largura = Math.max(6, String(mensagens).length);
  return Array.from(
    { length: mensagens },
    (_, k) => `${nome} ${String(k + 1).padStart(largura, "0")}`,
  );
}

function nomeDoCliente(i: number, clientes: number): string {
  return "c" +
    String(i).padStart(Math.max(2, String(clientes - 1).length), "0");
}

/** O "N de T ... entregues" da última linha de relato do cliente. */
export function lerRelato(
  texto: string,
): { entregues: number; total: number } | undefined {
  const todos = [...texto.matchAll(/(\d+) de (\d+)(?: mensagens)? entregues/g)];
  const ultimo = todos.at(-1);
  return ultimo
    ? { entregues: Number(ultimo[1]), total: Number(ultimo[2]) }
    : undefined;
}

/**
 * O que não saiu como o modo espera, uma frase por problema (vazio = passou).
 */
export function conferir(f: FigurasFalhas): string[] {
  const problemas: string[] = [];
  const a = f.apuracao;
  const total = f.clientes * f.mensagens;
  if (f.prazoEsgotado) {
    problemas.push(`prazo esgotado: clientes ainda rodando foram mortos`);
  }
  const ruins = f.fins.filter((c) =>
    c.codigo !== 0 || c.relato?.entregues !== f.mensagens ||
    c.relato?.total !== f.mensagens
  );
  for (const c of ruins.slice(0, EXEMPLOS)) {
    const relato = c.relato
      ? `relatou ${c.relato.entregues} de ${c.relato.total}`
      : "não relatou a contagem final";
    problemas.push(
      `cliente ${c.nome} saiu com ${c.codigo} e ${relato}${
        c.ultimoErro ? ` (${c.ultimoErro})` : ""
      }`,
    );
  }
  if (ruins.length > EXEMPLOS) {
    problemas.push(`e mais ${ruins.length - EXEMPLOS} clientes assim`);
  }
  if (a.faltando > 0) {
    problemas.push(
      `${a.faltando} de ${total} mensagens nunca apareceram (ex.: ${
        a.exemplosFaltando.join(", ")
      })`,
    );
  }
  if (a.inesperadas > 0) {
    problemas.push(`${a.inesperadas} mensagens com texto inesperado`);
  }
  if (f.saidaDoServidor !== 0) {
    problemas.push(`o servidor saiu com ${f.saidaDoServidor} no SIGTERM final`);
  }
  if (f.modo === "resets") {
    if (a.duplicadas > 0) {
      problemas.push(
        `${a.duplicadas} cópias repetidas (${a.textosRepetidos} textos) com o servidor sempre no ar`,
      );
    }
    if (a.quebradas > 0) {
      problemas.push(`${a.quebradas} linhas da saída não são JSON`);
    }
    if (a.inicios !== 1) {
      problemas.push(`o servidor subiu ${a.inicios} vezes (esperava 1)`);
    }
  } else {
    if (a.semId > 0) problemas.push(`${a.semId} mensagens sem "id"`);
    if (a.idsMalformados > 0) {
      problemas.push(`${a.idsMalformados} ids fora do formato <32 hex>-<n>`);
    }
    if (a.idsConflitantes > 0) {
      problemas.push(
        `${a.idsConflitantes} ids repetidos com textos diferentes`,
      );
    }
    if (a.duplicadasAposDedup > 0) {
      problemas.push(
        `${a.duplicadasAposDedup} textos repetidos com ids diferentes (a deduplicação não os tira; ex.: ${
          a.exemplosDuplicadasAposDedup.join("; ")
        })`,
      );
    }
    const feitos = f.reinicios.sigterm + f.reinicios.sigkill;
    if (feitos < f.reinicios.pedidos) {
      problemas.push(
        `só ${feitos} de ${f.reinicios.pedidos} reinícios aconteceram (os clientes pararam antes)`,
      );
    }
  }
  return problemas;
}

// ---------------------------------------------------------------------------
// Processos.

/** O servidor, gravando a saída JSON direto no arquivo (modo append). */
class ServidorEmArquivo {
  readonly filho: Deno.ChildProcess;
  readonly porta: Promise<number>;
  erros = "";
  readonly #lendo: Promise<void>;

  constructor(porta: number, arquivo: string) {
    const filho = new Deno.Command("sh", {
      args: [
        "-c",
        'exec "$0" "$@" >> "$ARQUIVO_SAIDA"',
        Deno.execPath(),
        "run",
        ...opcoesDaTarefa("servidor"),
        new URL("servidor.ts", RAIZ).pathname,
        "--host",
        HOST,
        "--porta",
        String(porta),
        "--json",
      ],
      env: { ARQUIVO_SAIDA: arquivo, NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.filho = filho;
    let pronto!: (porta: number) => void;
    this.porta = new Promise((resolve) => pronto = resolve);
    this.#lendo = (async () => {
      for await (
        const texto of filho.stderr.pipeThrough(new TextDecoderStream())
      ) {
        this.erros = (this.erros + texto).slice(-CAUDA);
        const casou = /na porta (\d+)\. Aguardando/.exec(this.erros);
        if (casou) pronto(Number(casou[1]));
      }
    })();
  }

  /** Espera ficar pronto; `undefined` se saiu antes ou estourou o prazo. */
  async pronto(): Promise<number | undefined> {
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const resultado = await Promise.race([
      this.porta,
      this.filho.status.then(() => undefined),
      new Promise<undefined>((resolve) => {
        prazo = setTimeout(() => resolve(undefined), PRAZO_SERVIDOR_MS);
      }),
    ]);
    clearTimeout(prazo);
    return resultado;
  }

  /** Manda o sinal, espera sair (SIGKILL se passar do prazo); o código. */
  async parar(sinal: Deno.Signal): Promise<number> {
    try {
      this.filho.kill(sinal);
    } catch {
      // já terminou
    }
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      this.filho.status,
      new Promise<"prazo">((resolve) => {
        prazo = setTimeout(() => resolve("prazo"), PRAZO_SERVIDOR_MS);
      }),
    ]);
    clearTimeout(prazo);
    if (status === "prazo") {
      try {
        this.filho.kill("SIGKILL");
      } catch {
        // já terminou
      }
    }
    const final = await this.filho.status;
    await this.#lendo;
    return status === "prazo" ? -1 : final.code;
  }
}

/** Um `cliente.ts --linhas --verbose` com suas linhas na entrada. */
class ClienteDeFalhas {
  readonly nome: string;
  readonly filho: Deno.ChildProcess;
  saida = "";
  erros = "";
  readonly fim: Promise<FimDoCliente>;

  constructor(
    nome: string,
    linhas: string[],
    portaDoProxy: number,
    tempoLimite: number,
    programa: string,
    ritmo: { linhas: number; pausaMs: number } = { linhas: 4096, pausaMs: 0 },
  ) {
    this.nome = nome;
    const filho = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...opcoesDaTarefa("cliente"),
        programa,
        "--host",
        HOST,
        "--porta",
        String(portaDoProxy),
        "--linhas",
        "--verbose",
        "--tempo-limite",
        String(tempoLimite),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.filho = filho;
    const escrevendo = this.#escrever(linhas, ritmo);
    const lendo = Promise.all([
      this.#ler(this.filho.stdout, (t) => this.saida = t),
      this.#ler(this.filho.stderr, (t) => this.erros = t),
    ]);
    this.fim = (async () => {
      const { code } = await filho.status;
      await Promise.all([escrevendo, lendo]);
      const ultimoErro = this.erros.trimEnd().split("\n").at(-1) ?? "";
      return {
        nome,
        codigo: code,
        relato: lerRelato(this.saida + "\n" + this.erros),
        ultimoErro,
      };
    })();
  }

  async #escrever(
    linhas: string[],
    ritmo: { linhas: number; pausaMs: number },
  ): Promise<void> {
    const escritor = this.filho.stdin.getWriter();
    const codificador = new TextEncoder();
    try {
      // Em blocos (de ~64 KiB por padrão, como um `cat` faria).
      for (let i = 0; i < linhas.length; i += ritmo.linhas) {
        await escritor.write(
          codificador.encode(
            linhas.slice(i, i + ritmo.linhas).join("\n") + "\n",
          ),
        );
        if (ritmo.pausaMs > 0) await pausa(ritmo.pausaMs);
      }
      await escritor.close();
    } catch {
      // O cliente saiu antes de ler tudo: o código de saída conta a história.
      await escritor.abort().catch(() => {});
    }
  }

  async #ler(
    fluxo: ReadableStream<Uint8Array>,
    guardar: (texto: string) => void,
  ): Promise<void> {
    let texto = "";
    for await (const parte of fluxo.pipeThrough(new TextDecoderStream())) {
      texto = (texto + parte).slice(-CAUDA);
      guardar(texto);
    }
  }

  matar(): void {
    try {
      this.filho.kill("SIGKILL");
    } catch {
      // já terminou
    }
  }
}

/** Acompanha o arquivo de saída do servidor enquanto ele cresce. */
class Seguidor {
  readonly #arquivo: Deno.FsFile;
  readonly #linhas = new Linhas();
  readonly #buffer = new Uint8Array(256 * 1024);
  readonly #apuracao: Apuracao;

  constructor(arquivo: Deno.FsFile, apuracao: Apuracao) {
    this.#arquivo = arquivo;
    this.#apuracao = apuracao;
  }

  /** Lê tudo o que há até agora. */
  async ler(): Promise<void> {
    while (true) {
      const n = await this.#arquivo.read(this.#buffer);
      if (n === null || n === 0) return;
      this.#linhas.push(
        this.#buffer.subarray(0, n),
        (l) => this.#apuracao.linha(l),
      );
    }
  }

  async fim(): Promise<void> {
    await this.ler();
    this.#linhas.fim((l) => this.#apuracao.linha(l));
  }
}

const pausa = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Espera `promessa` ou `ms`, o que vier antes (sem deixar o timer vivo). */
async function ouPrazo(promessa: Promise<unknown>, ms: number): Promise<void> {
  let prazo: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    promessa,
    new Promise<void>((resolve) => prazo = setTimeout(resolve, ms)),
  ]);
  clearTimeout(prazo);
}

/**
 * Uma porta livre para o servidor, fora da faixa efêmera do Linux (32768+),
 * para que nenhuma conexão de saída a pegue enquanto ele está fora do ar.
 */
function portaLivre(sorte: () => number): number {
  for (let tentativa = 0; tentativa < 50; tentativa++) {
    const porta = 20_000 + Math.floor(sorte() * 12_000);
    try {
      Deno.listen({ hostname: HOST, port: porta }).close();
      return porta;
    } catch {
      // ocupada: outra
    }
  }
  const ouvinte = Deno.listen({ hostname: HOST, port: 0 });
  const porta = ouvinte.addr.port;
  ouvinte.close();
  return porta;
}

/** Garante que o arquivo acabe numa quebra de linha (depois de um kill -9). */
async function fecharLinha(caminho: string): Promise<void> {
  using arquivo = await Deno.open(caminho, { read: true });
  const { size } = await arquivo.stat();
  if (size === 0) return;
  await arquivo.seek(size - 1, Deno.SeekMode.Start);
  const ultimo = new Uint8Array(1);
  await arquivo.read(ultimo);
  if (ultimo[0] !== 0x0a) {
    await Deno.writeTextFile(caminho, "\n", { append: true });
  }
}

/**
 * Roda o harness e devolve os números; não confere nada (veja `conferir`).
 */
export async function falhas(opcoes: OpcoesFalhas): Promise<FigurasFalhas> {
  const {
    modo,
    clientes,
    mensagens,
    taxa = 0.8,
    maxBytes = 32 * 1024,
    limiteCortes = 20 * clientes,
    semente = 13,
    prazoMs = 120_000,
    tempoLimiteCliente = 10,
  } = opcoes;
  const pedidos = modo === "reinicios" ? opcoes.reinicios ?? 4 : 0;
  const inicio = Date.now();
  const sorte = mulberry32(semente);
  const diretorio = await Deno.makeTempDir({ prefix: "falhas-" });
  const caminho = `${diretorio}/servidor.jsonl`;
  await Deno.writeTextFile(caminho, "");
  const entradas = Array.from(
    { length: clientes },
    (_, i) => linhasDoCliente(i, clientes, mensagens),
  );
  const apuracao = new Apuracao(entradas.flat());
  const arquivo = await Deno.open(caminho, { read: true });
  const seguidor = new Seguidor(arquivo, apuracao);
  let servidor: ServidorEmArquivo | undefined;
  let proxy: ProxyDeFalhas | undefined;
  let porta = portaLivre(sorte);
  let trocasDePorta = 0;
  const emCurso: ClienteDeFalhas[] = [];
  const reinicios = { pedidos, sigterm: 0, sigkill: 0 };

  /** Sobe o servidor em `porta`; se não der, noutra porta. */
  const subir = async (): Promise<ServidorEmArquivo> => {
    let erros = "";
    for (let tentativa = 0; tentativa < TENTATIVAS_SERVIDOR; tentativa++) {
      const novo = new ServidorEmArquivo(porta, caminho);
      if (await novo.pronto() === porta) return novo;
      await novo.parar("SIGKILL");
      erros = novo.erros;
      await fecharLinha(caminho);
      porta = portaLivre(sorte);
      trocasDePorta++;
      proxy?.apontar(porta);
    }
    throw new Error(`o servidor não subiu:\n${erros}`);
  };

  try {
    servidor = await subir();
    proxy = new ProxyDeFalhas({
      alvo: { host: HOST, porta },
      taxa,
      maxBytes,
      limite: limiteCortes,
      semente: semente + 1,
    });
    // Pontos de reinício: um sorteado em cada faixa igual de 10% a 60% do
    // total. Na primeira metade, para que os clientes (que reconectam em
    // milissegundos) não terminem antes do último reinício pedido.
    const pontos = Array.from(
      { length: pedidos },
      (_, i) =>
        Math.ceil(
          (0.1 + 0.5 * (i + sorte()) / pedidos) * clientes * mensagens,
        ),
    );

    const inicioClientes = Date.now();
    for (const [i, linhas] of entradas.entries()) {
      emCurso.push(
        new ClienteDeFalhas(
          nomeDoCliente(i, clientes),
          linhas,
          proxy.porta,
          tempoLimiteCliente,
          opcoes.programaCliente ?? new URL("cliente.ts", RAIZ).pathname,
          opcoes.ritmo,
        ),
      );
    }
    let terminaram = false;
    const todos = Promise.all(emCurso.map((c) => c.fim)).finally(() =>
      terminaram = true
    );
    const limite = inicio + prazoMs;
    let prazoEsgotado = false;
    while (!terminaram) {
      if (Date.now() > limite) {
        prazoEsgotado = true;
        for (const c of emCurso) c.matar();
        break;
      }
      await ouPrazo(todos, INTERVALO_MS);
      await seguidor.ler();
      const feitos = reinicios.sigterm + reinicios.sigkill;
      if (
        !terminaram && feitos < pedidos && apuracao.distintas >= pontos[feitos]
      ) {
        const sinal = feitos % 2 === 0 ? "SIGTERM" : "SIGKILL";
        await servidor.parar(sinal);
        reinicios[sinal === "SIGTERM" ? "sigterm" : "sigkill"]++;
        await fecharLinha(caminho);
        await pausa(Math.floor(sorte() * 500)); // fora do ar um pouco
        servidor = await subir();
      }
    }
    const fins = await todos;
    const duracaoClientesMs = Date.now() - inicioClientes;
    const saidaDoServidor = await servidor.parar("SIGTERM");
    servidor = undefined;
    await seguidor.fim();
    await proxy.fechar();
    return {
      modo,
      clientes,
      mensagens,
      semente,
      taxa,
      duracaoMs: Date.now() - inicio,
      duracaoClientesMs,
      prazoEsgotado,
      apuracao: apuracao.resultado(),
      proxy: proxy.contagem,
      reinicios,
      trocasDePorta,
      fins,
      saidaDoServidor,
      arquivo: opcoes.manter ? caminho : undefined,
    };
  } finally {
    for (const c of emCurso) c.matar();
    await Promise.all(emCurso.map((c) => c.fim.catch(() => {})));
    await servidor?.parar("SIGKILL");
    await proxy?.fechar();
    arquivo.close();
    if (!opcoes.manter) await Deno.remove(diretorio, { recursive: true });
  }
}

/** O relatório em texto, para quem roda sozinho. */
export function relatorio(f: FigurasFalhas, problemas: string[]): string {
  const a = f.apuracao;
  const p = f.proxy;
  const codigos: Record<string, number> = {};
  for (const c of f.fins) codigos[c.codigo] = (codigos[c.codigo] ?? 0) + 1;
  return [
    `falhas (${f.modo}): N=${f.clientes} clientes × M=${f.mensagens} mensagens, taxa de corte ${f.taxa}, semente ${f.semente}`,
    `  duração: ${(f.duracaoMs / 1000).toFixed(1)} s no total, ${
      (f.duracaoClientesMs / 1000).toFixed(1)
    } s de clientes${f.prazoEsgotado ? " (PRAZO ESGOTADO)" : ""}`,
    `  saída do servidor: ${a.linhas} linhas, ${a.mensagens} mensagens, ${a.distintas} de ${
      f.clientes * f.mensagens
    } distintas, ${a.faltando} faltando, ${a.inesperadas} inesperadas, ${a.quebradas} linhas quebradas`,
    `  repetidas antes da deduplicação: ${a.duplicadas} cópias (${a.textosRepetidos} textos); ids: ${a.ids} distintos, ${a.semId} linhas sem id, ${a.idsConflitantes} conflitantes; repetidas depois: ${a.duplicadasAposDedup}`,
    `  proxy: ${p.conexoes} conexões, ${p.repassadas} repassadas, ${p.recusadas} recusadas (servidor fora), ${p.cortes} cortes; ${
      (p.bytes.ida / 1024).toFixed(0)
    } KiB de ida, ${(p.bytes.volta / 1024).toFixed(0)} KiB de volta`,
    `  reinícios: ${f.reinicios.sigterm} SIGTERM + ${f.reinicios.sigkill} kill -9 de ${f.reinicios.pedidos} pedidos; o servidor subiu ${a.inicios} vezes${
      f.trocasDePorta ? `, ${f.trocasDePorta} trocas de porta` : ""
    }; saiu com ${f.saidaDoServidor} no fim`,
    `  clientes por código de saída: ${
      Object.entries(codigos).map(([c, n]) => `${c}: ${n}`).join(", ")
    }`,
    ...(f.arquivo ? [`  saída do servidor guardada em ${f.arquivo}`] : []),
    problemas.length === 0
      ? "  PASSOU"
      : `  FALHOU:\n${problemas.map((x) => `    - ${x}`).join("\n")}`,
    "",
  ].join("\n");
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      modo: { type: "string", default: "ambos" },
      clientes: { type: "string", default: "20" },
      mensagens: { type: "string", default: "20000" },
      taxa: { type: "string", default: "0.8" },
      "max-bytes": { type: "string", default: String(32 * 1024) },
      reinicios: { type: "string", default: "4" },
      semente: { type: "string", default: "13" },
      prazo: { type: "string", default: "300" },
      "tempo-limite": { type: "string", default: "10" },
      manter: { type: "boolean", default: false },
      "programa-cliente": { type: "string" },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  const numero = (nome: keyof typeof values, minimo = 1) => {
    const n = Number(values[nome]);
    if (!Number.isFinite(n) || n < minimo) {
      throw new RangeError(`--${nome} deve ser um número ≥ ${minimo}`);
    }
    return n;
  };
  const modos: Modo[] = values.modo === "ambos"
    ? ["resets", "reinicios"]
    : values.modo === "resets" || values.modo === "reinicios"
    ? [values.modo]
    : [];
  if (modos.length === 0) {
    throw new RangeError("--modo deve ser resets, reinicios ou ambos");
  }
  const escrever = (texto: string) =>
    Deno.stdout.write(new TextEncoder().encode(texto));
  let codigo = 0;
  for (const modo of modos) {
    const figuras = await falhas({
      modo,
      clientes: Math.floor(numero("clientes")),
      mensagens: Math.floor(numero("mensagens")),
      taxa: numero("taxa", 0),
      maxBytes: numero("max-bytes", 0),
      reinicios: Math.floor(numero("reinicios", 0)),
      semente: numero("semente", 0),
      prazoMs: numero("prazo") * 1000,
      tempoLimiteCliente: numero("tempo-limite"),
      manter: values.manter,
      ...(values["programa-cliente"] === undefined
        ? {}
        : { programaCliente: values["programa-cliente"] }),
    });
    const problemas = conferir(figuras);
    await escrever(
      values.json
        ? JSON.stringify({ ...figuras, problemas }) + "\n"
        : relatorio(figuras, problemas),
    );
    if (problemas.length > 0) codigo = 1;
  }
  return codigo;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
