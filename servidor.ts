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
import { ErroDeConfiguracao, lerPem, lerToken } from "./lib/cli/arquivos.ts";
import { VERSAO_PROGRAMA } from "./lib/cli/comum.ts";
import { fraseDeNaoCapaz, permissaoQueFalta } from "./lib/cli/permissoes.ts";
import {
  analisarConfigServidor,
  type ConfigServidor,
  PADROES,
  PROGRAMA_SERVIDOR,
} from "./lib/cli/servidor.ts";
import { Painel } from "./lib/painel/painel.ts";
import { RetornoServidor } from "./lib/retornos.ts";
import { Servidor } from "./lib/servidor/servidor.ts";
import { Tentativas } from "./lib/servidor/tentativas.ts";
import { esperarORepasse, ouvirInterrupcoes } from "./lib/sinais.ts";
import {
  eArquivoComum,
  ESCRITA_SINCRONA_MAXIMA,
  SaidaEmLotes,
} from "./lib/saida/lotes.ts";
import { coresPara } from "./lib/saida/cores.ts";
import { RegistroJson } from "./lib/saida/json.ts";
import { RegistroLegivel } from "./lib/saida/legivel.ts";
import type { Registro } from "./lib/servidor/eventos.ts";
import { VARIAVEL_TOKEN_NATS } from "./lib/cli/comum.ts";
import { palavraDeAssunto } from "./lib/nats/assuntos.ts";
// Só tipos: os clientes @nats-io/* vêm por import() dinâmico, com --nats.
import type { OpcoesNats, ProdutorNats } from "./lib/nats/ligacao.ts";

const SINAIS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM"];

/** Nenhum erro sai com rastro de pilha: uma linha e um código documentado. */
async function main(args: string[]): Promise<number> {
  try {
    return await executar(args);
  } catch (erro) {
    const [codigo, texto] = erro instanceof Deno.errors.NotCapable
      ? [RetornoServidor.SEM_PERMISSAO, fraseDeNaoCapaz("servidor", erro)]
      : [
        RetornoServidor.ERRO_INESPERADO,
        `erro inesperado: ${(erro as Error)?.message ?? erro}`,
      ];
    await Deno.stderr.write(
      new TextEncoder().encode(`servidor: ${texto}\n`),
    ).catch(() => {});
    return codigo;
  }
}

async function executar(args: string[]): Promise<number> {
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
  const falta = permissaoQueFalta("servidor", {
    nomeDaMaquina: config.host === undefined || config.nats !== undefined,
    variavelDoToken: config.tokenArquivo === undefined,
    variavelDoTokenNats: config.nats !== undefined &&
      config.nats.credenciais === undefined,
    arquivos: [
      config.tlsCert,
      config.tlsChave,
      config.tokenArquivo,
      config.nats?.ca,
      config.nats?.credenciais,
    ].filter((caminho) => caminho !== undefined),
  });
  if (falta !== undefined) {
    erros.escrever(`servidor: ${falta}\n`);
    await erros.esvaziar();
    return RetornoServidor.SEM_PERMISSAO;
  }

  let opcoesNats: OpcoesNats | undefined;
  if (config.nats) {
    try {
      opcoesNats = lerOpcoesNats(config);
    } catch (erro) {
      if (!(erro instanceof ErroDeConfiguracao)) throw erro;
      erros.escrever(`servidor: ${erro.message}\n`);
      await erros.esvaziar();
      return RetornoServidor.CONFIGURACAO_INVALIDA;
    }
  }
  if (config.acompanhar && opcoesNats) {
    return await acompanharStream(config, opcoesNats, saida, erros);
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
        prazoMs: config.prazo,
        estadoDoServidor: () => ({
          clientesConectados: servidor?.conectados ?? 0,
          clientesAtendidos: servidor?.resumo.clientes ?? 0,
          saidaPendente: saida.pendente + erros.pendente,
        }),
        avisar: (texto) =>
          registro.registrar({ tipo: "erro", instante: Date.now(), texto }),
      });
    } catch (erro) {
      const [codigo, texto] = explicarFalhaAoLigar(erro, host, config.painel);
      erros.escrever(`servidor: --painel: ${texto}\n`);
      await erros.esvaziar();
      return codigo;
    }
  }

  // JetStream (--nats): conecta e confere o stream antes de aceitar alguém.
  let produtor: ProdutorNats | undefined;
  let registroDoServidor: Registro = painel
    ? painel.espiar(registro)
    : registro;
  if (opcoesNats) {
    const nats = await import("./lib/nats/ligacao.ts");
    const nome = config.nats!.nome ??
      palavraDeAssunto(
        `${Deno.hostname()}-${
          config.porta === 0 ? `p${Deno.pid}` : config.porta
        }`,
      );
    const assunto = `${opcoesNats.prefixo}.${nome}`;
    try {
      produtor = await nats.ligarProdutor(
        opcoesNats,
        assunto,
        (texto) => erros.escrever(`servidor: ${texto}\n`),
      );
    } catch (erro) {
      if (!(erro instanceof nats.FalhaNats)) throw erro;
      await painel?.fechar();
      erros.escrever(`servidor: --nats: ${erro.message}\n`);
      await erros.esvaziar();
      return erro.tipo === "stream"
        ? RetornoServidor.NATS_STREAM
        : RetornoServidor.NATS_INALCANCAVEL;
    }
    registroDoServidor = produtor.publicador.envolver(registroDoServidor);
    (config.json ? erros : saida).escrever(
      `> Publicando no JetStream: stream ${opcoesNats.stream} (${
        produtor.stream === "criado" ? "criado agora" : "já existia"
      }), assunto ${assunto}\n`,
    );
  }

  try {
    servidor = await Servidor.ligar({
      ...PADROES,
      ...config,
      ...seguranca,
      host,
      registro: registroDoServidor,
    });
  } catch (erro) {
    await painel?.fechar();
    await produtor?.fechar(0);
    const [codigo, texto] = explicarFalhaAoLigar(erro, host, config.porta);
    erros.escrever(`servidor: ${texto}\n`);
    await erros.esvaziar();
    return codigo;
  }
  if (painel) {
    (config.json ? erros : saida).escrever(`> Painel em ${painel.url}\n`);
  }

  // A saída morreu (`| head` saiu, disco cheio): nada mais será confirmado.
  let saidaFalhou = false;
  saida.quandoFalhar((erro) => {
    saidaFalhou = true;
    erros.escrever(
      `servidor: a saída padrão não aceita mais escrita (${
        descreverFalha(erro)
      }): parando; as mensagens não confirmadas não foram gravadas\n`,
    );
    void servidor!.abortarPorSaida();
  });

  // Um segundo Ctrl-C dentro da janela é o mesmo (o deno task repassa o seu),
  // e os ouvintes ficam até o processo sair: veja lib/sinais.ts.
  ouvirInterrupcoes(SINAIS, {
    encerrar: (sinal) => void servidor!.encerrar(sinal),
    forcar: () => Deno.exit(RetornoServidor.FORCADO),
  });

  await servidor.servir();
  const resumo = await servidor.encerrar("interno");
  await painel?.fechar();
  // O que o JetStream ainda não confirmou tem o mesmo prazo curto.
  const semJetStream = produtor ? await produtor.fechar(PRAZO_ESCRITA_MS) : 0;
  if (semJetStream > 0) {
    erros.escrever(
      `servidor: ${semJetStream} mensagens recebidas não foram confirmadas pelo JetStream; nenhuma delas foi confirmada ao cliente\n`,
    );
  }
  // Uma saída parada não segura o fim para sempre: um prazo curto de escrita.
  const gravou = await dentroDoPrazo(saida.esvaziar(), PRAZO_ESCRITA_MS);
  const naoGravadas = registro.naoGravadas;
  if (semJetStream > 0 && gravou && !saidaFalhou && naoGravadas === 0) {
    await dentroDoPrazo(erros.esvaziar(), PRAZO_ESCRITA_MS);
    return RetornoServidor.SAIDA_FALHOU;
  }
  if (!gravou || saidaFalhou || naoGravadas > 0) {
    erros.escrever(
      `servidor: ${naoGravadas} de ${resumo.mensagens} mensagens recebidas não foram gravadas na saída (${
        saidaFalhou ? "a saída falhou" : "a saída parou"
      }); nenhuma delas foi confirmada ao cliente\n`,
    );
    await dentroDoPrazo(erros.esvaziar(), PRAZO_ESCRITA_MS);
    return RetornoServidor.SAIDA_FALHOU;
  }
  await dentroDoPrazo(erros.esvaziar(), PRAZO_ESCRITA_MS);
  return RetornoServidor.OK;
}

/**
 * As opções do NATS com o que os arquivos e a variável dizem.
 *
 * @throws {ErroDeConfiguracao}
 */
function lerOpcoesNats(config: ConfigServidor): OpcoesNats {
  const nats = config.nats!;
  let credenciais: Uint8Array | undefined;
  if (nats.credenciais !== undefined) {
    try {
      credenciais = Deno.readFileSync(nats.credenciais);
    } catch (erro) {
      throw new ErroDeConfiguracao(
        `--nats-credenciais: não foi possível ler ${nats.credenciais} (${
          (erro as Error).message
        })`,
        { cause: erro },
      );
    }
  }
  if (nats.ca !== undefined) lerPem(nats.ca, "--nats-ca", "certificado");
  const token = nats.credenciais === undefined
    ? Deno.env.get(VARIAVEL_TOKEN_NATS) || undefined
    : undefined;
  return {
    enderecos: nats.enderecos,
    stream: nats.stream,
    prefixo: nats.prefixo,
    replicas: nats.replicas,
    ca: nats.ca,
    credenciais,
    token,
  };
}

/**
 * `--acompanhar`: mostra o stream (legível, ou `--json`) até Ctrl-C. Não
 * escuta nenhuma porta.
 */
async function acompanharStream(
  config: ConfigServidor,
  opcoes: OpcoesNats,
  saida: SaidaEmLotes,
  erros: SaidaEmLotes,
): Promise<number> {
  const nats = await import("./lib/nats/ligacao.ts");
  const parar = new AbortController();
  ouvirInterrupcoes(SINAIS, {
    encerrar: () => parar.abort(),
    forcar: () => Deno.exit(RetornoServidor.FORCADO),
  });
  try {
    await nats.acompanhar(opcoes, {
      partida: config.acompanhar!,
      saida,
      json: config.json,
      cores: coresPara(Deno.stdout),
      parar: parar.signal,
      avisar: (texto) => erros.escrever(`servidor: ${texto}\n`),
    });
  } catch (erro) {
    if (!(erro instanceof nats.FalhaNats)) throw erro;
    erros.escrever(`servidor: --nats: ${erro.message}\n`);
    await erros.esvaziar();
    return erro.tipo === "stream"
      ? RetornoServidor.NATS_STREAM
      : RetornoServidor.NATS_INALCANCAVEL;
  }
  await dentroDoPrazo(saida.esvaziar(), PRAZO_ESCRITA_MS);
  await dentroDoPrazo(erros.esvaziar(), PRAZO_ESCRITA_MS);
  return RetornoServidor.OK;
}

/**
 * Quanto esperar, no fim, a saída gravar o que falta. Passado o prazo, o
 * processo sai e o que estava à espera se perde, mas nunca foi confirmado.
 */
const PRAZO_ESCRITA_MS = 2000;

/** `true` se a promessa terminou (bem ou mal) dentro de `ms`. */
async function dentroDoPrazo(
  promessa: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let prazo: ReturnType<typeof setTimeout> | undefined;
  const estourou = new Promise<false>((resolve) => {
    prazo = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promessa.then(() => true, () => true),
      estourou,
    ]);
  } finally {
    clearTimeout(prazo);
  }
}

/** A causa de uma falha de escrita, em português (EPIPE, disco cheio...). */
function descreverFalha(erro: unknown): string {
  if (erro instanceof Deno.errors.BrokenPipe) {
    return "quem lia a saída fechou o cano";
  }
  const mensagem = (erro as Error)?.message ?? String(erro);
  if (/No space left|ENOSPC/i.test(mensagem)) return "disco cheio";
  return mensagem;
}

/**
 * Certificado, chave, token e listas de acesso, lidos e validados.
 *
 * @throws {ErroDeConfiguracao}
 */
function lerSeguranca(config: ConfigServidor) {
  const tls = config.tlsCert !== undefined && config.tlsChave !== undefined
    ? {
      cert: lerPem(config.tlsCert, "--tls-cert", "certificado"),
      chave: lerPem(config.tlsChave, "--tls-chave", "chave"),
    }
    : undefined;
  const token = lerToken(config.tokenArquivo);
  try {
    const acesso = new ListaDeAcesso(config.permitir, config.negar);
    // Um limite só para o servidor e o painel: errar num gasta o saldo do outro.
    const tentativas = new Tentativas({
      porOrigem: config.falhasPorEndereco,
      global: config.falhasPorMinuto,
      prefixoIpv6: config.prefixoIpv6,
      pendentes: config.pendentesPorEndereco,
    });
    return {
      tls,
      token,
      acesso: acesso.ativa ? acesso : undefined,
      tentativas,
    };
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
  if (erro instanceof Deno.errors.NotFound) {
    // Só o painel lê arquivos ao ligar (lib/painel/pagina.ts).
    return [RetornoServidor.ERRO_INESPERADO, erro.message];
  }
  if (erro instanceof Deno.errors.AddrNotAvailable) {
    return [
      RetornoServidor.ENDERECO_INVALIDO,
      `o endereço ${host} não pertence a esta máquina (porta ${porta})`,
    ];
  }
  if (erro instanceof Error && /cert|key|pem|private/i.test(erro.message)) {
    return [RetornoServidor.CONFIGURACAO_INVALIDA, problemaDeTls(erro.message)];
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

/** A frase para um certificado ou chave que `Deno.listenTls` recusou. */
function problemaDeTls(texto: string): string {
  if (/KeyMismatch|not be consistent/i.test(texto)) {
    return "a chave de --tls-chave não é a do certificado de --tls-cert; confira se os dois arquivos são do mesmo par";
  }
  if (/No certificates found/i.test(texto)) {
    return "--tls-cert não contém nenhum certificado PEM legível";
  }
  if (/No keys found/i.test(texto)) {
    return "--tls-chave não contém nenhuma chave privada PEM legível (RSA, EC ou PKCS#8, sem senha)";
  }
  return `certificado ou chave TLS recusados (${texto}); confira --tls-cert e --tls-chave`;
}

if (import.meta.main) {
  const codigo = await main(Deno.args);
  await esperarORepasse();
  Deno.exit(codigo);
}
