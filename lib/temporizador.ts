/**
 * Temporizadores do cliente sem o `setTimeout` global. Desde o Deno 2.8 os
 * temporizadores globais são os do Node (denoland/deno#33249), carregados no
 * primeiro uso (denoland/deno#35373): esse primeiro `setTimeout` custava uns
 * 5 ms medidos na partida do cliente de uma mensagem, um quarto de um
 * `deno run` vazio. `AbortSignal.timeout` usa o temporizador do próprio
 * runtime, e o Deno só segura o processo por ele enquanto o sinal tem ouvintes
 * de `abort`: tirar o ouvinte é cancelar.
 *
 * @module
 */

/** Algo agendado; `cancelar` pode ser chamado mais de uma vez. */
export interface Agendamento {
  cancelar(): void;
}

/**
 * Chama `acao` daqui a `ms` milissegundos, a menos que seja cancelado antes.
 *
 * @throws {TypeError} se `ms` é negativo ou não é finito
 */
export function agendar(ms: number, acao: () => void): Agendamento {
  const sinal = AbortSignal.timeout(ms);
  const ouvinte = () => acao();
  sinal.addEventListener("abort", ouvinte, { once: true });
  return { cancelar: () => sinal.removeEventListener("abort", ouvinte) };
}

/** Chama `acao` a cada `ms` milissegundos, até ser cancelado. */
export function repetir(ms: number, acao: () => void): Agendamento {
  let proximo: Agendamento;
  const tique = () => {
    proximo = agendar(ms, tique); // antes da ação, que pode cancelar
    acao();
  };
  proximo = agendar(ms, tique);
  return { cancelar: () => proximo.cancelar() };
}

/** Resolve daqui a `ms` milissegundos. */
export function esperar(ms: number): Promise<void> {
  return new Promise((resolve) => agendar(ms, resolve));
}
