/**
 * Cenário 8: TLS. O servidor com `--tls-cert`/`--tls-chave` (uma CA e um
 * certificado ECDSA P-256 descartáveis, gerados pelo `openssl` na pasta
 * temporária a cada rodada) recebe a carga do cenário 1 com 8 conexões, e o
 * gerador confia só nessa CA; a base é o mesmo servidor sem TLS, na mesma
 * rodada e intercalado. Também mede sessões TLS curtas (handshake, saudação,
 * uma mensagem, confirmação, CODIGO_SAIDA) com os clientes do cenário 9.
 *
 * @module
 */

import { PEQUENA } from "../configuracao.ts";
import { faixa, numero } from "../estatistica.ts";
import { type Alvo, faixaCpu, intercalar, pararAlvos } from "../intercalado.ts";
import { iniciarServidor } from "../medicao.ts";
import { existe } from "../processos.ts";
import { type Cenario, razao } from "./cenario.ts";
import { alvoDeSessoes, CLIENTES_CURTOS } from "./curtas.ts";
import { alvoDeVazao } from "./vazao.ts";
import { certificadosDeTeste } from "../../tests/certificados.ts";

/** Alvo da issue 18: msg/s com TLS sobre msg/s sem, 8 conexões. */
const ALVO_RAZAO_TLS = 0.5;
const TITULO = "8. TLS, 100 B, 8 conexões";

/** 8. TLS contra TCP simples. */
export const tls: Cenario = {
  numero: 8,
  chave: "tls",
  titulo: () => TITULO,
  async executar(config, temp) {
    if (!await existe("openssl")) {
      return {
        resultado: { pulado: "sem openssl" },
        linha: {
          cenario: TITULO,
          figura:
            "pulado: sem `openssl` para gerar o certificado (apt-get install openssl)",
          base: "—",
          razao: "—",
          alvo: `≥ ${numero(ALVO_RAZAO_TLS, 1)}× da vazão sem TLS`,
          atende: null,
        },
      };
    }
    const pasta = `${temp}/tls`;
    await Deno.mkdir(pasta, { recursive: true });
    await certificadosDeTeste(pasta);
    const tlsCa = `${pasta}/ca.pem`;
    const alvos: Alvo[] = [];
    try {
      const arquivoTls = `${temp}/tls.jsonl`;
      const servidorTls = await iniciarServidor(
        ["--tls-cert", `${pasta}/srv.pem`, "--tls-chave", `${pasta}/srv.key`],
        arquivoTls,
      );
      alvos.push(
        alvoDeVazao("tls", servidorTls, {
          conexoes: 8,
          bytes: PEQUENA,
          tlsCa,
        }, { arquivo: arquivoTls }),
      );
      const arquivo = `${temp}/tls-simples.jsonl`;
      alvos.push(
        alvoDeVazao(
          "simples",
          await iniciarServidor([], arquivo),
          { conexoes: 8, bytes: PEQUENA },
          { arquivo },
        ),
      );
      alvos.push(
        alvoDeSessoes("sessoes", servidorTls, { arquivo: arquivoTls, tlsCa }),
      );
      const r = await intercalar(config, "tls", alvos, true);
      const s = r.porS;
      return {
        resultado: r,
        linha: {
          cenario: TITULO,
          figura: `${faixa(s.tls)} msg/s; CPU/msg ${
            faixaCpu(r.cpuPorMsgNs.tls)
          }; sessões TLS curtas (${CLIENTES_CURTOS} clientes; handshake + 1 mensagem): ${
            faixa(s.sessoes)
          } handshakes/s, CPU/sessão ${faixaCpu(r.cpuPorMsgNs.sessoes)}${
            r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"
          }`,
          base: `sem TLS: ${faixa(s.simples)} msg/s; CPU/msg ${
            faixaCpu(r.cpuPorMsgNs.simples)
          }`,
          razao: `${razao(s.tls.mediana, s.simples.mediana)}; CPU/msg ${
            razao(r.cpuPorMsgNs.tls.mediana, r.cpuPorMsgNs.simples.mediana)
          }`,
          alvo: `≥ ${numero(ALVO_RAZAO_TLS, 1)}× da vazão sem TLS`,
          atende: s.tls.mediana >= ALVO_RAZAO_TLS * s.simples.mediana &&
            r.conferido,
        },
      };
    } finally {
      await pararAlvos(alvos);
    }
  },
};
