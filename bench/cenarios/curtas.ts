/**
 * Cenário 9: muitas conexões curtas. 64 clientes ao mesmo tempo (num processo
 * gerador), cada um repetindo conectar → saudação → uma mensagem →
 * confirmação → CODIGO_SAIDA; conta as sessões completas por segundo. A base,
 * na mesma rodada e intercalada, é um aceitador cru em Deno que lê um quadro,
 * responde 9 bytes e fecha (bench/linha_de_base/aceitador.ts). Também daqui
 * vem o alvo das sessões TLS do cenário 8.
 *
 * @module
 */

import { faixa, numero } from "../estatistica.ts";
import {
  type Alvo,
  faixaCpu,
  type Gerado,
  intercalar,
  pararAlvos,
} from "../intercalado.ts";
import {
  conferirSaida,
  type Escutando,
  gerar,
  iniciarBase,
  iniciarServidor,
} from "../medicao.ts";
import { type Cenario, razao } from "./cenario.ts";

/** Alvo da issue 18: sessões/s do servidor sobre as do aceitador cru. */
const ALVO_RAZAO_CURTAS = 0.5;
/** Clientes ao mesmo tempo. */
export const CLIENTES_CURTOS = 64;
const TITULO =
  `9. Conexões curtas: ${CLIENTES_CURTOS} clientes, uma mensagem por sessão`;

/**
 * Um alvo de sessões curtas para `intercalar`: o gerador no modo `sessoes`;
 * com `arquivo`, é o servidor (cada sessão escreve uma mensagem e uma
 * despedida, mais a sessão de aquecimento do gerador); com `cru`, a base.
 */
export function alvoDeSessoes(
  nome: string,
  escutando: Escutando,
  opcoes: { arquivo?: string; cru?: boolean; tlsCa?: string } = {},
): Alvo {
  const { arquivo, tlsCa } = opcoes;
  return {
    nome,
    processo: escutando.processo,
    unidade: "sessões/s",
    async gerar(duracaoMs) {
      const r = await gerar(
        [
          "sessoes",
          "--porta",
          String(escutando.porta),
          "--clientes",
          String(CLIENTES_CURTOS),
          "--duracao",
          String(duracaoMs),
          ...(opcoes.cru ? ["--cru"] : []),
          ...(tlsCa ? ["--tls-ca", tlsCa] : []),
        ],
        duracaoMs + 120_000,
        tlsCa ? [tlsCa] : [],
      );
      return { mensagens: r.sessoes as number, ms: r.ms as number };
    },
    ...(arquivo
      ? {
        conferir: async (g: Gerado) =>
          await conferirSaida(arquivo, g.mensagens + 1, g.mensagens + 1) - 1,
      }
      : {}),
  };
}

/** 9. Conexões curtas contra o aceitador cru. */
export const curtas: Cenario = {
  numero: 9,
  chave: "curtas",
  titulo: () => TITULO,
  async executar(config, temp) {
    const arquivo = `${temp}/curtas.jsonl`;
    const alvos: Alvo[] = [];
    try {
      alvos.push(
        alvoDeSessoes("servidor", await iniciarServidor([], arquivo), {
          arquivo,
        }),
      );
      alvos.push(
        alvoDeSessoes("aceitador", await iniciarBase("aceitador.ts", []), {
          cru: true,
        }),
      );
      const r = await intercalar(config, "curtas", alvos, true);
      const s = r.porS;
      return {
        resultado: r,
        linha: {
          cenario: TITULO,
          figura: `${faixa(s.servidor)} sessões/s; CPU/sessão ${
            faixaCpu(r.cpuPorMsgNs.servidor)
          }${r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"}`,
          base: `aceitador cru (lê um quadro, responde 9 bytes, fecha): ${
            faixa(s.aceitador)
          } sessões/s; CPU/sessão ${faixaCpu(r.cpuPorMsgNs.aceitador)}`,
          razao: razao(s.servidor.mediana, s.aceitador.mediana),
          alvo: `≥ ${numero(ALVO_RAZAO_CURTAS, 1)}× do aceitador cru`,
          atende:
            s.servidor.mediana >= ALVO_RAZAO_CURTAS * s.aceitador.mediana &&
            r.conferido,
        },
      };
    } finally {
      await pararAlvos(alvos);
    }
  },
};
