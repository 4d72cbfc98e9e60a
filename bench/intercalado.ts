/**
 * Execuções intercaladas com CPU por mensagem: cada alvo (o servidor numa
 * configuração, uma linha de base, o nats-server) roda o seu gerador por um
 * tempo fixo, uma vez para aquecer e depois `config.execucoes` vezes, em
 * rodízio; em volta de cada execução, o banco lê o CPU do processo medido
 * (bench/cpu.ts) e, no servidor, confere a saída antes da segunda leitura,
 * para que escrever a saída entre na conta.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import type { Config } from "./configuracao.ts";
import { cpuEntre, type CpuGasto, lerCpu } from "./cpu.ts";
import { numero, resumir, type Resumo } from "./estatistica.ts";
import type { Processo } from "./processos.ts";

/** O que o gerador relata de uma execução. */
export interface Gerado {
  /** Mensagens (ou sessões) completas. */
  mensagens: number;
  ms: number;
  /** Bytes no fio, quando faz sentido (MB/s). */
  bytes?: number;
}

/** Um alvo medido em rodízio com os outros. */
export interface Alvo {
  nome: string;
  processo: Processo;
  /** Roda o gerador contra o alvo por `duracaoMs`. */
  gerar(duracaoMs: number): Promise<Gerado>;
  /**
   * Espera a saída do servidor e devolve quantas mensagens foram escritas
   * (dentro da janela de CPU); ausente nas linhas de base.
   */
  conferir?(gerado: Gerado): Promise<number>;
  /** Unidade do console (padrão `msg/s`). */
  unidade?: string;
}

/** Uma execução medida. */
export interface Execucao extends Gerado {
  porS: number;
  mbPorS?: number;
  cpu: CpuGasto;
  /** ns de CPU do processo medido por mensagem (ou sessão). */
  cpuPorMsgNs: number;
  escritas?: number;
}

/** As execuções de cada alvo e os resumos. */
export interface Intercalado {
  execucoes: Record<string, Execucao[]>;
  porS: Record<string, Resumo>;
  cpuPorMsgNs: Record<string, Resumo>;
  mbPorS: Record<string, Resumo>;
  /** Toda execução do servidor escreveu o que foi confirmado. */
  conferido: boolean;
}

/** Uma execução: CPU antes, gerador, conferência, CPU depois. */
async function executar(alvo: Alvo, duracaoMs: number): Promise<Execucao> {
  const pid = alvo.processo.pid;
  const antes = await lerCpu(pid);
  const gerado = await alvo.gerar(duracaoMs);
  const escritas = alvo.conferir ? await alvo.conferir(gerado) : undefined;
  const cpu = cpuEntre(antes, await lerCpu(pid));
  return {
    ...gerado,
    porS: gerado.mensagens / (gerado.ms / 1000),
    ...(gerado.bytes === undefined
      ? {}
      : { mbPorS: gerado.bytes / gerado.ms / 1000 }),
    cpu,
    cpuPorMsgNs: cpu.ns / gerado.mensagens,
    ...(escritas === undefined ? {} : { escritas }),
  };
}

/**
 * Aquece cada alvo uma vez e mede `config.execucoes` rodadas intercaladas
 * (ou, com `ladoALado`, as dos cenários 6 a 10: `config.rodadasLadoALado`,
 * aquecendo só se `config.aquecerLadoALado`); `rotulo` vai no console.
 */
export async function intercalar(
  config: Config,
  rotulo: string,
  alvos: Alvo[],
  ladoALado = false,
): Promise<Intercalado> {
  const aquecer = ladoALado ? config.aquecerLadoALado : true;
  const rodadas = ladoALado ? config.rodadasLadoALado : config.execucoes;
  if (aquecer) {
    for (const alvo of alvos) await executar(alvo, config.aquecimentoMs);
  }
  const execucoes: Record<string, Execucao[]> = {};
  for (let i = 0; i < rodadas; i++) {
    for (const alvo of alvos) {
      const e = await executar(alvo, config.duracaoMs);
      (execucoes[alvo.nome] ??= []).push(e);
      console.log(
        `  ${rotulo} ${alvo.nome} #${i + 1}: ${numero(e.porS)} ${
          alvo.unidade ?? "msg/s"
        }, ${cpuPorMsg(e.cpuPorMsgNs)} de CPU cada${
          e.mbPorS === undefined ? "" : `, ${numero(e.mbPorS, 1)} MB/s`
        }`,
      );
    }
  }
  const resumo = (campo: "porS" | "cpuPorMsgNs" | "mbPorS") =>
    Object.fromEntries(
      Object.entries(execucoes)
        .filter(([, lista]) => lista.every((e) => e[campo] !== undefined))
        .map(([nome, lista]) => [nome, resumir(lista.map((e) => e[campo]!))]),
    );
  return {
    execucoes,
    porS: resumo("porS"),
    cpuPorMsgNs: resumo("cpuPorMsgNs"),
    mbPorS: resumo("mbPorS"),
    conferido: Object.values(execucoes).flat().every((e) =>
      e.escritas === undefined || e.escritas === e.mensagens
    ),
  };
}

/** CPU por mensagem legível: ns abaixo de 10 µs, µs acima. */
export function cpuPorMsg(ns: number): string {
  return ns < 10_000 ? `${numero(ns)} ns` : `${numero(ns / 1000, 1)} µs`;
}

/** "mediana (mín–máx)" de CPU por mensagem. */
export function faixaCpu(resumo: Resumo): string {
  return `${cpuPorMsg(resumo.mediana)} (${cpuPorMsg(resumo.minimo)}–${
    cpuPorMsg(resumo.maximo)
  })`;
}

/** Para todos os alvos já iniciados. */
export async function pararAlvos(
  alvos: { processo: Processo }[],
): Promise<void> {
  await Promise.all(alvos.map((alvo) => alvo.processo.parar()));
}
