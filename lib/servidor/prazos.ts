/**
 * Os prazos de uma sessão do servidor, como regra pura: dados os instantes da
 * sessão e os limites (`--prazo`, `--tempo-ocioso`), qual prazo venceu e com
 * que motivo. O servidor varre as sessões de tempos em tempos
 * (`intervaloDeVarredura`) em vez de armar um temporizador por leitura: o
 * caminho de cada mensagem só anota instantes.
 *
 * @module
 */

import { CodigoErro } from "../erros.ts";

/** Os instantes (ms, `Date.now()`) de que os prazos de uma sessão dependem. */
export interface MarcasDeTempo {
  /** A sessão ainda espera a saudação. */
  saudando: boolean;
  /** Quando a conexão foi aceita. */
  inicio: number;
  /** Quando começou o quadro ainda incompleto; 0 = nenhum. */
  inicioQuadro: number;
  /** Quando chegou o último pedaço. */
  ultimaAtividade: number;
}

/** Os limites, em ms, como nas opções do servidor. */
export interface LimitesDeTempo {
  /** Para a saudação chegar e para cada quadro começado terminar. */
  prazo: number;
  /** Sem receber nada antes de desligar; 0 = nunca. */
  tempoOcioso: number;
}

/** Um prazo vencido: o código e o motivo com que a sessão recusa o cliente. */
export interface Vencimento {
  codigo: CodigoErro;
  motivo: string;
}

/**
 * O prazo vencido em `agora`, se algum: saudação, quadro incompleto ou tempo
 * ocioso, nesta ordem.
 *
 * @example
 * ```ts
 * import { prazoVencido } from "./prazos.ts";
 * const marcas = { saudando: true, inicio: 0, inicioQuadro: 0, ultimaAtividade: 0 };
 * prazoVencido(6000, marcas, { prazo: 5000, tempoOcioso: 0 });
 * // { codigo: CodigoErro.PRAZO_ESGOTADO, motivo: "nenhuma saudação em 5 s" }
 * ```
 */
export function prazoVencido(
  agora: number,
  marcas: MarcasDeTempo,
  limites: LimitesDeTempo,
): Vencimento | undefined {
  const { prazo, tempoOcioso } = limites;
  if (marcas.saudando && agora - marcas.inicio > prazo) {
    return {
      codigo: CodigoErro.PRAZO_ESGOTADO,
      motivo: `nenhuma saudação em ${segundos(prazo)}`,
    };
  }
  if (marcas.inicioQuadro !== 0 && agora - marcas.inicioQuadro > prazo) {
    return {
      codigo: CodigoErro.PRAZO_ESGOTADO,
      motivo: `quadro incompleto por mais de ${segundos(prazo)}`,
    };
  }
  if (tempoOcioso > 0 && agora - marcas.ultimaAtividade > tempoOcioso) {
    return {
      codigo: CodigoErro.OCIOSO,
      motivo: `nada recebido em ${segundos(tempoOcioso)} (tempo ocioso)`,
    };
  }
  return undefined;
}

/**
 * De quantos em quantos ms varrer as sessões: um quarto do menor limite,
 * entre 50 ms e 1 s; um prazo vence no máximo uma varredura depois da hora.
 */
export function intervaloDeVarredura(limites: LimitesDeTempo): number {
  return Math.max(
    50,
    Math.min(1000, limites.prazo / 4, limites.tempoOcioso / 4 || 1000),
  );
}

function segundos(ms: number): string {
  return `${ms / 1000} s`;
}

/**
 * Quando começou o quadro ainda incompleto depois de um pedaço lido em
 * `agora` (0 = nenhum): o prazo de cada quadro conta do seu primeiro byte.
 * Se o pedaço terminou algum quadro, o incompleto começou neste pedaço; se
 * não terminou nenhum, é o mesmo de antes (ou começa agora, se não havia).
 * Assim um fluxo constante cujos pedaços nunca caem numa fronteira de quadro
 * não é cortado, e um quadro a conta-gotas ainda é.
 *
 * @example
 * ```ts
 * import { inicioDoQuadro } from "./prazos.ts";
 * inicioDoQuadro(1000, 1900, true, true); // 1900: um quadro novo começou
 * inicioDoQuadro(1000, 1900, true, false); // 1000: o mesmo quadro, devagar
 * ```
 */
export function inicioDoQuadro(
  anterior: number,
  agora: number,
  incompleto: boolean,
  terminouAlgum: boolean,
): number {
  if (!incompleto) return 0;
  return anterior === 0 || terminouAlgum ? agora : anterior;
}
