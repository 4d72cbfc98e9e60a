/**
 * A linha de comando do servidor: seus padrões, suas opções, códigos de
 * retorno e exemplos (o que `--ajuda` mostra) e a análise dos argumentos numa
 * {@linkcode ConfigServidor} validada. Puro: os arquivos que as opções indicam
 * são lidos depois, por `arquivos.ts`.
 *
 * @module
 */

import { TAMANHO_MAXIMO_PADRAO } from "../protocolo/quadros.ts";
import { LIMITES_PADRAO } from "../servidor/tentativas.ts";
import { RetornoServidor } from "../retornos.ts";
import type { Programa } from "./ajuda.ts";
import { analisarArgumentos, ErroDeUso } from "./argumentos.ts";
import {
  OPCOES_COMUNS,
  PORTA_PADRAO,
  VARIAVEL_TOKEN,
  VARIAVEL_TOKEN_NATS,
} from "./comum.ts";
import {
  analisarEnderecosNats,
  analisarNomeDeStream,
  analisarPartida,
  analisarPrefixo,
  type Partida,
  PREFIXO_PADRAO,
  STREAM_PADRAO,
} from "../nats/assuntos.ts";
import {
  analisarHost,
  analisarInteiro,
  analisarPorta,
  analisarSegundos,
  textoDeSegundos,
} from "./valores.ts";

/** Valores padrão do servidor (a ajuda os mostra daqui). */
export const PADROES = {
  porta: PORTA_PADRAO,
  tamanhoMaximo: TAMANHO_MAXIMO_PADRAO,
  maxConexoes: 1000,
  tempoOcioso: 300_000,
  prazo: 10_000,
  limiteFila: 256 * 1024,
  graca: 2_000,
  painelHistorico: 200,
  falhasPorEndereco: LIMITES_PADRAO.porOrigem,
  falhasPorMinuto: LIMITES_PADRAO.global,
  prefixoIpv6: LIMITES_PADRAO.prefixoIpv6,
  pendentesPorEndereco: LIMITES_PADRAO.pendentes,
} as const;

/** Maior `--tamanho-maximo` aceito: 16 MiB. */
export const TAMANHO_MAXIMO_LIMITE = 16 * 1024 * 1024;

export const PROGRAMA_SERVIDOR: Programa = {
  nome: "servidor",
  resumo:
    "servidor — recebe e mostra as mensagens de quantos clientes se conectarem.",
  opcoes: {
    host: {
      ...OPCOES_COMUNS.host,
      descricao: "endereço em que escutar (0.0.0.0 ou :: para todos)",
    },
    porta: {
      ...OPCOES_COMUNS.porta,
      descricao: "porta TCP (0 = o sistema escolhe)",
    },
    "tamanho-maximo": {
      tipo: "string",
      valor: "BYTES",
      padrao: String(PADROES.tamanhoMaximo),
      descricao: "máximo de bytes de assunto + texto por mensagem",
    },
    "max-conexoes": {
      tipo: "string",
      valor: "N",
      padrao: String(PADROES.maxConexoes),
      descricao: "máximo de clientes conectados ao mesmo tempo",
    },
    "tempo-ocioso": {
      tipo: "string",
      valor: "SEGUNDOS",
      padrao: textoDeSegundos(PADROES.tempoOcioso),
      descricao:
        "desliga quem não manda nada (nem PING) por esse tempo; 0 = nunca",
    },
    prazo: {
      tipo: "string",
      valor: "SEGUNDOS",
      padrao: textoDeSegundos(PADROES.prazo),
      descricao:
        "prazo para a saudação, para cada quadro começado terminar e para cada pedido ao painel chegar",
    },
    json: {
      tipo: "boolean",
      descricao:
        "um objeto JSON por linha na saída padrão; o texto vai para a saída de erro",
    },
    "tls-cert": {
      tipo: "string",
      valor: "ARQUIVO",
      descricao: "certificado PEM: com --tls-chave, o servidor só aceita TLS",
    },
    "tls-chave": {
      tipo: "string",
      valor: "ARQUIVO",
      descricao: "chave privada PEM do certificado",
    },
    "token-arquivo": {
      tipo: "string",
      valor: "ARQUIVO",
      descricao:
        `exige este token dos clientes (ou defina ${VARIAVEL_TOKEN}; o arquivo prevalece)`,
    },
    permitir: {
      tipo: "string",
      valor: "CIDR",
      multipla: true,
      descricao: "aceita só estes endereços (repetível; IPv4 ou IPv6)",
    },
    negar: {
      tipo: "string",
      valor: "CIDR",
      multipla: true,
      descricao:
        "recusa estes endereços (repetível; prevalece sobre --permitir)",
    },
    "falhas-por-endereco": {
      tipo: "string",
      valor: "N",
      padrao: String(PADROES.falhasPorEndereco),
      descricao:
        "tokens errados por minuto de um endereço (ou prefixo IPv6); além disso, nem confere até o saldo voltar",
    },
    "falhas-por-minuto": {
      tipo: "string",
      valor: "N",
      padrao: String(PADROES.falhasPorMinuto),
      descricao:
        "tokens errados por minuto no servidor todo; além disso, só confere endereços que já acertaram",
    },
    "prefixo-ipv6": {
      tipo: "string",
      valor: "BITS",
      padrao: String(PADROES.prefixoIpv6),
      descricao:
        "endereços IPv6 com este prefixo contam como um só nos limites de token",
    },
    "max-pendentes": {
      tipo: "string",
      valor: "N",
      padrao: String(PADROES.pendentesPorEndereco),
      descricao:
        "com token: conexões de um endereço (ou prefixo IPv6) ainda sem saudação aceita",
    },
    // Painel web (lib/painel/).
    painel: {
      tipo: "string",
      valor: "PORTA",
      descricao:
        "serve também o painel web nesta porta, no mesmo --host (HTTPS com --tls-cert)",
    },
    "painel-historico": {
      tipo: "string",
      valor: "N",
      padrao: String(PADROES.painelHistorico),
      descricao: "mensagens que o painel guarda para quem chega depois",
    },
    // Várias máquinas: JetStream (lib/nats/, carregado só com --nats).
    nats: {
      tipo: "string",
      valor: "URL[,URL...]",
      descricao:
        "publica cada mensagem também no JetStream destes nats:// ou tls://; só confirma ao cliente depois dele",
    },
    "nats-stream": {
      tipo: "string",
      valor: "NOME",
      padrao: STREAM_PADRAO,
      descricao:
        "o stream (criado se falta, com janela de duplicatas de 15 min; conferido se existe)",
    },
    "nats-assunto": {
      tipo: "string",
      valor: "PREFIXO",
      padrao: PREFIXO_PADRAO,
      descricao:
        "cada servidor publica em PREFIXO.NOME; o stream criado cobre PREFIXO.>",
    },
    "nats-nome": {
      tipo: "string",
      valor: "NOME",
      padrao: "máquina-porta",
      descricao: "a última palavra do assunto deste servidor",
    },
    "nats-replicas": {
      tipo: "string",
      valor: "N",
      padrao: "1",
      descricao:
        "réplicas do stream, se o servidor o criar (3 num cluster de 3)",
    },
    "nats-ca": {
      tipo: "string",
      valor: "ARQUIVO",
      descricao: "CA em PEM para conferir o NATS (tls://)",
    },
    "nats-credenciais": {
      tipo: "string",
      valor: "ARQUIVO",
      descricao:
        `credenciais do NATS (.creds); sem ele, o token de ${VARIAVEL_TOKEN_NATS}, se definido`,
    },
    acompanhar: {
      tipo: "string",
      valor: "PARTIDA",
      descricao:
        "não escuta: mostra as mensagens do stream (de todos os servidores) a partir de novas, tudo, N (as últimas N), #SEQ ou um instante ISO 8601, e segue ao vivo",
    },
    ajuda: OPCOES_COMUNS.ajuda,
    versao: OPCOES_COMUNS.versao,
  },
  codigos: [
    {
      codigo: RetornoServidor.OK,
      descricao: "encerrado normalmente (SIGINT/SIGTERM)",
    },
    { codigo: RetornoServidor.ERRO_INESPERADO, descricao: "erro inesperado" },
    {
      codigo: RetornoServidor.USO,
      descricao: "uso incorreto (opção ou valor inválido)",
    },
    {
      codigo: RetornoServidor.PORTA_EM_USO,
      descricao: "a porta já está em uso",
    },
    {
      codigo: RetornoServidor.SEM_PERMISSAO,
      descricao:
        "sem permissão (porta abaixo de 1024, rede, ou do Deno: use deno task servidor)",
    },
    {
      codigo: RetornoServidor.ENDERECO_INVALIDO,
      descricao: "host desconhecido ou que não é desta máquina",
    },
    {
      codigo: RetornoServidor.CONFIGURACAO_INVALIDA,
      descricao:
        "certificado, chave, token ou faixa de endereços ilegível ou inválido",
    },
    {
      codigo: RetornoServidor.SAIDA_FALHOU,
      descricao:
        "a saída falhou (leitor fechado, disco cheio) ou não gravou tudo (nem o JetStream, com --nats) no prazo do encerramento; as não gravadas nunca foram confirmadas",
    },
    {
      codigo: RetornoServidor.NATS_INALCANCAVEL,
      descricao:
        "--nats: não foi possível conectar ao NATS na partida (inalcançável ou credenciais recusadas), ou o JetStream não respondeu",
    },
    {
      codigo: RetornoServidor.NATS_STREAM,
      descricao:
        "--nats: o stream existe mas não serve (assuntos ou janela de duplicatas), não pôde ser criado, ou (--acompanhar) não existe",
    },
    {
      codigo: RetornoServidor.FORCADO,
      descricao:
        "encerramento forçado (um segundo sinal, mais de 300 ms depois do primeiro)",
    },
  ],
  exemplos: [
    "servidor --host 0.0.0.0 --porta 5000",
    "servidor --host :: --porta 0 --tamanho-maximo 65536",
    "servidor --host 127.0.0.1 --json | jq .",
    "servidor --host 0.0.0.0 --tls-cert cert.pem --tls-chave chave.pem --token-arquivo token.txt",
    "servidor --host :: --permitir 192.168.0.0/16 --permitir fd00::/8 --negar 192.168.0.66",
    "servidor --host 0.0.0.0 --porta 5000 --painel 8080",
    "servidor --host 0.0.0.0 --nats nats://n1:4222,nats://n2:4222,nats://n3:4222 --nats-replicas 3",
    "servidor --nats nats://n1:4222 --acompanhar 100",
  ],
};

/** Configuração do servidor, já validada. */
export interface ConfigServidor {
  ajuda: boolean;
  versao: boolean;
  host: string | undefined;
  porta: number;
  tamanhoMaximo: number;
  maxConexoes: number;
  tempoOcioso: number;
  prazo: number;
  json: boolean;
  tlsCert: string | undefined;
  tlsChave: string | undefined;
  tokenArquivo: string | undefined;
  permitir: string[];
  negar: string[];
  falhasPorEndereco: number;
  falhasPorMinuto: number;
  prefixoIpv6: number;
  pendentesPorEndereco: number;
  /** Porta do painel web; `undefined` = sem painel. */
  painel: number | undefined;
  painelHistorico: number;
  /** `--nats`: publicar no JetStream (ou, com `acompanhar`, mostrar o stream). */
  nats: ConfigNats | undefined;
  /** `--acompanhar`: não escuta; mostra o stream desta partida em diante. */
  acompanhar: Partida | undefined;
}

/** As opções `--nats*`, validadas. */
export interface ConfigNats {
  enderecos: string[];
  stream: string;
  prefixo: string;
  /** `undefined` = `<nome da máquina>-<porta>`. */
  nome: string | undefined;
  replicas: number;
  ca: string | undefined;
  credenciais: string | undefined;
}

/** As opções que só valem com `--nats`. */
const SO_COM_NATS = [
  "nats-stream",
  "nats-assunto",
  "nats-nome",
  "nats-replicas",
  "nats-ca",
  "nats-credenciais",
  "acompanhar",
];

/** Um `RangeError` de validação vira erro de uso. */
function deUso<T>(validar: () => T): T {
  try {
    return validar();
  } catch (erro) {
    if (erro instanceof RangeError) throw new ErroDeUso(erro.message);
    throw erro;
  }
}

function analisarNats(
  texto: (nome: string) => string | undefined,
): ConfigNats | undefined {
  const enderecos = texto("nats");
  if (enderecos === undefined) {
    const sobrando = SO_COM_NATS.find((nome) => texto(nome) !== undefined);
    if (sobrando) throw new ErroDeUso(`--${sobrando} só vale com --nats`);
    return undefined;
  }
  const nome = texto("nats-nome");
  return {
    enderecos: deUso(() => analisarEnderecosNats(enderecos)),
    stream: deUso(() =>
      analisarNomeDeStream(texto("nats-stream") ?? STREAM_PADRAO)
    ),
    prefixo: deUso(() =>
      analisarPrefixo(texto("nats-assunto") ?? PREFIXO_PADRAO)
    ),
    nome: nome === undefined ? undefined : deUso(() => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(nome)) {
        throw new RangeError(
          `--nats-nome: ${nome} não é uma palavra de assunto (letras, dígitos, - e _)`,
        );
      }
      return nome;
    }),
    replicas: analisarInteiro(
      texto("nats-replicas"),
      "--nats-replicas",
      1,
      5,
      1,
    ),
    ca: texto("nats-ca"),
    credenciais: texto("nats-credenciais"),
  };
}

/** Analisa e valida os argumentos do servidor. @throws {ErroDeUso} */
export function analisarConfigServidor(
  args: readonly string[],
): ConfigServidor {
  const v = analisarArgumentos(args, PROGRAMA_SERVIDOR.opcoes);
  const texto = (nome: string) => v[nome] as string | undefined;
  if (
    (texto("tls-cert") === undefined) !== (texto("tls-chave") === undefined)
  ) {
    throw new ErroDeUso("--tls-cert e --tls-chave vão juntas");
  }
  if (
    texto("painel-historico") !== undefined && texto("painel") === undefined
  ) {
    throw new ErroDeUso("--painel-historico só vale com --painel");
  }
  return {
    ajuda: v.ajuda === true,
    versao: v.versao === true,
    host: analisarHost(texto("host")),
    porta: analisarPorta(texto("porta"), PADROES.porta),
    tamanhoMaximo: analisarInteiro(
      texto("tamanho-maximo"),
      "--tamanho-maximo",
      1,
      TAMANHO_MAXIMO_LIMITE,
      PADROES.tamanhoMaximo,
    ),
    maxConexoes: analisarInteiro(
      texto("max-conexoes"),
      "--max-conexoes",
      1,
      1_000_000,
      PADROES.maxConexoes,
    ),
    tempoOcioso: analisarSegundos(
      texto("tempo-ocioso"),
      "--tempo-ocioso",
      PADROES.tempoOcioso,
      true,
    ),
    prazo: analisarSegundos(texto("prazo"), "--prazo", PADROES.prazo),
    json: v.json === true,
    tlsCert: texto("tls-cert"),
    tlsChave: texto("tls-chave"),
    tokenArquivo: texto("token-arquivo"),
    permitir: (v.permitir as string[] | undefined) ?? [],
    negar: (v.negar as string[] | undefined) ?? [],
    falhasPorEndereco: analisarInteiro(
      texto("falhas-por-endereco"),
      "--falhas-por-endereco",
      1,
      1_000_000,
      PADROES.falhasPorEndereco,
    ),
    falhasPorMinuto: analisarInteiro(
      texto("falhas-por-minuto"),
      "--falhas-por-minuto",
      1,
      1_000_000,
      PADROES.falhasPorMinuto,
    ),
    prefixoIpv6: analisarInteiro(
      texto("prefixo-ipv6"),
      "--prefixo-ipv6",
      1,
      128,
      PADROES.prefixoIpv6,
    ),
    pendentesPorEndereco: analisarInteiro(
      texto("max-pendentes"),
      "--max-pendentes",
      1,
      1_000_000,
      PADROES.pendentesPorEndereco,
    ),
    painel: texto("painel") === undefined
      ? undefined
      : analisarInteiro(texto("painel"), "--painel", 0, 65535, 0),
    painelHistorico: analisarInteiro(
      texto("painel-historico"),
      "--painel-historico",
      0,
      1_000_000,
      PADROES.painelHistorico,
    ),
    nats: analisarNats(texto),
    acompanhar: texto("acompanhar") === undefined
      ? undefined
      : deUso(() => analisarPartida(texto("acompanhar")!)),
  };
}
