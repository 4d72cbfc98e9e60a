/**
 * Cenário 5: o cliente de uma mensagem, processo inteiro (`cliente.ts
 * --assunto x --texto y`), do início ao fim, contra `deno run` de um script
 * vazio, intercalados. Os tempos são de processos rodados diretamente; o pico
 * de memória vem de `/usr/bin/time`, quando existe, em rodadas à parte: o
 * `time` em volta somava ~1 ms aos dois lados e achatava a razão (1,50× com
 * ele, 1,53× sem, na mesma máquina).
 *
 * @module
 */
// deno-lint-ignore-file no-console

import type { Config } from "../configuracao.ts";
import { cpuEntre, lerCpu } from "../cpu.ts";
import { faixa, numero, resumir, type Resumo } from "../estatistica.ts";
import { cpuPorMsg } from "../intercalado.ts";
import { CLIENTE, conferirSaida, iniciarServidor } from "../medicao.ts";
import { ambienteLimpo, caminho, opcoesDaTarefa } from "../processos.ts";
import { type Cenario, razao } from "./cenario.ts";

/** Alvo da issue 6: tempo do cliente sobre o do script vazio. */
const ALVO_RAZAO_PARTIDA = 1.5;

/** Rodadas de cada lado só para o pico de memória (com `/usr/bin/time`). */
const RODADAS_DE_MEMORIA = 5;

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
      ...opcoesDaTarefa("cliente"),
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
      await cronometrar(cliente, false);
      await cronometrar(vazio, false);
    }
    const partidas: Record<string, Partida[]> = { cliente: [], vazio: [] };
    // CPU do servidor por cliente: só em volta das execuções do cliente.
    let cpuServidorNs = 0;
    for (let i = 0; i < config.partidas; i++) {
      const cpuAntes = await lerCpu(processo.pid);
      partidas.cliente.push(await cronometrar(cliente, false));
      cpuServidorNs += cpuEntre(cpuAntes, await lerCpu(processo.pid)).ns;
      partidas.vazio.push(await cronometrar(vazio, false));
    }
    const picos: Record<string, Partida[]> = { cliente: [], vazio: [] };
    for (let i = 0; comTime && i < RODADAS_DE_MEMORIA; i++) {
      picos.cliente.push(await cronometrar(cliente, true));
      picos.vazio.push(await cronometrar(vazio, true));
    }
    const entregues = config.partidas + 2 +
      (comTime ? RODADAS_DE_MEMORIA : 0);
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
      /** ns de CPU do servidor por cliente atendido. */
      cpuServidorPorClienteNs: cpuServidorNs / config.partidas,
      vazioMs: resumir(partidas.vazio.map((p) => p.ms)),
      clientePicoKiB: pico(picos.cliente),
      vazioPicoKiB: pico(picos.vazio),
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

/** 5. Cliente de uma mensagem (alvo: ≤ `ALVO_RAZAO_PARTIDA`× do vazio). */
export const partida: Cenario = {
  numero: 5,
  chave: "partida",
  titulo: () => "5. Cliente de uma mensagem (processo inteiro)",
  async executar(config, temp) {
    const r = await medirPartida(config, temp);
    const notas = r.comTime ? [] : [
      "Sem /usr/bin/time nesta máquina: o pico de memória do cenário 5 não foi medido (instale com `apt-get install time`).",
    ];
    const pico = (resumo: Resumo | null) =>
      resumo ? `; pico ${numero(resumo.mediana / 1024, 1)} MiB` : "";
    return {
      resultado: r,
      notas,
      linha: {
        cenario: "5. Cliente de uma mensagem (processo inteiro)",
        figura: `${faixa(r.clienteMs, 1)} ms${
          pico(r.clientePicoKiB)
        }; CPU do servidor por cliente ${cpuPorMsg(r.cpuServidorPorClienteNs)}${
          r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"
        }`,
        base: `\`deno run\` de um script vazio: ${faixa(r.vazioMs, 1)} ms${
          pico(r.vazioPicoKiB)
        }`,
        razao: razao(r.clienteMs.mediana, r.vazioMs.mediana),
        alvo: `≤ ${numero(ALVO_RAZAO_PARTIDA, 1)}× do vazio`,
        atende: r.clienteMs.mediana <=
            ALVO_RAZAO_PARTIDA * r.vazioMs.mediana && r.conferido,
      },
    };
  },
};
