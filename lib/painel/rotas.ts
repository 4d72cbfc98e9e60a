/**
 * As rotas HTTP do painel e os cabeçalhos de segurança de toda resposta:
 * a página e seus arquivos, `/eventos` (SSE), `/api/mensagens`, `/metricas`,
 * `/saude` e `/entrar`. Decide quem passa com o `Porteiro`; não guarda
 * estado próprio.
 *
 * @module
 */

import type { Difusao } from "./difusao.ts";
import { TIPO_METRICAS } from "./metricas.ts";
import type { Pagina } from "./pagina.ts";
import type { Porteiro } from "./porteiro.ts";
import type { InfoHttp } from "./http.ts";

/** O que as rotas consultam. */
export interface Contexto {
  pagina: Pagina;
  porteiro: Porteiro;
  difusao: Difusao;
  /** O texto de `/metricas`, montado na hora. */
  metricas(): string;
  /** O servidor ainda aceita clientes (para `/saude`). */
  aceitando(): boolean;
}

/**
 * Só arquivos desta origem; nada embutido na página (nem script, nem estilo),
 * nenhuma outra origem, nenhum quadro.
 */
export const POLITICA_DE_CONTEUDO = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Cabeçalhos de toda resposta. */
const SEGURANCA: Record<string, string> = {
  "content-security-policy": POLITICA_DE_CONTEUDO,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
};

/** Maior corpo aceito em `POST /entrar`. */
export const CORPO_MAXIMO = 4096;

function resposta(
  corpo: BodyInit | null,
  status: number,
  cabecalhos: Record<string, string> = {},
): Response {
  return new Response(corpo, {
    status,
    headers: { ...SEGURANCA, ...cabecalhos },
  });
}

function texto(corpo: string, status: number, extra = {}): Response {
  return resposta(corpo + "\n", status, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    ...extra,
  });
}

/** Um id de evento decimal (`Last-Event-ID` ou `?desde=`); senão `undefined`. */
export function lerId(valor: string | null): number | undefined {
  if (valor === null || !/^\d{1,15}$/.test(valor.trim())) return undefined;
  return Number(valor.trim());
}

/** O tratador de pedidos do HTTP do painel (http.ts). */
export function criarRotas(
  ctx: Contexto,
): (pedido: Request, info: InfoHttp) => Promise<Response> {
  const arquivo = (caminho: string, status = 200) => {
    const a = ctx.pagina.get(caminho)!;
    return resposta(a.bytes, status, {
      "content-type": a.tipo,
      "cache-control": "no-cache",
    });
  };

  return async (pedido, info) => {
    const endereco = info.remoteAddr.hostname;
    if (ctx.porteiro.recusarEndereco(endereco) !== undefined) {
      return texto("proibido", 403);
    }
    const url = new URL(pedido.url);
    const caminho = url.pathname;
    if (caminho === "/saude") {
      return ctx.aceitando() ? texto("ok", 200) : texto("encerrando", 503);
    }
    if (caminho === "/entrar" && pedido.method === "POST") {
      return await entrar(pedido, endereco);
    }
    if (pedido.method !== "GET" && pedido.method !== "HEAD") {
      return texto("método não permitido", 405, { allow: "GET, HEAD" });
    }
    if (!ctx.porteiro.autorizado(pedido, endereco)) {
      return caminho === "/"
        ? arquivo("/entrar", 401)
        : texto("não autorizado", 401, { "www-authenticate": "Bearer" });
    }
    switch (caminho) {
      case "/eventos":
        return eventos(pedido, url);
      case "/api/mensagens":
        return mensagens(url);
      case "/metricas":
        return resposta(ctx.metricas(), 200, {
          "content-type": TIPO_METRICAS,
          "cache-control": "no-store",
        });
    }
    if (caminho !== "/entrar" && ctx.pagina.has(caminho)) {
      return arquivo(caminho);
    }
    return texto("não encontrado", 404);
  };

  async function entrar(pedido: Request, endereco: string): Promise<Response> {
    const tamanho = Number(pedido.headers.get("content-length") ?? 0);
    if (!(tamanho <= CORPO_MAXIMO)) return texto("pedido grande demais", 413);
    let token = "";
    try {
      token = String((await pedido.formData()).get("token") ?? "");
    } catch {
      return texto("formulário ilegível", 400);
    }
    const entrada = ctx.porteiro.entrar(token, endereco);
    if (entrada.certo) {
      return resposta(null, 303, {
        location: "/",
        "set-cookie": entrada.cookie,
        "cache-control": "no-store",
      });
    }
    if ("esperaMs" in entrada) {
      const segundos = Math.ceil(entrada.esperaMs / 1000);
      return texto(
        `tentativas demais deste endereço; tente de novo em ${segundos} s`,
        429,
        { "retry-after": String(segundos) },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, entrada.atrasoMs));
    return arquivo("/entrar", 401);
  }

  function eventos(pedido: Request, url: URL): Response {
    const ultimo = lerId(pedido.headers.get("last-event-id")) ??
      lerId(url.searchParams.get("desde"));
    return resposta(ctx.difusao.abrir(ultimo), 200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    });
  }

  function mensagens(url: URL): Response {
    const desde = lerId(url.searchParams.get("desde")) ?? 0;
    const { guardadas } = ctx.difusao.historico.desde(desde);
    return resposta(`[${guardadas.map((g) => g.json).join(",")}]\n`, 200, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    });
  }
}
