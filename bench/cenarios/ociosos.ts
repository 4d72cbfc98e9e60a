/**
 * Cenário 4: clientes ociosos. O gerador conecta milhares de clientes (com a
 * saudação completa) e os deixa parados; mede a memória do servidor por
 * conexão e se um cliente novo ainda é atendido depressa (sondas).
 *
 * @module
 */
// deno-lint-ignore-file no-console

import {
  type Config,
  LIMITE_ARQUIVOS,
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
      const cpuAntes = await lerCpu(servidor.processo.pid);
      await gerador.escrever("conectar");
      const conectados = await esperarFase(gerador, "conectados", 600_000);
      const cpu = cpuEntre(cpuAntes, await lerCpu(servidor.processo.pid));
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
        cpuPorConexaoNs: cpu.ns / (conectados.clientes as number),
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
    cpuPorConexaoNs: resumir(execucoes.map((e) => e.cpuPorConexaoNs)),
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
          } ms, máx ${numero(r.sondaMaxMs, 2)} ms`,
        base: "—",
        razao: "—",
        alvo: `≤ ${ALVO_KIB_POR_CONEXAO} KiB/conexão e continua aceitando`,
        atende: r.kibPorConexao.mediana <= ALVO_KIB_POR_CONEXAO &&
          Number.isFinite(r.sondaMaxMs),
      },
    };
  },
};
