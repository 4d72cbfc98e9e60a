/**
 * Cenário 7: a saída para pessoas. O servidor no modo padrão (sem `--json`),
 * com a saída padrão num arquivo, recebe a carga do cenário 1 com 8 conexões;
 * a base é o mesmo servidor com `--json`, na mesma rodada e intercalado. A
 * figura é o CPU do processo servidor por mensagem.
 *
 * @module
 */

import { PEQUENA } from "../configuracao.ts";
import { faixa, numero } from "../estatistica.ts";
import { type Alvo, faixaCpu, intercalar, pararAlvos } from "../intercalado.ts";
import { iniciarServidor, LEGIVEL } from "../medicao.ts";
import { type Cenario, razao } from "./cenario.ts";
import { alvoDeVazao } from "./vazao.ts";

/** Alvo da issue 18: CPU/msg da saída legível sobre o da saída `--json`. */
const ALVO_RAZAO_LEGIVEL = 1.25;
const TITULO = "7. Saída para pessoas (sem `--json`), 100 B, 8 conexões";

/** 7. Saída legível contra `--json`. */
export const legivel: Cenario = {
  numero: 7,
  chave: "legivel",
  titulo: () => TITULO,
  async executar(config, temp) {
    const carga = { conexoes: 8, bytes: PEQUENA };
    const alvos: Alvo[] = [];
    try {
      const arquivoLegivel = `${temp}/legivel.txt`;
      alvos.push(
        alvoDeVazao(
          "legivel",
          await iniciarServidor([], arquivoLegivel, { legivel: true }),
          carga,
          { arquivo: arquivoLegivel, formato: LEGIVEL },
        ),
      );
      const arquivoJson = `${temp}/legivel-json.jsonl`;
      alvos.push(
        alvoDeVazao(
          "json",
          await iniciarServidor([], arquivoJson),
          carga,
          { arquivo: arquivoJson },
        ),
      );
      const r = await intercalar(config, "legível", alvos, true);
      const cpu = r.cpuPorMsgNs;
      return {
        resultado: r,
        linha: {
          cenario: TITULO,
          figura: `CPU/msg ${faixaCpu(cpu.legivel)}; ${
            faixa(r.porS.legivel)
          } msg/s${r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"}`,
          base: `\`--json\`: CPU/msg ${faixaCpu(cpu.json)}; ${
            numero(r.porS.json.mediana)
          } msg/s`,
          razao: razao(cpu.legivel.mediana, cpu.json.mediana),
          alvo: `CPU/msg ≤ ${numero(ALVO_RAZAO_LEGIVEL, 2)}× do \`--json\``,
          atende: cpu.legivel.mediana <=
              ALVO_RAZAO_LEGIVEL * cpu.json.mediana && r.conferido,
        },
      };
    } finally {
      await pararAlvos(alvos);
    }
  },
};
