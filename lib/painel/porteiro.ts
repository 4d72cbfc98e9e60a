/**
 * Quem pode ver o painel: as mesmas listas `--permitir`/`--negar` e o mesmo
 * token do servidor, conferidos com as peças de `lib/servidor/acesso.ts`
 * (comparação em tempo constante) e o mesmo limite de tentativas do servidor
 * (`lib/servidor/tentativas.ts`: um erro no painel gasta o mesmo saldo que um
 * erro na porta do protocolo, e vice-versa). Um navegador
 * digita o token uma vez (`POST /entrar`) e recebe um cookie de sessão
 * aleatório desta execução; scripts mandam `Authorization: Bearer TOKEN`.
 *
 * @module
 */

import { type ListaDeAcesso, tokensIguais } from "../servidor/acesso.ts";
import { Tentativas } from "../servidor/tentativas.ts";

/** Atraso da resposta a um token errado. */
const ATRASO_FALHA_MS = 100;

/** Nome do cookie de sessão do painel. */
export const COOKIE = "painel_sessao";

export interface OpcoesPorteiro {
  token?: string | undefined;
  acesso?: ListaDeAcesso | undefined;
  /** O painel fala HTTPS: o cookie leva `Secure`. */
  tls: boolean;
  /** O limite de tentativas, o mesmo do servidor; padrão: um novo. */
  tentativas?: Tentativas | undefined;
}

/** O resultado de um token digitado. */
export type Entrada =
  | { certo: true; cookie: string }
  | { certo: false; atrasoMs: number }
  /** Tentativas demais desta origem: nem conferido; de novo em `esperaMs`. */
  | { certo: false; esperaMs: number };

export class Porteiro {
  readonly #opcoes: OpcoesPorteiro;
  readonly #tentativas: Tentativas;
  /** O valor do cookie: aleatório, nunca o próprio token. */
  readonly #sessao: string;

  constructor(opcoes: OpcoesPorteiro) {
    this.#opcoes = opcoes;
    this.#tentativas = opcoes.tentativas ?? new Tentativas();
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    this.#sessao = [...bytes].map((b) => b.toString(16).padStart(2, "0"))
      .join("");
  }

  /** O painel pede token? */
  get exigeToken(): boolean {
    return this.#opcoes.token !== undefined;
  }

  /** `undefined` se o endereço pode ver; senão o motivo. */
  recusarEndereco(endereco: string): string | undefined {
    return this.#opcoes.acesso?.recusar(endereco);
  }

  /**
   * O pedido traz o cookie de sessão ou `Authorization: Bearer` certo? Um
   * Bearer conta como tentativa de token (de `endereco`).
   */
  autorizado(pedido: Request, endereco: string): boolean {
    const token = this.#opcoes.token;
    if (token === undefined) return true;
    const autorizacao = pedido.headers.get("authorization");
    if (autorizacao?.startsWith("Bearer ")) {
      return this.#conferir(autorizacao.slice(7), token, endereco) === 0;
    }
    const cookie = lerCookie(pedido.headers.get("cookie"), COOKIE);
    return cookie !== undefined && tokensIguais(cookie, this.#sessao);
  }

  /**
   * Confere um token digitado por `endereco`. Errado: quanto atrasar a
   * resposta; sem saldo de tentativas: em quanto tempo tentar de novo.
   */
  entrar(token: string, endereco: string): Entrada {
    const exigido = this.#opcoes.token;
    const espera = exigido === undefined
      ? 0
      : this.#conferir(token, exigido, endereco);
    if (espera === 0) {
      const seguro = this.#opcoes.tls ? "; Secure" : "";
      return {
        certo: true,
        cookie:
          `${COOKIE}=${this.#sessao}; Path=/; HttpOnly; SameSite=Strict${seguro}`,
      };
    }
    return espera > 0
      ? { certo: false, esperaMs: espera }
      : { certo: false, atrasoMs: ATRASO_FALHA_MS };
  }

  /** 0 = certo; -1 = errado; > 0 = sem saldo, nem conferido (ms de espera). */
  #conferir(token: string, exigido: string, endereco: string): number {
    const espera = this.#tentativas.consultar(endereco);
    if (espera > 0) return espera;
    if (tokensIguais(token, exigido)) {
      this.#tentativas.acertou(endereco);
      return 0;
    }
    this.#tentativas.falhou(endereco);
    return -1;
  }
}

/** O valor do cookie `nome` no cabeçalho `Cookie`, se há. */
export function lerCookie(
  cabecalho: string | null,
  nome: string,
): string | undefined {
  if (cabecalho === null) return undefined;
  for (const parte of cabecalho.split(";")) {
    const igual = parte.indexOf("=");
    if (igual < 0) continue;
    if (parte.slice(0, igual).trim() === nome) {
      return parte.slice(igual + 1).trim();
    }
  }
  return undefined;
}
