/**
 * Cenário 2: mensagens de 64 KiB (o limite do servidor) por uma conexão,
 * medidas como a vazão do cenário 1; o alvo é uma fração do receptor cru.
 *
 * @module
 */

import { GRANDE, LIMITE_GRANDE } from "../configuracao.ts";
import { faixa, numero } from "../estatistica.ts";
import { faixaCpu } from "../intercalado.ts";
import { type Cenario, razao } from "./cenario.ts";
import { medirVazao } from "./vazao.ts";

/** Alvo da issue 6: MB/s do servidor sobre os do receptor cru. */
const ALVO_RAZAO_GRANDE = 0.3;

/** 2. Mensagens de 64 KiB, 1 conexão. */
export const grandes: Cenario = {
  numero: 2,
  chave: "grandes",
  titulo: () => "2. Mensagens de 64 KiB, 1 conexão",
  async executar(config, temp) {
    const r = await medirVazao(
      config,
      temp,
      "grandes",
      1,
      GRANDE,
      LIMITE_GRANDE,
    );
    const mb = r.mbPorS;
    const proporcao = mb.servidor.mediana / mb.cru.mediana;
    return {
      resultado: r,
      linha: {
        cenario: "2. Mensagens de 64 KiB, 1 conexão",
        figura: `${faixa(mb.servidor, 1)} MB/s (${
          faixa(r.msgsPorS.servidor)
        } msg/s); CPU/msg ${faixaCpu(r.cpuPorMsgNs.servidor)}${
          r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"
        }`,
        base: `receptor cru: ${
          faixa(mb.cru, 0)
        } MB/s; quadros + confirmações: ${numero(mb.quadros.mediana, 0)} MB/s`,
        razao: `${razao(mb.servidor.mediana, mb.cru.mediana)} do cru; ${
          razao(mb.servidor.mediana, mb.quadros.mediana)
        } de quadros`,
        alvo: `≥ ${numero(ALVO_RAZAO_GRANDE, 1)}× do cru`,
        atende: proporcao >= ALVO_RAZAO_GRANDE && r.conferido,
      },
    };
  },
};
