/**
 * Quem pode ver o painel: as mesmas listas `--permitir`/`--negar` e o mesmo
 * token do servidor, conferidos com as peças de `lib/servidor/acesso.ts`
 * (comparação em tempo constante, atraso que dobra a cada erro). Um navegador
 * digita o token uma vez (`POST /entrar`) e recebe um cookie de sessão
 * aleatório desta execução; scripts mandam `Authorization: Bearer TOKEN`.
 *
 * @module
 */

import {
  type ListaDeAcesso,
  Penalidades,
  tokensIguais,
} from "../servidor/acesso.ts";

/** Nome do cookie de sessão do painel. */
export const COOKIE = "painel_sessao";

export interface OpcoesPorteiro {
  token?: string | undefined;
  acesso?: ListaDeAcesso | undefined;
  /** O painel fala HTTPS: o cookie leva `Secure`. */
  tls: boolean;
}

/** O resultado de um token digitado. */
export type Entrada =
  | { certo: true; cookie: string }
  | { certo: false; atrasoMs: number };

export class Porteiro {
  readonly #opcoes: OpcoesPorteiro;
  readonly #penalidades = new Penalidades();
  /** O valor do cookie: aleatório, nunca o próprio token. */
  readonly #sessao: string;

  constructor(opcoes: OpcoesPorteiro) {
    this.#opcoes = opcoes;
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

  /** O pedido traz o cookie de sessão ou `Authorization: Bearer` certo? */
  autorizado(pedido: Request): boolean {
    const token = this.#opcoes.token;
    if (token === undefined) return true;
    const autorizacao = pedido.headers.get("authorization");
    if (autorizacao?.startsWith("Bearer ")) {
      return tokensIguais(autorizacao.slice(7), token);
    }
    const cookie = lerCookie(pedido.headers.get("cookie"), COOKIE);
    return cookie !== undefined && tokensIguais(cookie, this.#sessao);
  }

  /**
   * Confere um token digitado por `endereco`. Errado: quanto atrasar a
   * resposta (100 ms, 200, 400... até 10 s por endereço).
   */
  entrar(token: string, endereco: string): Entrada {
    const exigido = this.#opcoes.token;
    if (exigido === undefined || tokensIguais(token, exigido)) {
      const seguro = this.#opcoes.tls ? "; Secure" : "";
      return {
        certo: true,
        cookie:
          `${COOKIE}=${this.#sessao}; Path=/; HttpOnly; SameSite=Strict${seguro}`,
      };
    }
    return { certo: false, atrasoMs: this.#penalidades.falhou(endereco) };
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
