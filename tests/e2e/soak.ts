/**
 * Teste de resistência (soak): o `servidor.ts` de verdade, com `--json` num
 * cano que este módulo lê, recebe N clientes bem-comportados (o `Cliente` de
 * lib/) mandando M mensagens numeradas cada, em fila, enquanto H laços hostis
 * repetem os ataques da issue de robustez: lixo, prefixo de 4 GiB, quadro
 * pela metade e fechamento, conta-gotas, conexão muda, ocioso, enxurrada de
 * PING sem ler e conexões além de `--max-conexoes`.
 *
 * No fim confere que toda mensagem confirmada aparece na saída do servidor
 * exatamente uma vez (por cliente e número), que os bons clientes não
 * perderam nada, e que a memória do servidor (VmRSS, amostrada durante a
 * execução) não cresceu sem limite. Devolve os números.
 *
 * Curto em tests/soak_test.ts; longo, sozinho:
 *
 *     deno task soak
 *     deno run --allow-run --allow-read --allow-net tests/e2e/soak.ts --clientes 20 --mensagens 5000 --hostis 10
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { opcoesDaTarefa, ParCru } from "../ajudantes.ts";
import { mulberry32 as aleatorio } from "../dados.ts"; // o lixo é reproduzível
import { Cliente } from "../../lib/cliente/sessao.ts";
import { CodigoErro } from "../../lib/erros.ts";
import { novaMensagem } from "../../lib/datas.ts";
import { codificarMensagem } from "../../lib/protocolo/codificador.ts";
import { type Quadro, Tipo } from "../../lib/protocolo/quadros.ts";

const RAIZ = new URL("../../", import.meta.url);
const HOST = "127.0.0.1";
/** `--prazo` e `--tempo-ocioso` curtos, para os ataques lentos acabarem logo. */
const PRAZO_S = 0.5;
const OCIOSO_S = 1;
/** Nenhum ataque segura suas conexões mais que isto. */
const VIGIA_ATAQUE_MS = 10_000;
/** Prazo para o servidor ficar pronto e para encerrar. */
const PRAZO_SERVIDOR_MS = 15_000;
/** Mensagens a caminho, sem confirmação, por bom cliente. */
const JANELA = 128;
const MIB = 1024;

export interface OpcoesSoak {
  /** N: clientes bem-comportados. */
  clientes: number;
  /** M: mensagens numeradas por cliente. */
  mensagens: number;
  /** H: laços hostis, cada um repetindo todos os ataques. */
  hostis: number;
  /** Conferir o teto de memória (padrão: sim); veja `conferirMemoria`. */
  verificarMemoria?: boolean;
}

export interface Figuras {
  clientes: number;
  mensagens: number;
  hostis: number;
  duracaoMs: number;
  /** Do início dos envios à última confirmação dos bons clientes. */
  duracaoBonsMs: number;
  maxConexoes: number;
  /** Mensagens confirmadas aos bons clientes (deveria ser N × M). */
  confirmadas: number;
  /** Mensagens dos bons clientes vistas na saída do servidor. */
  vistasNoServidor: number;
  /** Chaves (cliente, número) vistas mais de uma vez. */
  duplicadas: number;
  /** Confirmadas que não apareceram na saída. */
  faltando: number;
  mensagensPorSegundo: number;
  /** Mensagens por cliente mandadas no aquecimento, antes dos ataques. */
  aquecimento: number;
  /** Quantas vezes cada ataque rodou. */
  ataques: Record<string, number>;
  /** Recusas relatadas pelo servidor, por código do protocolo. */
  rejeicoes: Record<string, number>;
  /** Conexões hostis que receberam "servidor cheio". */
  cheias: number;
  desconexoes: number;
  errosDoServidor: number;
  rssKiB: {
    inicial: number;
    aquecido: number;
    pico: number;
    final: number;
    amostras: number;
    /** Todas as amostras, em ordem (a cada ~100 ms). */
    serie: number[];
  };
  resumo: { clientes: number; mensagens: number; rejeitadas: number };
}

type EventoJson = Record<string, unknown> & { evento: string };

/** O servidor em execução e o que sua saída JSON disse até agora. */
class ServidorSoak {
  readonly filho: Deno.ChildProcess;
  readonly porta: Promise<number>;
  /** `assunto|numero` → vezes vista. */
  readonly vistas = new Map<string, number>();
  /** assunto → pares de onde vieram. */
  readonly pares = new Map<string, Set<string>>();
  readonly rejeicoes: Record<string, number> = {};
  desconexoes = 0;
  erros = 0;
  naoJson: string[] = [];
  resumo: EventoJson | undefined;
  errosTexto = "";
  readonly #leituras: Promise<unknown>;
  #aoPronto!: (porta: number) => void;

  constructor(maxConexoes: number) {
    this.filho = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...opcoesDaTarefa("servidor"),
        new URL("servidor.ts", RAIZ).pathname,
        "--host",
        HOST,
        "--porta",
        "0",
        "--json",
        "--max-conexoes",
        String(maxConexoes),
        "--prazo",
        String(PRAZO_S),
        "--tempo-ocioso",
        String(OCIOSO_S),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.porta = new Promise((resolve) => this.#aoPronto = resolve);
    this.#leituras = Promise.all([this.#lerJson(), this.#lerErros()]);
  }

  async #lerJson() {
    let resto = "";
    for await (
      const texto of this.filho.stdout.pipeThrough(new TextDecoderStream())
    ) {
      const linhas = (resto + texto).split("\n");
      resto = linhas.pop() ?? "";
      for (const linha of linhas) this.#evento(linha);
    }
    if (resto !== "") this.naoJson.push(resto);
  }

  async #lerErros() {
    for await (
      const texto of this.filho.stderr.pipeThrough(new TextDecoderStream())
    ) {
      this.errosTexto = (this.errosTexto + texto).slice(-4000);
    }
  }

  #evento(linha: string) {
    let evento: EventoJson;
    try {
      evento = JSON.parse(linha);
    } catch {
      this.naoJson.push(linha);
      return;
    }
    switch (evento.evento) {
      case "pronto":
        this.#aoPronto(evento.porta as number);
        return;
      case "mensagem": {
        const chave = `${evento.assunto}|${evento.numero}`;
        this.vistas.set(chave, (this.vistas.get(chave) ?? 0) + 1);
        const assunto = evento.assunto as string;
        if (!this.pares.has(assunto)) this.pares.set(assunto, new Set());
        this.pares.get(assunto)!.add(evento.par as string);
        return;
      }
      case "rejeitado": {
        const codigo = String(evento.codigo);
        this.rejeicoes[codigo] = (this.rejeicoes[codigo] ?? 0) + 1;
        return;
      }
      case "desconectou":
        this.desconexoes++;
        return;
      case "erro":
        this.erros++;
        return;
      case "resumo":
        this.resumo = evento;
        return;
    }
  }

  /** VmRSS em KiB (via `cat`: o Deno só deixa ler /proc com --allow-all). */
  async rss(): Promise<number> {
    const { stdout } = await new Deno.Command("cat", {
      args: [`/proc/${this.filho.pid}/status`],
      stderr: "null",
    }).output();
    const kib = /VmRSS:\s+(\d+) kB/.exec(new TextDecoder().decode(stdout));
    return kib ? Number(kib[1]) : 0;
  }

  /** SIGTERM, espera a saída (com prazo) e toda a saída lida. */
  async encerrar(): Promise<number> {
    try {
      this.filho.kill("SIGTERM");
    } catch {
      // já terminou
    }
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const estourou = new Promise<"prazo">((resolve) => {
      prazo = setTimeout(() => resolve("prazo"), PRAZO_SERVIDOR_MS);
    });
    const status = await Promise.race([this.filho.status, estourou]);
    clearTimeout(prazo);
    if (status === "prazo") this.filho.kill("SIGKILL");
    const final = await this.filho.status;
    await this.#leituras;
    return status === "prazo" ? -1 : final.code;
  }
}

const pausa = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/** O que um ataque recebe: como conectar (conexões vigiadas) e contadores. */
interface Contexto {
  alvo: { host: string; porta: number };
  conectar(): Promise<ParCru>;
  sorte: () => number;
  maxConexoes: number;
  cheias: { n: number };
}

/** Os ataques, cada um terminando por conta própria (o servidor corta). */
const ATAQUES: Record<string, (c: Contexto) => Promise<void>> = {
  async lixo(c) {
    const par = await c.conectar();
    const bytes = Uint8Array.from({ length: 64 }, () => c.sorte() * 256);
    bytes[0] = 0xde; // nem o protocolo (0x00) nem o formato original (\n, C)
    await par.escrever(bytes);
    await par.ateOFim();
  },
  async prefixo4GiB(c) {
    const par = await c.conectar();
    await par.saudar();
    await par.escrever(Uint8Array.of(0xff, 0xff, 0xff, 0xff, Tipo.MENSAGEM));
    await par.ateOFim();
  },
  async meioQuadro(c) {
    const par = await c.conectar();
    await par.saudar();
    const quadro = codificarMensagem(novaMensagem(1, "metade", "de um quadro"));
    await par.escrever(quadro.subarray(0, Math.floor(quadro.length / 2)));
    par.fechar();
  },
  async contaGotas(c) {
    const par = await c.conectar();
    await par.saudar();
    const quadro = codificarMensagem(novaMensagem(1, "gota", "a gota"));
    let fechou = false;
    const fim = par.ateOFim().finally(() => fechou = true);
    for (let i = 0; i < quadro.length && !fechou; i++) {
      await par.escrever(quadro.subarray(i, i + 1));
      await pausa(50); // o ataque é justamente a lentidão
    }
    await fim;
  },
  async mudo(c) {
    const par = await c.conectar();
    await par.ateOFim(); // sem saudação: o prazo corta
  },
  async ocioso(c) {
    const par = await c.conectar();
    await par.saudar();
    await par.ateOFim(); // saudou e parou: o tempo ocioso corta
  },
  async enxurradaSemLer(c) {
    const par = await c.conectar();
    await par.saudar();
    const pings = new Uint8Array(5 * 20_000);
    for (let i = 0; i < 20_000; i++) pings[i * 5 + 4] = Tipo.PING;
    for (let i = 0; i < 400; i++) await par.escrever(pings); // nunca lê
  },
  async alemDoLimite(c) {
    // Tantas conexões quanto o limite: com os bons clientes já conectados,
    // parte delas recebe "servidor cheio" na hora. Ao primeiro "cheio",
    // fecha tudo, para não deixar o servidor lotado mais que o necessário.
    const tentativas = await Promise.allSettled(
      Array.from({ length: c.maxConexoes }, () => c.conectar()),
    );
    const pares = tentativas.flatMap((t) =>
      t.status === "fulfilled" ? [t.value] : []
    );
    const eCheio = (q: Quadro | null) =>
      q?.tipo === Tipo.ERRO && q.codigo === CodigoErro.SERVIDOR_CHEIO;
    const primeiros = pares.map((p) => p.proximoOuFim());
    await Promise.any(
      primeiros.map((q) => q.then((q) => eCheio(q) || Promise.reject())),
    ).catch(() => {}); // nenhum "cheio": todas acabaram (prazo)
    for (const par of pares) par.fechar();
    const respostas = await Promise.all(primeiros);
    c.cheias.n += respostas.filter(eCheio).length;
  },
};

/** Roda um ataque; nenhuma conexão dele passa de VIGIA_ATAQUE_MS. */
async function atacar(
  nome: string,
  base: Omit<Contexto, "conectar">,
): Promise<void> {
  const pares: ParCru[] = [];
  const vigia = setTimeout(
    () => pares.forEach((p) => p.fechar()),
    VIGIA_ATAQUE_MS,
  );
  try {
    await ATAQUES[nome]({
      ...base,
      conectar: async () => {
        const par = await ParCru.conectar(base.alvo);
        pares.push(par);
        return par;
      },
    });
  } catch {
    // O servidor fechou no meio de uma escrita: é o esperado de um ataque.
  } finally {
    clearTimeout(vigia);
    for (const par of pares) par.fechar();
  }
}

/** Quantos ataques cada laço hostil já começou; espera por uma rodada. */
class Marcador {
  readonly #comecados: number[];
  #esperas: { rodada: number; resolver: () => void }[] = [];

  constructor(lacos: number) {
    this.#comecados = new Array(lacos).fill(0);
  }

  get #rodada(): number {
    return this.#comecados.length === 0
      ? Infinity
      : Math.min(...this.#comecados);
  }

  comecou(laco: number): void {
    this.#comecados[laco]++;
    const rodada = this.#rodada;
    this.#esperas = this.#esperas.filter((e) => {
      if (e.rodada > rodada) return true;
      e.resolver();
      return false;
    });
  }

  /** Resolve quando todo laço tiver começado ao menos `rodada` ataques. */
  esperar(rodada: number): Promise<void> {
    if (this.#rodada >= rodada) return Promise.resolve();
    return new Promise((resolver) => this.#esperas.push({ rodada, resolver }));
  }
}

/** Um bom cliente: suas mensagens numeradas, em fila (até JANELA a caminho). */
class ClienteBom {
  readonly confirmadas: number[] = [];
  readonly falhas: string[] = [];
  readonly #cliente: Cliente;
  readonly #indice: number;
  readonly #progresso: { confirmadas: number };

  constructor(
    cliente: Cliente,
    indice: number,
    progresso: { confirmadas: number },
  ) {
    this.#cliente = cliente;
    this.#indice = indice;
    this.#progresso = progresso;
  }

  /** Manda as mensagens `de` a `ate` e espera todas as confirmações. */
  async enviar(de: number, ate: number): Promise<void> {
    const aCaminho = new Set<Promise<void>>();
    for (let n = de; n <= ate; n++) {
      const mensagem = this.#cliente.compor(
        `soak-${this.#indice}`,
        `mensagem ${n} do cliente ${this.#indice}`,
      );
      const entrega: Promise<void> = this.#cliente.enviar(mensagem).then(
        () => {
          this.confirmadas.push(mensagem.numero);
          this.#progresso.confirmadas++;
        },
        (erro: Error) => void this.falhas.push(erro.message),
      ).finally(() => aCaminho.delete(entrega));
      aCaminho.add(entrega);
      if (aCaminho.size >= JANELA) await Promise.race(aCaminho);
    }
    await Promise.all(aCaminho);
  }

  async sair(): Promise<void> {
    const fim = await this.#cliente.sair();
    if (fim) this.falhas.push(`sair: ${fim.message}`);
    await this.#cliente.fim;
  }
}

/**
 * Roda o soak e confere as garantias; lança (AssertionError) se alguma
 * falhar. Devolve os números da execução.
 */
export async function soak(opcoes: OpcoesSoak): Promise<Figuras> {
  const { clientes, mensagens, hostis } = opcoes;
  // Folga bem acima de N + H: só o ataque "além do limite" lota o servidor.
  const maxConexoes = clientes + 2 * hostis + 16;
  const inicio = Date.now();
  const servidor = new ServidorSoak(maxConexoes);
  let saida: number | undefined;
  const amostras: number[] = [];
  let amostrando = true;
  let acordar: (() => void) | undefined;
  let amostrador: Promise<void> | undefined;
  try {
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const porta = await Promise.race([
      servidor.porta,
      servidor.filho.status.then(() => {
        throw new Error(
          `o servidor terminou antes de ficar pronto:\n${servidor.errosTexto}`,
        );
      }),
      new Promise<never>((_, rejeitar) => {
        prazo = setTimeout(
          () => rejeitar(new Error("o servidor não ficou pronto a tempo")),
          PRAZO_SERVIDOR_MS,
        );
      }),
    ]).finally(() => clearTimeout(prazo));
    const alvo = { host: HOST, porta };

    const progresso = { confirmadas: 0 };
    amostrador = (async () => {
      while (amostrando) {
        amostras.push(await servidor.rss());
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 100);
          acordar = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    })();

    // Os bons clientes conectam antes dos ataques (o "além do limite" os
    // barraria) e aquecem o servidor com os primeiros 10% sem ataque nenhum;
    // a amostra de memória tirada aí é a referência ("aquecida").
    const bons = (await Promise.all(
      Array.from(
        { length: clientes },
        () => Cliente.conectar({ ...alvo, tempoLimite: 15_000 }),
      ),
    )).map((cliente, i) => new ClienteBom(cliente, i, progresso));
    const aquecimento = Math.max(1, Math.floor(mensagens / 10));
    const inicioBons = Date.now();
    await Promise.all(bons.map((bom) => bom.enviar(1, aquecimento)));
    const aquecido = await servidor.rss();

    let bonsTerminaram = false;
    const ataques: Record<string, number> = {};
    const cheias = { n: 0 };
    const nomes = Object.keys(ATAQUES);
    const marcador = new Marcador(hostis);
    const lacos = Array.from({ length: hostis }, async (_, j) => {
      const base = { alvo, sorte: aleatorio(1000 + j), maxConexoes, cheias };
      // Cada laço começa num ataque diferente e faz ao menos uma volta inteira.
      for (let k = 0; k < nomes.length || !bonsTerminaram; k++) {
        const nome = nomes[(j + k) % nomes.length];
        const ataque = atacar(nome, base);
        marcador.comecou(j);
        await ataque;
        ataques[nome] = (ataques[nome] ?? 0) + 1;
      }
    });
    // O resto vai em fatias, uma por rodada de ataques: a fatia k sai quando
    // todo laço já começou seu k-ésimo ataque. Assim cada tipo de ataque está
    // em curso enquanto alguma fatia é mandada, por rápidos que sejam os bons.
    const resto = mensagens - aquecimento;
    for (let k = 1; k <= nomes.length; k++) {
      const de = aquecimento + 1 + Math.floor(((k - 1) * resto) / nomes.length);
      const ate = aquecimento + Math.floor((k * resto) / nomes.length);
      await marcador.esperar(k);
      if (de <= ate) await Promise.all(bons.map((bom) => bom.enviar(de, ate)));
    }
    const duracaoBonsMs = Date.now() - inicioBons;
    bonsTerminaram = true;
    await Promise.all(lacos);
    await Promise.all(bons.map((bom) => bom.sair()));
    amostrando = false;
    acordar?.();
    await amostrador;
    amostras.push(await servidor.rss());
    const resultados = bons;

    saida = await servidor.encerrar();
    const duracaoMs = Date.now() - inicio;

    // Cada bom cliente: tudo confirmado, nenhuma falha.
    for (const [i, { confirmadas, falhas }] of resultados.entries()) {
      assert.deepEqual(falhas, [], `cliente ${i}: ${falhas.slice(0, 3)}`);
      assert.equal(confirmadas.length, mensagens, `cliente ${i}`);
    }
    // Toda confirmada aparece exatamente uma vez; cada cliente, um par só.
    let faltando = 0;
    let vistasNoServidor = 0;
    for (const [i, { confirmadas }] of resultados.entries()) {
      for (const n of confirmadas) {
        const vezes = servidor.vistas.get(`soak-${i}|${n}`) ?? 0;
        if (vezes === 0) faltando++;
      }
      assert.equal(servidor.pares.get(`soak-${i}`)?.size, 1, `cliente ${i}`);
    }
    let duplicadas = 0;
    for (const [chave, vezes] of servidor.vistas) {
      if (chave.startsWith("soak-")) vistasNoServidor += vezes;
      if (vezes > 1) duplicadas++;
    }
    assert.equal(saida, 0, `saída do servidor:\n${servidor.errosTexto}`);
    assert.deepEqual(servidor.naoJson, [], "toda linha da saída é JSON");
    assert.equal(faltando, 0, "confirmadas que o servidor não mostrou");
    assert.equal(duplicadas, 0, "mensagens mostradas mais de uma vez");
    assert.equal(vistasNoServidor, clientes * mensagens);
    assert.ok(servidor.resumo, "o servidor relatou o resumo");
    assert.equal(servidor.resumo.mensagens, clientes * mensagens);

    const rss = amostras.filter((r) => r > 0);

    const figuras: Figuras = {
      clientes,
      mensagens,
      hostis,
      duracaoMs,
      maxConexoes,
      confirmadas: resultados.reduce((s, r) => s + r.confirmadas.length, 0),
      vistasNoServidor,
      duplicadas,
      faltando,
      duracaoBonsMs,
      aquecimento,
      mensagensPorSegundo: Math.round(
        (clientes * mensagens) / (duracaoBonsMs / 1000),
      ),
      ataques,
      rejeicoes: servidor.rejeicoes,
      cheias: cheias.n,
      desconexoes: servidor.desconexoes,
      errosDoServidor: servidor.erros,
      rssKiB: {
        inicial: rss[0],
        aquecido,
        pico: Math.max(...rss),
        final: rss[rss.length - 1],
        amostras: rss.length,
        serie: rss,
      },
      resumo: {
        clientes: servidor.resumo.clientes as number,
        mensagens: servidor.resumo.mensagens as number,
        rejeitadas: servidor.resumo.rejeitadas as number,
      },
    };
    if (opcoes.verificarMemoria !== false) conferirMemoria(figuras);
    return figuras;
  } finally {
    amostrando = false;
    acordar?.();
    await amostrador;
    if (saida === undefined) await servidor.encerrar();
  }
}

/**
 * A memória do servidor não cresceu sem limite: a última amostra de VmRSS
 * (depois de todos os ataques) não passa do dobro da amostra "aquecida"
 * (tirada depois que os bons clientes mandaram os primeiros 10% das
 * mensagens, antes de qualquer ataque) mais 64 MiB.
 */
export function conferirMemoria(f: Figuras): void {
  const { aquecido, final } = f.rssKiB;
  assert.ok(
    final <= 2 * aquecido + 64 * MIB,
    `RSS final do servidor ${final} KiB passa de 2 × ${aquecido} KiB + 64 MiB (série: ${
      f.rssKiB.serie.map((k) => Math.round(k / 1024)).join(" ")
    } MiB)`,
  );
}

/** Nome legível de cada código de erro, para o relatório. */
const NOMES_DE_CODIGO = Object.fromEntries(
  Object.entries(CodigoErro).map(([nome, codigo]) => [String(codigo), nome]),
);

/** O relatório em texto, para quem roda sozinho. */
export function relatorio(f: Figuras): string {
  const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  return [
    `soak: N=${f.clientes} clientes × M=${f.mensagens} mensagens, H=${f.hostis} laços hostis, --max-conexoes ${f.maxConexoes}`,
    `  duração: ${
      (f.duracaoMs / 1000).toFixed(1)
    } s no total; os bons clientes levaram ${
      (f.duracaoBonsMs / 1000).toFixed(1)
    } s (${f.mensagensPorSegundo} mensagens/s confirmadas; ${f.aquecimento} por cliente de aquecimento, o resto sob ataque)`,
    `  confirmadas: ${f.confirmadas}; vistas no servidor: ${f.vistasNoServidor}; faltando: ${f.faltando}; duplicadas: ${f.duplicadas}`,
    `  ataques: ${
      Object.entries(f.ataques).map(([n, v]) => `${n} ${v}`).join(", ")
    }`,
    `  recusas do servidor: ${
      Object.entries(f.rejeicoes).map(([c, v]) =>
        `${NOMES_DE_CODIGO[c] ?? c} ${v}`
      ).join(", ")
    }; "servidor cheio" recebido por ${f.cheias} conexões; desconexões sem CODIGO_SAIDA: ${f.desconexoes}`,
    `  RSS do servidor: inicial ${mib(f.rssKiB.inicial)}, aquecido ${
      mib(f.rssKiB.aquecido)
    }, pico ${mib(f.rssKiB.pico)}, final ${
      mib(f.rssKiB.final)
    } (${f.rssKiB.amostras} amostras)`,
    `  resumo do servidor: ${f.resumo.clientes} clientes, ${f.resumo.mensagens} mensagens, ${f.resumo.rejeitadas} rejeitadas`,
    "",
  ].join("\n");
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      clientes: { type: "string", default: "20" },
      mensagens: { type: "string", default: "5000" },
      hostis: { type: "string", default: "10" },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  const numero = (nome: "clientes" | "mensagens" | "hostis") => {
    const n = Number(values[nome]);
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`--${nome} deve ser um inteiro positivo`);
    }
    return n;
  };
  const escrever = (texto: string) =>
    Deno.stdout.write(new TextEncoder().encode(texto));
  try {
    const figuras = await soak({
      clientes: numero("clientes"),
      mensagens: numero("mensagens"),
      hostis: numero("hostis"),
      verificarMemoria: false,
    });
    await escrever(
      values.json ? JSON.stringify(figuras) + "\n" : relatorio(figuras),
    );
    conferirMemoria(figuras);
    return 0;
  } catch (erro) {
    await Deno.stderr.write(
      new TextEncoder().encode(`soak: FALHOU: ${(erro as Error).message}\n`),
    );
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
