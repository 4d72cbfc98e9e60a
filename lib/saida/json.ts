/**
 * O log JSON do servidor: um objeto por linha para cada evento (esquema no
 * README). A linha de cada mensagem, o caminho quente, é montada direto em
 * bytes no lote da saída, com as memórias de data ISO 8601 que só ela usa.
 *
 * @module
 */

import type {
  DaLeitura,
  EventoServidor,
  Par,
  Passagem,
  PassagemLegada,
  Registro,
} from "../servidor/eventos.ts";
import { fusoLocalMemorizado, iso8601 } from "../datas.ts";
import type { MensagemEmBytes } from "../protocolo/quadros.ts";
import { jsonSeguro } from "./escape.ts";
import { formatarPar } from "./legivel.ts";
import type { Gravavel, Montador, SaidaEmLotes } from "./lotes.ts";
import {
  bytesDe,
  copiavelTalQual,
  poe,
  poeInteiro,
  repete,
} from "./montagem.ts";
import { Omitidos } from "./omitidos.ts";
import { criarPassagem, criarPassagemLegada, type Moldes } from "./passagem.ts";

/** Eventos que, em modo JSON, também vão como texto para a saída de erro. */
const PARA_PESSOAS = new Set<EventoServidor["tipo"]>([
  "pronto",
  "erro",
  "aviso",
  "encerrando",
  "resumo",
]);

/**
 * Um objeto JSON por linha para cada evento (esquema no README); os eventos
 * que interessam a quem opera vão também, como texto, para `pessoas`.
 */
export class RegistroJson implements Registro {
  #saida: SaidaEmLotes;
  #pessoas: Registro | undefined;
  #linha = new LinhaDeMensagem();
  #omitidos = new Omitidos();
  /** Criada na primeira leitura que a pede; `null` sem WebAssembly. */
  #passagem: Passagem | null | undefined;
  /** A dos blocos do cliente original, idem. */
  #passagemLegada: PassagemLegada | null | undefined;

  constructor(saida: SaidaEmLotes, pessoas?: Registro) {
    this.#saida = saida;
    this.#pessoas = pessoas;
  }

  get passagem(): Passagem | undefined {
    if (this.#passagem === undefined) {
      this.#passagem = criarPassagem(
        this.#saida,
        new MoldesJson(this.#linha),
        (instante) => this.#avisarOmitidos(instante),
      ) ?? null;
    }
    return this.#passagem ?? undefined;
  }

  get passagemLegada(): PassagemLegada | undefined {
    if (this.#passagemLegada === undefined) {
      this.#passagemLegada = criarPassagemLegada(
        this.#saida,
        new MoldesJson(this.#linha, true),
        (instante) => this.#avisarOmitidos(instante),
      ) ?? null;
    }
    return this.#passagemLegada ?? undefined;
  }

  #avisarOmitidos(instante: number) {
    const aviso = this.#omitidos.avisoPendente(instante);
    if (aviso) this.#registrarEvento(aviso);
  }

  registrar(evento: EventoServidor): void {
    if (this.#omitidos.descartar(evento, this.#saida)) return;
    this.#avisarOmitidos(evento.instante);
    if (evento.tipo === "mensagem") {
      if (copiavelTalQual(evento.mensagem)) {
        const linha = this.#linha;
        this.#saida.escreverMontado(
          linha.preparar(evento, evento.mensagem),
          linha,
        );
      } else this.#saida.escrever(linhaJsonDeMensagem(evento));
      this.#saida.contarMensagem();
      return;
    }
    this.#registrarEvento(evento);
  }

  #registrarEvento(evento: EventoServidor) {
    this.#saida.escrever(jsonSeguro(eventoParaJson(evento)) + "\n");
    if (this.#pessoas && PARA_PESSOAS.has(evento.tipo)) {
      this.#pessoas.registrar(evento);
    }
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

type EventoMensagem = Extract<EventoServidor, { tipo: "mensagem" }>;

/** A linha de quem pede bytes avulsos (`linhaEmBytes`), com o seu rascunho. */
let avulsa: { linha: LinhaDeMensagem; rascunho: Uint8Array } | undefined;

/**
 * A linha JSON de uma mensagem (a mesma de `--json`, sem a quebra de linha do
 * fim), em bytes próprios: para quem a guarda além do evento, como a
 * publicação no JetStream (lib/nats/), que a repete até ser confirmada.
 */
export function linhaEmBytes(evento: EventoMensagem): Uint8Array {
  if (!copiavelTalQual(evento.mensagem)) {
    const linha = bytesDe(linhaJsonDeMensagem(evento));
    return linha.subarray(0, linha.length - 1);
  }
  avulsa ??= { linha: new LinhaDeMensagem(), rascunho: new Uint8Array(4096) };
  const maximo = avulsa.linha.preparar(evento, evento.mensagem);
  if (avulsa.rascunho.length < maximo) {
    avulsa.rascunho = new Uint8Array(
      Math.max(maximo, avulsa.rascunho.length * 2),
    );
  }
  const fim = avulsa.linha.montar(avulsa.rascunho, 0);
  return avulsa.rascunho.slice(0, fim - 1);
}

/**
 * O caminho quente do log: a mesma linha de `linhaJsonDeMensagem`, montada
 * direto em bytes no lote da saída, com espaço garantido uma vez só. Assunto
 * e texto são copiados dos bytes recebidos, sem nunca virar `string`. Um por
 * registro, sem nada alocado por linha: `preparar` guarda a linha da vez e diz
 * quanto espaço pedir; `montar` (chamado pela saída) a escreve.
 */
class LinhaDeMensagem implements Montador {
  // Os relógios também servem aos moldes da passagem (`MoldesJson`).
  readonly recebida = new RelogioIso(ANTES_DA_RECEBIDA, DEPOIS_DA_RECEBIDA);
  readonly enviada = new RelogioIso(ANTES_DA_ENVIADA, DEPOIS_DA_ENVIADA);
  /** O cliente original não diz o fuso: a hora dele, sem o `Z`. */
  readonly enviadaLegado = new RelogioIso(
    ANTES_DA_ENVIADA,
    DEPOIS_DA_ENVIADA,
    true,
  );
  /** `127.0.0.1:5000","id":"<sessão>-`, em bytes, por conexão. */
  #pares = new WeakMap<Par, Uint8Array>();
  // A linha da vez, guardada por `preparar` para `montar`.
  #instante = 0;
  #mensagem: MensagemEmBytes | undefined;
  #par: Uint8Array = new Uint8Array(0);
  #legado = false;

  /** Guarda a linha da vez e devolve o maior tamanho que ela pode ter. */
  preparar(evento: EventoMensagem, mensagem: MensagemEmBytes): number {
    const par = this.parEmBytes(evento.par, evento.sessao);
    this.#instante = evento.instante;
    this.#mensagem = mensagem;
    this.#par = par;
    this.#legado = evento.legado;
    return FIXOS_DA_LINHA + par.length + mensagem.bytesAssunto.length +
      mensagem.bytesTexto.length;
  }

  montar(b: Uint8Array, inicio: number): number {
    const mensagem = this.#mensagem!;
    let p = this.recebida.escrever(
      b,
      inicio,
      this.#instante,
      fusoLocalMemorizado(this.#instante),
    );
    p = poe(b, p, this.#par);
    const numero = p;
    p = poeInteiro(b, p, mensagem.numero);
    const fimDoNumero = p;
    p = poe(b, p, CAMPO_NUMERO);
    p = repete(b, p, numero, fimDoNumero);
    p = this.#legado
      ? this.enviadaLegado.escrever(b, p, mensagem.instante, 0)
      : this.enviada.escrever(b, p, mensagem.instante, mensagem.fuso);
    p = poe(b, p, mensagem.bytesAssunto);
    p = poe(b, p, CAMPO_TEXTO);
    p = poe(b, p, mensagem.bytesTexto);
    return poe(b, p, this.#legado ? FECHA_LEGADO : FECHA_MENSAGEM);
  }

  /**
   * `127.0.0.1:5000","id":"<sessão>-`: o `Par` é de uma conexão só, e a
   * sessão da conexão não muda.
   */
  parEmBytes(par: Par, sessao: string): Uint8Array {
    let bytes = this.#pares.get(par);
    if (bytes === undefined) {
      bytes = bytesDe(`${formatarPar(par)}","id":"${sessao}-`);
      this.#pares.set(par, bytes);
    }
    return bytes;
  }
}

const VAZIO = new Uint8Array(0);

/**
 * A linha JSON de mensagem em pedaços para a passagem (passagem.ts): os
 * mesmos textos fixos e relógios da `LinhaDeMensagem`, na ordem do núcleo,
 * para as mensagens do protocolo ou, com `legado`, para os blocos do
 * cliente original (a hora dele sem fuso, `"legado":true`). Só instantes em
 * milissegundos inteiros.
 */
class MoldesJson implements Moldes {
  readonly json = true;
  readonly largura = 1;
  readonly pedacos: Uint8Array[] = [
    VAZIO, // a hora da leitura
    VAZIO, // o par e a sessão
    CAMPO_NUMERO,
    VAZIO,
    VAZIO,
    VAZIO,
    VAZIO, // a hora do cliente até os segundos
    VAZIO, // o fuso do cliente e o começo do assunto
    CAMPO_TEXTO,
    FECHA_MENSAGEM,
  ];
  readonly #linha: LinhaDeMensagem;
  readonly #enviada: RelogioIso;

  constructor(linha: LinhaDeMensagem, legado = false) {
    this.#linha = linha;
    this.#enviada = legado ? linha.enviadaLegado : linha.enviada;
    if (legado) this.pedacos[9] = FECHA_LEGADO;
  }

  daLeitura(origem: DaLeitura): void {
    const { instante } = origem;
    this.pedacos[0] = this.#linha.recebida.pronto(
      instante,
      fusoLocalMemorizado(instante),
    );
    this.pedacos[1] = this.#linha.parEmBytes(origem.par, origem.sessao);
  }

  doSegundo(instante: number, fuso: number): boolean {
    if (!this.#enviada.lembrarSegundo(instante, fuso)) return false;
    this.pedacos[6] = this.#enviada.inicioDoSegundo;
    this.pedacos[7] = this.#enviada.fimDoSegundo;
    return true;
  }
}

/** O objeto JSON de um evento: campo `evento`, `instante` ISO 8601 com fuso. */
export function eventoParaJson(
  evento: EventoServidor,
): Record<string, unknown> {
  const { tipo, instante, ...resto } = evento;
  const base = {
    evento: tipo,
    instante: iso8601(instante, fusoLocalMemorizado(instante)),
  };
  if (evento.tipo === "mensagem") {
    const { mensagem, par, legado } = evento;
    return {
      ...base,
      par: formatarPar(par),
      id: `${evento.sessao}-${mensagem.numero}`,
      numero: mensagem.numero,
      enviada: legado
        ? iso8601(mensagem.instante, 0).slice(0, -1) // sem fuso conhecido
        : iso8601(mensagem.instante, mensagem.fuso),
      assunto: mensagem.assunto,
      texto: mensagem.texto,
      legado,
    };
  }
  if ("par" in resto) {
    return { ...base, ...resto, par: formatarPar(resto.par) };
  }
  return { ...base, ...resto };
}

/**
 * A linha JSON de uma mensagem, montada à mão: é o caminho quente do log JSON
 * e só os dois textos livres precisam de `JSON.stringify`. Mesmos campos, na
 * mesma ordem, que `eventoParaJson`.
 */
function linhaJsonDeMensagem(evento: EventoMensagem): string {
  const { mensagem, legado } = evento;
  const instante = iso8601(
    evento.instante,
    fusoLocalMemorizado(evento.instante),
  );
  const enviada = legado
    ? iso8601(mensagem.instante, 0).slice(0, -1)
    : iso8601(mensagem.instante, mensagem.fuso);
  return `{"evento":"mensagem","instante":"${instante}","par":"${
    formatarPar(evento.par)
  }","id":"${evento.sessao}-${mensagem.numero}","numero":${mensagem.numero},"enviada":"${enviada}","assunto":${
    jsonSeguro(mensagem.assunto)
  },"texto":${jsonSeguro(mensagem.texto)},"legado":${legado}}\n`;
}

// Os pedaços fixos da linha JSON de uma mensagem, na ordem.
const ANTES_DA_RECEBIDA = '{"evento":"mensagem","instante":"';
const DEPOIS_DA_RECEBIDA = '","par":"';
// (o par, `","id":"`, a sessão, `-`, o número, `","numero":` e o número)
const ANTES_DA_ENVIADA = ',"enviada":"';
const DEPOIS_DA_ENVIADA = '","assunto":"';
const CAMPO_NUMERO = bytesDe('","numero":');
const CAMPO_TEXTO = bytesDe('","texto":"');
const FECHA_MENSAGEM = bytesDe('","legado":false}\n');
const FECHA_LEGADO = bytesDe('","legado":true}\n');
/** Maior instante ISO 8601 (ano de 6 dígitos com sinal, fuso de 3 dígitos). */
const ISO_MAXIMO = 40;
/** Bytes de uma linha de mensagem além do par, do assunto e do texto. */
const FIXOS_DA_LINHA = ANTES_DA_RECEBIDA.length + ISO_MAXIMO +
  DEPOIS_DA_RECEBIDA.length + CAMPO_NUMERO.length + 10 + 10 +
  ANTES_DA_ENVIADA.length + ISO_MAXIMO + DEPOIS_DA_ENVIADA.length +
  CAMPO_TEXTO.length + FECHA_MENSAGEM.length;

/**
 * Escreve instantes em ISO 8601 com fuso, em bytes, já entre os dois textos
 * fixos da linha. Lembra o último instante escrito: as mensagens de uma mesma
 * leitura têm o mesmo instante de recebimento, e as de uma rajada, quase
 * sempre o mesmo de envio. Fora disso, a parte até os segundos é montada uma
 * vez por segundo: formatar uma data custa mais que uma mensagem inteira. Um
 * relógio por campo, para um não desfazer a memória do outro. `semFuso`: sem
 * o sufixo do fuso (a hora do cliente original, cujo fuso não se conhece; o
 * instante vem com fuso 0 e o `Z` cai).
 */
class RelogioIso {
  readonly #antes: string;
  readonly #depois: string;
  #instante = NaN;
  #fuso = NaN;
  /** `antes` + instante + `depois`, do último instante. */
  #pronto: Uint8Array = new Uint8Array(0);
  #segundo = NaN;
  #fusoDoSegundo = NaN;
  /** `antes` + `2026-11-24T19:27:52.` do último segundo. */
  #inicio = new Uint8Array(0);
  /** `-03:00` ou `Z`, + `depois`, do último segundo. */
  #fim = new Uint8Array(0);

  readonly #semFuso: boolean;

  constructor(antes: string, depois: string, semFuso = false) {
    this.#antes = antes;
    this.#depois = depois;
    this.#semFuso = semFuso;
  }

  #iso(instante: number, fuso: number): string {
    const iso = iso8601(instante, fuso);
    return this.#semFuso ? iso.slice(0, -1) : iso;
  }

  /** Escreve em `destino` a partir de `p`; devolve a nova posição. */
  escrever(
    destino: Uint8Array,
    p: number,
    instante: number,
    fuso: number,
  ): number {
    return poe(destino, p, this.pronto(instante, fuso));
  }

  /** `antes` + instante + `depois`, em bytes (guardados até o próximo instante). */
  pronto(instante: number, fuso: number): Uint8Array {
    if (instante !== this.#instante || fuso !== this.#fuso) {
      this.#pronto = this.#montar(instante, fuso);
      this.#instante = instante;
      this.#fuso = fuso;
    }
    return this.#pronto;
  }

  /** `antes` + `2026-11-24T19:27:52.`, do último segundo lembrado. */
  get inicioDoSegundo(): Uint8Array {
    return this.#inicio;
  }

  /** `-03:00` ou `Z`, + `depois`, do último segundo lembrado. */
  get fimDoSegundo(): Uint8Array {
    return this.#fim;
  }

  /**
   * Lembra os pedaços do segundo de `instante` (sem os milissegundos); só
   * para milissegundos inteiros (`false` nos demais).
   */
  lembrarSegundo(instante: number, fuso: number): boolean {
    if (!Number.isInteger(instante)) return false;
    const segundo = Math.floor(instante / 1000);
    if (segundo !== this.#segundo || fuso !== this.#fusoDoSegundo) {
      const iso = this.#iso(segundo * 1000, fuso);
      const ponto = iso.indexOf("."); // anos de 6 dígitos mudam a posição
      this.#inicio = bytesDe(this.#antes + iso.slice(0, ponto + 1));
      this.#fim = bytesDe(iso.slice(ponto + 4) + this.#depois);
      this.#segundo = segundo;
      this.#fusoDoSegundo = fuso;
    }
    return true;
  }

  #montar(instante: number, fuso: number): Uint8Array {
    if (!this.lembrarSegundo(instante, fuso)) {
      // Frações de milissegundo: raras, pelo caminho comum.
      return bytesDe(this.#antes + this.#iso(instante, fuso) + this.#depois);
    }
    const segundo = this.#segundo;
    const ms = instante - segundo * 1000;
    const bytes = new Uint8Array(this.#inicio.length + 3 + this.#fim.length);
    let p = poe(bytes, 0, this.#inicio);
    bytes[p++] = 0x30 + Math.floor(ms / 100);
    bytes[p++] = 0x30 + Math.floor(ms / 10) % 10;
    bytes[p++] = 0x30 + ms % 10;
    poe(bytes, p, this.#fim);
    return bytes;
  }
}
