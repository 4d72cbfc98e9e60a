/**
 * As falhas que encerram o cliente: cada erro (de conexão, de TLS, de leitura,
 * um quadro ERRO do servidor, uma mensagem que não chegou) vira uma frase em
 * português e um código de retorno (`RetornoCliente`). Só traduz: não conecta,
 * não lê, não imprime. Usado pela sessão do protocolo (sessao.ts), pela do
 * original (legado.ts) e por quem conecta (conectar.ts).
 *
 * @module
 */

import { CodigoErro, ErroDeProtocolo } from "../erros.ts";
import { RetornoCliente } from "../retornos.ts";
import { comPorta } from "../saida/endereco.ts";

/** Uma falha que encerra o cliente: frase para o usuário e código de saída. */
export class FalhaDoCliente extends Error {
  readonly codigoDeRetorno: number;
  /** O código do quadro ERRO, quando a falha veio de um recusa do servidor. */
  readonly codigoDoServidor: number | undefined;
  constructor(
    codigoDeRetorno: number,
    mensagem: string,
    options?: ErrorOptions & { codigoDoServidor?: number },
  ) {
    super(mensagem, options);
    this.name = "FalhaDoCliente";
    this.codigoDeRetorno = codigoDeRetorno;
    this.codigoDoServidor = options?.codigoDoServidor;
  }
}

/** Recusas do servidor que passam: vale reconectar e reenviar. */
const RECUSAS_PASSAGEIRAS: ReadonlySet<number> = new Set([
  CodigoErro.SERVIDOR_CHEIO,
  CodigoErro.ENCERRANDO,
  CodigoErro.GRAVACAO_FALHOU,
  CodigoErro.OCIOSO,
  CodigoErro.PRAZO_ESGOTADO,
  CodigoErro.FILA_CHEIA,
]);

/**
 * Reconectar pode resolver? Sim para conexão recusada, caída, sem resposta,
 * servidor que encerrou (um reinício) e recusas passageiras (cheio,
 * encerrando, saída parada); não para token, TLS, versão, host desconhecido.
 */
export function passageira(falha: FalhaDoCliente): boolean {
  switch (falha.codigoDeRetorno) {
    case RetornoCliente.RECUSADA:
    case RetornoCliente.TEMPO_ESGOTADO:
    case RetornoCliente.CONEXAO_PERDIDA:
    case RetornoCliente.SERVIDOR_ENCERROU:
      return true;
    case RetornoCliente.REJEITADO:
      return RECUSAS_PASSAGEIRAS.has(falha.codigoDoServidor ?? -1);
    default:
      return false;
  }
}

/** A falha de uma mensagem que não chegou ao servidor. */
export function naoEntregue(
  numero: number,
  motivo: string,
  causa?: FalhaDoCliente | null,
): FalhaDoCliente {
  return naoFoi("entregue", numero, motivo, causa);
}

/** Sem confirmação (o servidor original), o que não saiu é "não enviada". */
export function naoEnviada(
  numero: number,
  motivo: string,
  causa?: FalhaDoCliente | null,
): FalhaDoCliente {
  return naoFoi("enviada", numero, motivo, causa);
}

function naoFoi(
  como: "entregue" | "enviada",
  numero: number,
  motivo: string,
  causa: FalhaDoCliente | null | undefined,
): FalhaDoCliente {
  return new FalhaDoCliente(
    causa?.codigoDeRetorno ?? RetornoCliente.NAO_ENTREGUE,
    `mensagem #${String(numero).padStart(3, "0")} não ${como}: ${motivo}`,
  );
}

/** A falha correspondente a um quadro ERRO do servidor. */
export function falhaDoServidor(codigo: number, texto: string): FalhaDoCliente {
  const incompativel = codigo === CodigoErro.PROTOCOLO_DESCONHECIDO ||
    codigo === CodigoErro.VERSAO_INCOMPATIVEL;
  return new FalhaDoCliente(
    codigo === CodigoErro.NAO_AUTORIZADO
      ? RetornoCliente.NAO_AUTORIZADO
      : incompativel
      ? RetornoCliente.PROTOCOLO_INCOMPATIVEL
      : RetornoCliente.REJEITADO,
    `o servidor recusou: ${texto} (código ${codigo})`,
    { codigoDoServidor: codigo },
  );
}

/** A falha de uma leitura do servidor que deu erro (bytes fora do protocolo ou socket). */
export function falhaAoLer(erro: unknown): FalhaDoCliente {
  return erro instanceof ErroDeProtocolo
    ? new FalhaDoCliente(
      RetornoCliente.PROTOCOLO_INCOMPATIVEL,
      `o servidor mandou bytes fora do protocolo: ${erro.message}`,
    )
    : new FalhaDoCliente(
      RetornoCliente.CONEXAO_PERDIDA,
      `erro ao ler do servidor: ${(erro as Error).message}`,
    );
}

/**
 * A falha de uma conexão que acabou sem o cliente pedir: o servidor encerrou
 * (mandou CODIGO_SAIDA) ou a conexão caiu.
 */
export function falhaNoFim(servidorEncerrou: boolean): FalhaDoCliente {
  return servidorEncerrou
    ? new FalhaDoCliente(
      RetornoCliente.SERVIDOR_ENCERROU,
      "o servidor encerrou a sessão (CODIGO_SAIDA)",
    )
    : new FalhaDoCliente(
      RetornoCliente.CONEXAO_PERDIDA,
      "a conexão com o servidor caiu sem CODIGO_SAIDA",
    );
}

/** A falha correspondente a um erro de `Deno.connect`. */
export function falhaAoConectar(
  erro: unknown,
  host: string,
  porta: number,
  tempoLimite: number,
): FalhaDoCliente {
  const onde = `${host} na porta ${porta}`;
  const nome = (erro as Error)?.name;
  const texto = (erro as Error)?.message ?? String(erro);
  if (erro instanceof Deno.errors.ConnectionRefused) {
    return new FalhaDoCliente(
      RetornoCliente.RECUSADA,
      `conexão recusada por ${onde}: não há servidor escutando ali`,
    );
  }
  if (
    nome === "TimeoutError" || nome === "AbortError" ||
    erro instanceof Deno.errors.TimedOut
  ) {
    return new FalhaDoCliente(
      RetornoCliente.TEMPO_ESGOTADO,
      `sem resposta de ${onde} em ${
        tempoLimite / 1000
      } s (host inalcançável ou em silêncio)`,
    );
  }
  if (
    erro instanceof Deno.errors.NotCapable ||
    erro instanceof Deno.errors.PermissionDenied
  ) {
    return new FalhaDoCliente(
      RetornoCliente.SEM_PERMISSAO,
      `sem permissão para conectar a ${onde}`,
    );
  }
  if (/lookup|resolve|name or service/i.test(texto)) {
    return new FalhaDoCliente(
      RetornoCliente.HOST_DESCONHECIDO,
      `host desconhecido: ${host}`,
    );
  }
  if (/unreachable|no route/i.test(texto)) {
    return new FalhaDoCliente(
      RetornoCliente.TEMPO_ESGOTADO,
      `${onde} está inalcançável (${texto})`,
    );
  }
  return new FalhaDoCliente(
    RetornoCliente.CONEXAO_PERDIDA,
    `não foi possível conectar a ${onde}: ${texto}`,
  );
}

/** Traduz uma falha do handshake TLS: qual nome, qual problema do certificado. */
export function falhaDeTls(
  erro: unknown,
  host: string,
  porta: number,
  comCa = false,
): FalhaDoCliente {
  const texto = (erro as Error)?.message ?? String(erro);
  const problemas: [RegExp, string][] = [
    [
      /UnknownIssuer/i,
      comCa
        ? "o certificado do servidor não foi emitido pela CA de --ca (emissor desconhecido); confira se é a CA que o assinou"
        : "o certificado do servidor não foi emitido por uma autoridade confiável (emissor desconhecido); para uma CA própria, use --ca",
    ],
    [
      /NotValidForName|not valid for name/i,
      `o certificado do servidor não vale para o nome "${host}"`,
    ],
    [/Expired/i, "o certificado do servidor expirou"],
    [/NotValidYet/i, "o certificado do servidor ainda não é válido"],
    [/Revoked/i, "o certificado do servidor foi revogado"],
    [
      /corrupt message|InvalidContentType|record/i,
      "a resposta não é TLS; o servidor fala TLS? (sem --tls, o cliente conecta sem TLS)",
    ],
  ];
  const problema = problemas.find(([padrao]) => padrao.test(texto))?.[1] ??
    `o handshake falhou (${texto})`;
  return new FalhaDoCliente(
    RetornoCliente.FALHA_TLS,
    `falha de TLS com ${comPorta(host, porta)}: ${problema}`,
    { cause: erro },
  );
}
