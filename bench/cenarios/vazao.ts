/**
 * Cenário 1 (e a medida que o cenário 2 reusa): vazão. O gerador manda
 * mensagens por N conexões durante um tempo fixo ao servidor e às duas linhas
 * de base (receptor cru e receptor de quadros), intercalados; cada execução do
 * servidor é conferida no arquivo de saída.
 *
 * @module
 */

import { type Config, PEQUENA } from "../configuracao.ts";
import { faixa, numero, type Resumo } from "../estatistica.ts";
import {
  type Alvo,
  faixaCpu,
  type Gerado,
  type Intercalado,
  intercalar,
  pararAlvos,
} from "../intercalado.ts";
import {
  conferirSaida,
  type Escutando,
  type Formato,
  gerar,
  iniciarBase,
  iniciarServidor,
  tamanhoDoQuadro,
} from "../medicao.ts";
import type { Linha } from "../relatorio.ts";
import { type Cenario, razao } from "./cenario.ts";

/** Alvo da issue 6 para 8 conexões. */
const ALVO_VAZAO_8 = 1_200_000;

/** O resultado de uma medida de vazão, por alvo (servidor, cru, quadros). */
export interface ResultadoVazao {
  conexoes: number;
  bytesPorQuadro: number;
  execucoes: Intercalado["execucoes"];
  msgsPorS: Record<string, Resumo>;
  mbPorS: Record<string, Resumo>;
  /** ns de CPU do processo medido por mensagem. */
  cpuPorMsgNs: Record<string, Resumo>;
  conferido: boolean;
}

/** A carga de vazão: quantas conexões, que mensagem, com ou sem TLS. */
export interface Carga {
  conexoes: number;
  bytes: { assunto: number; texto: number };
  /** A CA em que o gerador confia para conectar com TLS. */
  tlsCa?: string;
}

/**
 * Um alvo de vazão para `intercalar`: o gerador no modo `vazao` contra
 * `escutando`; com `arquivo`, é o servidor, e a saída é conferida (no
 * `formato` dela); sem, uma linha de base crua (`cru`) ou de quadros.
 */
export function alvoDeVazao(
  nome: string,
  escutando: Escutando,
  carga: Carga,
  opcoes: { arquivo?: string; formato?: Formato; cru?: boolean } = {},
): Alvo {
  const { arquivo, formato } = opcoes;
  return {
    nome,
    processo: escutando.processo,
    async gerar(duracaoMs) {
      const r = await gerar(
        [
          "vazao",
          "--porta",
          String(escutando.porta),
          "--conexoes",
          String(carga.conexoes),
          "--assunto",
          String(carga.bytes.assunto),
          "--texto",
          String(carga.bytes.texto),
          "--duracao",
          String(duracaoMs),
          ...(opcoes.cru ? ["--cru"] : []),
          ...(carga.tlsCa ? ["--tls-ca", carga.tlsCa] : []),
        ],
        duracaoMs + 120_000,
        carga.tlsCa ? [carga.tlsCa] : [],
      );
      return {
        mensagens: r.mensagens as number,
        ms: r.ms as number,
        bytes: r.bytesQuadros as number,
      };
    },
    ...(arquivo
      ? {
        conferir: (g: Gerado) =>
          conferirSaida(arquivo, g.mensagens, carga.conexoes, formato),
      }
      : {}),
  };
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
  const carga = { conexoes, bytes };
  const alvos: Alvo[] = [];
  try {
    const servidor = await iniciarServidor(
      ["--tamanho-maximo", String(tamanhoMaximo)],
      arquivo,
    );
    alvos.push(alvoDeVazao("servidor", servidor, carga, { arquivo }));
    const cru = await iniciarBase("receptor_cru.ts", []);
    alvos.push(alvoDeVazao("cru", cru, carga, { cru: true }));
    const quadros = await iniciarBase("receptor_quadros.ts", [
      "--tamanho-maximo",
      String(tamanhoMaximo),
    ]);
    alvos.push(alvoDeVazao("quadros", quadros, carga));
    const r = await intercalar(config, nome, alvos);
    return {
      conexoes,
      bytesPorQuadro: tamanhoDoQuadro(bytes),
      execucoes: r.execucoes,
      msgsPorS: r.porS,
      mbPorS: r.mbPorS,
      cpuPorMsgNs: r.cpuPorMsgNs,
      conferido: r.conferido,
    };
  } finally {
    await pararAlvos(alvos);
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
    figura: `${faixa(msgs.servidor)} msg/s; ${
      faixa(mb.servidor, 1)
    } MB/s; CPU/msg ${faixaCpu(r.cpuPorMsgNs.servidor)}${
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
