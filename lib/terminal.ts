/**
 * Saída no terminal: o escape de caracteres de controle (nada que um cliente
 * mande é interpretado pelo terminal, CWE-150), as cores, a escrita em lotes
 * com contrapressão e os dois formatos do log do servidor (blocos legíveis
 * como os do original, ou um objeto JSON por linha).
 *
 * @module
 */

import type { EventoServidor, Par, Registro } from "./eventos.ts";
import {
  dataHoraLocal,
  fusoLocalMemorizado,
  iso8601,
  tituloDaMensagem,
} from "./mensagem.ts";

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

/** Destino de bytes: `Deno.stdout`, `Deno.stderr` ou um arquivo. */
export interface Escritor {
  write(bytes: Uint8Array): Promise<number>;
}

const LIMITE_PENDENTE = 1 << 20;
const codificador = new TextEncoder();

/**
 * Junta textos e os escreve num único `write` por vez. Enquanto uma escrita
 * está em curso, o que chega se acumula para a próxima; quando o acumulado
 * passa de 1 MiB, `pronta()` devolve uma promessa para quem produz esperar.
 */
export class SaidaEmLotes {
  #destino: Escritor;
  #partes: string[] = [];
  #pendente = 0;
  #escrevendo: Promise<void> | undefined;
  #aguardando: (() => void)[] = [];
  #erro: unknown;

  constructor(destino: Escritor) {
    this.#destino = destino;
  }

  escrever(texto: string): void {
    this.#partes.push(texto);
    this.#pendente += texto.length;
    this.#escrevendo ??= this.#escreverTudo();
  }

  /** `null` se pode continuar produzindo; senão, uma promessa de espaço. */
  pronta(): Promise<void> | null {
    if (this.#pendente < LIMITE_PENDENTE) return null;
    return new Promise((resolve) => this.#aguardando.push(resolve));
  }

  /** Espera tudo o que foi escrito chegar ao destino. */
  async esvaziar(): Promise<void> {
    while (this.#escrevendo) await this.#escrevendo;
    if (this.#erro) throw this.#erro;
  }

  async #escreverTudo(): Promise<void> {
    await Promise.resolve(); // junta o que for escrito neste tique
    try {
      while (this.#partes.length > 0) {
        const texto = this.#partes.join("");
        this.#partes = [];
        const bytes = codificador.encode(texto);
        let escritos = 0;
        while (escritos < bytes.length) {
          escritos += await this.#destino.write(bytes.subarray(escritos));
        }
        this.#pendente -= texto.length;
        this.#liberar();
      }
    } catch (erro) {
      // Saída fechada (ex.: `| head`): descarta o resto em vez de travar.
      this.#erro = erro;
      this.#partes = [];
      this.#pendente = 0;
      this.#liberar();
    } finally {
      this.#escrevendo = undefined;
    }
  }

  #liberar() {
    if (this.#pendente >= LIMITE_PENDENTE) return;
    for (const resolver of this.#aguardando.splice(0)) resolver();
  }
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

  registrar(evento: EventoServidor): void {
    this.#saida.escrever(
      evento.tipo === "mensagem"
        ? linhaJsonDeMensagem(evento)
        : jsonSeguro(eventoParaJson(evento)) + "\n",
    );
    if (this.#pessoas && PARA_PESSOAS.has(evento.tipo)) {
      this.#pessoas.registrar(evento);
    }
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
