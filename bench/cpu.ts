/**
 * O tempo de CPU de um processo medido (o servidor, o nats-server), para a
 * figura "CPU por mensagem": soma, fio a fio, o primeiro campo de
 * `/proc/PID/task/TID/schedstat` (ns em CPU, de cada fio: o laço de eventos,
 * os fios do tokio e do V8) e lê também utime + stime de `/proc/PID/stat`
 * (todos os fios, vivos ou já terminados, em tiques de `getconf CLK_TCK`).
 * A diferença entre duas leituras usa o schedstat (resolução de ns) e cai
 * para o stat quando fios terminaram no meio e levaram consigo o seu tempo.
 *
 * @module
 */

import { rodar } from "./processos.ts";

/** Uma leitura do tempo de CPU de um processo. */
export interface LeituraCpu {
  /** ns em CPU de cada fio vivo, por TID (schedstat). */
  porFio: Map<number, number>;
  /** utime + stime de todos os fios, em ns (resolução de um tique). */
  statNs: number;
}

/** Quanto CPU um processo gastou entre duas leituras. */
export interface CpuGasto {
  /** O tempo escolhido, em ns. */
  ns: number;
  /** De onde veio: schedstat (ns) ou stat (tiques). */
  fonte: "schedstat" | "stat";
  schedstatNs: number;
  statNs: number;
}

let nsPorTique: number | undefined;

/** ns por tique do relógio (`getconf CLK_TCK`, quase sempre 100/s). */
async function lerNsPorTique(): Promise<number> {
  if (nsPorTique === undefined) {
    const tiques = Number(await rodar("getconf", ["CLK_TCK"]).catch(() => ""));
    nsPorTique = 1e9 / (tiques > 0 ? tiques : 100);
  }
  return nsPorTique;
}

/**
 * Lê stat e o schedstat de cada fio numa só chamada de `sh` (o Deno só lê
 * /proc/PID com `--allow-all`). A linha de cada fio sai como `TID ns ...`.
 */
export async function lerCpu(pid: number): Promise<LeituraCpu> {
  const porTique = await lerNsPorTique();
  const texto = await rodar("sh", [
    "-c",
    'cat "/proc/$1/stat"; for f in /proc/"$1"/task/*; do ' +
    'echo "${f##*/} $(cat "$f/schedstat" 2>/dev/null)"; done',
    "sh",
    String(pid),
  ]);
  const [stat, ...fios] = texto.split("\n");
  // Os campos depois do nome entre parênteses (que pode ter espaços):
  // utime e stime são o 14º e o 15º do arquivo, o 12º e o 13º daqui.
  const campos = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const statNs = (Number(campos[11]) + Number(campos[12])) * porTique;
  if (!Number.isFinite(statNs)) throw new Error(`/proc/${pid}/stat ilegível`);
  const porFio = new Map<number, number>();
  for (const linha of fios) {
    const [tid, ns] = linha.split(" ");
    if (ns !== undefined && ns !== "") porFio.set(Number(tid), Number(ns));
  }
  return { porFio, statNs };
}

/**
 * O CPU gasto entre `antes` e `depois`: a soma das diferenças por fio
 * (um fio novo conta desde zero); se o stat mostrar mais de dois tiques além
 * disso, fios terminaram no meio, e vale o stat.
 */
export function cpuEntre(antes: LeituraCpu, depois: LeituraCpu): CpuGasto {
  let schedstatNs = 0;
  for (const [tid, ns] of depois.porFio) {
    schedstatNs += ns - (antes.porFio.get(tid) ?? 0);
  }
  const statNs = depois.statNs - antes.statNs;
  const tique = nsPorTique ?? 1e7;
  const fonte = depois.porFio.size === 0 || statNs > schedstatNs + 2 * tique
    ? "stat"
    : "schedstat";
  return {
    ns: fonte === "stat" ? statNs : schedstatNs,
    fonte,
    schedstatNs,
    statNs,
  };
}

/** Mede o CPU de `pid` enquanto `medir` roda. */
export async function comCpu<T>(
  pid: number,
  medir: () => Promise<T>,
): Promise<{ valor: T; cpu: CpuGasto }> {
  const antes = await lerCpu(pid);
  const valor = await medir();
  return { valor, cpu: cpuEntre(antes, await lerCpu(pid)) };
}
