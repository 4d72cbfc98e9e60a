/**
 * `/metricas` no formato de texto do Prometheus (versão 0.0.4): monta o texto
 * a partir de uma fotografia dos números, sem E/S. Nomes com o prefixo
 * `sockets_`; a memória usa os nomes padronizados `process_*`.
 *
 * @module
 */

/** Tudo o que `/metricas` mostra, lido num instante. */
export interface Fotografia {
  mensagens: number;
  bytes: number;
  clientesAtendidos: number;
  rejeitadas: ReadonlyMap<string, number>;
  clientesConectados: number;
  espectadores: number;
  /** Espectadores desligados por não lerem, desde o início. */
  espectadoresDesligados: number;
  /** Mensagens recebidas cujas linhas ainda não foram gravadas (`Registro.naoGravadas`). */
  naoGravadas: number;
  /** Bytes do log à espera de escrita (saída padrão ou de erro). */
  saidaPendente: number;
  /** Bytes à espera de ir para os espectadores, somados. */
  painelPendente: number;
  memoriaResidente: number;
  memoriaHeap: number;
}

/** O tipo de conteúdo que o Prometheus espera deste texto. */
export const TIPO_METRICAS = "text/plain; version=0.0.4; charset=utf-8";

/** Rótulos de `motivo` listados mesmo com zero, para as séries existirem desde o início. */
const MOTIVOS_CONHECIDOS = [
  "nao_autorizado",
  "servidor_cheio",
  "prazo_esgotado",
  "ocioso",
] as const;

type Tipo = "counter" | "gauge";

/** O texto de `/metricas`. */
export function renderizarMetricas(f: Fotografia): string {
  const linhas: string[] = [];
  const metrica = (
    nome: string,
    tipo: Tipo,
    ajuda: string,
    valores: [rotulos: string, valor: number][],
  ) => {
    linhas.push(
      `# HELP ${nome} ${escaparAjuda(ajuda)}`,
      `# TYPE ${nome} ${tipo}`,
    );
    for (const [rotulos, valor] of valores) {
      linhas.push(`${nome}${rotulos} ${valor}`);
    }
  };
  metrica(
    "sockets_mensagens_recebidas_total",
    "counter",
    "Mensagens recebidas de todos os clientes.",
    [["", f.mensagens]],
  );
  metrica(
    "sockets_bytes_recebidos_total",
    "counter",
    "Bytes de assunto e texto recebidos.",
    [["", f.bytes]],
  );
  metrica(
    "sockets_clientes_atendidos_total",
    "counter",
    "Clientes aceitos desde o início.",
    [["", f.clientesAtendidos]],
  );
  const rejeitadas = new Map<string, number>(
    MOTIVOS_CONHECIDOS.map((m) => [m, 0]),
  );
  for (const [motivo, n] of f.rejeitadas) rejeitadas.set(motivo, n);
  metrica(
    "sockets_conexoes_rejeitadas_total",
    "counter",
    "Conexões rejeitadas, por motivo (o código de erro do protocolo).",
    [...rejeitadas].sort(([a], [b]) => a < b ? -1 : 1).map((
      [motivo, n],
    ) => [`{motivo="${escaparRotulo(motivo)}"}`, n]),
  );
  metrica(
    "sockets_clientes_conectados",
    "gauge",
    "Clientes conectados agora.",
    [["", f.clientesConectados]],
  );
  metrica(
    "sockets_espectadores",
    "gauge",
    "Espectadores do painel conectados agora.",
    [["", f.espectadores]],
  );
  metrica(
    "sockets_espectadores_desligados_total",
    "counter",
    "Espectadores do painel desligados por não lerem (1000 eventos à espera).",
    [["", f.espectadoresDesligados]],
  );
  metrica(
    "sockets_mensagens_nao_gravadas",
    "gauge",
    "Mensagens recebidas cujas linhas ainda não foram gravadas na saída (nem confirmadas).",
    [["", f.naoGravadas]],
  );
  metrica(
    "sockets_saida_pendente_bytes",
    "gauge",
    "Bytes do log à espera de escrita.",
    [["", f.saidaPendente]],
  );
  metrica(
    "sockets_painel_pendente_bytes",
    "gauge",
    "Bytes à espera de ir para os espectadores do painel.",
    [["", f.painelPendente]],
  );
  metrica(
    "process_resident_memory_bytes",
    "gauge",
    "Memória residente do processo.",
    [["", f.memoriaResidente]],
  );
  metrica(
    "process_heap_bytes",
    "gauge",
    "Heap do JavaScript em uso.",
    [["", f.memoriaHeap]],
  );
  return linhas.join("\n") + "\n";
}

/** No `# HELP`, só a barra invertida e a quebra de linha se escapam. */
function escaparAjuda(texto: string): string {
  return texto.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** Num valor de rótulo, também as aspas. */
function escaparRotulo(texto: string): string {
  return escaparAjuda(texto).replaceAll('"', '\\"');
}
