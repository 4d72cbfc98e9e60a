/**
 * O banco de medidas (`deno task bench`): inicia o `servidor.ts` de verdade,
 * com as permissões da tarefa `servidor` do deno.json e a saída `--json`
 * indo direto para um arquivo; mede com o gerador (bench/gerador.ts, em
 * processos à parte) os cinco cenários da issue de desempenho, cada um ao
 * menos três vezes, intercalado com as linhas de base medidas na mesma rodada
 * (bench/linha_de_base/); e escreve `bench/resultados/AAAA-MM-DD.md` e
 * `.json`. Tudo o que inicia, para pelo PID.
 *
 * Uso: `deno task bench [--rapido] [--perfil] [--saida PASTA]`.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { parseArgs } from "node:util";
import { codificarMensagem } from "../lib/protocolo/codificador.ts";
import {
  faixa,
  numero,
  percentil,
  resumir,
  type Resumo,
} from "./estatistica.ts";
import { resumirArquivo, tabelaDoPerfil } from "./perfil.ts";
import {
  ambienteLimpo,
  caminho,
  contarLinhas,
  limiteDeArquivos,
  memoriaKiB,
  pararTodos,
  permissoesDaTarefa,
  Processo,
} from "./processos.ts";
import {
  dataLocal,
  escrever,
  lerCodigo,
  lerMaquina,
  type Linha,
  type Relatorio,
} from "./relatorio.ts";

const USO = `banco de medidas do Sockets de Rede

Uso: deno task bench [--rapido] [--perfil] [--cenarios 1,3] [--saida PASTA]

  --rapido   tudo pequeno, em menos de um minuto (teste de fumaça; sem alvos)
  --cenarios só os cenários listados (números de 1 a 5, separados por vírgula)
  --perfil   também grava um perfil de CPU do servidor no cenário 1
             (8 conexões) e resume as funções com mais tempo próprio
  --saida    pasta dos resultados (padrão: bench/resultados)
`;

/** Quanto medir em cada modo. */
interface Config {
  rapido: boolean;
  perfil: boolean;
  execucoes: number;
  /** Duração de cada execução de vazão, em ms. */
  duracaoMs: number;
  /** Duração da execução de aquecimento (descartada), em ms. */
  aquecimentoMs: number;
  vezesLatencia: number;
  aquecimentoLatencia: number;
  /**
   * Execuções de latência de cada lado. O p99 desta máquina varia ±30% de
   * uma execução para outra (no servidor e no pingue-pongue cru); com mais
   * execuções intercaladas, a mediana de cada lado fica estável.
   */
  execucoesLatencia: number;
  ociosos: number;
  sondas: number;
  partidas: number;
}

const COMPLETO = {
  execucoes: 3,
  duracaoMs: 2000,
  aquecimentoMs: 1000,
  vezesLatencia: 20_000,
  aquecimentoLatencia: 2000,
  execucoesLatencia: 5,
  ociosos: 10_000,
  sondas: 20,
  partidas: 20,
};

const RAPIDO = {
  execucoes: 3,
  duracaoMs: 250,
  aquecimentoMs: 150,
  vezesLatencia: 2000,
  aquecimentoLatencia: 200,
  execucoesLatencia: 3,
  ociosos: 500,
  sondas: 5,
  partidas: 5,
};

/** Limite de arquivos abertos pedido para o servidor e o gerador. */
const LIMITE_ARQUIVOS = 20_000;
/** Prazo para um processo iniciado ficar pronto. */
const PRAZO_PRONTO_MS = 60_000;
/** Mensagem do cenário 1: assunto + texto = 100 bytes. */
const PEQUENA = { assunto: 10, texto: 90 };
/** Mensagem do cenário 2: assunto + texto = 64 KiB, o limite do servidor. */
const GRANDE = { assunto: 1, texto: 65_535 };
const LIMITE_GRANDE = 65_536;
/** Alvos da issue 6. */
const ALVO_VAZAO_8 = 1_200_000;
const ALVO_RAZAO_GRANDE = 0.3;
const ALVO_RAZAO_P99 = 1.3;
const ALVO_KIB_POR_CONEXAO = 10;
const ALVO_RAZAO_PARTIDA = 1.5;

const GERADOR = caminho("bench/gerador.ts");
const SERVIDOR = caminho("servidor.ts");
const CLIENTE = caminho("cliente.ts");

/** Onde ficam os arquivos de saída do servidor, quando existe: em memória. */
const PASTA_EM_MEMORIA = "/dev/shm";

/**
 * Pasta dos arquivos temporários: em memória (tmpfs) quando há, para que o
 * disco desta máquina (e a escrita de páginas sujas, que usa os mesmos dois
 * núcleos) não entre na medida do servidor; senão, a pasta temporária comum.
 */
async function pastaTemporaria(): Promise<string> {
  const prefix = "sockets-bench-";
  try {
    return await Deno.makeTempDir({ dir: PASTA_EM_MEMORIA, prefix });
  } catch {
    return await Deno.makeTempDir({ prefix });
  }
}

function pausa(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tamanhoDoQuadro(bytes: { assunto: number; texto: number }): number {
  return codificarMensagem({
    numero: 1,
    instante: 0,
    fuso: 0,
    assunto: "a".repeat(bytes.assunto),
    texto: "x".repeat(bytes.texto),
  }).length;
}

/** Um processo pronto e a porta em que escuta. */
interface Escutando {
  processo: Processo;
  porta: number;
}

/**
 * Inicia o servidor de verdade em 127.0.0.1, porta 0, com `--json` e a saída
 * padrão acrescentada a `arquivo`; espera a linha de pronto na saída de erro.
 */
async function iniciarServidor(
  args: string[],
  arquivo: string,
  perfil?: string,
): Promise<Escutando> {
  const processo = new Processo({
    args: [
      "run",
      ...permissoesDaTarefa("servidor"),
      ...(perfil ? ["--cpu-prof", `--cpu-prof-dir=${perfil}`] : []),
      SERVIDOR,
      "--host",
      "127.0.0.1",
      "--porta",
      "0",
      "--json",
      ...args,
    ],
    arquivoSaida: arquivo,
    limiteArquivos: LIMITE_ARQUIVOS,
  });
  const pronto = await processo.erros.esperar(
    /na porta (\d+)\. Aguardando conexões/,
    PRAZO_PRONTO_MS,
  );
  void processo.erros.drenar();
  return { processo, porta: Number(pronto[1]) };
}

/** Inicia uma linha de base de bench/linha_de_base/ e espera a porta. */
async function iniciarBase(script: string, args: string[]): Promise<Escutando> {
  const processo = new Processo({
    args: [
      "run",
      "--allow-net",
      caminho(`bench/linha_de_base/${script}`),
      ...args,
    ],
    limiteArquivos: LIMITE_ARQUIVOS,
  });
  const pronto = await processo.saida!.esperar(
    /pronto na porta (\d+)/,
    PRAZO_PRONTO_MS,
  );
  void processo.saida!.drenar();
  void processo.erros.drenar();
  return { processo, porta: Number(pronto[1]) };
}

/** Roda o gerador até o fim e devolve a linha JSON que ele relatou. */
async function gerar(
  args: string[],
  prazoMs: number,
): Promise<Record<string, unknown>> {
  const processo = new Processo({
    args: ["run", "--allow-net", GERADOR, ...args],
    limiteArquivos: LIMITE_ARQUIVOS,
  });
  const erros = processo.erros.drenar();
  try {
    const linha = await processo.saida!.proxima(prazoMs);
    const status = await processo.esperarFim(prazoMs) ??
      await processo.parar("SIGKILL");
    await erros;
    if (!status.success || linha === null) {
      throw new Error(
        `o gerador (${
          args[0]
        }) saiu com ${status.code}: ${processo.erros.texto}`,
      );
    }
    return JSON.parse(linha);
  } finally {
    await processo.parar("SIGKILL", 1000);
  }
}

/**
 * Espera o servidor ter escrito as `mensagens` e as `conexoes` despedidas no
 * arquivo (sondando com `grep -c`, por no máximo 10 s), conta as mensagens
 * escritas e esvazia o arquivo para a próxima execução.
 */
async function conferirSaida(
  arquivo: string,
  mensagens: number,
  conexoes: number,
): Promise<number> {
  const esperadas = mensagens + conexoes;
  const limite = Date.now() + 10_000;
  // Limitado pelo prazo: a saída chega logo depois da última confirmação.
  while (
    await contarLinhas(arquivo, ['"evento":"mensagem"', '"evento":"saiu"']) <
      esperadas && Date.now() < limite
  ) {
    await pausa(50);
  }
  const escritas = await contarLinhas(arquivo, ['"evento":"mensagem"']);
  await Deno.truncate(arquivo, 0);
  return escritas;
}

// ---------------------------------------------------------------------------
// Cenários 1 e 2: vazão

interface ExecucaoVazao {
  mensagens: number;
  ms: number;
  msgsPorS: number;
  mbPorS: number;
  /** Mensagens que o servidor escreveu na saída (só para o servidor). */
  escritas?: number;
}

interface ResultadoVazao {
  conexoes: number;
  bytesPorQuadro: number;
  execucoes: Record<string, ExecucaoVazao[]>;
  msgsPorS: Record<string, Resumo>;
  mbPorS: Record<string, Resumo>;
  conferido: boolean;
}

interface Alvo extends Escutando {
  nome: string;
  cru: boolean;
  arquivo?: string;
}

async function medirVazao(
  config: Config,
  temp: string,
  nome: string,
  conexoes: number,
  bytes: { assunto: number; texto: number },
  tamanhoMaximo: number,
): Promise<ResultadoVazao> {
  const arquivo = `${temp}/${nome}.jsonl`;
  const alvos: Alvo[] = [];
  try {
    alvos.push({
      nome: "servidor",
      cru: false,
      arquivo,
      ...await iniciarServidor(
        ["--tamanho-maximo", String(tamanhoMaximo)],
        arquivo,
      ),
    });
    alvos.push({
      nome: "cru",
      cru: true,
      ...await iniciarBase("receptor_cru.ts", []),
    });
    alvos.push({
      nome: "quadros",
      cru: false,
      ...await iniciarBase("receptor_quadros.ts", [
        "--tamanho-maximo",
        String(tamanhoMaximo),
      ]),
    });
    const executar = async (alvo: Alvo, duracaoMs: number) => {
      const r = await gerar([
        "vazao",
        "--porta",
        String(alvo.porta),
        "--conexoes",
        String(conexoes),
        "--assunto",
        String(bytes.assunto),
        "--texto",
        String(bytes.texto),
        "--duracao",
        String(duracaoMs),
        ...(alvo.cru ? ["--cru"] : []),
      ], duracaoMs + 120_000);
      const mensagens = r.mensagens as number;
      const ms = r.ms as number;
      const execucao: ExecucaoVazao = {
        mensagens,
        ms,
        msgsPorS: mensagens / (ms / 1000),
        mbPorS: (r.bytesQuadros as number) / ms / 1000,
      };
      if (alvo.arquivo) {
        execucao.escritas = await conferirSaida(
          alvo.arquivo,
          mensagens,
          conexoes,
        );
      }
      return execucao;
    };
    for (const alvo of alvos) await executar(alvo, config.aquecimentoMs);
    const execucoes: Record<string, ExecucaoVazao[]> = {};
    for (let i = 0; i < config.execucoes; i++) {
      for (const alvo of alvos) {
        const execucao = await executar(alvo, config.duracaoMs);
        (execucoes[alvo.nome] ??= []).push(execucao);
        console.log(
          `  ${nome} ${alvo.nome} #${i + 1}: ${
            numero(execucao.msgsPorS)
          } msg/s, ${numero(execucao.mbPorS, 1)} MB/s`,
        );
      }
    }
    const resumo = (campo: "msgsPorS" | "mbPorS") =>
      Object.fromEntries(
        Object.entries(execucoes).map((
          [alvo, lista],
        ) => [alvo, resumir(lista.map((e) => e[campo]))]),
      );
    return {
      conexoes,
      bytesPorQuadro: tamanhoDoQuadro(bytes),
      execucoes,
      msgsPorS: resumo("msgsPorS"),
      mbPorS: resumo("mbPorS"),
      conferido: execucoes.servidor.every((e) => e.escritas === e.mensagens),
    };
  } finally {
    await Promise.all(alvos.map((alvo) => alvo.processo.parar()));
  }
}

/**
 * Um perfil de CPU do servidor durante uma execução do cenário 1; o
 * `.cpuprofile` é copiado para `destino` (abre no Chrome DevTools) e o resumo
 * volta como tabela Markdown.
 */
async function perfilar(
  config: Config,
  temp: string,
  destino: string,
): Promise<string> {
  const pasta = `${temp}/perfil`;
  const arquivo = `${temp}/perfil.jsonl`;
  const { processo, porta } = await iniciarServidor([], arquivo, pasta);
  try {
    for (const duracao of [config.aquecimentoMs, config.duracaoMs]) {
      const r = await gerar([
        "vazao",
        "--porta",
        String(porta),
        "--conexoes",
        "8",
        "--duracao",
        String(duracao),
      ], duracao + 120_000);
      await conferirSaida(arquivo, r.mensagens as number, 8);
    }
  } finally {
    await processo.parar(); // o perfil é gravado na saída normal
  }
  const gravados = [...Deno.readDirSync(pasta)].filter((e) =>
    e.name.endsWith(".cpuprofile")
  );
  if (gravados.length === 0) throw new Error("o servidor não gravou o perfil");
  await Deno.mkdir(destino.slice(0, destino.lastIndexOf("/")), {
    recursive: true,
  });
  await Deno.copyFile(`${pasta}/${gravados[0].name}`, destino);
  const resumo = await resumirArquivo(destino, 20);
  console.log(`  perfil completo em ${destino}`);
  return tabelaDoPerfil(resumo);
}

// ---------------------------------------------------------------------------
// Cenário 3: latência

interface ExecucaoLatencia {
  p50: number;
  p99: number;
  max: number;
}

async function medirLatencia(config: Config, temp: string) {
  const arquivo = `${temp}/latencia.jsonl`;
  const quadro = tamanhoDoQuadro(PEQUENA);
  const alvos: (Escutando & { nome: string; modo: string })[] = [];
  try {
    alvos.push({
      nome: "servidor",
      modo: "latencia",
      ...await iniciarServidor([], arquivo),
    });
    alvos.push({
      nome: "pingue",
      modo: "pingue",
      ...await iniciarBase("pingue.ts", ["--tamanho", String(quadro)]),
    });
    const execucoes: Record<string, ExecucaoLatencia[]> = {};
    let conferido = true;
    for (let i = 0; i < config.execucoesLatencia; i++) {
      for (const alvo of alvos) {
        const r = await gerar([
          alvo.modo,
          "--porta",
          String(alvo.porta),
          "--vezes",
          String(config.vezesLatencia),
          "--aquecimento",
          String(config.aquecimentoLatencia),
          "--assunto",
          String(PEQUENA.assunto),
          "--texto",
          String(PEQUENA.texto),
        ], 300_000);
        const amostras = (r.amostrasMs as number[]).map((ms) => ms * 1000);
        const execucao = {
          p50: percentil(amostras, 50),
          p99: percentil(amostras, 99),
          max: Math.max(...amostras),
        };
        (execucoes[alvo.nome] ??= []).push(execucao);
        if (alvo.nome === "servidor") {
          const total = config.vezesLatencia + config.aquecimentoLatencia;
          conferido &&= await conferirSaida(arquivo, total, 1) === total;
        }
        console.log(
          `  latência ${alvo.nome} #${i + 1}: p50 ${
            numero(execucao.p50)
          } µs, p99 ${numero(execucao.p99)} µs, máx ${numero(execucao.max)} µs`,
        );
      }
    }
    const resumo = (nome: string, campo: keyof ExecucaoLatencia) =>
      resumir(execucoes[nome].map((e) => e[campo]));
    return {
      execucoes,
      conferido,
      servidor: {
        p50: resumo("servidor", "p50"),
        p99: resumo("servidor", "p99"),
        max: resumo("servidor", "max"),
      },
      pingue: {
        p50: resumo("pingue", "p50"),
        p99: resumo("pingue", "p99"),
        max: resumo("pingue", "max"),
      },
    };
  } finally {
    await Promise.all(alvos.map((alvo) => alvo.processo.parar()));
  }
}

// ---------------------------------------------------------------------------
// Cenário 4: clientes ociosos

interface ExecucaoOciosos {
  clientes: number;
  rssAntesKiB: number;
  rssDepoisKiB: number;
  kibPorConexao: number;
  msParaConectar: number;
  sondasMs: number[];
}

/** Lê linhas JSON do gerador até a da `fase` pedida. */
async function esperarFase(
  gerador: Processo,
  fase: string,
  prazoMs: number,
): Promise<Record<string, unknown>> {
  const casou = await gerador.saida!.esperar(
    new RegExp(`"fase":"${fase}"`),
    prazoMs,
  );
  return JSON.parse(casou.input);
}

async function medirOciosos(config: Config, temp: string) {
  const execucoes: ExecucaoOciosos[] = [];
  const notas: string[] = [];
  for (let i = 0; i < config.execucoes; i++) {
    const arquivo = `${temp}/ociosos.jsonl`;
    let servidor: Escutando | undefined;
    let gerador: Processo | undefined;
    try {
      servidor = await iniciarServidor(
        ["--max-conexoes", String(LIMITE_ARQUIVOS)],
        arquivo,
      );
      // Cada conexão usa um descritor no servidor e outro no gerador.
      const limite = await limiteDeArquivos(servidor.processo.pid);
      const clientes = Math.min(config.ociosos, limite - 200);
      if (clientes < config.ociosos && i === 0) {
        notas.push(
          `limite de arquivos abertos ${limite}: ${clientes} clientes ociosos em vez de ${config.ociosos}`,
        );
      }
      gerador = new Processo({
        args: [
          "run",
          "--allow-net",
          GERADOR,
          "ociosos",
          "--porta",
          String(servidor.porta),
          "--clientes",
          String(clientes),
          "--sondas",
          String(config.sondas),
        ],
        entrada: true,
        limiteArquivos: LIMITE_ARQUIVOS,
      });
      void gerador.erros.drenar();
      await esperarFase(gerador, "pronto", PRAZO_PRONTO_MS);
      const antes = await memoriaKiB(servidor.processo.pid);
      await gerador.escrever("conectar");
      const conectados = await esperarFase(gerador, "conectados", 600_000);
      const depois = await memoriaKiB(servidor.processo.pid);
      await gerador.escrever("sondar");
      const sondado = await esperarFase(gerador, "sondado", 120_000);
      await gerador.fecharEntrada();
      const status = await gerador.esperarFim(60_000);
      if (!status?.success) {
        throw new Error(`o gerador falhou: ${gerador.erros.texto}`);
      }
      const execucao: ExecucaoOciosos = {
        clientes: conectados.clientes as number,
        rssAntesKiB: antes,
        rssDepoisKiB: depois,
        kibPorConexao: (depois - antes) / (conectados.clientes as number),
        msParaConectar: conectados.ms as number,
        sondasMs: sondado.amostrasMs as number[],
      };
      execucoes.push(execucao);
      console.log(
        `  ociosos #${i + 1}: ${execucao.clientes} clientes, ${
          numero(execucao.kibPorConexao, 1)
        } KiB/conexão, sonda p50 ${
          numero(percentil(execucao.sondasMs, 50), 2)
        } ms`,
      );
    } finally {
      await gerador?.parar("SIGKILL", 1000);
      await servidor?.processo.parar();
      await Deno.remove(arquivo).catch(() => {});
    }
  }
  const sondas = execucoes.flatMap((e) => e.sondasMs);
  return {
    execucoes,
    notas,
    clientes: execucoes[0]?.clientes ?? 0,
    kibPorConexao: resumir(execucoes.map((e) => e.kibPorConexao)),
    sondaP50Ms: percentil(sondas, 50),
    sondaMaxMs: Math.max(...sondas),
    msParaConectar: resumir(execucoes.map((e) => e.msParaConectar)),
  };
}

// ---------------------------------------------------------------------------
// Cenário 5: cliente de uma mensagem só

interface Partida {
  ms: number;
  picoKiB: number | null;
}

/** Roda `deno ARGS` até o fim; tempo de parede e pico de memória (`time`). */
async function cronometrar(args: string[], comTime: boolean): Promise<Partida> {
  const programa = comTime ? "/usr/bin/time" : Deno.execPath();
  const argv = comTime ? ["-f", "%e %M", Deno.execPath(), ...args] : args;
  const inicio = performance.now();
  const { code, stderr } = await new Deno.Command(programa, {
    args: argv,
    clearEnv: true,
    env: ambienteLimpo(),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - inicio;
  const erros = new TextDecoder().decode(stderr).trim();
  if (code !== 0) {
    throw new Error(`deno ${args.join(" ")} saiu com ${code}: ${erros}`);
  }
  const ultima = erros.split("\n").at(-1) ?? "";
  const casou = /^[\d.]+ (\d+)$/.exec(ultima);
  return { ms, picoKiB: comTime && casou ? Number(casou[1]) : null };
}

async function medirPartida(config: Config, temp: string) {
  const arquivo = `${temp}/partida.jsonl`;
  const comTime = await Deno.stat("/usr/bin/time").then(
    () => true,
    () => false,
  );
  const { processo, porta } = await iniciarServidor([], arquivo);
  try {
    const cliente = [
      "run",
      ...permissoesDaTarefa("cliente"),
      CLIENTE,
      "--host",
      "127.0.0.1",
      "--porta",
      String(porta),
      "--assunto",
      "x",
      "--texto",
      "y",
    ];
    const vazio = ["run", caminho("bench/linha_de_base/vazio.ts")];
    for (let i = 0; i < 2; i++) {
      await cronometrar(cliente, comTime);
      await cronometrar(vazio, comTime);
    }
    const partidas: Record<string, Partida[]> = { cliente: [], vazio: [] };
    for (let i = 0; i < config.partidas; i++) {
      partidas.cliente.push(await cronometrar(cliente, comTime));
      partidas.vazio.push(await cronometrar(vazio, comTime));
    }
    const entregues = config.partidas + 2;
    const escritas = await conferirSaida(arquivo, entregues, entregues);
    const pico = (lista: Partida[]) =>
      comTime ? resumir(lista.map((p) => p.picoKiB ?? NaN)) : null;
    if (!comTime) {
      console.error(
        "  sem /usr/bin/time: o pico de memória fica de fora (apt-get install time)",
      );
    }
    const resultado = {
      comTime,
      partidas,
      conferido: escritas === entregues,
      clienteMs: resumir(partidas.cliente.map((p) => p.ms)),
      vazioMs: resumir(partidas.vazio.map((p) => p.ms)),
      clientePicoKiB: pico(partidas.cliente),
      vazioPicoKiB: pico(partidas.vazio),
    };
    console.log(
      `  partida: cliente ${faixa(resultado.clienteMs, 1)} ms, vazio ${
        faixa(resultado.vazioMs, 1)
      } ms`,
    );
    return resultado;
  } finally {
    await processo.parar();
  }
}

// ---------------------------------------------------------------------------
// A tabela

/** A razão, com uma casa decimal a mais quando é muito pequena. */
function razao(valor: number, base: number): string {
  const r = valor / base;
  return `${numero(r, r < 0.1 ? 3 : 2)}×`;
}

function linhasDaVazao(
  cenario: string,
  r: ResultadoVazao,
  alvo: { texto: string; atende: boolean | null },
): Linha {
  const msgs = r.msgsPorS;
  const mb = r.mbPorS;
  return {
    cenario,
    figura: `${faixa(msgs.servidor)} msg/s; ${faixa(mb.servidor, 1)} MB/s${
      r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"
    }`,
    base: `receptor cru: ${numero(msgs.cru.mediana)} msg/s (${
      numero(mb.cru.mediana, 0)
    } MB/s); quadros + confirmações: ${numero(msgs.quadros.mediana)} msg/s`,
    razao: `${razao(msgs.servidor.mediana, msgs.cru.mediana)} do cru; ${
      razao(msgs.servidor.mediana, msgs.quadros.mediana)
    } de quadros`,
    alvo: alvo.texto,
    atende: alvo.atende,
  };
}

function linhaDeFalha(cenario: string, erro: unknown): Linha {
  return {
    cenario,
    figura: `falhou: ${(erro as Error).message.split("\n")[0]}`,
    base: "—",
    razao: "—",
    alvo: "—",
    atende: false,
  };
}

// ---------------------------------------------------------------------------

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      rapido: { type: "boolean", default: false },
      perfil: { type: "boolean", default: false },
      cenarios: { type: "string" },
      saida: { type: "string" },
      ajuda: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.ajuda) {
    console.log(USO);
    return 0;
  }
  const config: Config = {
    rapido: values.rapido,
    perfil: values.perfil,
    ...(values.rapido ? RAPIDO : COMPLETO),
  };
  const pastaSaida = values.saida ?? caminho("bench/resultados");
  const inicio = performance.now();
  const codigo = await lerCodigo();
  const escolhidos = values.cenarios === undefined
    ? undefined
    : new Set(values.cenarios.split(",").map(Number));
  const temp = await pastaTemporaria();
  const aoInterromper = () => {
    console.error("\nbench: interrompido; parando os processos iniciados...");
    pararTodos().finally(() => {
      Deno.removeSync(temp, { recursive: true });
      Deno.exit(130);
    });
  };
  Deno.addSignalListener("SIGINT", aoInterromper);

  const linhas: Linha[] = [];
  const notas: string[] = [];
  const cenarios: Record<string, unknown> = {};
  let falhas = 0;
  let perfil: string | undefined;
  /** Roda um cenário; uma falha vira uma linha da tabela e não para os outros. */
  const cenario = async <T>(
    nome: string,
    chave: string,
    medir: () => Promise<T>,
    linha: (r: T) => Linha,
  ) => {
    if (escolhidos && !escolhidos.has(Number.parseInt(nome))) return;
    console.log(`${nome}...`);
    try {
      const r = await medir();
      cenarios[chave] = r;
      linhas.push(linha(r));
    } catch (erro) {
      falhas++;
      console.error(`  falhou: ${(erro as Error).message}`);
      cenarios[chave] = { erro: (erro as Error).message };
      linhas.push(linhaDeFalha(nome, erro));
    }
  };

  try {
    const maquina = await lerMaquina();
    console.log(
      `bench ${
        config.rapido ? "rápido" : "completo"
      }: ${maquina.cpu}, ${maquina.nucleos} núcleos, Linux ${maquina.kernel}, Deno ${maquina.deno}`,
    );

    await cenario(
      "1. Vazão, 100 B, 1 conexão",
      "vazao1",
      () => medirVazao(config, temp, "vazao-1", 1, PEQUENA, 1024),
      (r) =>
        linhasDaVazao("1. Vazão, 100 B, 1 conexão", r, {
          texto: "—",
          atende: null,
        }),
    );
    await cenario(
      "1. Vazão, 100 B, 8 conexões",
      "vazao8",
      () => medirVazao(config, temp, "vazao-8", 8, PEQUENA, 1024),
      (r) =>
        linhasDaVazao("1. Vazão, 100 B, 8 conexões", r, {
          texto: `≥ ${numero(ALVO_VAZAO_8)} msg/s`,
          atende: r.msgsPorS.servidor.mediana >= ALVO_VAZAO_8 && r.conferido,
        }),
    );
    if (config.perfil) {
      console.log("perfil de CPU do servidor (8 conexões)...");
      try {
        perfil = await perfilar(
          config,
          temp,
          `${pastaSaida}/${dataLocal()}-servidor.cpuprofile`,
        );
        console.log(perfil);
      } catch (erro) {
        falhas++;
        console.error(`  falhou: ${(erro as Error).message}`);
      }
    }
    await cenario(
      "2. Mensagens de 64 KiB, 1 conexão",
      "grandes",
      () => medirVazao(config, temp, "grandes", 1, GRANDE, LIMITE_GRANDE),
      (r) => {
        const mb = r.mbPorS;
        const proporcao = mb.servidor.mediana / mb.cru.mediana;
        return {
          cenario: "2. Mensagens de 64 KiB, 1 conexão",
          figura: `${faixa(mb.servidor, 1)} MB/s (${
            faixa(r.msgsPorS.servidor)
          } msg/s)${r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"}`,
          base: `receptor cru: ${
            faixa(mb.cru, 0)
          } MB/s; quadros + confirmações: ${
            numero(mb.quadros.mediana, 0)
          } MB/s`,
          razao: `${razao(mb.servidor.mediana, mb.cru.mediana)} do cru; ${
            razao(mb.servidor.mediana, mb.quadros.mediana)
          } de quadros`,
          alvo: `≥ ${numero(ALVO_RAZAO_GRANDE, 1)}× do cru`,
          atende: proporcao >= ALVO_RAZAO_GRANDE && r.conferido,
        };
      },
    );
    await cenario(
      `3. Latência, ${numero(config.vezesLatencia)} idas e voltas`,
      "latencia",
      () => medirLatencia(config, temp),
      (r) => ({
        cenario: `3. Latência, ${numero(config.vezesLatencia)} idas e voltas`,
        figura: `p50 ${faixa(r.servidor.p50)} µs; p99 ${
          faixa(r.servidor.p99)
        } µs; máx ${faixa(r.servidor.max)} µs${
          r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"
        }`,
        base: `pingue-pongue cru: p50 ${numero(r.pingue.p50.mediana)} µs; p99 ${
          faixa(r.pingue.p99)
        } µs; máx ${numero(r.pingue.max.mediana)} µs`,
        razao: `p99: ${razao(r.servidor.p99.mediana, r.pingue.p99.mediana)}`,
        alvo: `p99 ≤ ${numero(ALVO_RAZAO_P99, 1)}× do cru`,
        atende: r.servidor.p99.mediana <=
            ALVO_RAZAO_P99 * r.pingue.p99.mediana && r.conferido,
      }),
    );
    await cenario(
      `4. ${numero(config.ociosos)} clientes ociosos`,
      "ociosos",
      () => medirOciosos(config, temp),
      (r) => {
        notas.push(...r.notas);
        return {
          cenario: `4. ${numero(r.clientes)} clientes ociosos`,
          figura: `${faixa(r.kibPorConexao, 1)} KiB de RSS por conexão; ` +
            `cliente novo (conectar, saudar, enviar, confirmação, sair): p50 ${
              numero(r.sondaP50Ms, 2)
            } ms, máx ${numero(r.sondaMaxMs, 2)} ms`,
          base: "—",
          razao: "—",
          alvo: `≤ ${ALVO_KIB_POR_CONEXAO} KiB/conexão e continua aceitando`,
          atende: r.kibPorConexao.mediana <= ALVO_KIB_POR_CONEXAO &&
            Number.isFinite(r.sondaMaxMs),
        };
      },
    );
    await cenario(
      "5. Cliente de uma mensagem (processo inteiro)",
      "partida",
      () => medirPartida(config, temp),
      (r) => {
        if (!r.comTime) {
          notas.push(
            "Sem /usr/bin/time nesta máquina: o pico de memória do cenário 5 não foi medido (instale com `apt-get install time`).",
          );
        }
        const pico = (resumo: Resumo | null) =>
          resumo ? `; pico ${numero(resumo.mediana / 1024, 1)} MiB` : "";
        return {
          cenario: "5. Cliente de uma mensagem (processo inteiro)",
          figura: `${faixa(r.clienteMs, 1)} ms${pico(r.clientePicoKiB)}${
            r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"
          }`,
          base: `\`deno run\` de um script vazio: ${faixa(r.vazioMs, 1)} ms${
            pico(r.vazioPicoKiB)
          }`,
          razao: razao(r.clienteMs.mediana, r.vazioMs.mediana),
          alvo: `≤ ${numero(ALVO_RAZAO_PARTIDA, 1)}× do vazio`,
          atende: r.clienteMs.mediana <=
              ALVO_RAZAO_PARTIDA * r.vazioMs.mediana && r.conferido,
        };
      },
    );
  } finally {
    await pararTodos();
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    Deno.removeSignalListener("SIGINT", aoInterromper);
  }

  if (config.rapido) {
    for (const linha of linhas) if (linha.atende !== null) linha.atende = null;
  }
  notas.push(
    `O servidor é o \`servidor.ts\` de verdade, iniciado com \`deno run\` e as permissões da tarefa \`servidor\` do deno.json, com \`--json\` e a saída padrão indo direto para um arquivo (redirecionada pelo \`sh\`, sem passar pelo banco) em ${
      temp.startsWith(PASTA_EM_MEMORIA)
        ? `${PASTA_EM_MEMORIA} (tmpfs: mede o servidor, não a devolução de páginas sujas ao disco virtual, que disputa os mesmos núcleos)`
        : "uma pasta temporária"
    }. Depois de cada execução, o banco confere com \`grep -c\` que cada mensagem confirmada foi escrita no arquivo, e o esvazia.`,
    "O gerador de carga (bench/gerador.ts) roda num processo `deno` próprio. Vazão: cada conexão codifica um lote de ~256 KiB de quadros com `codificarMensagem` (lib/protocolo/codec.ts) e só renumera o lote a cada escrita pela `Conexao` (lib/conexao.ts); até 4 MiB por conexão ficam sem confirmação; as confirmações cumulativas são lidas com o `Decodificador`. O tempo vai do início do envio até a última confirmação.",
    "MB/s conta os quadros inteiros no fio (cabeçalho de 5 bytes + 16 fixos + assunto + texto; 121 bytes para a mensagem de 100 bytes), em 10⁶ bytes por segundo.",
    "Linhas de base, na mesma rodada e intercaladas com o servidor: (a) receptor TCP cru que lê e descarta (bench/linha_de_base/receptor_cru.ts; o gerador manda os mesmos bytes sem saudação e espera o receptor ler tudo); (b) analisador mínimo do prefixo de comprimento com uma confirmação por leitura (receptor_quadros.ts); (c) `deno run` de um script vazio (vazio.ts); (d) pingue-pongue TCP cru (pingue.ts). As bases (a) e (b) também são limitadas pelo próprio gerador e pela cópia no loopback do kernel: são pisos do teto verdadeiro.",
    `Latência: \`Cliente.enviar\` (lib/cliente/sessao.ts) e espera a confirmação, uma por vez, depois de um aquecimento; a base é a mesma ida e volta (121 bytes vão, 9 voltam) em TCP cru. ${config.execucoesLatencia} execuções de cada lado, intercaladas: o p99 desta máquina varia ±30% entre execuções.`,
    "Ociosos: `Cliente.conectar` (saudação completa) de todos os clientes num processo, com `ulimit -n` elevado no servidor e no gerador; RSS é o VmRSS de /proc/PID/status do servidor antes (depois de um cliente de aquecimento) e depois de todos conectados, dividido pelo número de clientes.",
    "Cliente de uma mensagem: `cliente.ts --assunto x --texto y` com as permissões da tarefa `cliente`, do início do processo ao fim, cronometrado por este processo; o pico de memória vem de `/usr/bin/time -f %M` (quando existe).",
  );
  if (config.rapido) {
    notas.unshift(
      "Modo rápido: execuções curtas e poucos clientes; serve só para ver que tudo funciona, não para comparar com os alvos.",
    );
  }

  const relatorio: Relatorio = {
    data: dataLocal(),
    modo: config.rapido ? "rapido" : "completo",
    cenariosEscolhidos: escolhidos && [...escolhidos].sort((a, b) => a - b),
    duracaoTotalS: (performance.now() - inicio) / 1000,
    maquina: await lerMaquina(),
    codigo,
    parametros: {
      ...(config.rapido ? RAPIDO : COMPLETO),
      mensagemPequena: PEQUENA,
      mensagemGrande: GRANDE,
      tamanhoMaximoGrande: LIMITE_GRANDE,
      permissoesServidor: permissoesDaTarefa("servidor"),
      permissoesCliente: permissoesDaTarefa("cliente"),
    },
    linhas,
    notas,
    perfil,
    cenarios,
  };
  const arquivos = await escrever(relatorio, pastaSaida);
  console.log(`\nresultados: ${arquivos.join(", ")}`);
  console.log(
    `duração total: ${numero(relatorio.duracaoTotalS, 1)} s${
      falhas ? `; ${falhas} cenário(s) falharam` : ""
    }`,
  );
  return falhas > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
