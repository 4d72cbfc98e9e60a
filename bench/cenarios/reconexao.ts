/**
 * Cenário 13 (issue 13, entrega confiável): quanto o cliente leva para voltar
 * a ter mensagens confirmadas depois que o servidor reinicia. O servidor de
 * verdade (`--json` para um arquivo) numa porta fixa; o gerador no modo
 * `reconexao` (bench/gerador.ts), com a `SessaoRetomavel` do cliente,
 * mandando uma mensagem a cada 2 ms; a cada rodada o servidor é parado
 * (SIGTERM e kill -9, alternados) e iniciado de novo na mesma porta, e conta
 * o tempo da linha de pronto do servidor novo à primeira confirmação nova que
 * o cliente recebe. Separa a parte que é espera do cliente (o servidor já
 * pronto e o cliente dormindo entre tentativas) do resto. Sem alvo: a figura
 * é relatada. No fim, confere que cada mensagem confirmada está no arquivo.
 *
 * @module
 */

import { PRAZO_PRONTO_MS } from "../configuracao.ts";
import { faixa, numero, resumir } from "../estatistica.ts";
import { type Escutando, GERADOR, iniciarServidor, pausa } from "../medicao.ts";
import { Processo } from "../processos.ts";
import type { Cenario } from "./cenario.ts";

/** Intervalo entre duas mensagens do cliente, em ms (uns 500 por segundo). */
const INTERVALO_MS = 2;
/** Prazo para cada evento do gerador (queda, reconexão, confirmação). */
const PRAZO_EVENTO_MS = 30_000;
/** Tentativas de achar uma porta livre para o primeiro servidor. */
const TENTATIVAS_PORTA = 5;

function titulo(rodadas: number): string {
  return `13. Reconexão: servidor de volta → primeira confirmação nova (${rodadas} reinícios, SIGTERM e kill -9 alternados)`;
}

/** Uma linha do gerador no modo `reconexao`. */
interface Evento {
  evento: "caiu" | "reconectado" | "confirmada" | "fim";
  /** Instante, em ms do relógio de parede. */
  t: number;
  /** `reconectado`: início da tentativa de conexão que deu certo. */
  tentativa?: number;
  /** `reconectado`: tentativas de conexão desde a queda. */
  tentativas?: number;
  enviadas?: number;
  confirmadas?: number;
  falha?: string | null;
}

/** Uma rodada: o servidor parado, iniciado de novo, e o cliente de volta. */
interface Rodada {
  sinal: "SIGTERM" | "SIGKILL";
  /** Do servidor pronto à primeira confirmação nova (a figura). */
  ms: number;
  /** Parte de `ms` com o servidor pronto e o cliente esperando para tentar. */
  esperaMs: number;
  /** Do fim da espera à confirmação: conectar, saudar, reenviar, gravar. */
  restoMs: number;
  /** Da queda vista pelo cliente ao servidor novo pronto. */
  foraDoArMs: number;
  tentativas: number;
}

/** O relógio de parede em ms, como o do gerador. */
function agora(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Uma porta fora da faixa efêmera do Linux (32768+): com o servidor fora do
 * ar, uma conexão de saída não a pega, e o cliente não conecta a si mesmo.
 */
function sortearPorta(): number {
  return 20_000 + Math.floor(Math.random() * 12_000);
}

/** O primeiro servidor, numa porta sorteada; outra, se estava ocupada. */
async function iniciarPrimeiro(arquivo: string): Promise<Escutando> {
  let ultimo: unknown;
  for (let i = 0; i < TENTATIVAS_PORTA; i++) {
    try {
      return await iniciarServidor([], arquivo, { porta: sortearPorta() });
    } catch (erro) {
      ultimo = erro;
    }
  }
  throw ultimo;
}

/** Lê eventos do gerador até `tipo`; devolve todos, o último sendo esse. */
async function eventosAte(
  gerador: Processo,
  tipo: Evento["evento"],
): Promise<Evento[]> {
  const limite = Date.now() + PRAZO_EVENTO_MS;
  const eventos: Evento[] = [];
  // Cada volta consome uma linha; o prazo limita o laço.
  while (true) {
    const linha = await gerador.saida!.proxima(
      Math.max(1, limite - Date.now()),
    );
    if (linha === null) {
      throw new Error(
        `o gerador terminou esperando "${tipo}": ${gerador.erros.texto}`,
      );
    }
    const evento = JSON.parse(linha) as Evento;
    eventos.push(evento);
    if (evento.evento === tipo) return eventos;
  }
}

/**
 * Quantos dos números 1..`confirmadas` estão no arquivo `--json` (as
 * repetidas depois de um reinício contam uma vez: o servidor novo não lembra
 * a sessão, e o cliente reenvia o que não tinha confirmação).
 */
async function gravadas(arquivo: string, confirmadas: number): Promise<number> {
  const texto = await Deno.readTextFile(arquivo);
  const vistos = new Set<number>();
  for (const casou of texto.matchAll(/"id":"[0-9a-f]{32}-(\d+)"/g)) {
    const n = Number(casou[1]);
    if (n <= confirmadas) vistos.add(n);
  }
  return vistos.size;
}

/** 13. Reconexão depois de um reinício do servidor. */
export const reconexao: Cenario = {
  numero: 13,
  chave: "reconexao",
  titulo: (config) => titulo(config.rodadasReconexao),
  async executar(config, temp) {
    const arquivo = `${temp}/reconexao.jsonl`;
    let servidor: Escutando | undefined;
    let gerador: Processo | undefined;
    try {
      servidor = await iniciarPrimeiro(arquivo);
      const porta = servidor.porta;
      gerador = new Processo({
        args: [
          "run",
          "--allow-net",
          GERADOR,
          "reconexao",
          "--porta",
          String(porta),
          "--intervalo",
          String(INTERVALO_MS),
        ],
        entrada: true,
      });
      void gerador.erros.drenar();
      await eventosAte(gerador, "confirmada");

      const rodadas: Rodada[] = [];
      for (let i = 0; i < config.rodadasReconexao; i++) {
        // O cliente manda por um tempo antes de cada queda.
        await pausa(config.rapido ? 100 : 300);
        const sinal = i % 2 === 0 ? "SIGTERM" : "SIGKILL";
        await servidor.processo.parar(sinal, PRAZO_PRONTO_MS);
        servidor = await iniciarServidor([], arquivo, { porta });
        const pronto = agora();
        const eventos = await eventosAte(gerador, "confirmada");
        const caiu = eventos.find((e) => e.evento === "caiu");
        const voltou = eventos.findLast((e) => e.evento === "reconectado");
        const confirmada = eventos.at(-1)!;
        if (!caiu || !voltou || voltou.tentativa === undefined) {
          throw new Error(
            `o gerador não relatou a queda e a volta: ${
              JSON.stringify(eventos)
            }`,
          );
        }
        const fimDaEspera = Math.max(pronto, voltou.tentativa);
        rodadas.push({
          sinal,
          ms: confirmada.t - pronto,
          esperaMs: fimDaEspera - pronto,
          restoMs: confirmada.t - fimDaEspera,
          foraDoArMs: pronto - caiu.t,
          tentativas: voltou.tentativas ?? 0,
        });
      }

      await gerador.fecharEntrada();
      const fim = (await eventosAte(gerador, "fim")).at(-1)!;
      await gerador.esperarFim(PRAZO_EVENTO_MS);
      if (fim.falha) throw new Error(`o cliente falhou: ${fim.falha}`);
      const confirmadas = fim.confirmadas ?? 0;
      const noArquivo = await gravadas(arquivo, confirmadas);
      const conferido = noArquivo === confirmadas;

      const total = resumir(rodadas.map((r) => r.ms));
      const espera = resumir(rodadas.map((r) => r.esperaMs));
      const resto = resumir(rodadas.map((r) => r.restoMs));
      const foraDoAr = resumir(rodadas.map((r) => r.foraDoArMs));
      const tentativas = resumir(rodadas.map((r) => r.tentativas));
      const parteDaEspera = total.mediana > 0
        ? espera.mediana / total.mediana
        : 0;
      return {
        resultado: {
          porta,
          intervaloMs: INTERVALO_MS,
          rodadas,
          totalMs: total,
          esperaMs: espera,
          restoMs: resto,
          foraDoArMs: foraDoAr,
          enviadas: fim.enviadas,
          confirmadas,
          noArquivo,
          conferido,
        },
        linha: {
          cenario: titulo(config.rodadasReconexao),
          figura: `${faixa(total, 1)} ms; espera do cliente ${
            faixa(espera, 1)
          } ms (${
            numero(100 * parteDaEspera)
          }% da mediana), conectar → confirmação ${faixa(resto, 1)} ms${
            conferido ? "" : " (ATENÇÃO: saída não conferiu)"
          }`,
          base:
            `fora do ar (queda vista pelo cliente → servidor novo pronto): ${
              faixa(foraDoAr)
            } ms; ${faixa(tentativas)} tentativas`,
          razao: "—",
          alvo: "sem alvo (relatado)",
          atende: null,
        },
        notas: [
          `Reconexão (13): o servidor de verdade numa porta fixa e o gerador com a \`SessaoRetomavel\` do cliente (lib/cliente/retomada.ts, a do \`cliente --linhas\`) mandando uma mensagem a cada ${INTERVALO_MS} ms; a cada rodada, o servidor é parado (SIGTERM e kill -9, alternados) e iniciado de novo na mesma porta. A figura vai da linha de pronto do servidor novo (lida pelo banco) à primeira confirmação nova que o cliente recebe (o gerador marca o instante; os dois relógios são o de parede da mesma máquina). "Espera do cliente" é a parte dela em que o servidor já estava pronto e o cliente ainda dormia entre tentativas (até o início do \`Deno.connect\` que deu certo); o resto é conectar, saudar, reenviar o que não tinha confirmação, gravar e confirmar. ${confirmadas} mensagens confirmadas, ${noArquivo} delas no arquivo de saída.`,
        ],
      };
    } finally {
      if (gerador) await gerador.parar("SIGKILL", 1000);
      if (servidor) await servidor.processo.parar("SIGTERM", 5000);
    }
  },
};
