/**
 * As permissões do Deno que cada programa precisa, conferidas antes de usar a
 * rede, o nome da máquina, a variável do token ou um arquivo: rodado com
 * `deno run` sem elas, o programa diz numa linha qual falta e qual comando tem
 * todas (`deno task servidor`), em vez de o Deno parar com um rastro de pilha.
 * Os binários compilados já as têm. Os pontos de entrada chamam
 * {@linkcode permissaoQueFalta} logo depois de analisar as opções.
 *
 * @module
 */

import { VARIAVEL_TOKEN, VARIAVEL_TOKEN_NATS } from "./comum.ts";

/** O que o programa vai fazer e, por isso, precisa poder. */
export interface Necessidades {
  /** Sem `--host`, o programa pergunta o nome desta máquina. */
  nomeDaMaquina: boolean;
  /** Sem `--token-arquivo`, o token vem da variável de ambiente. */
  variavelDoToken: boolean;
  /** Com `--nats` e sem `--nats-credenciais`, o token do NATS vem da variável. */
  variavelDoTokenNats?: boolean;
  /** Arquivos indicados nas opções (certificado, chave, CA, token). */
  arquivos: readonly string[];
}

/** Uma permissão e a opção do `deno run` que a concede. */
interface Pedido {
  descritor: Deno.PermissionDescriptor;
  opcao: string;
}

/** Os pedidos de permissão para estas necessidades. */
export function pedidosDePermissao(necessidades: Necessidades): Pedido[] {
  const pedidos: Pedido[] = [
    { descritor: { name: "net" }, opcao: "--allow-net" },
  ];
  if (necessidades.nomeDaMaquina) {
    pedidos.push({
      descritor: { name: "sys", kind: "hostname" },
      opcao: "--allow-sys=hostname",
    });
  }
  if (necessidades.variavelDoToken) {
    pedidos.push({
      descritor: { name: "env", variable: VARIAVEL_TOKEN },
      opcao: `--allow-env=${VARIAVEL_TOKEN}`,
    });
  }
  if (necessidades.variavelDoTokenNats) {
    pedidos.push({
      descritor: { name: "env", variable: VARIAVEL_TOKEN_NATS },
      opcao: `--allow-env=${VARIAVEL_TOKEN},${VARIAVEL_TOKEN_NATS}`,
    });
  }
  for (const caminho of necessidades.arquivos) {
    pedidos.push({
      descritor: { name: "read", path: caminho },
      opcao: "--allow-read",
    });
  }
  return pedidos;
}

/**
 * A frase que explica a primeira permissão que falta, ou `undefined` se o
 * programa tem todas. Uma permissão em estado "prompt" conta como faltando:
 * perguntar no meio do programa atrapalharia scripts.
 */
export function permissaoQueFalta(
  programa: "servidor" | "cliente",
  necessidades: Necessidades,
): string | undefined {
  const faltam = pedidosDePermissao(necessidades).filter(({ descritor }) =>
    Deno.permissions.querySync(descritor).state !== "granted"
  );
  if (faltam.length === 0) return undefined;
  const opcoes = [...new Set(faltam.map(({ opcao }) => opcao))];
  return fraseDePermissao(programa, opcoes);
}

/** A frase de quem roda com `deno run` sem as permissões `opcoes`. */
export function fraseDePermissao(
  programa: "servidor" | "cliente",
  opcoes: readonly string[],
): string {
  return `faltam permissões do Deno (${
    opcoes.join(" ")
  }); rode com "deno task ${programa} ..." (que tem todas) ou use o executável compilado`;
}

/**
 * A frase para um `NotCapable` que escapou da conferência: o Deno diz qual
 * permissão (`Requires env access to "X"`); a frase diz qual opção a concede.
 */
export function fraseDeNaoCapaz(
  programa: "servidor" | "cliente",
  erro: Error,
): string {
  const tipo = /Requires (\w+) access/.exec(erro.message)?.[1];
  const opcao = tipo === undefined ? "--allow-..." : `--allow-${tipo}`;
  return fraseDePermissao(programa, [opcao]);
}
