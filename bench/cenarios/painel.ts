/**
 * Cenário 11: o painel web com espectadores. Três servidores com `--painel`,
 * na mesma rodada e intercalados, recebem a carga do cenário 1 com 8
 * conexões: um com `config.espectadores` espectadores lendo `/eventos`
 * (bench/espectadores.ts, que voltam como um navegador quando o painel os
 * desliga), um sem nenhum (a base) e um com `config.espectadoresParados`
 * espectadores que ligam e nunca leem. As figuras: a vazão com espectadores
 * sobre a sem (alvo ≥ 0,8×), o CPU/msg de cada um e o quanto o RSS do
 * servidor com parados cresce (o painel desliga quem acumula 1000 eventos).
 *
 * @module
 */

import { type Config, PEQUENA, PRAZO_PRONTO_MS } from "../configuracao.ts";
import { faixa, numero } from "../estatistica.ts";
import { type Alvo, faixaCpu, intercalar, pararAlvos } from "../intercalado.ts";
import { type Escutando, iniciarServidor } from "../medicao.ts";
import { caminho, memoriaKiB, Processo } from "../processos.ts";
import { RECONECTAR_MS } from "../../lib/painel/difusao.ts";
import { type Cenario, razao } from "./cenario.ts";
import { alvoDeVazao } from "./vazao.ts";

/** Alvo da issue 16: vazão com espectadores sobre a sem nenhum. */
const ALVO_RAZAO_ESPECTADORES = 0.8;
/**
 * Crescimento do RSS do servidor com espectadores parados, além do que o
 * servidor sem espectadores cresceu na mesma rodada, tido como limitado: a
 * fila de 1000 eventos (~300 KB) de cada um, mais o buffer de escrita do
 * HTTP de cada conexão, com folga para o ruído do coletor de lixo.
 */
const ALVO_CRESCIMENTO_MIB = 32;
const ESPECTADORES = caminho("bench/espectadores.ts");

function titulo(config: Config): string {
  return `11. Painel: ${config.espectadores} espectadores lendo, 100 B, 8 conexões`;
}

/** O servidor com `--painel 0` e a porta do painel, lida da linha dele. */
async function servidorComPainel(
  arquivo: string,
): Promise<Escutando & { painel: number }> {
  const servidor = await iniciarServidor(["--painel", "0"], arquivo);
  // A linha do painel sai antes da de pronto, que iniciarServidor já esperou.
  const casou = /> Painel em http:\/\/[^ ]*:(\d+)\//.exec(
    servidor.processo.erros.texto,
  );
  if (!casou) {
    await servidor.processo.parar();
    throw new Error(
      `o servidor não anunciou o painel: ${servidor.processo.erros.texto}`,
    );
  }
  return { ...servidor, painel: Number(casou[1]) };
}

/** Uma linha JSON do processo de espectadores. */
interface Contado {
  bytes?: number;
  quedas?: number;
  ligacoes?: number;
  espectadores: number;
  desligados: number;
  painelPendenteBytes: number;
}

/** Os espectadores de um painel, num processo à parte, já ligados. */
async function ligarEspectadores(
  porta: number,
  leitores: number,
  parados: number,
): Promise<{ processo: Processo; pronto: Contado }> {
  const processo = new Processo({
    args: [
      "run",
      "--allow-net=127.0.0.1",
      ESPECTADORES,
      "--porta",
      String(porta),
      "--leitores",
      String(leitores),
      "--parados",
      String(parados),
    ],
    entrada: true,
  });
  void processo.erros.drenar();
  try {
    const casou = await processo.saida!.esperar(
      /"fase":"pronto"/,
      PRAZO_PRONTO_MS,
    );
    return { processo, pronto: JSON.parse(casou.input) };
  } catch (erro) {
    await processo.parar("SIGKILL", 1000);
    throw new Error(
      `os espectadores não ligaram: ${
        (erro as Error).message
      }; ${processo.erros.texto}`,
    );
  }
}

async function contar(espectadores: Processo): Promise<Contado> {
  await espectadores.escrever("contar");
  const casou = await espectadores.saida!.esperar(/"fase":"contado"/, 30_000);
  return JSON.parse(casou.input);
}

/** 11. O painel com espectadores lendo e parados. */
export const painel: Cenario = {
  numero: 11,
  chave: "painel",
  titulo,
  async executar(config, temp) {
    const carga = { conexoes: 8, bytes: PEQUENA };
    const alvos: Alvo[] = [];
    const espectadores: Processo[] = [];
    try {
      const arquivoCom = `${temp}/painel-com.jsonl`;
      const com = await servidorComPainel(arquivoCom);
      alvos.push(alvoDeVazao("com", com, carga, { arquivo: arquivoCom }));
      const arquivoSem = `${temp}/painel-sem.jsonl`;
      const sem = await servidorComPainel(arquivoSem);
      alvos.push(alvoDeVazao("sem", sem, carga, { arquivo: arquivoSem }));
      const arquivoParados = `${temp}/painel-parados.jsonl`;
      const parados = await servidorComPainel(arquivoParados);
      alvos.push(
        alvoDeVazao("parados", parados, carga, { arquivo: arquivoParados }),
      );

      const leitores = await ligarEspectadores(
        com.painel,
        config.espectadores,
        0,
      );
      espectadores.push(leitores.processo);
      const rssSemAntes = await memoriaKiB(sem.processo.pid);
      const rssParadosAntes = await memoriaKiB(parados.processo.pid);
      const quietos = await ligarEspectadores(
        parados.painel,
        0,
        config.espectadoresParados,
      );
      espectadores.push(quietos.processo);
      const rssParadosLigados = await memoriaKiB(parados.processo.pid);

      const r = await intercalar(config, "painel", alvos, true);

      const lidos = await contar(leitores.processo);
      const deParados = await contar(quietos.processo);
      const rssSemDepois = await memoriaKiB(sem.processo.pid);
      const rssParadosDepois = await memoriaKiB(parados.processo.pid);
      const crescimentoMiB = (rssParadosDepois - rssParadosAntes) / 1024;
      const crescimentoSemMiB = (rssSemDepois - rssSemAntes) / 1024;
      const memoriaAtende = deParados.espectadores === 0 &&
        deParados.desligados >= config.espectadoresParados &&
        crescimentoMiB - crescimentoSemMiB <= ALVO_CRESCIMENTO_MIB;

      const msgs = r.porS;
      const cpu = r.cpuPorMsgNs;
      const resultado = {
        ...r,
        espectadores: config.espectadores,
        parados: config.espectadoresParados,
        leitores: lidos,
        deParados,
        rssKiB: {
          semAntes: rssSemAntes,
          semDepois: rssSemDepois,
          paradosAntes: rssParadosAntes,
          paradosLigados: rssParadosLigados,
          paradosDepois: rssParadosDepois,
        },
        crescimentoMiB,
        crescimentoSemMiB,
      };
      return {
        resultado,
        notas: [
          `Cenário 11: três servidores com \`--painel 0\` e \`--json\`, intercalados, com a carga do cenário 1 (8 conexões, 100 B): (a) ${config.espectadores} espectadores de bench/espectadores.ts, num processo à parte, lendo \`/eventos\` por TCP cru e descartando; desligados pelo painel quando ficam 1000 eventos atrás, voltam ${RECONECTAR_MS} ms depois com \`Last-Event-ID\`, como o navegador; (b) nenhum espectador (a base); (c) ${config.espectadoresParados} espectadores que leem só o começo da resposta e nunca mais. Nesta máquina de 2 núcleos os leitores disputam a CPU com o servidor e o gerador: ${
            numero(lidos.bytes! / 1e6, 0)
          } MB lidos ao todo, ${lidos.ligacoes} ligações, ${lidos.quedas} quedas (desligados por não acompanharem a carga máxima). RSS do servidor com parados: ${
            numero(rssParadosAntes / 1024, 1)
          } MiB antes de ligá-los, ${
            numero(rssParadosLigados / 1024, 1)
          } ligados, ${
            numero(rssParadosDepois / 1024, 1)
          } depois da carga; o sem espectadores foi de ${
            numero(rssSemAntes / 1024, 1)
          } a ${numero(rssSemDepois / 1024, 1)} MiB.`,
        ],
        linha: {
          cenario: titulo(config),
          figura: `${faixa(msgs.com)} msg/s; CPU/msg ${
            faixaCpu(cpu.com)
          }; com ${config.espectadoresParados} parados: ${deParados.desligados} desligados, RSS +${
            numero(crescimentoMiB, 1)
          } MiB (sem espectadores: +${
            numero(crescimentoSemMiB, 1)
          } MiB), CPU/msg ${faixaCpu(cpu.parados)}${
            r.conferido ? "" : " (ATENÇÃO: saída não conferiu)"
          }`,
          base: `sem espectadores: ${numero(msgs.sem.mediana)} msg/s; CPU/msg ${
            faixaCpu(cpu.sem)
          }`,
          razao: `${razao(msgs.com.mediana, msgs.sem.mediana)} da vazão; ${
            razao(cpu.com.mediana, cpu.sem.mediana)
          } do CPU/msg`,
          alvo: `≥ ${
            numero(ALVO_RAZAO_ESPECTADORES, 1)
          }× da vazão sem espectadores; parados desligados e RSS limitado (≤ +${ALVO_CRESCIMENTO_MIB} MiB além da base)`,
          atende: msgs.com.mediana >=
              ALVO_RAZAO_ESPECTADORES * msgs.sem.mediana &&
            memoriaAtende && r.conferido,
        },
      };
    } finally {
      await Promise.all(espectadores.map((p) => p.parar("SIGTERM", 5000)));
      await pararAlvos(alvos);
    }
  },
};
