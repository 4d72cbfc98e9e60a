/**
 * O que se decide sobre o NATS sem falar com ele: os endereços de `--nats`,
 * o assunto em que cada servidor publica, se os assuntos de um stream que já
 * existe cobrem esse assunto, se a janela de duplicatas dele basta, e o ponto
 * de partida de `--acompanhar`. Puro: nem rede nem `Deno.*`; o módulo que
 * fala com o NATS (ligacao.ts) e a linha de comando usam o que está aqui.
 *
 * @module
 */

/** O stream padrão. */
export const STREAM_PADRAO = "SOCKETS";
/** O prefixo padrão dos assuntos: cada servidor publica em `PREFIXO.<nome>`. */
export const PREFIXO_PADRAO = "sockets.mensagens";
/**
 * A janela de duplicatas de um stream criado pelo servidor: 15 minutos, o
 * mesmo horizonte da memória de sessões de um servidor só
 * (lib/servidor/memoria.ts). Um cliente reenvia o que não foi confirmado
 * segundos depois de uma queda (espera máxima de 2 s entre tentativas,
 * desiste sem progresso em `--tempo-limite`, 10 s por padrão); o que pesa é
 * o servidor, que repete uma publicação sem resposta até o NATS voltar: uma
 * repetição dentro da janela nunca grava duas vezes.
 */
export const JANELA_PADRAO_MS = 15 * 60_000;
/**
 * A menor janela aceita num stream que já existe: um minuto cobre várias
 * vezes o horizonte de reconexão do cliente com os padrões (10 s).
 */
export const JANELA_MINIMA_MS = 60_000;

/**
 * Os endereços de `--nats`, separados por vírgula: `nats://host:porta` ou
 * `tls://host:porta` (também `host:porta`, que vira `nats://`).
 *
 * @throws {RangeError} com a frase para quem usa
 */
export function analisarEnderecosNats(texto: string): string[] {
  const partes = texto.split(",").map((parte) => parte.trim()).filter((p) =>
    p !== ""
  );
  if (partes.length === 0) {
    throw new RangeError("--nats precisa de ao menos um endereço");
  }
  return partes.map((parte) => {
    const url = parte.includes("://") ? parte : `nats://${parte}`;
    const esquema = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
    if (esquema !== "nats" && esquema !== "tls") {
      throw new RangeError(
        `--nats: ${parte} não é um endereço nats:// ou tls://`,
      );
    }
    let analisada: URL;
    try {
      analisada = new URL(url.replace(/^[a-z]+:/i, "http:"));
    } catch {
      throw new RangeError(`--nats: endereço inválido: ${parte}`);
    }
    if (analisada.hostname === "") {
      throw new RangeError(`--nats: falta o host em ${parte}`);
    }
    return url;
  });
}

/** Um nome de stream aceito pelo NATS: letras, dígitos, `-` e `_`. */
export function analisarNomeDeStream(texto: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(texto)) {
    throw new RangeError(
      `--nats-stream: ${texto} não é um nome de stream (letras, dígitos, - e _; até 64)`,
    );
  }
  return texto;
}

/** Um prefixo de assunto: palavras de letras, dígitos, `-` e `_` com pontos. */
export function analisarPrefixo(texto: string): string {
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(texto)) {
    throw new RangeError(
      `--nats-assunto: ${texto} não é um prefixo de assunto (palavras de letras, dígitos, - e _ separadas por pontos)`,
    );
  }
  return texto;
}

/**
 * Uma palavra de assunto feita de um nome qualquer (nome da máquina e porta):
 * o que não for letra, dígito, `-` ou `_` vira `_`.
 */
export function palavraDeAssunto(nome: string): string {
  const palavra = nome.replace(/[^A-Za-z0-9_-]/g, "_");
  return palavra === "" ? "_" : palavra;
}

/**
 * O assunto `assunto` casa com o filtro `filtro` (`*` = uma palavra, `>` =
 * uma ou mais no fim), como o NATS decide?
 */
export function assuntoCasa(filtro: string, assunto: string): boolean {
  const f = filtro.split(".");
  const a = assunto.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return a.length > i;
    if (i >= a.length) return false;
    if (f[i] !== "*" && f[i] !== a[i]) return false;
  }
  return f.length === a.length;
}

/** O que importa da configuração de um stream que já existe. */
export interface StreamExistente {
  nome: string;
  assuntos: readonly string[];
  /** Janela de duplicatas, em milissegundos. */
  janelaMs: number;
}

/**
 * Por que o servidor não pode usar o stream como ele está (`undefined` se
 * pode): os assuntos dele têm de cobrir o assunto em que o servidor publica,
 * e a janela de duplicatas tem de ser de ao menos `JANELA_MINIMA_MS`.
 */
export function problemaDoStream(
  stream: StreamExistente,
  assunto: string,
): string | undefined {
  if (!stream.assuntos.some((filtro) => assuntoCasa(filtro, assunto))) {
    return `o stream ${stream.nome} já existe, mas seus assuntos (${
      stream.assuntos.join(", ") || "nenhum"
    }) não cobrem ${assunto}; use outro --nats-stream ou --nats-assunto, ou acrescente o assunto ao stream`;
  }
  if (stream.janelaMs < JANELA_MINIMA_MS) {
    return `o stream ${stream.nome} já existe, mas sua janela de duplicatas (${
      segundos(stream.janelaMs)
    }) é menor que ${
      segundos(JANELA_MINIMA_MS)
    }: um reenvio depois de uma queda poderia ser gravado duas vezes; aumente duplicate_window do stream`;
  }
  return undefined;
}

function segundos(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** De onde `--acompanhar` começa a mostrar. */
export type Partida =
  | { tipo: "novas" }
  | { tipo: "tudo" }
  | { tipo: "ultimas"; quantas: number }
  | { tipo: "sequencia"; sequencia: number }
  | { tipo: "instante"; instante: number };

/**
 * O valor de `--acompanhar`: `novas` (só as que chegarem), `tudo`, um
 * número N (as últimas N), `#N` (da sequência N do stream em diante) ou um
 * instante ISO 8601 (`2026-11-24T19:00:00-03:00`).
 *
 * @throws {RangeError} com a frase para quem usa
 */
export function analisarPartida(texto: string): Partida {
  const t = texto.trim();
  if (t === "novas") return { tipo: "novas" };
  if (t === "tudo") return { tipo: "tudo" };
  if (/^\d{1,15}$/.test(t)) return { tipo: "ultimas", quantas: Number(t) };
  if (/^#\d{1,15}$/.test(t) && Number(t.slice(1)) >= 1) {
    return { tipo: "sequencia", sequencia: Number(t.slice(1)) };
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(t)) {
    const instante = Date.parse(t);
    if (!Number.isNaN(instante)) return { tipo: "instante", instante };
  }
  throw new RangeError(
    `--acompanhar: ${texto} não é um ponto de partida (novas, tudo, um número N para as últimas N, #N para a sequência N, ou um instante ISO 8601)`,
  );
}
