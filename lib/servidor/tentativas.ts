/**
 * O limite de tentativas de token: quantos tokens errados o servidor (e o
 * painel) confere por minuto, por origem e no total. Atrasar a resposta ao
 * erro não basta: quem acerta entra na hora, então a falta de uma resposta
 * rápida já diz "errado", e muitas conexões (ou muitos endereços) adivinham
 * em paralelo. Aqui, quando o saldo de uma origem acaba, o token dela nem é
 * conferido — certo ou errado, a resposta é "tentativas demais" — até o saldo
 * voltar.
 *
 * - Origem: um endereço IPv4, ou um prefixo IPv6 (`/64` por padrão: quem tem
 *   uma /64 tem endereços sem fim).
 * - Saldo por origem: `porOrigem` falhas, que voltam à razão de `porOrigem`
 *   por minuto (balde de fichas).
 * - Teto global: `global` falhas por minuto no servidor todo, contra muitos
 *   endereços que se revezam. Esgotado, só são conferidas as origens que já
 *   acertaram o token antes (o cliente de direito continua entrando na hora).
 * - Pendentes: conexões de uma origem ainda sem saudação aceita, no máximo
 *   `pendentes` ao mesmo tempo: quem espera a resposta de um erro não ocupa
 *   as vagas de `--max-conexoes` dos outros.
 *
 * Puro: recebe os instantes; não arma temporizador nenhum.
 *
 * @module
 */

import ipaddr from "ipaddr.js";

/** Os limites, como nas opções do servidor. */
export interface LimitesDeTentativas {
  /** Tokens errados por minuto de uma origem (o saldo cheio). */
  porOrigem: number;
  /** Tokens errados por minuto no servidor todo. */
  global: number;
  /** Bits do prefixo IPv6 que fazem uma origem. */
  prefixoIpv6: number;
  /** Conexões de uma origem ainda sem saudação aceita, no máximo. */
  pendentes: number;
}

/** Os padrões das opções. */
export const LIMITES_PADRAO: Readonly<LimitesDeTentativas> = {
  porOrigem: 10,
  global: 100,
  prefixoIpv6: 64,
  pendentes: 16,
};

const MINUTO_MS = 60_000;
/** Origens lembradas, no máximo (as mais antigas são esquecidas). */
const ORIGENS_MAXIMAS = 50_000;
/** Origens que acertaram o token lembradas, no máximo. */
const CONHECIDAS_MAXIMAS = 4096;

/** Um balde de fichas: `saldo` no `instante`, enchendo até `capacidade`. */
interface Balde {
  saldo: number;
  instante: number;
}

/**
 * A origem de um endereço: o próprio IPv4 (também o IPv4 mapeado em IPv6) ou
 * o prefixo IPv6 de `bits` bits.
 *
 * @example
 * ```ts
 * import { origemDe } from "./tentativas.ts";
 * origemDe("2001:db8:1:2:aaaa::1", 64); // "2001:db8:1:2::/64"
 * origemDe("::ffff:10.0.0.7", 64); // "10.0.0.7"
 * ```
 */
export function origemDe(endereco: string, bits: number): string {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.process(endereco);
  } catch {
    return endereco;
  }
  if (ip.kind() === "ipv4") return ip.toString();
  const partes = (ip as ipaddr.IPv6).toByteArray();
  for (let i = 0; i < 16; i++) {
    const resto = bits - i * 8;
    partes[i] &= resto >= 8 ? 0xff : resto <= 0 ? 0 : (0xff << (8 - resto));
  }
  return `${ipaddr.fromByteArray(partes).toString()}/${bits}`;
}

/** Quanto esperar até poder tentar de novo, ou 0: pode conferir agora. */
export type Espera = number;

/** O limite de tentativas; um só para o servidor e o painel. */
export class Tentativas {
  readonly limites: Readonly<LimitesDeTentativas>;
  readonly #baldes = new Map<string, Balde>();
  readonly #global: Balde;
  readonly #conhecidas = new Set<string>();
  readonly #pendentes = new Map<string, number>();

  constructor(limites: Readonly<LimitesDeTentativas> = LIMITES_PADRAO) {
    this.limites = limites;
    this.#global = { saldo: limites.global, instante: 0 };
  }

  /** A origem de `endereco` com o prefixo configurado. */
  origem(endereco: string): string {
    return origemDe(endereco, this.limites.prefixoIpv6);
  }

  /**
   * O token de `endereco` pode ser conferido agora? 0 = sim; senão, em
   * quantos ms haverá saldo de novo.
   */
  consultar(endereco: string, agora = Date.now()): Espera {
    const origem = this.origem(endereco);
    const balde = this.#baldes.get(origem);
    const { porOrigem, global } = this.limites;
    const saldo = balde ? encher(balde, porOrigem, agora) : porOrigem;
    if (saldo < 1) return faltaPara1(saldo, porOrigem);
    if (this.#conhecidas.has(origem)) return 0;
    const saldoGlobal = encher(this.#global, global, agora);
    return saldoGlobal < 1 ? faltaPara1(saldoGlobal, global) : 0;
  }

  /** Um token errado de `endereco`: gasta uma ficha da origem e uma global. */
  falhou(endereco: string, agora = Date.now()): void {
    const origem = this.origem(endereco);
    const { porOrigem, global } = this.limites;
    const balde = this.#baldes.get(origem) ??
      { saldo: porOrigem, instante: agora };
    this.#baldes.delete(origem); // reinserir mantém o Map em ordem de uso
    balde.saldo = Math.max(0, encher(balde, porOrigem, agora) - 1);
    balde.instante = agora;
    this.#baldes.set(origem, balde);
    if (this.#baldes.size > ORIGENS_MAXIMAS) {
      this.#baldes.delete(this.#baldes.keys().next().value!);
    }
    this.#global.saldo = Math.max(0, encher(this.#global, global, agora) - 1);
    this.#global.instante = agora;
  }

  /** `endereco` acertou o token: sua origem passa ao largo do teto global. */
  acertou(endereco: string): void {
    const origem = this.origem(endereco);
    this.#conhecidas.delete(origem);
    this.#conhecidas.add(origem);
    if (this.#conhecidas.size > CONHECIDAS_MAXIMAS) {
      this.#conhecidas.delete(this.#conhecidas.values().next().value!);
    }
  }

  /**
   * Uma conexão de `endereco` ainda sem saudação aceita. `false` se a origem
   * já tem `pendentes` delas (a conexão deve ser recusada); senão conta-a até
   * `saiu`.
   */
  entrou(endereco: string): boolean {
    const origem = this.origem(endereco);
    const n = this.#pendentes.get(origem) ?? 0;
    if (n >= this.limites.pendentes) return false;
    this.#pendentes.set(origem, n + 1);
    return true;
  }

  /** A conexão contada em `entrou` foi aceita ou fechada. */
  saiu(endereco: string): void {
    const origem = this.origem(endereco);
    const n = (this.#pendentes.get(origem) ?? 1) - 1;
    if (n > 0) this.#pendentes.set(origem, n);
    else this.#pendentes.delete(origem);
  }
}

/** O saldo de um balde de `porMinuto` fichas por minuto em `agora`. */
function encher(balde: Balde, porMinuto: number, agora: number): number {
  const decorrido = Math.max(0, agora - balde.instante);
  return Math.min(porMinuto, balde.saldo + decorrido * porMinuto / MINUTO_MS);
}

/** Ms até um balde com `saldo` (< 1) ter uma ficha inteira. */
function faltaPara1(saldo: number, porMinuto: number): number {
  return Math.ceil((1 - saldo) * MINUTO_MS / porMinuto);
}
