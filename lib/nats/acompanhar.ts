/**
 * `servidor --nats URL --acompanhar PARTIDA`: as mensagens de todos os
 * servidores, do stream, num terminal só — de um ponto de partida (as últimas
 * N, um instante, uma sequência) e depois ao vivo. Cada registro do stream é
 * a linha de `--json` de um servidor; ela é conferida, refeita como evento e
 * mostrada pelos mesmos formatadores de lib/saida/ (bloco legível escapado,
 * ou a linha JSON segura com `--json`). O que não for uma linha nossa é
 * contado e pulado, nunca mostrado cru.
 *
 * @module
 */

import {
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import type { EventoServidor } from "../servidor/eventos.ts";
import type { Cores } from "../saida/cores.ts";
import { jsonSeguro } from "../saida/escape.ts";
import { formatarLegivel } from "../saida/legivel.ts";
import type { SaidaEmLotes } from "../saida/lotes.ts";
import type { Partida } from "./assuntos.ts";

export interface OpcoesAcompanhar {
  stream: string;
  js: JetStreamClient;
  jsm: JetStreamManager;
  partida: Partida;
  /** Só os assuntos que casam com este filtro (padrão: todos do stream). */
  filtro?: string | undefined;
  saida: SaidaEmLotes;
  json: boolean;
  cores: Cores;
  /** Para de acompanhar (Ctrl-C). */
  parar: AbortSignal;
  /** Avisos para quem opera (registros inválidos), uma linha cada. */
  avisar(texto: string): void;
}

type EventoMensagem = Extract<EventoServidor, { tipo: "mensagem" }>;

/** Mostra as mensagens até `parar`; devolve quantas mostrou. */
export async function acompanharStream(
  opcoes: OpcoesAcompanhar,
): Promise<number> {
  const inicio = await pontoDeInicio(opcoes);
  const consumidor = await opcoes.js.consumers.get(opcoes.stream, {
    ...inicio,
    ...(opcoes.filtro ? { filter_subjects: [opcoes.filtro] } : {}),
  });
  const mensagens = await consumidor.consume();
  const parar = () => void mensagens.stop();
  if (opcoes.parar.aborted) parar();
  opcoes.parar.addEventListener("abort", parar, { once: true });
  let mostradas = 0;
  let invalidas = 0;
  const decodificador = new TextDecoder("utf-8", { fatal: true });
  try {
    for await (const m of mensagens) {
      let objeto: Record<string, unknown>;
      let evento: EventoMensagem | undefined;
      try {
        objeto = JSON.parse(decodificador.decode(m.data));
        evento = eventoDaLinha(objeto);
      } catch {
        evento = undefined;
        objeto = {};
      }
      if (evento === undefined) {
        invalidas++;
        if (invalidas === 1 || invalidas % 1000 === 0) {
          opcoes.avisar(
            `registro #${m.seq} do stream não é uma mensagem de um servidor (${invalidas} pulado${
              invalidas === 1 ? "" : "s"
            } até aqui)`,
          );
        }
        continue;
      }
      opcoes.saida.escrever(
        opcoes.json
          ? jsonSeguro(objeto) + "\n"
          : formatarLegivel(evento, opcoes.cores),
      );
      mostradas++;
      const espera = opcoes.saida.pronta();
      if (espera) await espera;
    }
  } finally {
    opcoes.parar.removeEventListener("abort", parar);
  }
  return mostradas;
}

/** A política de entrega para a partida pedida. */
async function pontoDeInicio(opcoes: OpcoesAcompanhar) {
  const { partida } = opcoes;
  switch (partida.tipo) {
    case "novas":
      return { deliver_policy: DeliverPolicy.New };
    case "tudo":
      return { deliver_policy: DeliverPolicy.All };
    case "sequencia":
      return {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: partida.sequencia,
      };
    case "instante":
      return {
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: new Date(partida.instante).toISOString(),
      };
    case "ultimas": {
      if (partida.quantas === 0) return { deliver_policy: DeliverPolicy.New };
      const { state } = await opcoes.jsm.streams.info(opcoes.stream);
      if (state.messages === 0) return { deliver_policy: DeliverPolicy.All };
      return {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(
          state.first_seq,
          state.last_seq - partida.quantas + 1,
        ),
      };
    }
  }
}

/**
 * O evento de uma linha de `--json` (lib/saida/json.ts), conferida campo a
 * campo; `undefined` se não for uma.
 */
export function eventoDaLinha(
  objeto: Record<string, unknown>,
): EventoMensagem | undefined {
  const { instante, par, id, numero, enviada, assunto, texto, legado } = objeto;
  if (
    objeto.evento !== "mensagem" || typeof instante !== "string" ||
    typeof par !== "string" || typeof id !== "string" ||
    typeof numero !== "number" || typeof enviada !== "string" ||
    typeof assunto !== "string" || typeof texto !== "string" ||
    typeof legado !== "boolean"
  ) return undefined;
  const sessao = /^([0-9a-f]{32})-(\d+)$/.exec(id);
  const recebida = Date.parse(instante);
  const endereco = analisarPar(par);
  const composta = analisarEnviada(enviada, legado);
  if (
    !sessao || Number(sessao[2]) !== numero || Number.isNaN(recebida) ||
    !endereco || !composta
  ) return undefined;
  return {
    tipo: "mensagem",
    instante: recebida,
    par: endereco,
    sessao: sessao[1]!,
    legado,
    mensagem: {
      numero,
      instante: composta.instante,
      fuso: composta.fuso,
      assunto,
      texto,
    },
  };
}

/** `127.0.0.1:5000` ou `[::1]:5000`. */
function analisarPar(
  texto: string,
): { endereco: string; porta: number } | undefined {
  const r = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(texto);
  if (!r) return undefined;
  return { endereco: (r[1] ?? r[2])!, porta: Number(r[3]) };
}

/** O instante e o fuso (minutos a leste de UTC) de `enviada`. */
function analisarEnviada(
  texto: string,
  legado: boolean,
): { instante: number; fuso: number } | undefined {
  if (legado) {
    const instante = Date.parse(texto + "Z");
    return Number.isNaN(instante) ? undefined : { instante, fuso: 0 };
  }
  const instante = Date.parse(texto);
  if (Number.isNaN(instante)) return undefined;
  if (texto.endsWith("Z")) return { instante, fuso: 0 };
  const f = /([+-])(\d{2}):(\d{2})$/.exec(texto);
  if (!f) return undefined;
  const minutos = Number(f[2]) * 60 + Number(f[3]);
  return { instante, fuso: f[1] === "-" ? -minutos : minutos };
}
