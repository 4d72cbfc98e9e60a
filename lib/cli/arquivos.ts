/**
 * Os arquivos que as opções indicam (certificado, chave, CA, token) e a
 * variável do token: o único módulo da linha de comando que lê do sistema
 * (`Deno.openSync`, `Deno.env`; `permissoes.ts` só consulta as permissões). Os pontos de entrada o chamam depois
 * de analisar as opções, e transformam {@linkcode ErroDeConfiguracao} numa
 * linha de erro e no código de retorno de configuração.
 *
 * @module
 */

import { VARIAVEL_TOKEN } from "./comum.ts";
import { TOKEN_MAXIMO } from "../protocolo/quadros.ts";
import { bytesUtf8 } from "../protocolo/utf8.ts";

/** Um arquivo de configuração (certificado, chave, token) não pôde ser lido. */
export class ErroDeConfiguracao extends Error {
  constructor(mensagem: string, options?: ErrorOptions) {
    super(mensagem, options);
    this.name = "ErroDeConfiguracao";
  }
}

/**
 * Maior arquivo de configuração que se lê: um PEM com a cadeia inteira cabe
 * com folga. Sem teto, `--token-arquivo /dev/zero` crescia a memória sem fim.
 */
export const ARQUIVO_MAXIMO = 1024 * 1024;

/**
 * Lê um arquivo de texto indicado numa opção, até {@linkcode ARQUIVO_MAXIMO}
 * bytes.
 *
 * @throws {ErroDeConfiguracao} com a opção e o motivo em português
 */
export function lerArquivo(caminho: string, opcao: string): string {
  let bytes: Uint8Array;
  try {
    bytes = lerAteDepoisDoMaximo(caminho);
  } catch (erro) {
    throw new ErroDeConfiguracao(`${opcao} ${caminho}: ${motivoDe(erro)}`, {
      cause: erro,
    });
  }
  if (bytes.length > ARQUIVO_MAXIMO) {
    throw new ErroDeConfiguracao(
      `${opcao} ${caminho}: maior que 1 MiB; não parece um arquivo de configuração`,
    );
  }
  return new TextDecoder().decode(bytes);
}

/** Até `ARQUIVO_MAXIMO + 1` bytes: um a mais diz que o arquivo passa do teto. */
function lerAteDepoisDoMaximo(caminho: string): Uint8Array {
  using arquivo = Deno.openSync(caminho);
  const buffer = new Uint8Array(ARQUIVO_MAXIMO + 1);
  let lidos = 0;
  while (lidos < buffer.length) {
    const n = arquivo.readSync(buffer.subarray(lidos));
    if (n === null) break;
    lidos += n;
  }
  return buffer.subarray(0, lidos);
}

/** O motivo de uma falha de leitura, em português. */
function motivoDe(erro: unknown): string {
  if (erro instanceof Deno.errors.NotFound) return "arquivo não encontrado";
  if (erro instanceof Deno.errors.IsADirectory) {
    return "é uma pasta, não um arquivo";
  }
  if (
    erro instanceof Deno.errors.PermissionDenied ||
    erro instanceof Deno.errors.NotCapable
  ) {
    return "sem permissão de leitura";
  }
  return (erro as Error).message;
}

/** O que um arquivo PEM deve conter, conforme a opção que o indica. */
const PEM = {
  certificado: {
    marca: /-----BEGIN (?:TRUSTED )?CERTIFICATE-----/,
    falta:
      "não é um certificado PEM (falta a linha -----BEGIN CERTIFICATE-----)",
  },
  chave: {
    marca: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/,
    falta:
      "não é uma chave privada PEM (falta a linha -----BEGIN PRIVATE KEY-----)",
  },
} as const;

/**
 * Lê um arquivo PEM indicado numa opção e confere que ele tem o que a opção
 * pede (um certificado; uma chave privada): um arquivo trocado é apontado
 * aqui, pela opção, e não lá adiante como "emissor desconhecido".
 *
 * @throws {ErroDeConfiguracao} ilegível, ou sem o bloco PEM esperado
 */
export function lerPem(
  caminho: string,
  opcao: string,
  tipo: keyof typeof PEM,
): string {
  const texto = lerArquivo(caminho, opcao);
  if (!PEM[tipo].marca.test(texto)) {
    throw new ErroDeConfiguracao(`${opcao} ${caminho}: ${PEM[tipo].falta}`);
  }
  return texto;
}

/**
 * O token: de `--token-arquivo` (sem as quebras de linha do fim, LF ou CR LF)
 * ou da variável `SOCKETS_TOKEN`; `undefined` se nenhum dos dois. Com os dois,
 * vale o arquivo: a opção, dada nesta linha de comando, prevalece sobre a
 * variável, que pode vir de longe (um perfil do shell).
 *
 * @throws {ErroDeConfiguracao} arquivo ilegível ou token vazio
 */
export function lerToken(arquivo: string | undefined): string | undefined {
  const token = arquivo !== undefined
    ? lerArquivo(arquivo, "--token-arquivo").replace(/[\r\n]+$/, "")
    : Deno.env.get(VARIAVEL_TOKEN);
  const fonte = arquivo !== undefined
    ? `--token-arquivo ${arquivo}`
    : VARIAVEL_TOKEN;
  if (token === "") {
    throw new ErroDeConfiguracao(
      arquivo !== undefined ? `${fonte}: token vazio` : `${fonte} está vazia`,
    );
  }
  // Nenhum cliente conseguiria mandá-lo: a saudação leva até TOKEN_MAXIMO.
  const bytes = token === undefined ? 0 : bytesUtf8(token);
  if (bytes > TOKEN_MAXIMO) {
    throw new ErroDeConfiguracao(
      `${fonte}: token de ${bytes} bytes; o máximo é ${TOKEN_MAXIMO}`,
    );
  }
  return token;
}
