/**
 * cliente — envia mensagens a um servidor Sockets de Rede: pelo menu do
 * original, ou sem menu para scripts (`--assunto`, `--texto`, `--linhas`).
 * Ponto de entrada fino: lê as opções, conecta e entrega o resto à sessão.
 *
 * Uso: `cliente --host x --porta 5000` (veja `--ajuda`).
 *
 * @module
 */

import { ErroDeUso } from "./lib/cli/argumentos.ts";
import {
  analisarConfigCliente,
  avisoDeDigitacao,
  type ConfigCliente,
  PROGRAMA_CLIENTE,
} from "./lib/cli/cliente.ts";
import { VARIAVEL_TOKEN, VERSAO_PROGRAMA } from "./lib/cli/comum.ts";
import {
  type OpcoesRetomada,
  SessaoRetomavel,
} from "./lib/cliente/retomada.ts";
import { fraseDeNaoCapaz, permissaoQueFalta } from "./lib/cli/permissoes.ts";
import type { OpcoesCliente } from "./lib/cliente/conectar.ts";
import { FalhaDoCliente } from "./lib/cliente/falhas.ts";
import { RetornoCliente } from "./lib/retornos.ts";
import type { LeitorDeLinhas } from "./lib/cliente/linhas.ts";
import type { SessaoDeEnvio, Tela } from "./lib/cliente/interfaces.ts";
import { enviarLinhas, enviarUma } from "./lib/cliente/roteiro.ts";
import type { Escritor, SaidaEmLotes } from "./lib/saida/lotes.ts";
import { esperarORepasse, ouvirInterrupcoes } from "./lib/sinais.ts";

// O resto da partida, importado daqui só para ser pedido daqui. Ao carregar
// um módulo, o Deno (2.9) acha a linha de cada import que ainda não pediu no
// .ts original, lendo e decodificando o mapa de fontes de quem importa
// (libs/core/modules/recursive_load.rs, `source_mapped_module_load_referrer`).
// Com a partida inteira pedida daqui, só o mapa deste arquivo é lido, e não o
// de seis módulos do meio: 0,6 ms a menos no cliente de uma mensagem (cenário
// 5 do banco). tests/arquitetura_test.ts confere que a lista está completa.
import "./lib/cli/valores.ts";
import "./lib/cliente/conectar.ts";
import "./lib/cliente/limites.ts";
import "./lib/cliente/sessao.ts";
import "./lib/conexao.ts";
import "./lib/datas.ts";
import "./lib/erros.ts";
import "./lib/protocolo/codificador.ts";
import "./lib/protocolo/decodificador.ts";
import "./lib/protocolo/quadros.ts";
import "./lib/protocolo/utf8.ts";
import "./lib/saida/contagem.ts";
import "./lib/saida/endereco.ts";
import "./lib/sorteio.ts";
import "./lib/temporizador.ts";

const AVISO_LEGADO =
  "> Aviso: o servidor original não confirma o recebimento; não há como garantir que uma mensagem foi entregue.\n";

/**
 * A saída padrão ou a de erros, escrita em lotes (lib/saida/lotes.ts), que só
 * carrega no primeiro texto: o envio de uma mensagem quase nunca escreve, e a
 * partida dele é medida no banco. Os textos saem na ordem em que vieram.
 */
class SaidaSobDemanda implements Tela {
  readonly #destino: Escritor;
  #lotes: Promise<SaidaEmLotes> | undefined;

  constructor(destino: Escritor) {
    this.#destino = destino;
  }

  escrever(texto: string): void {
    this.#lotes ??= import("./lib/saida/lotes.ts").then(({ SaidaEmLotes }) =>
      new SaidaEmLotes(this.#destino)
    );
    this.#lotes.then((lotes) => lotes.escrever(texto));
  }

  /** Espera tudo o que foi escrito chegar ao destino. */
  async esvaziar(): Promise<void> {
    await (await this.#lotes)?.esvaziar();
  }
}

async function main(args: string[]): Promise<number> {
  const saida = new SaidaSobDemanda(Deno.stdout);
  const erros = new SaidaSobDemanda(Deno.stderr);
  try {
    return await executar(args, saida, erros);
  } catch (erro) {
    // Nenhum erro sai com rastro de pilha: uma linha e um código documentado.
    const [codigo, texto] = erro instanceof Deno.errors.NotCapable
      ? [RetornoCliente.SEM_PERMISSAO, fraseDeNaoCapaz("cliente", erro)]
      : [
        RetornoCliente.NAO_ENTREGUE,
        `erro inesperado: ${(erro as Error)?.message ?? erro}`,
      ];
    erros.escrever(`cliente: ${texto}\n`);
    return codigo;
  } finally {
    await Promise.allSettled([saida.esvaziar(), erros.esvaziar()]);
  }
}

async function executar(
  args: string[],
  saida: Tela,
  erros: Tela,
): Promise<number> {
  let config: ConfigCliente;
  try {
    config = analisarConfigCliente(args);
  } catch (erro) {
    if (!(erro instanceof ErroDeUso)) throw erro;
    const { dicaDeAjuda } = await import("./lib/cli/ajuda.ts");
    erros.escrever(`cliente: ${erro.message}\n${dicaDeAjuda("cliente")}\n`);
    return RetornoCliente.USO;
  }
  if (config.ajuda) {
    // A ajuda (e a dica dela) só carrega quando pedida: a partida do envio de
    // uma mensagem é medida no banco.
    const { textoDeAjuda } = await import("./lib/cli/ajuda.ts");
    saida.escrever(textoDeAjuda(PROGRAMA_CLIENTE));
    return RetornoCliente.OK;
  }
  if (config.versao) {
    saida.escrever(`cliente ${VERSAO_PROGRAMA}\n`);
    return RetornoCliente.OK;
  }
  const opcoes = await opcoesDeConexao(config);
  if ("erro" in opcoes) {
    erros.escrever(`cliente: ${opcoes.erro}\n`);
    return opcoes.codigo;
  }
  const semMenu = config.linhas || config.assunto !== undefined ||
    config.texto !== undefined;
  let sessao: SessaoDeEnvio;
  try {
    sessao = config.legado
      ? await conectarLegado(opcoes)
      : await SessaoRetomavel.conectar(
        opcoes,
        retomadaDoModo(semMenu, config.verbose, saida, erros),
      );
  } catch (erro) {
    if (!(erro instanceof FalhaDoCliente)) throw erro;
    erros.escrever(`cliente: ${erro.message}\n`);
    return erro.codigoDeRetorno;
  }
  const interrupcao = esperarCtrlC();
  return semMenu
    ? await enviarSemMenu(config, sessao, interrupcao, saida, erros)
    : await abrirMenu(config, opcoes.host, sessao, interrupcao, saida);
}

/**
 * Onde e como conectar: confere as permissões, acha o host e lê o token e a
 * CA; ou a frase do que faltou e o código de saída.
 */
async function opcoesDeConexao(
  config: ConfigCliente,
): Promise<OpcoesCliente | { erro: string; codigo: number }> {
  const falta = permissaoQueFalta("cliente", {
    nomeDaMaquina: config.host === undefined,
    variavelDoToken: !config.legado && config.tokenArquivo === undefined,
    arquivos: [config.ca, config.tokenArquivo]
      .filter((caminho) => caminho !== undefined),
  });
  if (falta !== undefined) {
    return { erro: falta, codigo: RetornoCliente.SEM_PERMISSAO };
  }
  const host = config.host ?? Deno.hostname();
  const segredos = await lerSegredos(config);
  if ("erro" in segredos) {
    return { erro: segredos.erro, codigo: RetornoCliente.USO };
  }
  return {
    host,
    porta: config.porta,
    tempoLimite: config.tempoLimite,
    token: segredos.token,
    tls: config.tls ? { ca: segredos.ca } : undefined,
  };
}

/**
 * Sem menu, uma queda ou um reinício do servidor não param o script:
 * reconecta e reenvia. No menu, só uma queda; o CODIGO_SAIDA do servidor
 * encerra a sessão, como no original.
 */
function retomadaDoModo(
  semMenu: boolean,
  verbose: boolean,
  saida: Tela,
  erros: Tela,
): OpcoesRetomada {
  if (semMenu) {
    return {
      aposDespedida: true,
      avisar: verbose
        ? (texto: string) => erros.escrever(`cliente: ${texto}\n`)
        : undefined,
    };
  }
  return {
    aposDespedida: false,
    // No menu, o aviso pode chegar com o prompt `>>> ` na tela: linha nova.
    avisar: (texto: string) => saida.escrever(`\n> ${texto}\n`),
  };
}

/** O envio por script: `--assunto`/`--texto` (uma mensagem) ou `--linhas`. */
async function enviarSemMenu(
  config: ConfigCliente,
  sessao: SessaoDeEnvio,
  interrupcao: Promise<void>,
  saida: Tela,
  erros: Tela,
): Promise<number> {
  if (config.legado) erros.escrever(`cliente: ${AVISO_LEGADO.slice(2)}`);
  const aviso = avisoDeDigitacao(config, Deno.stdin.isTerminal());
  if (aviso) erros.escrever(`cliente: ${aviso}\n`);
  const roteiro = {
    assunto: config.assunto ?? "",
    texto: config.texto === "-" ? undefined : config.texto,
    linhas: config.linhas,
    verbose: config.verbose,
  };
  // Com --texto, a entrada padrão não é lida: o leitor de linhas só carrega
  // para quem lê dela.
  const entrada = config.linhas || roteiro.texto === undefined
    ? await abrirEntrada()
    : undefined;
  // Ctrl-C num envio em massa: para de ler, entrega o que já foi e sai.
  interrupcao.then(() => entrada?.cancelar());
  return config.linhas && entrada
    ? await enviarLinhas(sessao, roteiro, entrada, saida, erros)
    : await enviarUma(sessao, roteiro, entrada, saida, erros);
}

/**
 * O menu do original (1 envia, 2 sai). Só o modo interativo carrega o menu e
 * as cores: o envio sem menu parte sem eles (a partida do cliente de uma
 * mensagem é medida no banco).
 */
async function abrirMenu(
  config: ConfigCliente,
  host: string,
  sessao: SessaoDeEnvio,
  interrupcao: Promise<void>,
  saida: Tela,
): Promise<number> {
  saida.escrever(`> Conectado a ${host} na porta ${config.porta}...\n`);
  if (config.legado) saida.escrever(AVISO_LEGADO);
  const [{ Menu }, { coresPara }, entrada] = await Promise.all([
    import("./lib/cliente/menu.ts"),
    import("./lib/saida/cores.ts"),
    abrirEntrada(),
  ]);
  const menu = new Menu(sessao, entrada, saida, {
    cores: coresPara(Deno.stdout),
    interrupcao,
    ecoar: !Deno.stdin.isTerminal(),
  });
  return await menu.executar();
}

/**
 * O token (do arquivo ou de SOCKETS_TOKEN) e a CA do --tls, ou a frase do que
 * não pôde ser lido. lib/cli/arquivos.ts, que os lê e confere, só carrega
 * quando há o que ler: sem --token-arquivo, sem --ca e sem SOCKETS_TOKEN
 * definida, não há.
 */
async function lerSegredos(
  config: ConfigCliente,
): Promise<{ token?: string; ca?: string } | { erro: string }> {
  const comToken = !config.legado &&
    (config.tokenArquivo !== undefined || Deno.env.has(VARIAVEL_TOKEN));
  if (!comToken && config.ca === undefined) return {};
  const { ErroDeConfiguracao, lerPem, lerToken } = await import(
    "./lib/cli/arquivos.ts"
  );
  try {
    const token = comToken ? lerToken(config.tokenArquivo) : undefined;
    return {
      ...(token === undefined ? {} : { token }),
      ...(config.ca === undefined
        ? {}
        : { ca: lerPem(config.ca, "--ca", "certificado") }),
    };
  } catch (erro) {
    if (!(erro instanceof ErroDeConfiguracao)) throw erro;
    return { erro: erro.message };
  }
}

/** O leitor das linhas da entrada padrão (aberta só na primeira leitura). */
async function abrirEntrada(): Promise<LeitorDeLinhas> {
  const { LeitorDeLinhas } = await import("./lib/cliente/linhas.ts");
  return new LeitorDeLinhas(() => Deno.stdin.readable);
}

/** O modo --legado é raro: o formato original só é carregado quando pedido. */
async function conectarLegado(opcoes: OpcoesCliente): Promise<SessaoDeEnvio> {
  const { ClienteLegado } = await import("./lib/cliente/legado.ts");
  return await ClienteLegado.conectar(opcoes);
}

/**
 * Uma promessa que resolve no primeiro Ctrl-C; um segundo, depois da janela
 * de lib/sinais.ts (antes dela é o mesmo, repassado pelo deno task), sai na
 * hora.
 */
function esperarCtrlC(): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  ouvirInterrupcoes(["SIGINT"], {
    encerrar: () => resolve(),
    forcar: () => Deno.exit(130),
  });
  return promise;
}

// Deno.exit: a leitura pendente do teclado não deve segurar o processo.
if (import.meta.main) {
  const codigo = await main(Deno.args);
  await esperarORepasse();
  Deno.exit(codigo);
}
