/**
 * A linha de comando do cliente: seus padrões, suas opções, códigos de
 * retorno e exemplos (o que `--ajuda` mostra) e a análise dos argumentos numa
 * {@linkcode ConfigCliente} validada, com as combinações proibidas. Puro: os
 * arquivos que as opções indicam são lidos depois, por `arquivos.ts`.
 *
 * @module
 */

import { RetornoCliente } from "../retornos.ts";
import type { Programa } from "./ajuda.ts";
import { analisarArgumentos, ErroDeUso } from "./argumentos.ts";
import { OPCOES_COMUNS, PORTA_PADRAO, VARIAVEL_TOKEN } from "./comum.ts";
import {
  analisarHost,
  analisarPorta,
  analisarSegundos,
  textoDeSegundos,
} from "./valores.ts";

/** Valores padrão do cliente (a ajuda os mostra daqui). */
export const PADROES_CLIENTE = {
  porta: PORTA_PADRAO,
  tempoLimite: 10_000,
} as const;

export const PROGRAMA_CLIENTE: Programa = {
  nome: "cliente",
  resumo:
    "cliente — envia mensagens (assunto e texto) a um servidor Sockets de Rede, pelo menu ou por scripts.",
  opcoes: {
    host: OPCOES_COMUNS.host,
    porta: { ...OPCOES_COMUNS.porta, descricao: "porta TCP (1 a 65535)" },
    "tempo-limite": {
      tipo: "string",
      valor: "SEGUNDOS",
      padrao: textoDeSegundos(PADROES_CLIENTE.tempoLimite),
      descricao:
        "prazo de progresso: conectar, saudar, receber confirmação (sem menu, reconectando dentro dele)",
    },
    assunto: {
      tipo: "string",
      valor: "TEXTO",
      descricao: "sem menu: envia uma mensagem com este assunto e sai",
    },
    texto: {
      tipo: "string",
      valor: "TEXTO",
      descricao: 'texto da mensagem; "-" lê o texto da entrada padrão',
    },
    linhas: {
      tipo: "boolean",
      descricao: "sem menu: cada linha da entrada padrão é uma mensagem",
    },
    verbose: {
      tipo: "boolean",
      descricao: "sem menu: uma linha de relato mesmo quando tudo dá certo",
    },
    legado: {
      tipo: "boolean",
      descricao:
        "fala com o servidor.py original (texto puro, sem confirmação)",
    },
    tls: {
      tipo: "boolean",
      descricao:
        "conecta com TLS, verificando o certificado e o nome do servidor",
    },
    ca: {
      tipo: "string",
      valor: "ARQUIVO",
      descricao:
        "com --tls, confia nesta CA (PEM) em vez das raízes públicas embutidas no Deno",
    },
    "token-arquivo": {
      tipo: "string",
      valor: "ARQUIVO",
      descricao:
        `envia este token ao servidor (ou defina ${VARIAVEL_TOKEN}; o arquivo prevalece)`,
    },
    ajuda: OPCOES_COMUNS.ajuda,
    versao: OPCOES_COMUNS.versao,
  },
  codigos: [
    {
      codigo: RetornoCliente.OK,
      descricao: "sucesso (tudo entregue, saída com CODIGO_SAIDA)",
    },
    {
      codigo: RetornoCliente.NAO_ENTREGUE,
      descricao: "alguma mensagem não foi entregue",
    },
    {
      codigo: RetornoCliente.USO,
      descricao: "uso incorreto (opção ou valor inválido)",
    },
    {
      codigo: RetornoCliente.RECUSADA,
      descricao: "conexão recusada (nenhum servidor na porta)",
    },
    {
      codigo: RetornoCliente.HOST_DESCONHECIDO,
      descricao: "host desconhecido",
    },
    {
      codigo: RetornoCliente.TEMPO_ESGOTADO,
      descricao: "sem resposta a tempo (host inalcançável ou em silêncio)",
    },
    {
      codigo: RetornoCliente.CONEXAO_PERDIDA,
      descricao: "conexão perdida (reiniciada ou fechada sem CODIGO_SAIDA)",
    },
    {
      codigo: RetornoCliente.SERVIDOR_ENCERROU,
      descricao: "o servidor encerrou a sessão (CODIGO_SAIDA do servidor)",
    },
    {
      codigo: RetornoCliente.PROTOCOLO_INCOMPATIVEL,
      descricao: "o outro lado não fala este protocolo (ou outra versão)",
    },
    {
      codigo: RetornoCliente.REJEITADO,
      descricao: "o servidor recusou (cheio, mensagem grande, prazo...)",
    },
    {
      codigo: RetornoCliente.SEM_PERMISSAO,
      descricao:
        "sem permissão (para usar a rede, ou do Deno: use deno task cliente)",
    },
    {
      codigo: RetornoCliente.FALHA_TLS,
      descricao:
        "falha de TLS (certificado não confiável, nome errado, expirado...)",
    },
    {
      codigo: RetornoCliente.NAO_AUTORIZADO,
      descricao: "não autorizado (token errado ou ausente)",
    },
  ],
  exemplos: [
    "cliente --host 192.168.0.10 --porta 5000",
    'cliente --host srv --assunto "Backup" --texto "concluído"',
    'df -h | cliente --host srv --assunto "Disco" --texto -',
    "tail -f app.log | cliente --host srv --assunto app --linhas",
    "cliente --legado --host srv-antigo --porta 3415",
    "SOCKETS_TOKEN=segredo cliente --host srv.exemplo --tls --ca ca.pem",
  ],
};

/** Configuração do cliente, já validada. */
export interface ConfigCliente {
  ajuda: boolean;
  versao: boolean;
  host: string | undefined;
  porta: number;
  tempoLimite: number;
  assunto: string | undefined;
  /** `"-"` = ler da entrada padrão. */
  texto: string | undefined;
  linhas: boolean;
  verbose: boolean;
  legado: boolean;
  tls: boolean;
  ca: string | undefined;
  tokenArquivo: string | undefined;
}

/**
 * O aviso de quem vai ler o texto do teclado sem menu (`--assunto` sem
 * `--texto`, `--texto -`, `--linhas`): num terminal, o cliente pararia calado
 * esperando. `undefined` se a entrada não é um terminal ou há menu.
 */
export function avisoDeDigitacao(
  config: ConfigCliente,
  terminal: boolean,
): string | undefined {
  if (!terminal) return undefined;
  if (config.linhas) return "digite uma mensagem por linha; Ctrl-D termina";
  const leTexto = config.texto === "-" ||
    (config.texto === undefined && config.assunto !== undefined);
  return leTexto ? "digite o texto; Ctrl-D termina" : undefined;
}

/** Analisa e valida os argumentos do cliente. @throws {ErroDeUso} */
export function analisarConfigCliente(args: readonly string[]): ConfigCliente {
  const v = analisarArgumentos(args, PROGRAMA_CLIENTE.opcoes);
  const texto = (nome: string) => v[nome] as string | undefined;
  const config: ConfigCliente = {
    ajuda: v.ajuda === true,
    versao: v.versao === true,
    host: analisarHost(texto("host")),
    porta: analisarPorta(texto("porta"), PADROES_CLIENTE.porta, 1),
    tempoLimite: analisarSegundos(
      texto("tempo-limite"),
      "--tempo-limite",
      PADROES_CLIENTE.tempoLimite,
    ),
    assunto: texto("assunto"),
    texto: texto("texto"),
    linhas: v.linhas === true,
    verbose: v.verbose === true,
    legado: v.legado === true,
    tls: v.tls === true,
    ca: texto("ca"),
    tokenArquivo: texto("token-arquivo"),
  };
  if (config.ca !== undefined && !config.tls) {
    throw new ErroDeUso("--ca só vale com --tls");
  }
  if (config.legado && (config.tls || config.tokenArquivo !== undefined)) {
    throw new ErroDeUso(
      "o servidor original não tem TLS nem token: não combine --legado com --tls ou --token-arquivo",
    );
  }
  if (config.linhas && config.texto !== undefined) {
    throw new ErroDeUso(
      "--linhas lê os textos da entrada; não use --texto junto",
    );
  }
  if (
    config.verbose && !config.linhas && config.assunto === undefined &&
    config.texto === undefined
  ) {
    throw new ErroDeUso(
      "--verbose vale só para os modos sem menu (--assunto, --texto, --linhas)",
    );
  }
  return config;
}
