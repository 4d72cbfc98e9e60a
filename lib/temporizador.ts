/**
 * Temporizadores do cliente sem o `setTimeout` global. Desde o Deno 2.8 os
 * temporizadores globais são os do Node (denoland/deno#33249), carregados no
 * primeiro uso (denoland/deno#35373): esse primeiro `setTimeout` custava uns
 * 5 ms medidos na partida do cliente de uma mensagem, um quarto de um
 * `deno run` vazio.
 *
 * Dois tipos, pelo que seguram:
 * - {@linkcode agendar} e {@linkcode repetir} vigiam algo que já está pendente
 *   (uma conexão, uma leitura) e não seguram o processo sozinhos: quem o
 *   segura é a operação vigiada. Esperam num `Atomics.waitAsync` com prazo, do
 *   próprio V8, que o laço de eventos do Deno atende; cancelar é acordá-lo com
 *   `Atomics.notify`. O primeiro `AbortSignal.timeout` com ouvinte custava
 *   ~0,6 ms à partida do cliente (o laço de temporizadores e o `EventTarget`
 *   compilados na hora); isto custa ~0,1 ms.
 * - {@linkcode esperar} é uma pausa, que segura o processo até acabar: usa
 *   `AbortSignal.timeout`, o temporizador do próprio runtime, que o Deno só
 *   conta enquanto o sinal tem ouvintes de `abort`.
 *
 * @module
 */

/**
 * Quantos `agendar` (e `repetir`) ainda não dispararam nem foram cancelados.
 * O sanitizador de operações do `deno test` não os vê (não são operações do
 * Deno): os testes das sessões conferem com isto que nenhum ficou para trás.
 */
let vivos = 0;

/** Os agendamentos vivos agora (para os testes). */
export function agendamentosVivos(): number {
  return vivos;
}

/** Algo agendado; `cancelar` pode ser chamado mais de uma vez. */
export interface Agendamento {
  cancelar(): void;
}

/**
 * Chama `acao` daqui a `ms` milissegundos, a menos que seja cancelado antes.
 * Não segura o processo: serve para vigiar uma operação pendente (um prazo
 * para conectar, para uma resposta). Para uma pausa, {@linkcode esperar}.
 *
 * @throws {RangeError} se `ms` é negativo ou não é finito (o
 * `Atomics.waitAsync` esperaria para sempre com `NaN`)
 */
export function agendar(ms: number, acao: () => void): Agendamento {
  if (!(ms >= 0 && ms < Infinity)) {
    throw new RangeError(`prazo inválido: ${ms} ms`);
  }
  const celula = new Int32Array(new SharedArrayBuffer(4));
  const espera = Atomics.waitAsync(celula, 0, 0, ms);
  let ativo = true;
  vivos++;
  // `async` só é falso com prazo 0: já esgotou, sem esperar.
  const esgotou = espera.async ? espera.value : Promise.resolve("timed-out");
  esgotou.then((como) => {
    if (ativo && como === "timed-out") {
      ativo = false;
      vivos--;
      acao();
    }
  });
  return {
    cancelar: () => {
      if (!ativo) return;
      ativo = false;
      vivos--;
      Atomics.notify(celula, 0);
    },
  };
}

/**
 * Chama `acao` a cada `ms` milissegundos, até ser cancelado. Como
 * {@linkcode agendar}, não segura o processo.
 */
export function repetir(ms: number, acao: () => void): Agendamento {
  let proximo: Agendamento;
  const tique = () => {
    proximo = agendar(ms, tique); // antes da ação, que pode cancelar
    acao();
  };
  proximo = agendar(ms, tique);
  return { cancelar: () => proximo.cancelar() };
}

/** Resolve daqui a `ms` milissegundos; segura o processo até lá. */
export function esperar(ms: number): Promise<void> {
  return new Promise((resolve) => {
    AbortSignal.timeout(ms).addEventListener("abort", () => resolve(), {
      once: true,
    });
  });
}
