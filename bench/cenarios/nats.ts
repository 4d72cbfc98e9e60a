/**
 * Cenário 6: CPU por mensagem ao lado do `nats-server`. O nosso servidor
 * (`--json`, saída num arquivo, cada mensagem confirmada e escrita) recebe a
 * carga do cenário 1 com 8 conexões; o `nats-server` do pacote Debian, na
 * mesma rodada e intercalado, recebe publicações de 100 bytes de um
 * publicador mínimo do protocolo de texto (bench/linha_de_base/
 * publicador_nats.ts), também por 8 conexões. A figura é o CPU do processo
 * servidor (todos os fios) por mensagem; a base, o do nats-server por
 * publicação. Uma terceira medida, na mesma rodada, dá o piso de quem grava:
 * o gravador cru (bench/linha_de_base/gravador_cru.ts) lê os mesmos bytes do
 * socket e grava, para cada quadro, uma linha do tamanho da nossa num arquivo
 * da mesma pasta; é o que o núcleo do sistema cobra de qualquer servidor que
 * grava (copiar as linhas para páginas novas do cache), e o nats-server não
 * paga. Sem o pacote, o cenário vira uma linha que o nomeia.
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
  iniciarBase,
  iniciarNats,
  iniciarServidor,
  tamanhoDoQuadro,
} from "../medicao.ts";
import { linhaEmBytes } from "../../lib/saida/json.ts";
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

/**
 * Bytes da linha `--json` (com a quebra) de uma mensagem da carga, como o
 * servidor a escreve nesta máquina (o fuso local entra nos instantes); o
 * número tem 7 dígitos, o de uma execução de 2 s.
 */
function bytesDaLinha(porta: number): number {
  const agora = Date.now();
  return linhaEmBytes({
    tipo: "mensagem",
    instante: agora,
    par: { endereco: "127.0.0.1", porta },
    sessao: "0".repeat(32),
    legado: false,
    mensagem: {
      numero: 1_000_000,
      instante: agora,
      fuso: -new Date(agora).getTimezoneOffset(),
      assunto: "a".repeat(PEQUENA.assunto),
      texto: "x".repeat(PEQUENA.texto),
    },
  }).length + 1;
}

/**
 * O gravador cru como alvo: o gerador no modo cru; a "conferência" conta as
 * linhas pelo tamanho do arquivo e o esvazia, como a do servidor.
 */
function alvoGravador(
  escutando: Escutando,
  arquivo: string,
  linha: number,
): Alvo {
  const cru = alvoDeVazao("gravador", escutando, {
    conexoes: CONEXOES,
    bytes: PEQUENA,
  }, { cru: true });
  return {
    ...cru,
    async conferir() {
      const { size } = await Deno.stat(arquivo);
      await Deno.truncate(arquivo, 0);
      return size / linha;
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
      const servidor = await iniciarServidor([], arquivo);
      alvos.push(alvoDeVazao("servidor", servidor, carga, { arquivo }));
      alvos.push(alvoNats(await iniciarNats(programa)));
      const gravado = `${temp}/nats-gravador.txt`;
      const linha = bytesDaLinha(servidor.porta);
      const gravador = await iniciarBase("gravador_cru.ts", [
        "--quadro",
        String(tamanhoDoQuadro(PEQUENA)),
        "--linha",
        String(linha),
      ], gravado);
      alvos.push(alvoGravador(gravador, gravado, linha));
      const r = await intercalar(config, "nats", alvos, true);
      const nosso = r.cpuPorMsgNs.servidor;
      const deles = r.cpuPorMsgNs.nats;
      const piso = r.cpuPorMsgNs.gravador;
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
          } pub/s. Piso de quem grava (gravador cru: ler o socket e gravar uma linha de ${linha} bytes por quadro, sem protocolo): ${
            faixaCpu(piso)
          }; o nosso acima dele: ${cpuPorMsg(nosso.mediana - piso.mediana)} (${
            razao(nosso.mediana - piso.mediana, deles.mediana)
          } do nats-server)`,
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
