/**
 * Cenário 6: CPU por mensagem ao lado do `nats-server`. O nosso servidor
 * (`--json`, saída num arquivo, cada mensagem confirmada e escrita) recebe a
 * carga do cenário 1 com 8 conexões; o `nats-server` do pacote Debian, na
 * mesma rodada e intercalado, recebe publicações de 100 bytes de um
 * publicador mínimo do protocolo de texto (bench/linha_de_base/
 * publicador_nats.ts), também por 8 conexões. A figura é o CPU do processo
 * servidor (todos os fios) por mensagem; a base, o do nats-server por
 * publicação. Sem o pacote, o cenário vira uma linha que o nomeia.
 *
 * @module
 */

import { PEQUENA } from "../configuracao.ts";
import { faixa, numero } from "../estatistica.ts";
import {
  type Alvo,
  cpuPorMsg,
  faixaCpu,
  intercalar,
  pararAlvos,
} from "../intercalado.ts";
import {
  acharNats,
  type Escutando,
  gerar,
  iniciarNats,
  iniciarServidor,
} from "../medicao.ts";
import { caminho } from "../processos.ts";
import { type Cenario, razao } from "./cenario.ts";
import { alvoDeVazao } from "./vazao.ts";

/** Alvo da issue 18: CPU por mensagem sobre o do nats-server por publicação. */
const ALVO_RAZAO_NATS = 1.5;
/** A meta além do alvo. */
const META_RAZAO_NATS = 1.0;
const CONEXOES = 8;
const PUBLICADOR = caminho("bench/linha_de_base/publicador_nats.ts");
const TITULO = "6. CPU por mensagem ao lado do nats-server, 100 B, 8 conexões";

/** O publicador NATS como alvo de `intercalar`. */
function alvoNats(escutando: Escutando): Alvo {
  return {
    nome: "nats",
    processo: escutando.processo,
    unidade: "pub/s",
    async gerar(duracaoMs) {
      const r = await gerar(
        [
          "--porta",
          String(escutando.porta),
          "--conexoes",
          String(CONEXOES),
          "--tamanho",
          String(PEQUENA.assunto + PEQUENA.texto),
          "--duracao",
          String(duracaoMs),
        ],
        duracaoMs + 120_000,
        [],
        PUBLICADOR,
      );
      return {
        mensagens: r.mensagens as number,
        ms: r.ms as number,
        bytes: r.bytesQuadros as number,
      };
    },
  };
}

/** 6. CPU por mensagem ao lado do nats-server. */
export const nats: Cenario = {
  numero: 6,
  chave: "nats",
  titulo: () => TITULO,
  async executar(config, temp) {
    const programa = await acharNats();
    if (!programa) {
      return {
        resultado: { pulado: "sem nats-server" },
        linha: {
          cenario: TITULO,
          figura:
            "pulado: instale o pacote Debian `nats-server` (apt-get install nats-server)",
          base: "—",
          razao: "—",
          alvo: `≤ ${numero(ALVO_RAZAO_NATS, 1)}× do nats-server`,
          atende: null,
        },
      };
    }
    const arquivo = `${temp}/nats-servidor.jsonl`;
    const carga = { conexoes: CONEXOES, bytes: PEQUENA };
    const alvos: Alvo[] = [];
    try {
      alvos.push(
        alvoDeVazao(
          "servidor",
          await iniciarServidor([], arquivo),
          carga,
          { arquivo },
        ),
      );
      alvos.push(alvoNats(await iniciarNats(programa)));
      const r = await intercalar(config, "nats", alvos, true);
      const nosso = r.cpuPorMsgNs.servidor;
      const deles = r.cpuPorMsgNs.nats;
      const proporcao = nosso.mediana / deles.mediana;
      return {
        resultado: { programa, ...r },
        linha: {
          cenario: TITULO,
          figura: `CPU/msg ${
            faixaCpu(nosso)
          } (\`--json\`, confirmada e escrita); ${
            faixa(r.porS.servidor)
          } msg/s${r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"}`,
          base: `nats-server: CPU/publicação ${faixaCpu(deles)}; ${
            numero(r.porS.nats.mediana)
          } pub/s`,
          razao: razao(nosso.mediana, deles.mediana),
          alvo: `≤ ${numero(ALVO_RAZAO_NATS, 1)}× do nats-server (meta ${
            numero(META_RAZAO_NATS, 1)
          }×: ${cpuPorMsg(deles.mediana * META_RAZAO_NATS)})`,
          atende: proporcao <= ALVO_RAZAO_NATS && r.conferido,
        },
      };
    } finally {
      await pararAlvos(alvos);
    }
  },
};
