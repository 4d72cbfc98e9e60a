/**
 * Harness de várias máquinas (issue 17), com as peças de verdade: um
 * `nats-server` com JetStream (pacote Debian `nats-server`), dois
 * `servidor.ts --nats --json` e um HAProxy em modo TCP (pacote `haproxy`) na
 * frente deles, e um `cliente.ts --linhas --verbose` que manda N linhas
 * numeradas e únicas pelo HAProxy.
 *
 * Dois modos:
 * - `failover`: no meio do envio (um terço das mensagens já no stream), o
 *   servidor que atende o cliente leva `kill -9`; o cliente reconecta, o
 *   HAProxy o manda ao outro, que não conhece a sessão e diz "último
 *   gravado 0"; o cliente reenvia o que não foi confirmado, e a janela de
 *   duplicatas do JetStream tira o que o primeiro já tinha gravado.
 * - `nats`: no meio do envio, o `nats-server` leva `kill -9` e volta (mesma
 *   porta, mesmo diretório) depois de um segundo; os servidores seguram as
 *   confirmações, o cliente sente a contrapressão, e tudo segue sozinho.
 *
 * Esperado nos dois: o cliente sai com 0 relatando N de N entregues, e o
 * stream, lido de volta, tem cada mensagem exatamente uma vez (pelo texto e
 * pelo id). Toda espera tem prazo; só se matam os processos iniciados aqui,
 * pelo PID.
 *
 * Curto em tests/e2e/nats_test.ts; com 50 000 mensagens, sozinho:
 *
 *     deno task nats
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect, type ConnectionOptions } from "@nats-io/transport-node";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { opcoesDaTarefa } from "../../scripts/tarefas.ts";
import { lerRelato, linhasDoCliente } from "./falhas.ts";

const RAIZ = new URL("../../", import.meta.url);
const HOST = "127.0.0.1";
/** Prazo para cada peça ficar pronta ou sair. */
const PRAZO_PECA_MS = 15_000;
/** Quanto o NATS fica fora no modo `nats`. */
const QUEDA_DO_NATS_MS = 1_000;
const CAUDA = 4000;

/**
 * Acha um programa no PATH ou em /usr/sbin; se não há, lança um erro de uma
 * linha com o pacote Debian que o traz.
 */
export function acharPrograma(nome: string, pacote: string): string {
  const pastas = [
    ...(Deno.env.get("PATH") ?? "").split(":"),
    "/usr/sbin",
    "/usr/local/sbin",
  ];
  for (const pasta of pastas) {
    if (pasta === "") continue;
    try {
      const caminho = `${pasta}/${nome}`;
      if (Deno.statSync(caminho).isFile) return caminho;
    } catch {
      // não está nesta pasta
    }
  }
  throw new Error(
    `falta o programa ${nome}: instale o pacote Debian ${pacote} (apt-get install ${pacote})`,
  );
}

/** Uma porta livre agora: escuta na 0, anota e fecha. */
export function portaLivre(): number {
  const ouvinte = Deno.listen({ hostname: HOST, port: 0 });
  const { port } = ouvinte.addr;
  ouvinte.close();
  return port;
}

/** Um processo filho com a cauda da saída e espera por uma linha. */
export class Peca {
  readonly filho: Deno.ChildProcess;
  texto = "";
  readonly #lendo: Promise<void>;
  #avisar: (() => void) | undefined;
  #acabou = false;

  /** `lerSaida`: acompanha também a saída padrão (senão, vai para o nada). */
  constructor(programa: string, args: string[], lerSaida = false) {
    this.filho = new Deno.Command(programa, {
      args,
      stdin: "null",
      stdout: lerSaida ? "piped" : "null",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const ler = async (fluxo: ReadableStream<Uint8Array>) => {
      for await (const parte of fluxo.pipeThrough(new TextDecoderStream())) {
        this.texto = (this.texto + parte).slice(-CAUDA * 4);
        this.#avisar?.();
      }
    };
    this.#lendo = Promise.all([
      ler(this.filho.stderr),
      lerSaida ? ler(this.filho.stdout) : undefined,
    ]).then(() => {
      this.#acabou = true;
      this.#avisar?.();
    });
  }

  /** Espera `padrao` na saída de erro (a linha de pronto). */
  async esperar(padrao: RegExp, nome: string): Promise<RegExpExecArray> {
    const limite = Date.now() + PRAZO_PECA_MS;
    // Limitado pelo prazo.
    while (true) {
      const casou = padrao.exec(this.texto);
      if (casou) return casou;
      const resta = limite - Date.now();
      if (this.#acabou || resta <= 0) {
        throw new Error(
          `${nome}: esperava ${padrao} (${
            this.#acabou ? "o processo terminou" : "prazo esgotado"
          }); saída:\n${this.texto.slice(-CAUDA)}`,
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

  /** Sinal, espera sair (SIGKILL depois do prazo); o código. */
  async parar(sinal: Deno.Signal = "SIGTERM"): Promise<number> {
    try {
      this.filho.kill(sinal);
    } catch {
      // já terminou
    }
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      this.filho.status,
      new Promise<"prazo">((resolve) => {
        prazo = setTimeout(() => resolve("prazo"), PRAZO_PECA_MS);
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

/** `nats-server -js` numa porta e num diretório (`extras`: TLS, token...). */
export async function iniciarNats(
  programa: string,
  porta: number,
  diretorio: string,
  extras: readonly string[] = [],
): Promise<Peca> {
  const peca = new Peca(programa, [
    "-js",
    "-sd",
    diretorio,
    "-a",
    HOST,
    "-p",
    String(porta),
    "-n",
    "teste",
    ...extras,
  ]);
  await peca.esperar(/Server is ready/, "nats-server");
  return peca;
}

/** Um `servidor.ts --nats --json` (a saída JSON vai para o nada). */
async function iniciarServidorNats(
  natsUrl: string,
  nome: string,
): Promise<{ peca: Peca; porta: number }> {
  const peca = new Peca(Deno.execPath(), [
    "run",
    ...opcoesDaTarefa("servidor"),
    new URL("servidor.ts", RAIZ).pathname,
    "--host",
    HOST,
    "--porta",
    "0",
    "--json",
    "--nats",
    natsUrl,
    "--nats-nome",
    nome,
  ]);
  const casou = await peca.esperar(
    /na porta (\d+)\. Aguardando/,
    `servidor ${nome}`,
  );
  return { peca, porta: Number(casou[1]) };
}

/** HAProxy em modo TCP: todos ao primeiro servidor vivo (`balance first`). */
async function iniciarHaproxy(
  programa: string,
  diretorio: string,
  porta: number,
  servidores: number[],
): Promise<Peca> {
  const configuracao = `${diretorio}/haproxy.cfg`;
  await Deno.writeTextFile(
    configuracao,
    [
      "global",
      "  maxconn 1000",
      "defaults",
      "  mode tcp",
      "  timeout connect 1s",
      "  timeout client 120s",
      "  timeout server 120s",
      "  retries 3",
      "  option redispatch",
      "frontend entrada",
      `  bind ${HOST}:${porta}`,
      "  default_backend servidores",
      "backend servidores",
      "  balance first",
      ...servidores.map((p, i) =>
        `  server s${i} ${HOST}:${p} check inter 100ms fall 1 rise 2`
      ),
      "",
    ].join("\n"),
  );
  const peca = new Peca(programa, ["-f", configuracao, "-db", "-V"], true);
  await peca.esperar(/as the polling mechanism/, "haproxy");
  return peca;
}

/** O que o stream tem, lido de volta do começo. */
export interface Leitura {
  registros: number;
  /** Textos esperados vistos exatamente uma vez. */
  umaVez: number;
  faltando: number;
  repetidas: number;
  idsRepetidos: number;
  inesperadas: number;
  /** Registros por assunto (um por servidor). */
  porAssunto: Record<string, number>;
}

/** Lê o stream inteiro e confere cada texto esperado (`conexao`: TLS, token...). */
export async function lerStream(
  natsUrl: string,
  stream: string,
  esperadas: readonly string[],
  conexao: Partial<ConnectionOptions> = {},
): Promise<Leitura> {
  const nc = await connect({ ...conexao, servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    const consumidor = await jetstream(nc).consumers.get(stream, {
      deliver_policy: DeliverPolicy.All,
    });
    const vezes = new Map<string, number>(esperadas.map((t) => [t, 0]));
    const ids = new Set<string>();
    const leitura: Leitura = {
      registros: 0,
      umaVez: 0,
      faltando: 0,
      repetidas: 0,
      idsRepetidos: 0,
      inesperadas: 0,
      porAssunto: {},
    };
    if (state.messages > 0) {
      const mensagens = await consumidor.consume();
      for await (const m of mensagens) {
        leitura.registros++;
        leitura.porAssunto[m.subject] = (leitura.porAssunto[m.subject] ?? 0) +
          1;
        const linha = m.json<{ id: string; texto: string }>();
        if (ids.has(linha.id)) leitura.idsRepetidos++;
        ids.add(linha.id);
        const n = vezes.get(linha.texto);
        if (n === undefined) leitura.inesperadas++;
        else vezes.set(linha.texto, n + 1);
        if (m.info.pending === 0) break;
      }
      await mensagens.close();
    }
    for (const n of vezes.values()) {
      if (n === 1) leitura.umaVez++;
      else if (n === 0) leitura.faltando++;
      else leitura.repetidas += n - 1;
    }
    return leitura;
  } finally {
    await nc.close();
  }
}

export type ModoNats = "failover" | "nats";

export interface FigurasNats {
  modo: ModoNats;
  mensagens: number;
  duracaoMs: number;
  cliente: { codigo: number; entregues?: number; total?: number };
  /** Quando a falha foi provocada (registros já no stream). */
  falhaEm: number;
  leitura: Leitura;
  /** Saídas de erro dos servidores (o aviso de queda e volta do NATS). */
  avisos: string[];
  problemas: string[];
}

/** Roda um cenário inteiro e confere; nunca deixa processos para trás. */
export async function executarNats(
  modo: ModoNats,
  mensagens: number,
): Promise<FigurasNats> {
  const natsServer = acharPrograma("nats-server", "nats-server");
  const haproxy = acharPrograma("haproxy", "haproxy");
  const diretorio = await Deno.makeTempDir({ prefix: "sockets-nats-" });
  const portaNats = portaLivre();
  const natsUrl = `nats://${HOST}:${portaNats}`;
  const pecas: Peca[] = [];
  const inicio = performance.now();
  try {
    let nats = await iniciarNats(natsServer, portaNats, `${diretorio}/js`);
    pecas.push(nats);
    const a = await iniciarServidorNats(natsUrl, "a");
    pecas.push(a.peca);
    const b = await iniciarServidorNats(natsUrl, "b");
    pecas.push(b.peca);
    const portaProxy = portaLivre();
    pecas.push(
      await iniciarHaproxy(haproxy, diretorio, portaProxy, [a.porta, b.porta]),
    );

    const linhas = linhasDoCliente(0, 1, mensagens);
    const cliente = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...opcoesDaTarefa("cliente"),
        new URL("cliente.ts", RAIZ).pathname,
        "--host",
        HOST,
        "--porta",
        String(portaProxy),
        "--linhas",
        "--verbose",
        "--tempo-limite",
        "30",
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const escrevendo = (async () => {
      const escritor = cliente.stdin.getWriter();
      const codificador = new TextEncoder();
      try {
        for (let i = 0; i < linhas.length; i += 4096) {
          await escritor.write(
            codificador.encode(linhas.slice(i, i + 4096).join("\n") + "\n"),
          );
        }
        await escritor.close();
      } catch {
        await escritor.abort().catch(() => {});
      }
    })();
    const saidaCliente = Promise.all([
      new Response(cliente.stdout).text(),
      new Response(cliente.stderr).text(),
    ]);

    // A falha, quando um terço já está no stream (o progresso, não o relógio).
    const nc = await connect({ servers: natsUrl });
    let falhaEm = 0;
    try {
      const jsm = await jetstreamManager(nc);
      const alvo = Math.floor(mensagens / 3);
      const limite = Date.now() + 120_000;
      // Limitado pelo prazo e pelo fim do cliente.
      let terminou = false;
      cliente.status.then(() => terminou = true);
      while (!terminou && Date.now() < limite) {
        const info = await jsm.streams.info("SOCKETS").catch(() => undefined);
        falhaEm = info?.state.messages ?? 0;
        if (falhaEm >= alvo) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await nc.close();
    }
    if (modo === "failover") {
      await a.peca.parar("SIGKILL");
    } else {
      await nats.parar("SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, QUEDA_DO_NATS_MS));
      nats = await iniciarNats(natsServer, portaNats, `${diretorio}/js`);
      pecas.push(nats);
    }

    let prazo: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      cliente.status,
      new Promise<"prazo">((resolve) => {
        prazo = setTimeout(() => resolve("prazo"), 300_000);
      }),
    ]);
    clearTimeout(prazo);
    if (status === "prazo") cliente.kill("SIGKILL");
    const { code } = await cliente.status;
    await escrevendo;
    const [saida, erros] = await saidaCliente;
    const relato = lerRelato(saida + "\n" + erros);

    const leitura = await lerStream(natsUrl, "SOCKETS", linhas);
    const figuras: FigurasNats = {
      modo,
      mensagens,
      duracaoMs: Math.round(performance.now() - inicio),
      cliente: { codigo: code, ...relato },
      falhaEm,
      leitura,
      avisos: [a.peca.texto, b.peca.texto].map((t) =>
        t.split("\n").filter((l) => /JetStream|NATS/.test(l)).join("\n")
      ),
      problemas: [],
    };
    const p = figuras.problemas;
    if (code !== 0 || relato?.entregues !== mensagens) {
      p.push(
        `o cliente saiu com ${code} relatando ${relato?.entregues} de ${relato?.total}: ${
          erros.trim().split("\n").slice(-3).join(" | ")
        }`,
      );
    }
    if (leitura.faltando > 0) {
      p.push(`${leitura.faltando} mensagens faltam no stream`);
    }
    if (leitura.repetidas > 0 || leitura.idsRepetidos > 0) {
      p.push(
        `${leitura.repetidas} cópias repetidas no stream (${leitura.idsRepetidos} ids repetidos)`,
      );
    }
    if (leitura.inesperadas > 0) {
      p.push(`${leitura.inesperadas} registros inesperados no stream`);
    }
    if (leitura.registros !== mensagens) {
      p.push(`o stream tem ${leitura.registros} registros, não ${mensagens}`);
    }
    if (
      modo === "failover" &&
      Object.keys(leitura.porAssunto).length !== 2
    ) {
      p.push(
        `esperava registros dos dois servidores: ${
          JSON.stringify(leitura.porAssunto)
        }`,
      );
    }
    if (falhaEm >= mensagens) {
      p.push("a falha chegou depois do fim do envio");
    }
    return figuras;
  } finally {
    for (const peca of pecas.reverse()) await peca.parar("SIGTERM");
    await Deno.remove(diretorio, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      mensagens: { type: "string", default: "50000" },
      modo: { type: "string", default: "failover,nats" },
    },
  });
  let falhou = false;
  for (const modo of values.modo.split(",") as ModoNats[]) {
    const f = await executarNats(modo, Number(values.mensagens));
    // deno-lint-ignore no-console
    console.log(JSON.stringify(f, null, 2));
    if (f.problemas.length > 0) falhou = true;
  }
  Deno.exit(falhou ? 1 : 0);
}
