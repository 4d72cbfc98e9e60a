/**
 * Erros que os outros módulos capturam: violações do protocolo (com o código
 * que vai no quadro de erro) e a função única que decide quando um erro de
 * socket significa apenas que o outro lado foi embora.
 *
 * @module
 */

/** Códigos de erro do protocolo; os valores estão documentados em PROTOCOLO.md. */
export const CodigoErro = {
  PROTOCOLO_DESCONHECIDO: 1,
  VERSAO_INCOMPATIVEL: 2,
  MENSAGEM_GRANDE: 3,
  QUADRO_MALFORMADO: 4,
  UTF8_INVALIDO: 5,
  TIPO_DESCONHECIDO: 6,
  FORA_DE_ORDEM: 7,
  PRAZO_ESGOTADO: 8,
  OCIOSO: 9,
  SERVIDOR_CHEIO: 10,
  FILA_CHEIA: 11,
  NAO_AUTORIZADO: 12,
  ENCERRANDO: 13,
  GRAVACAO_FALHOU: 14,
} as const;
export type CodigoErro = typeof CodigoErro[keyof typeof CodigoErro];

/** O outro lado enviou bytes que violam o protocolo; `codigo` vai no quadro ERRO. */
export class ErroDeProtocolo extends Error {
  readonly codigo: CodigoErro;
  constructor(codigo: CodigoErro, mensagem: string, options?: ErrorOptions) {
    super(mensagem, options);
    this.name = "ErroDeProtocolo";
    this.codigo = codigo;
  }
}

/**
 * Diz se um erro de leitura/escrita significa que a conexão acabou (o par
 * fechou, reiniciou ou a fechamos nós mesmos) e não uma falha do programa.
 */
export function eDesconexao(erro: unknown): boolean {
  return erro instanceof Deno.errors.BrokenPipe ||
    erro instanceof Deno.errors.ConnectionReset ||
    erro instanceof Deno.errors.ConnectionAborted ||
    erro instanceof Deno.errors.NotConnected ||
    erro instanceof Deno.errors.UnexpectedEof ||
    erro instanceof Deno.errors.BadResource ||
    erro instanceof Deno.errors.Interrupted;
}
