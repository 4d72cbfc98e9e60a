/**
 * Saída no terminal: o escape de caracteres de controle (nada que um cliente
 * mande é interpretado pelo terminal, CWE-150), as cores, a escrita em lotes
 * com contrapressão e os dois formatos do log do servidor (blocos legíveis
 * como os do original, ou um objeto JSON por linha).
 *
 * @module
 */

import type { EventoServidor, Par, Registro } from "../servidor/eventos.ts";
import {
  dataHoraLocal,
  fusoLocalMemorizado,
  iso8601,
  tituloDaMensagem,
} from "../datas.ts";
import { MensagemNoLugar } from "../protocolo/mensagem_no_lugar.ts";
import type { SaidaEmLotes } from "./lotes.ts";

/**
 * Caracteres que um terminal pode interpretar ou que enganam quem lê: C0 (menos
 * a quebra de linha, tratada à parte), a barra invertida (para o escape não ser
 * ambíguo), DEL, C1, marcas e sobreposições bidirecionais, separadores Unicode.
 */
const PERIGOSOS =
  // deno-lint-ignore no-control-regex -- são exatamente os caracteres a escapar
  /[\x00-\x09\x0b-\x1f\\\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NOMES: Record<string, string> = {
  "\t": "\\t",
  "\r": "\\r",
  "\\": "\\\\",
};

function escaparCaractere(c: string): string {
  const nome = NOMES[c];
  if (nome) return nome;
  const codigo = c.charCodeAt(0);
  return codigo < 0x100
    ? `\\x${codigo.toString(16).toUpperCase().padStart(2, "0")}`
    : `\\u{${codigo.toString(16).toUpperCase()}}`;
}

/** Escapa visivelmente tudo o que o terminal poderia interpretar (não mexe em `\n`). */
export function escapar(texto: string): string {
  PERIGOSOS.lastIndex = 0;
  if (!PERIGOSOS.test(texto)) return texto;
  PERIGOSOS.lastIndex = 0;
  return texto.replace(PERIGOSOS, escaparCaractere);
}

/**
 * Um campo de várias linhas, escapado e recuado: cada linha começa com dois
 * espaços, então nenhuma linha de um texto pode se passar pela moldura de um
 * bloco (`---`, `> TEXTO:`) nem por outra linha do log.
 */
export function campoRecuado(texto: string): string {
  return "  " + escapar(texto).replaceAll("\n", "\n  ");
}

/** Caracteres que `JSON.stringify` deixa passar e que um terminal interpretaria. */
const PERIGOSOS_JSON =
  /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** O mesmo conjunto, sem `g`, só para testar (mais barato que `replace` à toa). */
const TEM_PERIGO_JSON = new RegExp(PERIGOSOS_JSON.source);

/** JSON numa linha, sem nenhum caractere que um terminal interpretaria. */
export function jsonSeguro(valor: unknown): string {
  const json = JSON.stringify(valor);
  if (!TEM_PERIGO_JSON.test(json)) return json;
  return json.replace(
    PERIGOSOS_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `127.0.0.1:5000` ou `[::1]:5000`. */
export function formatarPar(par: Par): string {
  return par.endereco.includes(":")
    ? `[${par.endereco}]:${par.porta}`
    : `${par.endereco}:${par.porta}`;
}

/** Estilos ANSI, ou nada quando a saída não é um terminal ou há NO_COLOR. */
export interface Cores {
  negrito(texto: string): string;
  realce(texto: string): string;
  fraco(texto: string): string;
  erro(texto: string): string;
}

const SEM_COR: Cores = {
  negrito: (t) => t,
  realce: (t) => t,
  fraco: (t) => t,
  erro: (t) => t,
};

const COM_COR: Cores = {
  negrito: (t) => `\x1b[1m${t}\x1b[22m`,
  realce: (t) => `\x1b[36m${t}\x1b[39m`,
  fraco: (t) => `\x1b[2m${t}\x1b[22m`,
  erro: (t) => `\x1b[31m${t}\x1b[39m`,
};

/** Cores só para um terminal de verdade e sem `NO_COLOR`. */
export function coresPara(saida: { isTerminal(): boolean }): Cores {
  return saida.isTerminal() && !Deno.noColor ? COM_COR : SEM_COR;
}

/** Os eventos do servidor como texto para pessoas, no estilo do original. */
export class RegistroLegivel implements Registro {
  #saida: SaidaEmLotes;
  #cores: Cores;

  constructor(saida: SaidaEmLotes, cores: Cores) {
    this.#saida = saida;
    this.#cores = cores;
  }

  registrar(evento: EventoServidor): void {
    this.#saida.escrever(formatarLegivel(evento, this.#cores));
  }

  pronta(): Promise<void> | null {
    return this.#saida.pronta();
  }
}

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

  constructor(saida: SaidaEmLotes, pessoas?: Registro) {
    this.#saida = saida;
    this.#pessoas = pessoas;
  }

  #recebida = new RelogioIso(ANTES_DA_RECEBIDA, DEPOIS_DA_RECEBIDA);
  #enviada = new RelogioIso(ANTES_DA_ENVIADA, DEPOIS_DA_ENVIADA);
  /** `127.0.0.1:5000","numero":`, em bytes, por sessão. */
  #pares = new WeakMap<Par, Uint8Array>();

  registrar(evento: EventoServidor): void {
    if (evento.tipo === "mensagem") {
      if (evento.mensagem instanceof MensagemNoLugar && !evento.legado) {
        this.#linhaDeMensagem(evento, evento.mensagem);
        this.#saida.agendar();
      } else this.#saida.escrever(linhaJsonDeMensagem(evento));
      return;
    }
    this.#saida.escrever(jsonSeguro(eventoParaJson(evento)) + "\n");
    if (this.#pessoas && PARA_PESSOAS.has(evento.tipo)) {
      this.#pessoas.registrar(evento);
    }
  }

  /**
   * O caminho quente do log: a mesma linha de `linhaJsonDeMensagem`, montada
   * direto em bytes, com espaço garantido uma vez só. Assunto e texto sem nada
   * a escapar são copiados dos bytes recebidos, sem nunca virar `string`.
   */
  #linhaDeMensagem(
    evento: Extract<EventoServidor, { tipo: "mensagem" }>,
    mensagem: MensagemNoLugar,
  ) {
    if (!mensagem.semEscape) {
      this.#saida.escrever(linhaJsonDeMensagem(evento));
      return;
    }
    const par = this.#parEmBytes(evento.par);
    const { bytesAssunto, bytesTexto } = mensagem;
    const a = this.#saida.acumulador;
    a.garantir(
      FIXOS_DA_LINHA + par.length + bytesAssunto.length + bytesTexto.length,
    );
    const b = a.bytes;
    let p = this.#recebida.escrever(
      b,
      a.usados,
      evento.instante,
      fusoLocalMemorizado(evento.instante),
    );
    p = poe(b, p, par);
    p = poeInteiro(b, p, mensagem.numero);
    p = this.#enviada.escrever(b, p, mensagem.instante, mensagem.fuso);
    p = poe(b, p, bytesAssunto);
    p = poe(b, p, CAMPO_TEXTO);
    p = poe(b, p, bytesTexto);
    a.usados = poe(b, p, FECHA_MENSAGEM);
  }

  #parEmBytes(par: Par): Uint8Array {
    let bytes = this.#pares.get(par);
    if (bytes === undefined) {
      bytes = bytesAscii(`${formatarPar(par)}","numero":`);
      this.#pares.set(par, bytes);
    }
    return bytes;
  }

  pronta(): Promise<void> | null {
    return this.#saida.pronta();
  }
}

function plural(n: number, singular: string, plural: string): string {
  return `${n} ${n === 1 ? singular : plural}`;
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
        plural(evento.mensagens, "mensagem", "mensagens")
      }.\n`;
    case "desconectou":
      return `> Cliente ${
        formatarPar(evento.par)
      } desconectou-se sem CODIGO_SAIDA (${evento.motivo}) depois de ${
        plural(evento.mensagens, "mensagem", "mensagens")
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
      return `> Sinal ${evento.sinal} recebido: encerrando; avisando ${
        plural(evento.clientes, "cliente", "clientes")
      } com CODIGO_SAIDA...\n`;
    case "resumo":
      return `> Servidor encerrado: ${
        plural(evento.clientes, "cliente atendido", "clientes atendidos")
      }, ${
        plural(evento.mensagens, "mensagem recebida", "mensagens recebidas")
      }, ${
        plural(evento.rejeitadas, "conexão rejeitada", "conexões rejeitadas")
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
    }, recebida em ${cores.fraco(dataHoraLocal(evento.instante))}\n` +
    `\n> ASSUNTO:\n${cores.negrito(campoRecuado(mensagem.assunto))}\n` +
    `\n> TEXTO:\n${campoRecuado(mensagem.texto)}\n---\n`;
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
function linhaJsonDeMensagem(
  evento: Extract<EventoServidor, { tipo: "mensagem" }>,
): string {
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
  }","numero":${mensagem.numero},"enviada":"${enviada}","assunto":${
    jsonSeguro(mensagem.assunto)
  },"texto":${jsonSeguro(mensagem.texto)},"legado":${legado}}\n`;
}

// Os pedaços fixos da linha JSON de uma mensagem, na ordem.
const ANTES_DA_RECEBIDA = '{"evento":"mensagem","instante":"';
const DEPOIS_DA_RECEBIDA = '","par":"';
// (o par, `","numero":` e o número)
const ANTES_DA_ENVIADA = ',"enviada":"';
const DEPOIS_DA_ENVIADA = '","assunto":"';
const bytesAscii = (texto: string) => new TextEncoder().encode(texto);
const CAMPO_TEXTO = bytesAscii('","texto":"');
const FECHA_MENSAGEM = bytesAscii('","legado":false}\n');
/** Maior instante ISO 8601 (ano de 6 dígitos com sinal, fuso de 3 dígitos). */
const ISO_MAXIMO = 40;
/** Bytes de uma linha de mensagem além do par, do assunto e do texto. */
const FIXOS_DA_LINHA = ANTES_DA_RECEBIDA.length + ISO_MAXIMO +
  DEPOIS_DA_RECEBIDA.length + '","numero":'.length + 10 +
  ANTES_DA_ENVIADA.length + ISO_MAXIMO + DEPOIS_DA_ENVIADA.length +
  CAMPO_TEXTO.length + FECHA_MENSAGEM.length;

/**
 * Copia `origem` para `destino` a partir de `p` (o espaço já garantido) e
 * devolve a nova posição. `set` custa o mesmo para 10 ou 300 bytes; um laço
 * em JS só ganha abaixo de uns 8.
 */
function poe(destino: Uint8Array, p: number, origem: Uint8Array): number {
  destino.set(origem, p);
  return p + origem.length;
}

/** Escreve um inteiro de 0 a 2³² − 1 em decimal; devolve a nova posição. */
function poeInteiro(destino: Uint8Array, p: number, n: number): number {
  let digitos = 1;
  for (let resto = n; resto >= 10; resto = Math.floor(resto / 10)) digitos++;
  let resto = n;
  for (let i = p + digitos - 1; i >= p; i--) {
    const quociente = Math.floor(resto / 10);
    destino[i] = 0x30 + resto - quociente * 10;
    resto = quociente;
  }
  return p + digitos;
}

/**
 * Escreve instantes em ISO 8601 com fuso, em bytes, já entre os dois textos
 * fixos da linha. Lembra o último instante escrito: as mensagens de uma mesma
 * leitura têm o mesmo instante de recebimento, e as de uma rajada, quase
 * sempre o mesmo de envio. Fora disso, a parte até os segundos é montada uma
 * vez por segundo: formatar uma data custa mais que uma mensagem inteira. Um
 * relógio por campo, para um não desfazer a memória do outro.
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

  constructor(antes: string, depois: string) {
    this.#antes = antes;
    this.#depois = depois;
  }

  /** Escreve em `destino` a partir de `p`; devolve a nova posição. */
  escrever(
    destino: Uint8Array,
    p: number,
    instante: number,
    fuso: number,
  ): number {
    if (instante !== this.#instante || fuso !== this.#fuso) {
      this.#pronto = this.#montar(instante, fuso);
      this.#instante = instante;
      this.#fuso = fuso;
    }
    return poe(destino, p, this.#pronto);
  }

  #montar(instante: number, fuso: number): Uint8Array {
    if (!Number.isInteger(instante)) {
      // Frações de milissegundo: raras, pelo caminho comum.
      return bytesAscii(this.#antes + iso8601(instante, fuso) + this.#depois);
    }
    const segundo = Math.floor(instante / 1000);
    if (segundo !== this.#segundo || fuso !== this.#fusoDoSegundo) {
      const iso = iso8601(segundo * 1000, fuso);
      const ponto = iso.indexOf("."); // anos de 6 dígitos mudam a posição
      this.#inicio = bytesAscii(this.#antes + iso.slice(0, ponto + 1));
      this.#fim = bytesAscii(iso.slice(ponto + 4) + this.#depois);
      this.#segundo = segundo;
      this.#fusoDoSegundo = fuso;
    }
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
