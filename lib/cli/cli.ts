/**
 * A linha de comando dos dois programas: definição das opções, leitura (um
 * analisador pequeno, com as regras do `parseArgs` estrito do Node), validação
 * com mensagens em português, o texto de `--ajuda` e os códigos de saída
 * documentados.
 *
 * @module
 */

import { TAMANHO_MAXIMO_PADRAO } from "../protocolo/quadros.ts";
import { RetornoCliente, RetornoServidor } from "../retornos.ts";

/** Valores padrão do servidor (os do cliente coincidem onde se cruzam). */
export const PADROES = {
  porta: 3415,
  tamanhoMaximo: TAMANHO_MAXIMO_PADRAO,
  maxConexoes: 1000,
  tempoOcioso: 300_000,
  prazo: 10_000,
  limiteFila: 256 * 1024,
  graca: 2_000,
} as const;

/** Variável de ambiente do token (nunca uma opção: apareceria no `ps`). */
export const VARIAVEL_TOKEN = "SOCKETS_TOKEN";

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

/**
 * O token: de `--token-arquivo` (sem a quebra de linha final) ou da variável
 * `SOCKETS_TOKEN`; `undefined` se nenhum dos dois.
 *
 * @throws {ErroDeConfiguracao} arquivo ilegível ou token vazio
 */
export function lerToken(arquivo: string | undefined): string | undefined {
  const token = arquivo !== undefined
    ? lerArquivo(arquivo, "--token-arquivo").replace(/\r?\n$/, "")
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

/** Versão dos programas (também em `--versao`). */
export const VERSAO_PROGRAMA = "1.0.0";

/** Erro de uso (opção desconhecida, valor inválido): sai com código 2. */
export class ErroDeUso extends Error {
  constructor(mensagem: string) {
    super(mensagem);
    this.name = "ErroDeUso";
  }
}

/** Uma opção de linha de comando e como ela aparece na ajuda. */
export interface Opcao {
  tipo: "string" | "boolean";
  curta?: string;
  /** Nome do valor na ajuda, ex. `PORTA`. */
  valor?: string;
  padrao?: string;
  multipla?: boolean;
  descricao: string;
}

export type Opcoes = Record<string, Opcao>;
export type Valores = Record<string, string | boolean | string[] | undefined>;

/** Um código de saída e o que ele quer dizer. */
export interface CodigoDocumentado {
  codigo: number;
  descricao: string;
}

/** O que cada programa mostra em `--ajuda`. */
export interface Programa {
  nome: string;
  resumo: string;
  opcoes: Opcoes;
  codigos: readonly CodigoDocumentado[];
  exemplos: readonly string[];
}

/** Opções que os dois programas têm. */
export const OPCOES_COMUNS: Opcoes = {
  host: {
    tipo: "string",
    valor: "HOST",
    padrao: "o nome desta máquina",
    descricao: "endereço ou nome do servidor",
  },
  porta: {
    tipo: "string",
    valor: "PORTA",
    padrao: "3415",
    descricao: "porta TCP (0 a 65535)",
  },
  ajuda: { tipo: "boolean", curta: "h", descricao: "mostra esta ajuda e sai" },
  versao: { tipo: "boolean", descricao: "mostra a versão e sai" },
};

/**
 * Lê os argumentos conforme `opcoes`, com as regras do `parseArgs` estrito do
 * Node: `--opcao valor`, `--opcao=valor`, `-h`, curtas juntas (`-abc`) e
 * `-xVALOR`; `--` encerra as opções; nenhum argumento posicional; a última
 * repetição vale, salvo nas opções `multipla`, que juntam os valores numa lista.
 *
 * Não usamos o `parseArgs` de `node:util`: importá-lo inicializa a camada de
 * compatibilidade com o Node do Deno, que custou 6 a 9 ms medidos em cada
 * partida do cliente (um `deno run` vazio leva uns 17 ms nesta máquina).
 *
 * @throws {ErroDeUso} com a explicação em português
 */
export function analisarArgumentos(
  args: readonly string[],
  opcoes: Opcoes,
): Valores {
  const valores: Valores = {};
  const fila = [...args];
  for (let arg = fila.shift(); arg !== undefined; arg = fila.shift()) {
    if (arg === "--") {
      // Depois de "--" tudo seria argumento posicional, e não há nenhum.
      if (fila.length > 0) throw argumentoInesperado(fila[0]);
      break;
    }
    if (ehGrupoDeCurtas(arg, opcoes)) {
      fila.unshift(...separarGrupo(arg, opcoes));
      continue;
    }
    const uso = lerUso(arg, fila, opcoes);
    if (uso === undefined) throw argumentoInesperado(arg);
    guardar(valores, uso, conferirUso(uso, opcoes));
  }
  return valores;
}

/** Uma opção como apareceu na linha de comando. */
interface Uso {
  /** O nome longo (o da opção curta, se ela existe). */
  nome: string;
  /** Como o usuário a escreveu (`--porta`, `-h`), para as mensagens. */
  escrita: string;
  valor: string | undefined;
  /** O valor veio no mesmo argumento (`--porta=-1`), não no seguinte. */
  colado: boolean;
}

/** A definição de `nome`, se existe (`toString` e afins não contam). */
function opcaoDe(opcoes: Opcoes, nome: string): Opcao | undefined {
  return Object.hasOwn(opcoes, nome) ? opcoes[nome] : undefined;
}

/** O nome longo da opção curta `letra` (ou a própria letra, se não há). */
function nomeDaCurta(letra: string, opcoes: Opcoes): string {
  return Object.entries(opcoes).find(([, o]) => o.curta === letra)?.[0] ??
    letra;
}

function recebeValor(nome: string, opcoes: Opcoes): boolean {
  return opcaoDe(opcoes, nome)?.tipo === "string";
}

/** `-abc`: várias curtas num argumento (`-xVALOR`, se `-x` recebe valor). */
function ehGrupoDeCurtas(arg: string, opcoes: Opcoes): boolean {
  return arg.length > 2 && arg[0] === "-" && arg[1] !== "-" &&
    !recebeValor(nomeDaCurta(arg[1], opcoes), opcoes);
}

/** `-abc` → `-a -b -c`; uma curta que recebe valor leva o resto: `-abVALOR`. */
function separarGrupo(arg: string, opcoes: Opcoes): string[] {
  const partes: string[] = [];
  for (let i = 1; i < arg.length; i++) {
    if (
      i < arg.length - 1 && recebeValor(nomeDaCurta(arg[i], opcoes), opcoes)
    ) {
      partes.push(`-${arg.slice(i)}`);
      break;
    }
    partes.push(`-${arg[i]}`);
  }
  return partes;
}

/**
 * O uso de opção que `arg` começa, tirando de `fila` o valor que vem no
 * argumento seguinte; `undefined` se `arg` não é uma opção.
 */
function lerUso(
  arg: string,
  fila: string[],
  opcoes: Opcoes,
): Uso | undefined {
  if (arg.length < 2 || arg[0] !== "-") return undefined;
  const seguinte = (nome: string) =>
    recebeValor(nome, opcoes) ? fila.shift() : undefined;
  if (arg[1] !== "-") {
    const nome = nomeDaCurta(arg[1], opcoes);
    return arg.length > 2
      ? { nome, escrita: arg.slice(0, 2), valor: arg.slice(2), colado: true }
      : { nome, escrita: arg, valor: seguinte(nome), colado: false };
  }
  // Como no Node, o "=" logo depois de "--" só separa se houver outro adiante.
  if (!arg.includes("=", 3)) {
    const nome = arg.slice(2);
    return { nome, escrita: arg, valor: seguinte(nome), colado: false };
  }
  const igual = arg.indexOf("=", 2);
  const nome = arg.slice(2, igual);
  return {
    nome,
    escrita: `--${nome}`,
    valor: arg.slice(igual + 1),
    colado: true,
  };
}

/**
 * Confere o uso contra a definição da opção e devolve a definição.
 *
 * @throws {ErroDeUso}
 */
function conferirUso(uso: Uso, opcoes: Opcoes): Opcao {
  const opcao = opcaoDe(opcoes, uso.nome);
  if (opcao === undefined) {
    throw new ErroDeUso(`opção desconhecida: ${uso.escrita}`);
  }
  // A forma longa é a que o usuário reconhece, mesmo se escreveu a curta.
  const longa = `--${uso.nome}`;
  if (opcao.tipo === "boolean") {
    if (uso.valor !== undefined) {
      throw new ErroDeUso(`a opção ${longa} não recebe valor`);
    }
    return opcao;
  }
  if (uso.valor === undefined) {
    throw new ErroDeUso(`a opção ${longa} precisa de um valor`);
  }
  if (!uso.colado && uso.valor.length > 1 && uso.valor[0] === "-") {
    throw new ErroDeUso(
      `a opção ${uso.escrita} recebeu "${uso.valor}", que parece outra opção; para um valor começado por "-", use ${longa}=${uso.valor}`,
    );
  }
  return opcao;
}

function guardar(valores: Valores, uso: Uso, opcao: Opcao): void {
  const valor = uso.valor ?? true;
  if (!opcao.multipla) {
    valores[uso.nome] = valor;
    return;
  }
  const lista = valores[uso.nome] as (string | boolean)[] | undefined;
  if (lista) lista.push(valor);
  else valores[uso.nome] = [valor] as string[];
}

function argumentoInesperado(arg: string): ErroDeUso {
  return new ErroDeUso(`argumento inesperado: ${arg}`);
}

/** Lê `--porta`: inteiro de 0 a 65535 (0 = o sistema escolhe). */
export function lerPorta(valor: string | undefined, padrao: number): number {
  return lerInteiro(valor, "--porta", 0, 65535, padrao);
}

/**
 * Lê um inteiro decimal dentro de `[minimo, maximo]`.
 *
 * @throws {ErroDeUso} quando não é um inteiro ou está fora do intervalo
 */
export function lerInteiro(
  valor: string | undefined,
  nome: string,
  minimo: number,
  maximo: number,
  padrao: number,
): number {
  if (valor === undefined) return padrao;
  if (!/^-?\d+$/.test(valor.trim())) {
    throw new ErroDeUso(`${nome} deve ser um número inteiro, não "${valor}"`);
  }
  const numero = Number(valor);
  if (numero < minimo || numero > maximo) {
    throw new ErroDeUso(
      `${nome} deve estar entre ${minimo} e ${maximo}, não ${valor}`,
    );
  }
  return numero;
}

/** Lê uma duração em segundos (aceita frações) e a devolve em milissegundos. */
export function lerSegundos(
  valor: string | undefined,
  nome: string,
  padraoMs: number,
  minimoMs = 0,
): number {
  if (valor === undefined) return padraoMs;
  const ms = Math.round(Number(valor) * 1000);
  if (valor.trim() === "" || !Number.isFinite(ms) || ms < minimoMs) {
    const minimo = minimoMs === 0 ? "0 ou mais" : `mais que 0`;
    throw new ErroDeUso(
      `${nome} deve ser um número de segundos (${minimo}), não "${valor}"`,
    );
  }
  return ms;
}

/** Maior `--tamanho-maximo` aceito: 16 MiB. */
export const TAMANHO_MAXIMO_LIMITE = 16 * 1024 * 1024;

/** O texto de `--ajuda`. */
export function textoDeAjuda(programa: Programa): string {
  const linhas = [
    programa.resumo,
    "",
    `Uso: ${programa.nome} [opções]`,
    "",
    "Opções:",
  ];
  for (const [nome, opcao] of Object.entries(programa.opcoes)) {
    const curta = opcao.curta ? `-${opcao.curta}, ` : "    ";
    const valor = opcao.valor ? ` ${opcao.valor}` : "";
    const padrao = opcao.padrao ? ` (padrão: ${opcao.padrao})` : "";
    linhas.push(
      `  ${curta}--${nome}${valor}`.padEnd(30) + " " + opcao.descricao + padrao,
    );
  }
  linhas.push("", "Códigos de saída:");
  for (const { codigo, descricao } of programa.codigos) {
    linhas.push(`  ${String(codigo).padStart(3)}  ${descricao}`);
  }
  linhas.push("", "Exemplos:");
  for (const exemplo of programa.exemplos) linhas.push(`  ${exemplo}`);
  return linhas.join("\n") + "\n";
}

/** A linha que acompanha todo erro de uso. */
export function dicaDeAjuda(nome: string): string {
  return `Use "${nome} --ajuda" para ver as opções.`;
}

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
      padrao: "1024",
      descricao: "máximo de bytes de assunto + texto por mensagem",
    },
    "max-conexoes": {
      tipo: "string",
      valor: "N",
      padrao: "1000",
      descricao: "máximo de clientes conectados ao mesmo tempo",
    },
    "tempo-ocioso": {
      tipo: "string",
      valor: "SEGUNDOS",
      padrao: "300",
      descricao:
        "desliga quem não manda nada (nem PING) por esse tempo; 0 = nunca",
    },
    prazo: {
      tipo: "string",
      valor: "SEGUNDOS",
      padrao: "10",
      descricao: "prazo para a saudação e para cada quadro começado terminar",
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
      descricao: `exige este token dos clientes (ou defina ${VARIAVEL_TOKEN})`,
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
      descricao: "sem permissão para usar a porta ou a rede",
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
      codigo: RetornoServidor.FORCADO,
      descricao: "encerramento forçado (segundo sinal)",
    },
  ],
  exemplos: [
    "servidor --host 0.0.0.0 --porta 5000",
    "servidor --host :: --porta 0 --tamanho-maximo 65536",
    "servidor --host 127.0.0.1 --json | jq .",
    "servidor --host 0.0.0.0 --tls-cert cert.pem --tls-chave chave.pem --token-arquivo token.txt",
    "servidor --host :: --permitir 192.168.0.0/16 --permitir fd00::/8 --negar 192.168.0.66",
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
}

/** Lê e valida os argumentos do servidor. @throws {ErroDeUso} */
export function lerConfigServidor(args: readonly string[]): ConfigServidor {
  const v = analisarArgumentos(args, PROGRAMA_SERVIDOR.opcoes);
  const texto = (nome: string) => v[nome] as string | undefined;
  if (
    (texto("tls-cert") === undefined) !== (texto("tls-chave") === undefined)
  ) {
    throw new ErroDeUso("--tls-cert e --tls-chave vão juntas");
  }
  return {
    ajuda: v.ajuda === true,
    versao: v.versao === true,
    host: texto("host"),
    porta: lerPorta(texto("porta"), PADROES.porta),
    tamanhoMaximo: lerInteiro(
      texto("tamanho-maximo"),
      "--tamanho-maximo",
      1,
      TAMANHO_MAXIMO_LIMITE,
      PADROES.tamanhoMaximo,
    ),
    maxConexoes: lerInteiro(
      texto("max-conexoes"),
      "--max-conexoes",
      1,
      1_000_000,
      PADROES.maxConexoes,
    ),
    tempoOcioso: lerSegundos(
      texto("tempo-ocioso"),
      "--tempo-ocioso",
      PADROES.tempoOcioso,
    ),
    prazo: lerSegundos(texto("prazo"), "--prazo", PADROES.prazo, 1),
    json: v.json === true,
    tlsCert: texto("tls-cert"),
    tlsChave: texto("tls-chave"),
    tokenArquivo: texto("token-arquivo"),
    permitir: (v.permitir as string[] | undefined) ?? [],
    negar: (v.negar as string[] | undefined) ?? [],
  };
}

export const PROGRAMA_CLIENTE: Programa = {
  nome: "cliente",
  resumo:
    "cliente — envia mensagens (assunto e texto) a um servidor Sockets de Rede, pelo menu ou por scripts.",
  opcoes: {
    host: OPCOES_COMUNS.host,
    porta: OPCOES_COMUNS.porta,
    "tempo-limite": {
      tipo: "string",
      valor: "SEGUNDOS",
      padrao: "10",
      descricao: "prazo para conectar e para o servidor responder",
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
        "com --tls, confia nesta CA (PEM) em vez das raízes do sistema",
    },
    "token-arquivo": {
      tipo: "string",
      valor: "ARQUIVO",
      descricao: `envia este token ao servidor (ou defina ${VARIAVEL_TOKEN})`,
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
      descricao: "sem permissão para usar a rede",
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

/** Lê e valida os argumentos do cliente. @throws {ErroDeUso} */
export function lerConfigCliente(args: readonly string[]): ConfigCliente {
  const v = analisarArgumentos(args, PROGRAMA_CLIENTE.opcoes);
  const texto = (nome: string) => v[nome] as string | undefined;
  const config: ConfigCliente = {
    ajuda: v.ajuda === true,
    versao: v.versao === true,
    host: texto("host"),
    porta: lerPorta(texto("porta"), PADROES.porta),
    tempoLimite: lerSegundos(
      texto("tempo-limite"),
      "--tempo-limite",
      10_000,
      1,
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
