/**
 * servidor — recebe e mostra as mensagens de quantos clientes se conectarem.
 * Ponto de entrada fino: lê as opções, liga o servidor, escolhe o formato de
 * saída e transforma sinais em encerramento gracioso.
 *
 * Uso: `servidor --host 0.0.0.0 --porta 5000` (veja `--ajuda`).
 *
 * @module
 */

import { ListaDeAcesso } from "./lib/servidor/acesso.ts";
import { dicaDeAjuda, textoDeAjuda } from "./lib/cli/ajuda.ts";
import { ErroDeUso } from "./lib/cli/argumentos.ts";
import {
  ErroDeConfiguracao,
  lerArquivo,
  lerToken,
} from "./lib/cli/arquivos.ts";
import { VERSAO_PROGRAMA } from "./lib/cli/comum.ts";
import {
  analisarConfigServidor,
  type ConfigServidor,
  PADROES,
  PROGRAMA_SERVIDOR,
} from "./lib/cli/servidor.ts";
import { Painel } from "./lib/painel/painel.ts";
import { RetornoServidor } from "./lib/retornos.ts";
import { Servidor } from "./lib/servidor/servidor.ts";
import {
  eArquivoComum,
  ESCRITA_SINCRONA_MAXIMA,
  SaidaEmLotes,
} from "./lib/saida/lotes.ts";
import { coresPara } from "./lib/saida/cores.ts";
import { RegistroJson } from "./lib/saida/json.ts";
import { RegistroLegivel } from "./lib/saida/legivel.ts";

const SINAIS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM"];

async function main(args: string[]): Promise<number> {
  // Num arquivo comum, lotes pequenos saem por writeSync: menos latência.
  const saida = new SaidaEmLotes(Deno.stdout, {
    sincronaAte: await eArquivoComum(1) ? ESCRITA_SINCRONA_MAXIMA : 0,
  });
  const erros = new SaidaEmLotes(Deno.stderr);
  let config;
  try {
    config = analisarConfigServidor(args);
  } catch (erro) {
    if (!(erro instanceof ErroDeUso)) throw erro;
    erros.escrever(`servidor: ${erro.message}\n${dicaDeAjuda("servidor")}\n`);
    await erros.esvaziar();
    return RetornoServidor.USO;
  }
  if (config.ajuda || config.versao) {
    saida.escrever(
      config.ajuda
        ? textoDeAjuda(PROGRAMA_SERVIDOR)
        : `servidor ${VERSAO_PROGRAMA}\n`,
    );
    await saida.esvaziar();
    return RetornoServidor.OK;
  }

  const legivel = config.json
    ? new RegistroLegivel(erros, coresPara(Deno.stderr))
    : new RegistroLegivel(saida, coresPara(Deno.stdout));
  const registro = config.json ? new RegistroJson(saida, legivel) : legivel;
  const host = config.host ?? Deno.hostname();

  let seguranca: ReturnType<typeof lerSeguranca>;
  try {
    seguranca = lerSeguranca(config);
  } catch (erro) {
    if (!(erro instanceof ErroDeConfiguracao)) throw erro;
    erros.escrever(`servidor: ${erro.message}\n`);
    await erros.esvaziar();
    return RetornoServidor.CONFIGURACAO_INVALIDA;
  }

  // Painel web (--painel): liga antes do servidor, que relata a ele também.
  let servidor: Servidor | undefined;
  let painel: Painel | undefined;
  if (config.painel !== undefined) {
    try {
      painel = Painel.ligar({
        ...seguranca,
        host,
        porta: config.painel,
        historico: config.painelHistorico,
        estadoDoServidor: () => ({
          clientesConectados: servidor?.conectados ?? 0,
          clientesAtendidos: servidor?.resumo.clientes ?? 0,
          saidaPendente: saida.pendente + erros.pendente,
        }),
      });
    } catch (erro) {
      const [codigo, texto] = explicarFalhaAoLigar(erro, host, config.painel);
      erros.escrever(`servidor: --painel: ${texto}\n`);
      await erros.esvaziar();
      return codigo;
    }
  }

  try {
    servidor = Servidor.ligar({
      ...PADROES,
      ...config,
      ...seguranca,
      host,
      registro: painel ? painel.espiar(registro) : registro,
    });
  } catch (erro) {
    await painel?.fechar();
    const [codigo, texto] = explicarFalhaAoLigar(erro, host, config.porta);
    erros.escrever(`servidor: ${texto}\n`);
    await erros.esvaziar();
    return codigo;
  }
  if (painel) {
    (config.json ? erros : saida).escrever(`> Painel em ${painel.url}\n`);
  }

  let sinais = 0;
  const aoSinal = (sinal: Deno.Signal) => () => {
    sinais++;
    if (sinais > 1) Deno.exit(RetornoServidor.FORCADO);
    void servidor!.encerrar(sinal);
  };
  const ouvintes = SINAIS.map((sinal) => [sinal, aoSinal(sinal)] as const);
  for (const [sinal, ouvinte] of ouvintes) {
    Deno.addSignalListener(sinal, ouvinte);
  }

  await servidor.servir();
  await servidor.encerrar("interno");
  await painel?.fechar();
  for (const [sinal, ouvinte] of ouvintes) {
    Deno.removeSignalListener(sinal, ouvinte);
  }
  await Promise.allSettled([saida.esvaziar(), erros.esvaziar()]);
  return RetornoServidor.OK;
}

/**
 * Certificado, chave, token e listas de acesso, lidos e validados.
 *
 * @throws {ErroDeConfiguracao}
 */
function lerSeguranca(config: ConfigServidor) {
  const tls = config.tlsCert !== undefined && config.tlsChave !== undefined
    ? {
      cert: lerArquivo(config.tlsCert, "--tls-cert"),
      chave: lerArquivo(config.tlsChave, "--tls-chave"),
    }
    : undefined;
  const token = lerToken(config.tokenArquivo);
  try {
    const acesso = new ListaDeAcesso(config.permitir, config.negar);
    return { tls, token, acesso: acesso.ativa ? acesso : undefined };
  } catch (erro) {
    throw new ErroDeConfiguracao((erro as Error).message, { cause: erro });
  }
}

/** O código de saída e a frase para cada falha de `Deno.listen`. */
function explicarFalhaAoLigar(
  erro: unknown,
  host: string,
  porta: number,
): [number, string] {
  if (erro instanceof Deno.errors.AddrInUse) {
    return [
      RetornoServidor.PORTA_EM_USO,
      `a porta ${porta} já está em uso em ${host}; escolha outra com --porta`,
    ];
  }
  if (
    erro instanceof Deno.errors.PermissionDenied ||
    erro instanceof Deno.errors.NotCapable
  ) {
    return [
      RetornoServidor.SEM_PERMISSAO,
      porta > 0 && porta < 1024
        ? `sem permissão para usar a porta ${porta} (portas abaixo de 1024 exigem privilégios); use uma porta de 1024 a 65535`
        : `sem permissão para escutar em ${host} na porta ${porta}`,
    ];
  }
  if (erro instanceof Deno.errors.AddrNotAvailable) {
    return [
      RetornoServidor.ENDERECO_INVALIDO,
      `o endereço ${host} não pertence a esta máquina (porta ${porta})`,
    ];
  }
  if (erro instanceof Error && /cert|key|pem|private/i.test(erro.message)) {
    return [
      RetornoServidor.CONFIGURACAO_INVALIDA,
      `certificado ou chave TLS inválidos: ${erro.message}`,
    ];
  }
  if (erro instanceof Error && /lookup|resolve/i.test(erro.message)) {
    return [
      RetornoServidor.ENDERECO_INVALIDO,
      `host desconhecido: ${host} (porta ${porta})`,
    ];
  }
  return [
    RetornoServidor.ERRO_INESPERADO,
    `não foi possível escutar em ${host} na porta ${porta}: ${
      (erro as Error).message
    }`,
  ];
}

if (import.meta.main) Deno.exit(await main(Deno.args));
