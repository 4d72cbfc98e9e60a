/**
 * Cenário 10: o formato de texto do cliente original em Python. O gerador
 * manda, por 8 conexões, os blocos crus de `codificarBlocoLegado`
 * (lib/protocolo/legado.ts) e, no fim, CODIGO_SAIDA; como o cliente original
 * não recebe confirmação, o tempo vai até o arquivo de saída `--json` do
 * servidor ter todas as mensagens (o gerador conta as linhas de mensagem à
 * medida que chegam). Cada conexão fecha logo depois de CODIGO_SAIDA, como o
 * cliente.py. A base é o caminho do protocolo, a carga do cenário 1 com 8
 * conexões, no mesmo servidor, intercalada.
 *
 * @module
 */

import { PEQUENA } from "../configuracao.ts";
import { faixa, numero } from "../estatistica.ts";
import { type Alvo, faixaCpu, intercalar, pararAlvos } from "../intercalado.ts";
import {
  conferirSaida,
  type Escutando,
  gerar,
  iniciarServidor,
} from "../medicao.ts";
import { type Cenario, razao } from "./cenario.ts";
import { alvoDeVazao } from "./vazao.ts";

/** Alvo da issue 18: msg/s do texto original sobre as do protocolo. */
const ALVO_RAZAO_LEGADO = 0.5;
const CONEXOES = 8;
const TITULO = "10. Texto do cliente original, 100 B, 8 conexões";

/** O gerador no modo `legado` como alvo de `intercalar`. */
function alvoLegado(escutando: Escutando, arquivo: string): Alvo {
  return {
    nome: "legado",
    processo: escutando.processo,
    async gerar(duracaoMs) {
      const r = await gerar(
        [
          "legado",
          "--porta",
          String(escutando.porta),
          "--conexoes",
          String(CONEXOES),
          "--assunto",
          String(PEQUENA.assunto),
          "--texto",
          String(PEQUENA.texto),
          "--duracao",
          String(duracaoMs),
          "--arquivo",
          arquivo,
        ],
        duracaoMs + 120_000,
        [arquivo],
      );
      return {
        mensagens: r.mensagens as number,
        ms: r.ms as number,
        bytes: r.bytesBlocos as number,
      };
    },
    // Só as mensagens: o cliente fecha logo depois de CODIGO_SAIDA, com a
    // saída do servidor ainda lotada, e o "saiu" pode virar um aviso de
    // omitidos (escrito no evento seguinte); o gerador já esperou as linhas.
    conferir: (g) => conferirSaida(arquivo, g.mensagens, 0),
  };
}

/** 10. Texto do cliente original contra o protocolo. */
export const legado: Cenario = {
  numero: 10,
  chave: "legado",
  titulo: () => TITULO,
  async executar(config, temp) {
    const arquivo = `${temp}/legado.jsonl`;
    const alvos: Alvo[] = [];
    try {
      const servidor = await iniciarServidor([], arquivo);
      alvos.push(alvoLegado(servidor, arquivo));
      alvos.push(
        alvoDeVazao("protocolo", servidor, {
          conexoes: CONEXOES,
          bytes: PEQUENA,
        }, { arquivo }),
      );
      const r = await intercalar(config, "legado", alvos, true);
      const s = r.porS;
      return {
        resultado: r,
        linha: {
          cenario: TITULO,
          figura: `${faixa(s.legado)} msg/s (até escritas); CPU/msg ${
            faixaCpu(r.cpuPorMsgNs.legado)
          }${r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"}`,
          base: `protocolo: ${faixa(s.protocolo)} msg/s; CPU/msg ${
            faixaCpu(r.cpuPorMsgNs.protocolo)
          }`,
          razao: razao(s.legado.mediana, s.protocolo.mediana),
          alvo: `≥ ${numero(ALVO_RAZAO_LEGADO, 1)}× do protocolo`,
          atende: s.legado.mediana >= ALVO_RAZAO_LEGADO * s.protocolo.mediana &&
            r.conferido,
        },
      };
    } finally {
      await pararAlvos(alvos);
    }
  },
};
