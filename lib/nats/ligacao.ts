/**
 * A ligação do servidor ao NATS, carregada só com `--nats` (o servidor.ts a
 * importa dinamicamente: quem não usa o NATS não carrega os clientes
 * `@nats-io/*`). Conecta (TLS com `--nats-ca`, credenciais de
 * `--nats-credenciais` ou token de `SOCKETS_NATS_TOKEN`), confere ou cria o
 * stream, e entrega ou o publicador (publicador.ts) ou o espectador de
 * `--acompanhar` (acompanhar.ts).
 *
 * @module
 */

import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { isIP } from "node:net";
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
} from "@nats-io/transport-node";
import {
  jetstream,
  type JetStreamManager,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import {
  JANELA_PADRAO_MS,
  problemaDoStream,
  type StreamExistente,
} from "./assuntos.ts";
import { descreverErro, PublicadorNats } from "./publicador.ts";
import { acompanharStream, type OpcoesAcompanhar } from "./acompanhar.ts";

/** O que se sabe para falar com o NATS (de lib/cli/servidor.ts). */
export interface OpcoesNats {
  enderecos: string[];
  stream: string;
  /** O prefixo dos assuntos; o stream criado cobre `PREFIXO.>`. */
  prefixo: string;
  /** Réplicas do stream, se for criado. */
  replicas: number;
  /** CA em PEM para `tls://` (lido pelo cliente NATS). */
  ca?: string | undefined;
  /** Conteúdo do arquivo de credenciais (`.creds`). */
  credenciais?: Uint8Array | undefined;
  /** Token (de `SOCKETS_NATS_TOKEN`). */
  token?: string | undefined;
}

/** Falha na partida, com a frase para quem opera e o tipo dela. */
export class FalhaNats extends Error {
  constructor(
    mensagem: string,
    readonly tipo: "inalcancavel" | "stream",
    opcoes?: ErrorOptions,
  ) {
    super(mensagem, opcoes);
    this.name = "FalhaNats";
  }
}

/** Prazo para a primeira conexão e para cada pedido de administração. */
const PRAZO_PARTIDA_MS = 10_000;

/**
 * Conecta ao NATS. Depois de conectar, reconecta sozinho para sempre.
 *
 * @throws {FalhaNats} se nenhum endereço responde na partida
 */
export async function conectarNats(
  opcoes: OpcoesNats,
  nome: string,
): Promise<NatsConnection> {
  const usaTls = opcoes.ca !== undefined ||
    opcoes.enderecos.some((e) => e.startsWith("tls://"));
  try {
    return await connect({
      servers: opcoes.enderecos,
      name: nome,
      timeout: PRAZO_PARTIDA_MS,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 5_000,
      ...(usaTls
        ? {
          tls: {
            ...(opcoes.ca ? { caFile: opcoes.ca } : {}),
            ...conferirIdentidadeNosIps(opcoes.enderecos),
          },
        }
        : {}),
      ...(opcoes.token !== undefined ? { token: opcoes.token } : {}),
      ...(opcoes.credenciais !== undefined
        ? { authenticator: credsAuthenticator(opcoes.credenciais) }
        : {}),
    });
  } catch (erro) {
    throw new FalhaNats(
      `não foi possível conectar ao NATS em ${opcoes.enderecos.join(", ")}: ${
        (erro as Error)?.message ?? erro
      }`,
      "inalcancavel",
      { cause: erro },
    );
  }
}

/**
 * Para endereços por IP (`tls://10.0.0.1:4222`) o cliente NATS não passa nome
 * nenhum ao TLS, e o `node:tls` do Deno confere então o certificado contra
 * `localhost` (o do Node usaria o IP): recusaria um certificado certo para o
 * IP. Aqui o certificado (que já tem de vir da CA) vale se serve para o nome
 * conferido ou para um dos IPs dados em `--nats`.
 */
function conferirIdentidadeNosIps(
  enderecos: readonly string[],
): { checkServerIdentity?: typeof checkServerIdentity } {
  const ips = enderecos
    .map((e) => new URL(e.replace(/^[a-z]+:/i, "http:")).hostname)
    .map((h) => h.replace(/^\[(.*)\]$/, "$1"))
    .filter((h) => isIP(h) !== 0);
  if (ips.length === 0) return {};
  return {
    checkServerIdentity(nome: string, certificado: PeerCertificate) {
      const erro = checkServerIdentity(nome, certificado);
      if (erro === undefined) return undefined;
      for (const ip of ips) {
        if (checkServerIdentity(ip, certificado) === undefined) {
          return undefined;
        }
      }
      return erro;
    },
  };
}

/**
 * Confere o stream (assuntos e janela de duplicatas) ou o cria, cobrindo
 * `PREFIXO.>`, em arquivo, com a janela `JANELA_PADRAO_MS`.
 *
 * @throws {FalhaNats} se ele existe e não serve, ou não pôde ser criado
 */
export async function garantirStream(
  jsm: JetStreamManager,
  opcoes: OpcoesNats,
  assunto: string,
): Promise<"criado" | "existente"> {
  let info;
  try {
    info = await jsm.streams.info(opcoes.stream);
  } catch (erro) {
    if (!streamNaoExiste(erro)) {
      throw new FalhaNats(
        `o JetStream não respondeu sobre o stream ${opcoes.stream}: ${
          descreverErro(erro)
        } (o nats-server tem JetStream ligado, -js?)`,
        "inalcancavel",
        { cause: erro },
      );
    }
  }
  if (info) {
    const existente: StreamExistente = {
      nome: opcoes.stream,
      assuntos: info.config.subjects ?? [],
      janelaMs: (info.config.duplicate_window ?? 0) / 1e6,
    };
    const problema = problemaDoStream(existente, assunto);
    if (problema) throw new FalhaNats(problema, "stream");
    return "existente";
  }
  try {
    await jsm.streams.add({
      name: opcoes.stream,
      subjects: [`${opcoes.prefixo}.>`],
      storage: StorageType.File,
      num_replicas: opcoes.replicas,
      duplicate_window: JANELA_PADRAO_MS * 1e6,
    });
  } catch (erro) {
    throw new FalhaNats(
      `não foi possível criar o stream ${opcoes.stream}: ${
        (erro as Error)?.message ?? erro
      }`,
      "stream",
      { cause: erro },
    );
  }
  return "criado";
}

function streamNaoExiste(erro: unknown): boolean {
  const e = erro as { code?: number; message?: string };
  return e?.code === 10059 || /stream not found/i.test(e?.message ?? "");
}

/** O servidor ligado ao JetStream como produtor. */
export interface ProdutorNats {
  publicador: PublicadorNats;
  /** `criado` ou `existente`. */
  stream: "criado" | "existente";
  /** Espera as publicações pendentes até o prazo e fecha; devolve as que ficaram. */
  fechar(prazoMs: number): Promise<number>;
}

/**
 * Conecta, garante o stream e devolve o publicador. `avisar` recebe as
 * frases de queda e volta (uma linha cada).
 *
 * @throws {FalhaNats}
 */
export async function ligarProdutor(
  opcoes: OpcoesNats,
  assunto: string,
  avisar: (texto: string) => void,
): Promise<ProdutorNats> {
  const nc = await conectarNats(opcoes, `sockets-servidor ${assunto}`);
  let stream: "criado" | "existente";
  try {
    const jsm = await jetstreamManager(nc, { timeout: PRAZO_PARTIDA_MS });
    stream = await garantirStream(jsm, opcoes, assunto);
  } catch (erro) {
    await nc.close().catch(() => {});
    if (erro instanceof FalhaNats) throw erro;
    throw new FalhaNats(
      `o JetStream não respondeu: ${descreverErro(erro)}`,
      "inalcancavel",
      { cause: erro },
    );
  }
  const publicador = new PublicadorNats({
    js: jetstream(nc),
    stream: opcoes.stream,
    assunto,
    avisar,
  });
  vigiarConexao(nc, avisar, publicador);
  return {
    publicador,
    stream,
    async fechar(prazoMs) {
      const restantes = await publicador.terminar(prazoMs);
      await nc.close().catch(() => {});
      return restantes;
    },
  };
}

/**
 * A conexão caiu ou voltou: uma linha cada. (O publicador diz o que vale
 * para as mensagens: nada confirmado enquanto o JetStream não confirmar.)
 */
function vigiarConexao(
  nc: NatsConnection,
  avisar: (texto: string) => void,
  publicador: PublicadorNats,
) {
  (async () => {
    for await (const estado of nc.status()) {
      if (estado.type === "disconnect") {
        avisar(`conexão com o NATS perdida (${estado.server}); reconectando`);
      } else if (estado.type === "reconnect") {
        avisar(
          `reconectado ao NATS (${estado.server})${
            publicador.pendentes > 0
              ? `; reenviando ${publicador.pendentes} publicações sem confirmação`
              : ""
          }`,
        );
        publicador.reconectou();
      }
    }
  })().catch(() => {});
}

/**
 * `--acompanhar`: conecta e mostra as mensagens do stream até `sinal`
 * abortar. Devolve quantas mostrou.
 *
 * @throws {FalhaNats}
 */
export async function acompanhar(
  opcoes: OpcoesNats,
  mostrar: Omit<OpcoesAcompanhar, "stream" | "js" | "jsm">,
): Promise<number> {
  const nc = await conectarNats(opcoes, "sockets-acompanhar");
  try {
    const jsm = await jetstreamManager(nc, { timeout: PRAZO_PARTIDA_MS });
    try {
      await jsm.streams.info(opcoes.stream);
    } catch (erro) {
      throw new FalhaNats(
        streamNaoExiste(erro)
          ? `o stream ${opcoes.stream} não existe (ainda nenhum servidor --nats o criou?)`
          : `o JetStream não respondeu sobre o stream ${opcoes.stream}: ${
            descreverErro(erro)
          }`,
        streamNaoExiste(erro) ? "stream" : "inalcancavel",
        { cause: erro },
      );
    }
    return await acompanharStream({
      ...mostrar,
      stream: opcoes.stream,
      js: jetstream(nc),
      jsm,
    });
  } finally {
    await nc.close().catch(() => {});
  }
}
