/**
 * Os arquivos que as opções indicam (certificado, chave, CA, token) e a
 * variável do token: o único módulo da linha de comando que lê do sistema
 * (`Deno.readTextFileSync`, `Deno.env`; `permissoes.ts` só consulta as
 * permissões). Os pontos de entrada o chamam depois
 * de analisar as opções, e transformam {@linkcode ErroDeConfiguracao} numa
 * linha de erro e no código de retorno de configuração.
 *
 * @module
 */

import { VARIAVEL_TOKEN } from "./comum.ts";

/** Um arquivo de configuração (certificado, chave, token) não pôde ser lido. */
export class ErroDeConfiguracao extends Error {
  constructor(mensagem: string, options?: ErrorOptions) {
    super(mensagem, options);
    this.name = "ErroDeConfiguracao";
  }
}

/**
 * Lê um arquivo de texto indicado numa opção.
 *
 * @throws {ErroDeConfiguracao} com a opção e o motivo em português
 */
export function lerArquivo(caminho: string, opcao: string): string {
  try {
    return Deno.readTextFileSync(caminho);
  } catch (erro) {
    const motivo = erro instanceof Deno.errors.NotFound
      ? "arquivo não encontrado"
      : erro instanceof Deno.errors.PermissionDenied ||
          erro instanceof Deno.errors.NotCapable
      ? "sem permissão de leitura"
      : (erro as Error).message;
    throw new ErroDeConfiguracao(`${opcao} ${caminho}: ${motivo}`, {
      cause: erro,
    });
  }
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
  if (token === "") {
    throw new ErroDeConfiguracao(
      arquivo !== undefined
        ? `--token-arquivo ${arquivo}: token vazio`
        : `${VARIAVEL_TOKEN} está vazia`,
    );
  }
  return token;
}
