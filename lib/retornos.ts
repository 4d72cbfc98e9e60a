/**
 * Os códigos de retorno (exit status) dos dois programas, documentados no
 * README e em `--ajuda`. Ficam à parte dos erros: um erro é o que um módulo
 * captura; um código de retorno é o que o processo devolve ao shell.
 *
 * @module
 */

/** Códigos de retorno do servidor. */
export const RetornoServidor = {
  OK: 0,
  ERRO_INESPERADO: 1,
  USO: 2,
  PORTA_EM_USO: 3,
  SEM_PERMISSAO: 4,
  ENDERECO_INVALIDO: 5,
  CONFIGURACAO_INVALIDA: 6,
  /** A saída padrão falhou ou não gravou tudo até o prazo: há mensagens não gravadas. */
  SAIDA_FALHOU: 7,
  /** `--nats`: o NATS (ou o JetStream) não respondeu na partida. */
  NATS_INALCANCAVEL: 8,
  /** `--nats`: o stream não serve como está ou não pôde ser criado. */
  NATS_STREAM: 9,
  FORCADO: 130,
} as const;

/** Códigos de retorno do cliente. */
export const RetornoCliente = {
  OK: 0,
  NAO_ENTREGUE: 1,
  USO: 2,
  RECUSADA: 3,
  HOST_DESCONHECIDO: 4,
  TEMPO_ESGOTADO: 5,
  CONEXAO_PERDIDA: 6,
  SERVIDOR_ENCERROU: 7,
  PROTOCOLO_INCOMPATIVEL: 8,
  REJEITADO: 9,
  SEM_PERMISSAO: 10,
  FALHA_TLS: 11,
  NAO_AUTORIZADO: 12,
} as const;
