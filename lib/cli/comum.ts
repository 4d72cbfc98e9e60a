/**
 * O que os dois programas têm em comum na linha de comando: a versão, a porta
 * padrão, o nome da variável do token e as opções que ambos aceitam. Puro:
 * só dados.
 *
 * @module
 */

import type { OpcoesDocumentadas } from "./ajuda.ts";

/** Versão dos programas (também em `--versao`). */
export const VERSAO_PROGRAMA = "1.0.0";

/** A porta em que o servidor escuta e a que o cliente se conecta. */
export const PORTA_PADRAO = 3415;

/** Variável de ambiente do token (nunca uma opção: apareceria no `ps`). */
export const VARIAVEL_TOKEN = "SOCKETS_TOKEN";

/** Variável de ambiente do token do NATS (servidor com `--nats`). */
export const VARIAVEL_TOKEN_NATS = "SOCKETS_NATS_TOKEN";

/** Opções que os dois programas têm. */
export const OPCOES_COMUNS: OpcoesDocumentadas = {
  host: {
    tipo: "string",
    valor: "HOST",
    padrao: "o nome desta máquina",
    descricao: "endereço ou nome do servidor",
  },
  porta: {
    tipo: "string",
    valor: "PORTA",
    padrao: String(PORTA_PADRAO),
    descricao: "porta TCP (0 a 65535)",
  },
  ajuda: { tipo: "boolean", curta: "h", descricao: "mostra esta ajuda e sai" },
  versao: { tipo: "boolean", descricao: "mostra a versão e sai" },
};
