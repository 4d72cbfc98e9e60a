/**
 * Ctrl-C nos dois programas: o primeiro sinal de interrupção pede o
 * encerramento cortês; um segundo, de propósito, força a saída na hora.
 *
 * Um Ctrl-C pode chegar como dois ou três sinais. O terminal manda SIGINT ao
 * grupo de processos da frente inteiro; rodando por `deno task`, esse grupo tem
 * o `deno task` e o programa, e o `deno task` repassa o seu SIGINT ao filho (às
 * vezes duas vezes: ele o ouve como Ctrl-C e como sinal qualquer). O programa
 * recebe então dois ou três SIGINTs de um Ctrl-C só, os repassados até uns 10
 * ms depois (medido num tmux). Quando um chega antes de o anterior ser
 * atendido, o núcleo junta os dois num só; quando não, contá-lo como "o segundo
 * Ctrl-C" forçava a saída (130, sem resumo e sem `CODIGO_SAIDA`) em boa parte
 * das vezes. O Deno não diz quem mandou o sinal (o `si_pid` do `siginfo`),
 * então a única diferença visível é o tempo: todo sinal que chega até
 * `JANELA_DO_MESMO_CTRL_C_MS` depois do primeiro conta como o mesmo Ctrl-C. A
 * janela é dezenas de vezes o atraso do repasse, com folga para uma máquina
 * ocupada, e menor que o tempo de uma pessoa ver a linha de encerramento e
 * apertar Ctrl-C de novo. Com `deno run` e com os binários compilados só chega
 * um sinal, e a regra é a mesma.
 *
 * E o programa não sai logo depois do primeiro sinal: saindo poucos ms depois
 * de um Ctrl-C, o `deno task` em volta às vezes morria ele mesmo pelo SIGINT,
 * e o shell via 130 em vez do código do programa (o cliente com `--linhas`,
 * que sai em poucos ms: 3 de 40 baterias de 60 rodadas do teste do Ctrl-C no
 * tmux tiveram uma rodada assim). Esperando `ESPERA_DO_REPASSE_MS` desde o
 * primeiro sinal antes de sair (`esperarORepasse`), nenhuma de 110.
 *
 * @module
 */

import { esperar } from "./temporizador.ts";

/** Sinais até este tanto depois do primeiro são o mesmo Ctrl-C. */
export const JANELA_DO_MESMO_CTRL_C_MS = 300;

/** O programa só sai este tanto depois do primeiro sinal, no mínimo. */
export const ESPERA_DO_REPASSE_MS = 100;

/** O que um sinal vale: pedir o encerramento, repetir o mesmo, ou forçar. */
export type ValorDoSinal = "encerrar" | "mesmo" | "forcar";

/**
 * Decide o que vale cada sinal pelo instante em que chega (em ms, de um
 * relógio monotônico); não ouve sinal nenhum.
 *
 * @example
 * ```ts
 * import { Interrupcoes } from "./sinais.ts";
 * const interrupcoes = new Interrupcoes(300);
 * interrupcoes.valor(1000); // "encerrar"
 * interrupcoes.valor(1004); // "mesmo": o repasse do deno task
 * interrupcoes.valor(2500); // "forcar"
 * ```
 */
export class Interrupcoes {
  readonly janelaMs: number;
  #primeiro: number | undefined;

  constructor(janelaMs: number = JANELA_DO_MESMO_CTRL_C_MS) {
    this.janelaMs = janelaMs;
  }

  valor(agora: number): ValorDoSinal {
    if (this.#primeiro === undefined) {
      this.#primeiro = agora;
      return "encerrar";
    }
    return agora - this.#primeiro <= this.janelaMs ? "mesmo" : "forcar";
  }
}

/**
 * Quantos ms faltam para o programa poder sair, com o primeiro sinal em
 * `primeiro` (0 sem sinal nenhum).
 */
export function restanteAteSair(
  primeiro: number | undefined,
  agora: number,
): number {
  if (primeiro === undefined) return 0;
  return Math.max(0, primeiro + ESPERA_DO_REPASSE_MS - agora);
}

/** Quando chegou o primeiro sinal ouvido por `ouvirInterrupcoes`. */
let primeiroSinal: number | undefined;

/**
 * Ouve `sinais` (contados juntos) até o processo sair: no primeiro chama
 * `encerrar`, nos que chegam dentro da janela não faz nada, no seguinte chama
 * `forcar`. Não há como deixar de ouvir, de propósito: sem ouvinte, o Deno
 * volta à ação padrão do SIGINT, e um repasse atrasado mataria o processo no
 * meio do encerramento cortês.
 */
export function ouvirInterrupcoes(
  sinais: readonly Deno.Signal[],
  acoes: {
    encerrar: (sinal: Deno.Signal) => void;
    forcar: (sinal: Deno.Signal) => void;
  },
): void {
  const interrupcoes = new Interrupcoes();
  for (const sinal of sinais) {
    Deno.addSignalListener(sinal, () => {
      const agora = performance.now();
      primeiroSinal ??= agora;
      const valor = interrupcoes.valor(agora);
      if (valor === "encerrar") acoes.encerrar(sinal);
      else if (valor === "forcar") acoes.forcar(sinal);
    });
  }
}

/**
 * Antes de sair: se houve um sinal, espera até `ESPERA_DO_REPASSE_MS` depois
 * do primeiro (veja o comentário do módulo); sem sinal, resolve já.
 */
export async function esperarORepasse(): Promise<void> {
  const falta = restanteAteSair(primeiroSinal, performance.now());
  if (falta > 0) await esperar(falta);
}
