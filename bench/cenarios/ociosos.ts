/**
 * Cenário 4: clientes ociosos. O gerador conecta milhares de clientes (com a
 * saudação completa) e os deixa parados; mede a memória do servidor por
 * conexão e se um cliente novo ainda é atendido depressa (sondas). Depois,
 * `config.rajadas` deles mandam cada um uma rajada de `BYTES_RAJADA` (em
 * mensagens de 64 KiB) e param de novo, em duas metades: a memória por
 * conexão depois das rajadas, e quanto a segunda metade acrescentou por
 * conexão, com o que as rajadas deixam para o processo todo (reservas, o pico
 * do alocador, a geração nova do V8 crescida de novo) já alcançado pela
 * primeira (issue 15, item 5).
 *
 * A RSS logo depois de conectar não é só das conexões: enquanto elas chegam,
 * o V8 aumenta a geração nova (o semiespaço) de ~2,5 MiB para ~26 MiB depois
 * de 5.000 conexões, 41–50 MiB depois de 10.000 e ~52 MiB (o teto) depois de
 * 15.000 — um custo fixo, que não cresce além disso, e temporário: ~30 s
 * depois, com as conexões ainda paradas, o redutor de memória do V8 a devolve
 * (fica em ~1 MiB). Dividido por 10.000, isso eram 4–5 KiB "por conexão", e a
 * figura variava de uma execução para outra com o tamanho a que a geração nova
 * tinha chegado (8,9–10,8 KiB). Medir em duas metades não resolve: a geração
 * nova ainda cresce durante a segunda. Por isso o alvo vale para a RSS por
 * conexão com o heap assentado: o banco espera (até `config.esperaAssentarMs`)
 * a RSS cair `QUEDA_ASSENTAR_KIB` abaixo do pico, e mede. A figura logo depois
 * de conectar continua na tabela, com o que o V8 devolveu. Conferido à parte
 * que a assentada não esconde um custo por conexão: com 19.800 clientes ela
 * fica em 5,2–5,3 KiB por conexão, contra 6,0 com 10.000 (as 9.800 a mais
 * custaram ~4,5 KiB cada: o resto ainda é fixo; medido antes do bloco
 * compartilhado de leitura de lib/conexao.ts, que tirou ~0,4 KiB da assentada
 * com 10.000, de 6,0 para 5,6), e 5.000 conexões a mais
 * depois que a geração nova chegou ao teto (de 15.000 para 20.000)
 * acrescentaram 5,6–6,0 KiB cada, RSS logo depois de conectar.
 *
 * As rajadas começam do heap assentado: a geração nova cresce de novo durante
 * elas, e parte disso cai na segunda metade, então o marginal das rajadas
 * ficou mais alto e mais variável (2,0–9,9 KiB em 9 execuções; antes de
 * assentar, −0,6–5,4): é um limite de cima do custo por rajada.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import {
  BYTES_RAJADA,
  type Config,
  LIMITE_ARQUIVOS,
  LIMITE_GRANDE,
  PRAZO_PRONTO_MS,
} from "../configuracao.ts";
import { cpuEntre, lerCpu } from "../cpu.ts";
import { faixa, numero, percentil, resumir } from "../estatistica.ts";
import { faixaCpu } from "../intercalado.ts";
import { type Escutando, GERADOR, iniciarServidor } from "../medicao.ts";
import { limiteDeArquivos, memoriaKiB, Processo } from "../processos.ts";
import type { Cenario } from "./cenario.ts";

/** Alvo da issue 6: KiB de RSS do servidor por conexão ociosa. */
const ALVO_KIB_POR_CONEXAO = 10;
/**
 * Queda da RSS que mostra o V8 devolvendo a geração nova (~40–50 MiB depois
 * de 10.000 conexões; as coletas comuns de um servidor parado mexem em poucos
 * MiB).
 */
const QUEDA_ASSENTAR_KIB = 16 * 1024;
/** Intervalo entre as leituras da RSS enquanto o heap assenta. */
const AMOSTRA_ASSENTAR_MS = 1000;
/**
 * Leituras depois da queda: o redutor de memória faz até três coletas, meio
 * segundo uma da outra.
 */
const AMOSTRAS_DEPOIS_DA_QUEDA = 2;

interface ExecucaoOciosos {
  clientes: number;
  rssAntesKiB: number;
  rssDepoisKiB: number;
  /** (RSS logo depois de conectar − RSS antes) / clientes. */
  kibPorConexao: number;
  /** A maior RSS enquanto o heap assentava (com a de logo depois). */
  rssPicoKiB: number;
  rssAssentadaKiB: number;
  /** O V8 devolveu a geração nova dentro do prazo. */
  assentou: boolean;
  /** Tempo ocioso até a RSS assentada. */
  msAssentar: number;
  /** (RSS assentada − RSS antes) / clientes: o que o alvo julga. */
  kibPorConexaoAssentada: number;
  /** MiB que o V8 devolveu: pico − assentada. */
  mibDevolvidos: number;
  msParaConectar: number;
  /** ns de CPU do servidor por cliente conectado (conectar e saudar). */
  cpuPorConexaoNs: number;
  sondasMs: number[];
  /** Clientes que mandaram uma rajada (metade de cada vez). */
  rajadas: number;
  /** Com o heap assentado e depois das sondas. */
  rssAntesRajadasKiB: number;
  rssMeioKiB: number;
  rssFimKiB: number;
  /** (RSS depois das rajadas − RSS antes de conectar) / clientes. */
  kibPorConexaoAposRajadas: number;
  /** KiB por conexão que a segunda metade das rajadas acrescentou. */
  kibPorRajadaMarginal: number;
  /** MiB que as rajadas deixaram além do marginal (o do processo). */
  mibDoProcesso: number;
}

/**
 * Com as conexões paradas, lê a RSS a cada `AMOSTRA_ASSENTAR_MS` até ela cair
 * `QUEDA_ASSENTAR_KIB` abaixo do pico (e mais `AMOSTRAS_DEPOIS_DA_QUEDA`
 * leituras) ou o prazo acabar; devolve a última leitura.
 */
async function esperarAssentar(
  pid: number,
  rssInicialKiB: number,
  prazoMs: number,
): Promise<{ rssKiB: number; picoKiB: number; assentou: boolean; ms: number }> {
  const inicio = performance.now();
  let pico = rssInicialKiB;
  let rss = rssInicialKiB;
  let depoisDaQueda = -1;
  while (performance.now() - inicio < prazoMs) {
    await new Promise((pronto) => setTimeout(pronto, AMOSTRA_ASSENTAR_MS));
    rss = await memoriaKiB(pid);
    pico = Math.max(pico, rss);
    if (depoisDaQueda < 0 && rss <= pico - QUEDA_ASSENTAR_KIB) {
      depoisDaQueda = 0;
    } else if (depoisDaQueda >= 0) depoisDaQueda++;
    if (depoisDaQueda >= AMOSTRAS_DEPOIS_DA_QUEDA) {
      return {
        rssKiB: rss,
        picoKiB: pico,
        assentou: true,
        ms: performance.now() - inicio,
      };
    }
  }
  return {
    rssKiB: rss,
    picoKiB: pico,
    assentou: false,
    ms: performance.now() - inicio,
  };
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
        [
          "--max-conexoes",
          String(LIMITE_ARQUIVOS),
          "--tamanho-maximo",
          String(LIMITE_GRANDE),
        ],
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
          "--bytes-rajada",
          String(BYTES_RAJADA),
        ],
        entrada: true,
        limiteArquivos: LIMITE_ARQUIVOS,
      });
      void gerador.erros.drenar();
      await esperarFase(gerador, "pronto", PRAZO_PRONTO_MS);
      const antes = await memoriaKiB(servidor.processo.pid);
      const cpuAntes = await lerCpu(servidor.processo.pid);
      await gerador.escrever("conectar");
      const conectados = await esperarFase(gerador, "conectados", 600_000);
      const cpu = cpuEntre(cpuAntes, await lerCpu(servidor.processo.pid));
      const depois = await memoriaKiB(servidor.processo.pid);
      const assentada = await esperarAssentar(
        servidor.processo.pid,
        depois,
        config.esperaAssentarMs,
      );
      if (!assentada.assentou) {
        notas.push(
          `ociosos #${i + 1}: a RSS não caiu ${
            QUEDA_ASSENTAR_KIB / 1024
          } MiB em ${
            numero(config.esperaAssentarMs / 1000)
          } s; a figura "assentada" é a RSS do fim da espera`,
        );
      }
      await gerador.escrever("sondar");
      const sondado = await esperarFase(gerador, "sondado", 120_000);
      // A base das rajadas: o heap assentado (a geração nova pequena de novo).
      const antesRajadas = await memoriaKiB(servidor.processo.pid);
      const clientesConectados = conectados.clientes as number;
      const rajadas = Math.min(config.rajadas, clientesConectados);
      const metade = Math.floor(rajadas / 2);
      await gerador.escrever(`rajada 0 ${metade}`);
      await esperarFase(gerador, "rajada", 600_000);
      const meio = await memoriaKiB(servidor.processo.pid);
      await gerador.escrever(`rajada ${metade} ${rajadas}`);
      await esperarFase(gerador, "rajada", 600_000);
      const fim = await memoriaKiB(servidor.processo.pid);
      const marginal = (fim - meio) / (rajadas - metade);
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
        rssPicoKiB: assentada.picoKiB,
        rssAssentadaKiB: assentada.rssKiB,
        assentou: assentada.assentou,
        msAssentar: assentada.ms,
        kibPorConexaoAssentada: (assentada.rssKiB - antes) /
          (conectados.clientes as number),
        mibDevolvidos: (assentada.picoKiB - assentada.rssKiB) / 1024,
        msParaConectar: conectados.ms as number,
        cpuPorConexaoNs: cpu.ns / (conectados.clientes as number),
        sondasMs: sondado.amostrasMs as number[],
        rajadas,
        rssAntesRajadasKiB: antesRajadas,
        rssMeioKiB: meio,
        rssFimKiB: fim,
        kibPorConexaoAposRajadas: (fim - antes) / clientesConectados,
        kibPorRajadaMarginal: marginal,
        mibDoProcesso: (fim - antesRajadas - marginal * rajadas) / 1024,
      };
      execucoes.push(execucao);
      console.log(
        `  ociosos #${i + 1}: ${execucao.clientes} clientes, ${
          numero(execucao.kibPorConexao, 1)
        } KiB/conexão logo depois de conectar, ${
          numero(execucao.kibPorConexaoAssentada, 1)
        } KiB/conexão assentada (${numero(execucao.msAssentar / 1000, 0)} s, ${
          numero(execucao.mibDevolvidos, 1)
        } MiB devolvidos), sonda p50 ${
          numero(percentil(execucao.sondasMs, 50), 2)
        } ms; depois de ${execucao.rajadas} rajadas ${
          numero(execucao.kibPorConexaoAposRajadas, 1)
        } KiB/conexão (marginal ${
          numero(execucao.kibPorRajadaMarginal, 1)
        } KiB, processo ${numero(execucao.mibDoProcesso, 1)} MiB)`,
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
    kibPorConexaoAssentada: resumir(
      execucoes.map((e) => e.kibPorConexaoAssentada),
    ),
    sAssentar: resumir(execucoes.map((e) => e.msAssentar / 1000)),
    mibDevolvidos: resumir(execucoes.map((e) => e.mibDevolvidos)),
    sondaP50Ms: percentil(sondas, 50),
    sondaMaxMs: Math.max(...sondas),
    msParaConectar: resumir(execucoes.map((e) => e.msParaConectar)),
    cpuPorConexaoNs: resumir(execucoes.map((e) => e.cpuPorConexaoNs)),
    rajadas: execucoes[0]?.rajadas ?? 0,
    kibPorConexaoAposRajadas: resumir(
      execucoes.map((e) => e.kibPorConexaoAposRajadas),
    ),
    kibPorRajadaMarginal: resumir(
      execucoes.map((e) => e.kibPorRajadaMarginal),
    ),
    mibDoProcesso: resumir(execucoes.map((e) => e.mibDoProcesso)),
  };
}

/** 4. Clientes ociosos (alvo: ≤ `ALVO_KIB_POR_CONEXAO` KiB por conexão). */
export const ociosos: Cenario = {
  numero: 4,
  chave: "ociosos",
  titulo: (config) => `4. ${numero(config.ociosos)} clientes ociosos`,
  async executar(config, temp) {
    const r = await medirOciosos(config, temp);
    return {
      resultado: r,
      notas: r.notas,
      linha: {
        cenario: `4. ${numero(r.clientes)} clientes ociosos`,
        figura:
          `${
            faixa(r.kibPorConexaoAssentada, 1)
          } KiB de RSS por conexão com o heap assentado (${
            faixa(r.sAssentar, 0)
          } s depois de conectar); logo depois de conectar, ${
            faixa(r.kibPorConexao, 1)
          } KiB por conexão, com a geração nova do V8 crescida durante as conexões (${
            faixa(r.mibDevolvidos, 1)
          } MiB, devolvidos parados); ` +
          `CPU por conexão (conectar e saudar) ${
            faixaCpu(r.cpuPorConexaoNs)
          }; ` +
          `cliente novo (conectar, saudar, enviar, confirmação, sair): p50 ${
            numero(r.sondaP50Ms, 2)
          } ms, máx ${numero(r.sondaMaxMs, 2)} ms; ` +
          `depois de uma rajada de ${numero(BYTES_RAJADA / 1e6, 1)} MB em ${
            numero(r.rajadas)
          } deles: ${
            faixa(r.kibPorConexaoAposRajadas, 1)
          } KiB por conexão, dos quais ${
            faixa(r.mibDoProcesso, 1)
          } MiB do processo (não crescem com as conexões: a 2ª metade das rajadas acrescentou ${
            faixa(r.kibPorRajadaMarginal, 1)
          } KiB por conexão)`,
        base: "—",
        razao: "—",
        alvo:
          `≤ ${ALVO_KIB_POR_CONEXAO} KiB/conexão com o heap assentado (e por rajada), continua aceitando`,
        atende: r.kibPorConexaoAssentada.mediana <= ALVO_KIB_POR_CONEXAO &&
          r.kibPorRajadaMarginal.mediana <= ALVO_KIB_POR_CONEXAO &&
          Number.isFinite(r.sondaMaxMs),
      },
    };
  },
};
