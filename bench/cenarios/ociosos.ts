/**
 * Cenário 4: clientes ociosos. O gerador conecta milhares de clientes (com a
 * saudação completa) e os deixa parados; mede a memória do servidor por
 * conexão e se um cliente novo ainda é atendido depressa (sondas). Depois,
 * `config.rajadas` deles mandam cada um uma rajada de `BYTES_RAJADA` (em
 * mensagens de 64 KiB) e param de novo, em duas metades: a memória por
 * conexão depois das rajadas, e quanto a segunda metade acrescentou por
 * conexão, com o que as rajadas deixam para o processo todo (reservas, o pico
 * do alocador) já alcançado pela primeira (issue 15, item 5).
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

interface ExecucaoOciosos {
  clientes: number;
  rssAntesKiB: number;
  rssDepoisKiB: number;
  kibPorConexao: number;
  msParaConectar: number;
  /** ns de CPU do servidor por cliente conectado (conectar e saudar). */
  cpuPorConexaoNs: number;
  sondasMs: number[];
  /** Clientes que mandaram uma rajada (metade de cada vez). */
  rajadas: number;
  rssMeioKiB: number;
  rssFimKiB: number;
  /** (RSS depois das rajadas − RSS antes de conectar) / clientes. */
  kibPorConexaoAposRajadas: number;
  /** KiB por conexão que a segunda metade das rajadas acrescentou. */
  kibPorRajadaMarginal: number;
  /** MiB que as rajadas deixaram além do marginal (o do processo). */
  mibDoProcesso: number;
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
      await gerador.escrever("sondar");
      const sondado = await esperarFase(gerador, "sondado", 120_000);
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
        msParaConectar: conectados.ms as number,
        cpuPorConexaoNs: cpu.ns / (conectados.clientes as number),
        sondasMs: sondado.amostrasMs as number[],
        rajadas,
        rssMeioKiB: meio,
        rssFimKiB: fim,
        kibPorConexaoAposRajadas: (fim - antes) / clientesConectados,
        kibPorRajadaMarginal: marginal,
        mibDoProcesso: (fim - depois - marginal * rajadas) / 1024,
      };
      execucoes.push(execucao);
      console.log(
        `  ociosos #${i + 1}: ${execucao.clientes} clientes, ${
          numero(execucao.kibPorConexao, 1)
        } KiB/conexão, sonda p50 ${
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
        figura: `${faixa(r.kibPorConexao, 1)} KiB de RSS por conexão; ` +
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
          `≤ ${ALVO_KIB_POR_CONEXAO} KiB/conexão (e por rajada), continua aceitando`,
        atende: r.kibPorConexao.mediana <= ALVO_KIB_POR_CONEXAO &&
          r.kibPorRajadaMarginal.mediana <= ALVO_KIB_POR_CONEXAO &&
          Number.isFinite(r.sondaMaxMs),
      },
    };
  },
};
