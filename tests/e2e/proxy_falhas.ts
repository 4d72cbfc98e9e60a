/**
 * Um proxy TCP que injeta falhas, para o harness de entrega confiável
 * (tests/e2e/falhas.ts): escuta em 127.0.0.1, repassa cada conexão a um
 * alvo `host:porta` e corta algumas delas no meio do fluxo, num ponto
 * sorteado (semente fixa: cada execução se repete).
 *
 * Cada conexão aceita é cortada com probabilidade `taxa`; se for, sorteia-se
 * quantos bytes passam antes do corte (de `minBytes` a `maxBytes`, somando
 * os dois sentidos: ida = cliente → alvo, volta = alvo → cliente; ou só um,
 * com `sentido`). O pedaço que cruza o ponto, num sentido ou no outro, é
 * repassado só até ele — o corte cai no meio de um quadro — e então os dois
 * lados são fechados de uma vez. O Deno não deixa
 * ligar SO_LINGER 0, então não há RST garantido: o núcleo manda RST a quem
 * ainda tinha bytes por ler nossos (comum com o cliente mandando em fluxo) e
 * FIN aos outros; para o cliente, os dois são "a conexão caiu".
 *
 * Se o alvo está fora do ar (conexão recusada), a conexão do cliente é
 * fechada logo; quando o alvo volta (na mesma porta, ou noutra dada por
 * `apontar`), as próximas conexões passam. A porta do proxy não muda.
 *
 * Sozinho:
 *
 *     deno run --allow-net tests/e2e/proxy_falhas.ts --alvo 127.0.0.1:5000 --taxa 0.3 --max-bytes 65536
 *
 * @module
 */

import { parseArgs } from "node:util";
import { mulberry32 } from "../dados.ts";

/** ida: cliente → alvo; volta: alvo → cliente. */
export type Sentido = "ida" | "volta";

export interface OpcoesProxy {
  /** Para onde repassar. */
  alvo: { host: string; porta: number };
  /** Porta do proxy em 127.0.0.1 (0 = o sistema escolhe; o padrão). */
  porta?: number;
  /** Probabilidade de cada conexão ser cortada, de 0 a 1 (padrão 0). */
  taxa?: number;
  /** Menor ponto de corte, em bytes repassados (padrão 0). */
  minBytes?: number;
  /** Maior ponto de corte, em bytes repassados (padrão 64 KiB). */
  maxBytes?: number;
  /** Contar só os bytes deste sentido (padrão: os dois somados). */
  sentido?: Sentido;
  /** No máximo tantos cortes sorteados; depois, só repassa (padrão: sem limite). */
  limite?: number;
  /** Semente do gerador (padrão 1). */
  semente?: number;
}

/** Os números do proxy até agora. */
export interface ContagemProxy {
  /** Conexões aceitas de clientes. */
  conexoes: number;
  /** Conexões repassadas ao alvo. */
  repassadas: number;
  /** Conexões fechadas porque o alvo estava fora do ar. */
  recusadas: number;
  /** Cortes injetados (sorteados e por `cortarTodas`). */
  cortes: number;
  /** Conexões abertas agora. */
  abertas: number;
  /** Bytes repassados em cada sentido. */
  bytes: Record<Sentido, number>;
}

interface Par {
  cliente: Deno.TcpConn;
  alvo: Deno.TcpConn;
  /** Total de bytes (no sentido dado, ou nos dois) em que a conexão cai. */
  corte: number | undefined;
  bytes: Record<Sentido, number>;
  /** Sentidos ainda correndo (cada um termina no EOF do seu lado). */
  vivos: number;
  fechado: boolean;
}

const TAMANHO_LEITURA = 64 * 1024;

/** O proxy em execução; `await using` fecha tudo no fim. */
export class ProxyDeFalhas {
  readonly porta: number;
  readonly #ouvinte: Deno.TcpListener;
  readonly #sorte: () => number;
  readonly #opcoes:
    & Required<Omit<OpcoesProxy, "sentido" | "alvo" | "porta">>
    & {
      sentido: Sentido | undefined;
    };
  #alvo: { host: string; porta: number };
  readonly #pares = new Set<Par>();
  readonly #tarefas = new Set<Promise<void>>();
  readonly #aceitando: Promise<void>;
  #fechado = false;
  #sorteados = 0;
  readonly #contagem: ContagemProxy = {
    conexoes: 0,
    repassadas: 0,
    recusadas: 0,
    cortes: 0,
    abertas: 0,
    bytes: { ida: 0, volta: 0 },
  };

  constructor(opcoes: OpcoesProxy) {
    const taxa = opcoes.taxa ?? 0;
    const minBytes = opcoes.minBytes ?? 0;
    const maxBytes = opcoes.maxBytes ?? 64 * 1024;
    if (!(taxa >= 0 && taxa <= 1)) {
      throw new RangeError("taxa deve estar entre 0 e 1");
    }
    if (!(minBytes >= 0 && maxBytes >= minBytes)) {
      throw new RangeError("deve valer 0 ≤ minBytes ≤ maxBytes");
    }
    this.#opcoes = {
      taxa,
      minBytes,
      maxBytes,
      sentido: opcoes.sentido,
      limite: opcoes.limite ?? Infinity,
      semente: opcoes.semente ?? 1,
    };
    this.#sorte = mulberry32(this.#opcoes.semente);
    this.#alvo = { ...opcoes.alvo };
    this.#ouvinte = Deno.listen({
      hostname: "127.0.0.1",
      port: opcoes.porta ?? 0,
    });
    this.porta = this.#ouvinte.addr.port;
    this.#aceitando = this.#aceitar();
  }

  /** Os números até agora (uma cópia). */
  get contagem(): ContagemProxy {
    return {
      ...this.#contagem,
      abertas: this.#pares.size,
      bytes: { ...this.#contagem.bytes },
    };
  }

  get alvo(): { host: string; porta: number } {
    return { ...this.#alvo };
  }

  /** Passa a repassar as próximas conexões a outra porta (ou host). */
  apontar(porta: number, host = this.#alvo.host): void {
    this.#alvo = { host, porta };
  }

  /** Corta agora todas as conexões abertas; devolve quantas. */
  cortarTodas(): number {
    let n = 0;
    for (const par of [...this.#pares]) {
      if (this.#fechar(par)) n++;
    }
    this.#contagem.cortes += n;
    return n;
  }

  /** Para de aceitar, corta tudo e espera cada conexão acabar. */
  async fechar(): Promise<void> {
    if (this.#fechado) return;
    this.#fechado = true;
    try {
      this.#ouvinte.close();
    } catch {
      // já fechado
    }
    await this.#aceitando;
    for (const par of [...this.#pares]) this.#fechar(par);
    while (this.#tarefas.size > 0) await Promise.all([...this.#tarefas]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.fechar();
  }

  async #aceitar(): Promise<void> {
    while (!this.#fechado) {
      let cliente: Deno.TcpConn;
      try {
        cliente = await this.#ouvinte.accept();
      } catch {
        return; // ouvinte fechado
      }
      this.#contagem.conexoes++;
      this.#vigiar(this.#atender(cliente));
    }
  }

  #vigiar(tarefa: Promise<void>): void {
    const vigiada = tarefa.catch(() => {}).finally(() =>
      this.#tarefas.delete(vigiada)
    );
    this.#tarefas.add(vigiada);
  }

  async #atender(cliente: Deno.TcpConn): Promise<void> {
    const { host, porta } = this.#alvo;
    let alvo: Deno.TcpConn;
    try {
      alvo = await Deno.connect({ hostname: host, port: porta });
    } catch {
      this.#contagem.recusadas++;
      fecharConexao(cliente);
      return;
    }
    // Com o alvo fora do ar, o núcleo pode ligar a conexão a ela mesma
    // (porta de origem sorteada = porta do alvo): isso também é "fora do ar".
    const local = alvo.localAddr as Deno.NetAddr;
    if (local.port === porta && local.hostname === host) {
      this.#contagem.recusadas++;
      fecharConexao(alvo);
      fecharConexao(cliente);
      return;
    }
    if (this.#fechado) {
      fecharConexao(alvo);
      fecharConexao(cliente);
      return;
    }
    cliente.setNoDelay(true);
    alvo.setNoDelay(true);
    this.#contagem.repassadas++;
    const par: Par = {
      cliente,
      alvo,
      corte: this.#sortearCorte(),
      bytes: { ida: 0, volta: 0 },
      vivos: 2,
      fechado: false,
    };
    this.#pares.add(par);
    await Promise.all([
      this.#bombear(par, "ida"),
      this.#bombear(par, "volta"),
    ]);
    this.#fechar(par);
  }

  #sortearCorte(): Par["corte"] {
    if (this.#sorteados >= this.#opcoes.limite) return undefined;
    // Sempre dois sorteios por conexão, para a sequência não depender da taxa.
    const cortar = this.#sorte() < this.#opcoes.taxa;
    const { minBytes, maxBytes } = this.#opcoes;
    const bytes = minBytes +
      Math.floor(this.#sorte() * (maxBytes - minBytes + 1));
    if (!cortar) return undefined;
    this.#sorteados++;
    return bytes;
  }

  async #bombear(par: Par, sentido: Sentido): Promise<void> {
    const [de, para] = sentido === "ida"
      ? [par.cliente, par.alvo]
      : [par.alvo, par.cliente];
    const buffer = new Uint8Array(TAMANHO_LEITURA);
    try {
      while (!par.fechado) {
        const n = await de.read(buffer);
        if (n === null) break;
        let pedaco = buffer.subarray(0, n);
        let cortar = false;
        const contado = this.#opcoes.sentido;
        if (
          par.corte !== undefined && (contado ?? sentido) === sentido
        ) {
          const passados = contado === undefined
            ? par.bytes.ida + par.bytes.volta
            : par.bytes[contado];
          const resta = par.corte - passados;
          if (resta <= n) {
            pedaco = pedaco.subarray(0, Math.max(0, resta));
            cortar = true;
          }
        }
        // Conta antes de escrever: o outro sentido vê o total já somado.
        par.bytes[sentido] += pedaco.length;
        this.#contagem.bytes[sentido] += pedaco.length;
        await escreverTudo(para, pedaco);
        if (cortar) {
          if (this.#fechar(par)) this.#contagem.cortes++;
          return;
        }
      }
    } catch {
      // O outro lado caiu (ou fechamos o par): fecha tudo.
      this.#fechar(par);
      return;
    }
    // EOF deste lado: repassa o meio-fechamento e deixa o outro sentido seguir.
    if (--par.vivos === 0) this.#fechar(par);
    else {
      try {
        await para.closeWrite();
      } catch {
        this.#fechar(par);
      }
    }
  }

  /** Fecha os dois lados; `true` se ainda estava aberto. */
  #fechar(par: Par): boolean {
    if (par.fechado) return false;
    par.fechado = true;
    this.#pares.delete(par);
    fecharConexao(par.cliente);
    fecharConexao(par.alvo);
    return true;
  }
}

async function escreverTudo(conn: Deno.Conn, bytes: Uint8Array) {
  let escritos = 0;
  while (escritos < bytes.length) {
    escritos += await conn.write(bytes.subarray(escritos));
  }
}

function fecharConexao(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // já fechada
  }
}

/** Lê `host:porta` (o host pode ser `[::1]`). */
export function lerAlvo(texto: string): { host: string; porta: number } {
  const casou = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(texto);
  const porta = Number(casou?.[2]);
  if (!casou || casou[1] === "" || porta < 1 || porta > 65535) {
    throw new RangeError(`alvo inválido: "${texto}" (use host:porta)`);
  }
  return { host: casou[1], porta };
}

async function main(args: string[]): Promise<number> {
  const escrever = (texto: string) =>
    Deno.stdout.write(new TextEncoder().encode(texto));
  const { values } = parseArgs({
    args,
    options: {
      alvo: { type: "string" },
      porta: { type: "string", default: "0" },
      taxa: { type: "string", default: "0.3" },
      "min-bytes": { type: "string", default: "0" },
      "max-bytes": { type: "string", default: String(64 * 1024) },
      limite: { type: "string" },
      semente: { type: "string", default: "1" },
    },
    strict: true,
  });
  if (values.alvo === undefined) {
    await Deno.stderr.write(
      new TextEncoder().encode(
        "proxy: use --alvo host:porta [--porta N] [--taxa 0..1] [--min-bytes N] [--max-bytes N] [--limite N] [--semente N]\n",
      ),
    );
    return 2;
  }
  const proxy = new ProxyDeFalhas({
    alvo: lerAlvo(values.alvo),
    porta: Number(values.porta),
    taxa: Number(values.taxa),
    minBytes: Number(values["min-bytes"]),
    maxBytes: Number(values["max-bytes"]),
    ...(values.limite === undefined ? {} : { limite: Number(values.limite) }),
    semente: Number(values.semente),
  });
  const { host, porta } = proxy.alvo;
  await escrever(
    `proxy: 127.0.0.1:${proxy.porta} → ${host}:${porta}, taxa ${values.taxa}; Ctrl-C encerra\n`,
  );
  await new Promise<void>((resolve) => {
    for (const sinal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(sinal, resolve);
    }
  });
  const c = proxy.contagem;
  await proxy.fechar();
  await escrever(
    `proxy: ${c.conexoes} conexões, ${c.repassadas} repassadas, ${c.recusadas} recusadas (alvo fora), ${c.cortes} cortes; ${c.bytes.ida} bytes de ida, ${c.bytes.volta} de volta\n`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
