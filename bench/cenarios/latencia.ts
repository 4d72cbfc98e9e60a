/**
 * Cenário 3: latência. Uma mensagem de 100 bytes por vez, esperando a
 * confirmação, contra o pingue-pongue TCP cru da mesma ida e volta; várias
 * execuções intercaladas, porque o p99 varia muito de uma para outra.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { PEQUENA } from "../configuracao.ts";
import { cpuEntre, lerCpu } from "../cpu.ts";
import { faixa, numero, percentil, resumir } from "../estatistica.ts";
import { faixaCpu } from "../intercalado.ts";
import {
  conferirSaida,
  type Escutando,
  gerar,
  iniciarBase,
  iniciarServidor,
  tamanhoDoQuadro,
} from "../medicao.ts";
import type { Config } from "../configuracao.ts";
import { type Cenario, razao } from "./cenario.ts";

/** Alvo da issue 6: p99 do servidor sobre o do pingue-pongue cru. */
const ALVO_RAZAO_P99 = 1.3;

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
    const cpuPorIdaEVoltaNs: number[] = [];
    for (let i = 0; i < config.execucoesLatencia; i++) {
      for (const alvo of alvos) {
        const cpuAntes = await lerCpu(alvo.processo.pid);
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
          const cpu = cpuEntre(cpuAntes, await lerCpu(alvo.processo.pid));
          cpuPorIdaEVoltaNs.push(cpu.ns / total);
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
      cpuPorIdaEVoltaNs: resumir(cpuPorIdaEVoltaNs),
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

/** 3. Latência (alvo: p99 ≤ `ALVO_RAZAO_P99`× do cru). */
export const latencia: Cenario = {
  numero: 3,
  chave: "latencia",
  titulo: (config) =>
    `3. Latência, ${numero(config.vezesLatencia)} idas e voltas`,
  async executar(config, temp) {
    const r = await medirLatencia(config, temp);
    return {
      resultado: r,
      linha: {
        cenario: `3. Latência, ${numero(config.vezesLatencia)} idas e voltas`,
        figura: `p50 ${faixa(r.servidor.p50)} µs; p99 ${
          faixa(r.servidor.p99)
        } µs; máx ${faixa(r.servidor.max)} µs; CPU por ida e volta ${
          faixaCpu(r.cpuPorIdaEVoltaNs)
        }${r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"}`,
        base: `pingue-pongue cru: p50 ${numero(r.pingue.p50.mediana)} µs; p99 ${
          faixa(r.pingue.p99)
        } µs; máx ${numero(r.pingue.max.mediana)} µs`,
        razao: `p99: ${razao(r.servidor.p99.mediana, r.pingue.p99.mediana)}`,
        alvo: `p99 ≤ ${numero(ALVO_RAZAO_P99, 1)}× do cru`,
        atende: r.servidor.p99.mediana <=
            ALVO_RAZAO_P99 * r.pingue.p99.mediana && r.conferido,
      },
    };
  },
};
