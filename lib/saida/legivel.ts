/**
 * O log legível do servidor: cada evento como texto para pessoas, em blocos
 * como os do original, escapado (`escape.ts`) e com cores quando a saída é
 * um terminal (`cores.ts`).
 *
 * @module
 */

import type {
  DaLeitura,
  EventoServidor,
  Par,
  Passagem,
  Registro,
} from "../servidor/eventos.ts";
import { dataHoraLocal, dataHoraNoFuso, tituloDaMensagem } from "../datas.ts";
import type { MensagemEmBytes } from "../protocolo/quadros.ts";
import type { Cores } from "./cores.ts";
import { contar } from "./contagem.ts";
import { comPorta } from "./endereco.ts";
import { campoRecuado, escapar } from "./escape.ts";
import type { Gravavel, Montador, SaidaEmLotes } from "./lotes.ts";
import { bytesDe, copiavelTalQual, poe, poeInteiro } from "./montagem.ts";
import { Omitidos } from "./omitidos.ts";
import { criarPassagem, type Moldes } from "./passagem.ts";

/** `127.0.0.1:5000` ou `[::1]:5000`. */
export function formatarPar(par: Par): string {
  return comPorta(par.endereco, par.porta);
}

/** Os eventos do servidor como texto para pessoas, no estilo do original. */
export class RegistroLegivel implements Registro {
  #saida: SaidaEmLotes;
  #cores: Cores;
  #omitidos = new Omitidos();
  /** O bloco em bytes; `undefined` se as cores não são só moldura. */
  #bloco: BlocoDeMensagem | undefined;
  /** Criada na primeira leitura que a pede; `null` sem ela. */
  #passagem: Passagem | null | undefined;

  constructor(saida: SaidaEmLotes, cores: Cores) {
    this.#saida = saida;
    this.#cores = cores;
    this.#bloco = BlocoDeMensagem.para(cores);
  }

  get passagem(): Passagem | undefined {
    if (this.#passagem === undefined) {
      this.#passagem = this.#bloco
        ? criarPassagem(
          this.#saida,
          this.#bloco,
          (instante) => this.#avisarOmitidos(instante),
        ) ?? null
        : null;
    }
    return this.#passagem ?? undefined;
  }

  #avisarOmitidos(instante: number) {
    const aviso = this.#omitidos.avisoPendente(instante);
    if (aviso) this.#saida.escrever(formatarLegivel(aviso, this.#cores));
  }

  registrar(evento: EventoServidor): void {
    if (this.#omitidos.descartar(evento, this.#saida)) return;
    this.#avisarOmitidos(evento.instante);
    if (evento.tipo === "mensagem") {
      const bloco = this.#bloco;
      if (bloco && copiavelTalQual(evento.mensagem)) {
        this.#saida.escreverMontado(
          bloco.preparar(evento, evento.mensagem),
          bloco,
        );
      } else this.#saida.escrever(formatarBloco(evento, this.#cores));
      this.#saida.contarMensagem();
      return;
    }
    this.#saida.escrever(formatarLegivel(evento, this.#cores));
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

type EventoMensagem = Extract<EventoServidor, { tipo: "mensagem" }>;

function formatarBloco(evento: EventoMensagem, cores: Cores): string {
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

/** Um estilo de `Cores` como moldura: o que vem antes e depois do texto. */
interface Moldura {
  antes: string;
  depois: string;
}

/**
 * O estilo como moldura fixa, ou `undefined` se ele não for só isso (um
 * `Cores` que mexesse no texto não poderia ir para o bloco em bytes).
 */
function moldura(estilo: (texto: string) => string): Moldura | undefined {
  const [antes, depois, ...resto] = estilo("\0").split("\0");
  if (depois === undefined || resto.length > 0) return undefined;
  const prova = "x\ny";
  return estilo(prova) === antes + prova + depois
    ? { antes, depois }
    : undefined;
}

/** Os pedaços do bloco que dependem da conexão (o par, a sessão, o legado). */
interface PedacosDoPar {
  /** `<realce>127.0.0.1:5000</realce> (cliente original), recebida em <fraco>` */
  remetente: Uint8Array;
  /** `9f1c2a3b-`: o começo do id curto. */
  sessao: Uint8Array;
}

/**
 * O caminho quente do log legível: o mesmo bloco de `formatarBloco`, montado
 * direto em bytes no lote da saída, como a linha `--json` (`json.ts`). Só
 * para mensagens `copiavelTalQual`: só ASCII imprimível, sem quebra de linha,
 * então o escape não muda nada e o recuo é só os dois espaços do começo; as
 * demais vão pelo caminho em `string`. As horas (a do cliente no título e a
 * local de recebimento) são lembradas por segundo, já com as cores em volta;
 * os pedaços de cada conexão, por `Par`. Nada alocado por bloco.
 */
class BlocoDeMensagem implements Montador, Moldes {
  // Os pedaços para a passagem (passagem.ts), na ordem do núcleo.
  readonly json = false;
  readonly largura = 3;
  readonly pedacos: Uint8Array[];
  readonly #abre: Uint8Array;
  readonly #antesDoAssunto: Uint8Array;
  readonly #antesDoTexto: Uint8Array;
  readonly #fecha: Uint8Array;
  readonly #negrito: Moldura;
  readonly #realce: Moldura;
  readonly #fraco: Moldura;
  #pares = new WeakMap<Par, PedacosDoPar>();
  /** ` - 24/11/2026 19:27:52</negrito>\n> De `, do último segundo do cliente. */
  #horaDoCliente = new Uint8Array(0);
  #segundoDoCliente = NaN;
  /** `24/11/2026 19:27:55</fraco> <fraco>[`, do último segundo recebido. */
  #horaLocal = new Uint8Array(0);
  #segundoLocal = NaN;
  // O bloco da vez, guardado por `preparar` para `montar`.
  #mensagem: MensagemEmBytes | undefined;
  #par: PedacosDoPar | undefined;

  /** O bloco em bytes para estas cores, se cada estilo for só uma moldura. */
  static para(cores: Cores): BlocoDeMensagem | undefined {
    const negrito = moldura(cores.negrito);
    const realce = moldura(cores.realce);
    const fraco = moldura(cores.fraco);
    if (!negrito || !realce || !fraco) return undefined;
    return new BlocoDeMensagem(negrito, realce, fraco);
  }

  private constructor(negrito: Moldura, realce: Moldura, fraco: Moldura) {
    this.#negrito = negrito;
    this.#realce = realce;
    this.#fraco = fraco;
    this.#abre = bytesDe(`\n---\n> ${negrito.antes}MENSAGEM #`);
    this.#antesDoAssunto = bytesDe(
      `]${fraco.depois}\n\n> ASSUNTO:\n${negrito.antes}  `,
    );
    this.#antesDoTexto = bytesDe(`${negrito.depois}\n\n> TEXTO:\n  `);
    this.#fecha = bytesDe("\n---\n");
    const vazio = new Uint8Array(0);
    this.pedacos = [
      this.#abre,
      vazio,
      vazio, // a hora do cliente
      vazio, // o remetente
      vazio, // a hora local
      vazio, // o começo do id curto
      this.#antesDoAssunto,
      vazio,
      this.#antesDoTexto,
      this.#fecha,
    ];
  }

  daLeitura(origem: DaLeitura): void {
    const par = this.#pedacosDoPar(origem.par, origem.sessao, false);
    this.#lembrarHoraLocal(origem.instante);
    this.pedacos[3] = par.remetente;
    this.pedacos[4] = this.#horaLocal;
    this.pedacos[5] = par.sessao;
  }

  doSegundo(instante: number, fuso: number): boolean {
    this.#lembrarHoraDoCliente(instante, fuso);
    this.pedacos[2] = this.#horaDoCliente;
    return true;
  }

  /** Guarda o bloco da vez e devolve o maior tamanho que ele pode ter. */
  preparar(evento: EventoMensagem, mensagem: MensagemEmBytes): number {
    const par = this.#pedacosDoPar(evento.par, evento.sessao, evento.legado);
    this.#mensagem = mensagem;
    this.#par = par;
    this.#lembrarHoraDoCliente(mensagem.instante, mensagem.fuso);
    this.#lembrarHoraLocal(evento.instante);
    return this.#abre.length + 10 + this.#horaDoCliente.length +
      par.remetente.length + this.#horaLocal.length + par.sessao.length + 10 +
      this.#antesDoAssunto.length + mensagem.bytesAssunto.length +
      this.#antesDoTexto.length + mensagem.bytesTexto.length +
      this.#fecha.length;
  }

  montar(b: Uint8Array, inicio: number): number {
    const mensagem = this.#mensagem!;
    const par = this.#par!;
    let p = poe(b, inicio, this.#abre);
    p = poeInteiro(b, p, mensagem.numero, 3);
    p = poe(b, p, this.#horaDoCliente);
    p = poe(b, p, par.remetente);
    p = poe(b, p, this.#horaLocal);
    p = poe(b, p, par.sessao);
    p = poeInteiro(b, p, mensagem.numero);
    p = poe(b, p, this.#antesDoAssunto);
    p = poe(b, p, mensagem.bytesAssunto);
    p = poe(b, p, this.#antesDoTexto);
    p = poe(b, p, mensagem.bytesTexto);
    return poe(b, p, this.#fecha);
  }

  /** A mesma chave que a memória de `dataHoraNoFuso`: o segundo no fuso. */
  #lembrarHoraDoCliente(instante: number, fuso: number) {
    const segundo = Math.floor((instante + fuso * 60_000) / 1000);
    if (segundo === this.#segundoDoCliente) return;
    this.#horaDoCliente = bytesDe(
      ` - ${dataHoraNoFuso(instante, fuso)}${this.#negrito.depois}\n> De `,
    );
    this.#segundoDoCliente = segundo;
  }

  /** A mesma chave que a memória de `dataHoraLocal`: o segundo. */
  #lembrarHoraLocal(instante: number) {
    const segundo = Math.floor(instante / 1000);
    if (segundo === this.#segundoLocal) return;
    const fraco = this.#fraco;
    this.#horaLocal = bytesDe(
      `${dataHoraLocal(instante)}${fraco.depois} ${fraco.antes}[`,
    );
    this.#segundoLocal = segundo;
  }

  /**
   * O `Par` é de uma conexão só; a sessão e o ser do cliente original não
   * mudam depois da primeira mensagem.
   */
  #pedacosDoPar(par: Par, sessao: string, legado: boolean): PedacosDoPar {
    let pedacos = this.#pares.get(par);
    if (pedacos === undefined) {
      const { antes, depois } = this.#realce;
      pedacos = {
        remetente: bytesDe(
          `${antes}${formatarPar(par)}${depois}${
            legado ? " (cliente original)" : ""
          }, recebida em ${this.#fraco.antes}`,
        ),
        sessao: bytesDe(`${sessao.slice(0, 8)}-`),
      };
      this.#pares.set(par, pedacos);
    }
    return pedacos;
  }
}
