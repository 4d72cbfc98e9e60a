/**
 * Um tmux só do teste, para rodar os programas num pseudo-terminal de
 * verdade: cada teste sobe um servidor tmux num socket próprio (`tmux -L`),
 * lê a tela dos painéis, digita neles e derruba só esse servidor no fim.
 *
 * @module
 */

import { PRAZO_TESTE_MS } from "../ajudantes.ts";

/** Se o comando `tmux` existe nesta máquina. */
export function temTmux(): boolean {
  try {
    return new Deno.Command("tmux", {
      args: ["-V"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Um servidor tmux só deste teste, num socket próprio (`tmux -L`). */
export class Tmux {
  readonly socket = `sdr-teste-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;

  async rodar(...args: string[]): Promise<string> {
    const { success, stdout, stderr } = await new Deno.Command("tmux", {
      args: ["-L", this.socket, "-f", "/dev/null", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decodificador = new TextDecoder();
    if (!success) {
      throw new Error(
        `tmux ${args.join(" ")} falhou: ${decodificador.decode(stderr)}`,
      );
    }
    return decodificador.decode(stdout);
  }

  /** O conteúdo visível do painel (`-e`: com as sequências de estilo). */
  tela(alvo: string, estilos = false): Promise<string> {
    return this.rodar(
      "capture-pane",
      "-p",
      "-J",
      ...(estilos ? ["-e"] : []),
      "-t",
      alvo,
    );
  }

  async titulo(alvo: string): Promise<string> {
    return (await this.rodar(
      "display-message",
      "-p",
      "-t",
      alvo,
      "#{pane_title}",
    ))
      .trimEnd();
  }

  /** Espera (com prazo) o painel mostrar algo que case com `padrao`. */
  async esperar(alvo: string, padrao: RegExp): Promise<RegExpExecArray> {
    const limite = Date.now() + PRAZO_TESTE_MS;
    let tela = "";
    while (Date.now() < limite) {
      tela = await this.tela(alvo);
      const casou = padrao.exec(tela);
      if (casou) return casou;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`esperava ${padrao} no painel ${alvo}; tela:\n${tela}`);
  }

  /**
   * Derruba só este servidor tmux (e os programas dentro dele) e apaga o
   * arquivo do socket, que o tmux deixa para trás.
   */
  async encerrar(): Promise<void> {
    const socket = (await this.rodar("display-message", "-p", "#{socket_path}")
      .catch(() => "")).trim();
    await this.rodar("kill-server").catch(() => {});
    if (socket.endsWith(`/${this.socket}`)) {
      await new Deno.Command("rm", { args: ["-f", socket] }).output();
    }
  }
}
