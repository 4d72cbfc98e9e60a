/**
 * Cenário 11: vazão pelo JetStream. O nosso servidor com `--nats` (cada
 * mensagem gravada na saída e publicada no stream, confirmada ao cliente só
 * depois do JetStream) recebe a carga do cenário 1 com 8 conexões e
 * mensagens de 100 bytes; na mesma rodada, intercalado, o `nats.js`
 * publica as mesmas mensagens (a linha de `--json`, com `Nats-Msg-Id`) direto
 * no JetStream, por 8 conexões (bench/linha_de_base/publicador_jetstream.ts).
 * Os dois no mesmo `nats-server -js` (pacote Debian), em streams separados.
 * Alvo: ≥ 0,5× da vazão do nats.js. Sem o pacote, o cenário vira uma linha
 * que o nomeia.
 *
 * @module
 */

import { PEQUENA } from "../configuracao.ts";
import { faixa, numero } from "../estatistica.ts";
import { type Alvo, intercalar, pararAlvos } from "../intercalado.ts";
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

/** Alvo da issue 17: vazão por `--nats` sobre a do nats.js direto. */
const ALVO_RAZAO = 0.5;
const CONEXOES = 8;
const PUBLICADOR = caminho("bench/linha_de_base/publicador_jetstream.ts");
const TITULO =
  "12. Vazão pelo JetStream (--nats), 100 B, 8 conexões, contra o nats.js direto";

/** O nats.js publicando direto no JetStream, como alvo de `intercalar`. */
function alvoJetStream(nats: Escutando): Alvo {
  return {
    nome: "nats.js",
    processo: nats.processo,
    async gerar(duracaoMs) {
      const r = await gerar(
        [
          "--url",
          `nats://127.0.0.1:${nats.porta}`,
          "--stream",
          "BENCH_BASE",
          "--assunto",
          "bench.base.x",
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
      return { mensagens: r.mensagens as number, ms: r.ms as number };
    },
  };
}

/** 12. Vazão pelo JetStream. */
export const jetstream: Cenario = {
  numero: 12,
  chave: "jetstream",
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
          alvo: `≥ ${numero(ALVO_RAZAO, 1)}× do nats.js`,
          atende: null,
        },
      };
    }
    const arquivo = `${temp}/jetstream-servidor.jsonl`;
    const alvos: Alvo[] = [];
    let nats: Escutando | undefined;
    try {
      nats = await iniciarNats(programa, ["-js", "-sd", `${temp}/jetstream`]);
      const url = `nats://127.0.0.1:${nats.porta}`;
      // Cada um cria o seu stream: o servidor, BENCH; a base, BENCH_BASE.
      alvos.push(
        alvoDeVazao(
          "servidor",
          await iniciarServidor(
            [
              "--nats",
              url,
              "--nats-stream",
              "BENCH",
              "--nats-assunto",
              "bench.servidor",
            ],
            arquivo,
          ),
          { conexoes: CONEXOES, bytes: PEQUENA },
          { arquivo },
        ),
      );
      alvos.push(alvoJetStream(nats));
      const r = await intercalar(config, "jetstream", alvos, true);
      const nosso = r.porS.servidor;
      const deles = r.porS["nats.js"];
      const proporcao = nosso.mediana / deles.mediana;
      return {
        resultado: { programa, ...r },
        linha: {
          cenario: TITULO,
          figura: `${faixa(nosso)} msg/s (gravadas na saída e no stream)${
            r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"
          }`,
          base: `nats.js direto: ${faixa(deles)} msg/s`,
          razao: razao(nosso.mediana, deles.mediana),
          alvo: `≥ ${numero(ALVO_RAZAO, 1)}× do nats.js`,
          atende: proporcao >= ALVO_RAZAO && r.conferido,
        },
      };
    } finally {
      await pararAlvos(alvos);
      await nats?.processo.parar("SIGTERM", 5000);
    }
  },
};
