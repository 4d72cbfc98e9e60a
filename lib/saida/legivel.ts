/**
 * O log legível do servidor: cada evento como texto para pessoas, em blocos
 * como os do original, escapado (`escape.ts`) e com cores quando a saída é
 * um terminal (`cores.ts`).
 *
 * @module
 */

import type { EventoServidor, Par, Registro } from "../servidor/eventos.ts";
import { dataHoraLocal, tituloDaMensagem } from "../datas.ts";
import type { Cores } from "./cores.ts";
import { contar } from "./contagem.ts";
import { comPorta } from "./endereco.ts";
import { campoRecuado, escapar } from "./escape.ts";
import type { Gravavel, SaidaEmLotes } from "./lotes.ts";
import { Omitidos } from "./omitidos.ts";

/** `127.0.0.1:5000` ou `[::1]:5000`. */
export function formatarPar(par: Par): string {
  return comPorta(par.endereco, par.porta);
}

/** Os eventos do servidor como texto para pessoas, no estilo do original. */
export class RegistroLegivel implements Registro {
  #saida: SaidaEmLotes;
  #cores: Cores;
  #omitidos = new Omitidos();

  constructor(saida: SaidaEmLotes, cores: Cores) {
    this.#saida = saida;
    this.#cores = cores;
  }

  registrar(evento: EventoServidor): void {
    if (this.#omitidos.descartar(evento, this.#saida)) return;
    const aviso = this.#omitidos.avisoPendente(evento.instante);
    if (aviso) this.#saida.escrever(formatarLegivel(aviso, this.#cores));
    this.#saida.escrever(formatarLegivel(evento, this.#cores));
    if (evento.tipo === "mensagem") this.#saida.contarMensagem();
  }

  aoGravar(alvo: Gravavel, numero: number): boolean {
    return this.#saida.aoGravar(alvo, numero);
  }

  get naoGravadas(): number {
    return this.#saida.naoGravadas;
  }

  pronta(): Promise<void> | null {
    return this.#saida.pronta();
  }
}

/** O texto de um evento, terminado em quebra de linha, escrito de uma vez. */
export function formatarLegivel(evento: EventoServidor, cores: Cores): string {
  switch (evento.tipo) {
    case "pronto":
      return `> Servidor configurado em ${evento.endereco} na porta ${evento.porta}. Aguardando conexões de clientes...\n`;
    case "conectou":
      return `> Cliente ${evento.par.endereco} conectou-se por meio da porta ${evento.par.porta}\n`;
    case "mensagem":
      return formatarBloco(evento, cores);
    case "saiu":
      return `> Cliente ${
        formatarPar(evento.par)
      } saiu (CODIGO_SAIDA) depois de ${
        contar(evento.mensagens, "mensagem", "mensagens")
      }.\n`;
    case "desconectou":
      return `> Cliente ${
        formatarPar(evento.par)
      } desconectou-se sem CODIGO_SAIDA (${evento.motivo}) depois de ${
        contar(evento.mensagens, "mensagem", "mensagens")
      }.\n`;
    case "rejeitado":
      return `> Cliente ${formatarPar(evento.par)} rejeitado: ${
        escapar(evento.motivo)
      } (código ${evento.codigo}).\n`;
    case "erro":
      return cores.erro(`> Erro: ${escapar(evento.texto)}`) + "\n";
    case "aviso":
      return cores.erro(`> Aviso: ${escapar(evento.texto)}`) + "\n";
    case "encerrando":
      return `> ${
        evento.sinal.startsWith("SIG")
          ? `Sinal ${evento.sinal} recebido: encerrando`
          : `Encerrando: ${evento.sinal}`
      }; avisando ${
        contar(evento.clientes, "cliente", "clientes")
      } com CODIGO_SAIDA...\n`;
    case "resumo":
      return `> Servidor encerrado: ${
        contar(evento.clientes, "cliente atendido", "clientes atendidos")
      }, ${
        contar(evento.mensagens, "mensagem recebida", "mensagens recebidas")
      }, ${
        contar(evento.rejeitadas, "conexão rejeitada", "conexões rejeitadas")
      }${
        evento.naoGravadas > 0
          ? `; ${
            contar(evento.naoGravadas, "recebida", "recebidas")
          } e não gravada${
            evento.naoGravadas === 1 ? "" : "s"
          } (nunca confirmada${evento.naoGravadas === 1 ? "" : "s"})`
          : ""
      }.\n`;
  }
}

function formatarBloco(
  evento: Extract<EventoServidor, { tipo: "mensagem" }>,
  cores: Cores,
): string {
  const { mensagem } = evento;
  return "\n---\n" +
    `> ${cores.negrito(tituloDaMensagem(mensagem))}\n` +
    `> De ${cores.realce(formatarPar(evento.par))}${
      evento.legado ? " (cliente original)" : ""
    }, recebida em ${cores.fraco(dataHoraLocal(evento.instante))} ${
      cores.fraco(`[${idCurto(evento.sessao, mensagem.numero)}]`)
    }\n` +
    `\n> ASSUNTO:\n${cores.negrito(campoRecuado(mensagem.assunto))}\n` +
    `\n> TEXTO:\n${campoRecuado(mensagem.texto)}\n---\n`;
}

/**
 * O `id` da mensagem, curto para pessoas: os 8 primeiros dígitos da sessão e
 * o número (`9f1c2a3b-17`). O `id` inteiro está na linha de `--json`.
 */
export function idCurto(sessao: string, numero: number): string {
  return `${sessao.slice(0, 8)}-${numero}`;
}
