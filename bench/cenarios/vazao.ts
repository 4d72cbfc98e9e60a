/**
 * Cenário 1 (e a medida que o cenário 2 reusa): vazão. O gerador manda
 * mensagens por N conexões durante um tempo fixo ao servidor e às duas linhas
 * de base (receptor cru e receptor de quadros), intercalados; cada execução do
 * servidor é conferida no arquivo de saída.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { type Config, PEQUENA } from "../configuracao.ts";
import { faixa, numero, resumir, type Resumo } from "../estatistica.ts";
import {
  conferirSaida,
  type Escutando,
  gerar,
  iniciarBase,
  iniciarServidor,
  tamanhoDoQuadro,
} from "../medicao.ts";
import type { Linha } from "../relatorio.ts";
import { type Cenario, razao } from "./cenario.ts";

/** Alvo da issue 6 para 8 conexões. */
const ALVO_VAZAO_8 = 1_200_000;

interface ExecucaoVazao {
  mensagens: number;
  ms: number;
  msgsPorS: number;
  mbPorS: number;
  /** Mensagens que o servidor escreveu na saída (só para o servidor). */
  escritas?: number;
}

/** O resultado de uma medida de vazão, por alvo (servidor, cru, quadros). */
export interface ResultadoVazao {
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

/** Mede a vazão do servidor e das linhas de base, intercalados. */
export async function medirVazao(
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

/** 1. Vazão, 100 B, 1 conexão (sem alvo). */
export const vazao1: Cenario = {
  numero: 1,
  chave: "vazao1",
  titulo: () => "1. Vazão, 100 B, 1 conexão",
  async executar(config, temp) {
    const r = await medirVazao(config, temp, "vazao-1", 1, PEQUENA, 1024);
    return {
      resultado: r,
      linha: linhasDaVazao("1. Vazão, 100 B, 1 conexão", r, {
        texto: "—",
        atende: null,
      }),
    };
  },
};

/** 1. Vazão, 100 B, 8 conexões (alvo: `ALVO_VAZAO_8` msg/s). */
export const vazao8: Cenario = {
  numero: 1,
  chave: "vazao8",
  titulo: () => "1. Vazão, 100 B, 8 conexões",
  async executar(config, temp) {
    const r = await medirVazao(config, temp, "vazao-8", 8, PEQUENA, 1024);
    return {
      resultado: r,
      linha: linhasDaVazao("1. Vazão, 100 B, 8 conexões", r, {
        texto: `≥ ${numero(ALVO_VAZAO_8)} msg/s`,
        atende: r.msgsPorS.servidor.mediana >= ALVO_VAZAO_8 && r.conferido,
      }),
    };
  },
};
