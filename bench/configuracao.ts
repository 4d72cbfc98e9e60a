/**
 * O que o banco de medidas mede e quanto: os dois modos (`COMPLETO` e
 * `--rapido`), os tamanhos de mensagem e os limites de processo que todos os
 * cenários compartilham. Os parâmetros vão também para o relatório.
 *
 * @module
 */

/** Quanto medir em cada modo. */
export interface Config {
  rapido: boolean;
  perfil: boolean;
  execucoes: number;
  /** Duração de cada execução de vazão, em ms. */
  duracaoMs: number;
  /** Duração da execução de aquecimento (descartada), em ms. */
  aquecimentoMs: number;
  vezesLatencia: number;
  aquecimentoLatencia: number;
  /**
   * Execuções de latência de cada lado. O p99 desta máquina varia ±30% de
   * uma execução para outra (no servidor e no pingue-pongue cru); com mais
   * execuções intercaladas, a mediana de cada lado fica estável.
   */
  execucoesLatencia: number;
  ociosos: number;
  /**
   * Clientes ociosos do cenário 4 que, depois de medidos, mandam uma rajada
   * de `BYTES_RAJADA` e param de novo (issue 15, item 5).
   */
  rajadas: number;
  /**
   * Quanto esperar, no máximo, com os clientes do cenário 4 conectados e
   * parados, pelo V8 devolver a geração nova que cresceu enquanto eles
   * conectavam (leva ~30 s; o modo rápido não espera o bastante).
   */
  esperaAssentarMs: number;
  sondas: number;
  partidas: number;
  /**
   * Rodadas intercaladas dos cenários 6 a 10 (CPU por mensagem ao lado de
   * uma base); no modo rápido, uma só e sem aquecimento, para caberem em
   * poucos segundos.
   */
  rodadasLadoALado: number;
  aquecerLadoALado: boolean;
  /** Espectadores do painel lendo `/eventos` no cenário 11. */
  espectadores: number;
  /** Espectadores do painel que nunca leem, no cenário 11. */
  espectadoresParados: number;
  /** Reinícios do servidor no cenário 13 (reconexão). */
  rodadasReconexao: number;
}

export const COMPLETO = {
  execucoes: 3,
  duracaoMs: 2000,
  aquecimentoMs: 1000,
  vezesLatencia: 20_000,
  aquecimentoLatencia: 2000,
  execucoesLatencia: 5,
  ociosos: 10_000,
  rajadas: 4000,
  esperaAssentarMs: 90_000,
  sondas: 20,
  partidas: 40,
  rodadasLadoALado: 3,
  aquecerLadoALado: true,
  espectadores: 100,
  espectadoresParados: 10,
  rodadasReconexao: 5,
};

export const RAPIDO = {
  execucoes: 3,
  duracaoMs: 250,
  aquecimentoMs: 150,
  vezesLatencia: 2000,
  aquecimentoLatencia: 200,
  execucoesLatencia: 3,
  ociosos: 500,
  rajadas: 40,
  esperaAssentarMs: 5_000,
  sondas: 5,
  partidas: 5,
  rodadasLadoALado: 1,
  aquecerLadoALado: false,
  espectadores: 10,
  espectadoresParados: 3,
  rodadasReconexao: 2,
};

/** Bytes da rajada de cada cliente ocioso no cenário 4 (como na issue 15). */
export const BYTES_RAJADA = 1_600_000;

/** Limite de arquivos abertos pedido para o servidor e o gerador. */
export const LIMITE_ARQUIVOS = 20_000;
/** Prazo para um processo iniciado ficar pronto. */
export const PRAZO_PRONTO_MS = 60_000;
/** Mensagem do cenário 1: assunto + texto = 100 bytes. */
export const PEQUENA = { assunto: 10, texto: 90 };
/** Mensagem do cenário 2: assunto + texto = 64 KiB, o limite do servidor. */
export const GRANDE = { assunto: 1, texto: 65_535 };
export const LIMITE_GRANDE = 65_536;
