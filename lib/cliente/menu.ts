/**
 * A sessão interativa do cliente, com o menu e os avisos do original
 * (`> OPCOES: 1 - Enviar nova mensagem; 2 - Sair.`). Cada espera pelo teclado
 * corre junto com a espera pelo fim da conexão e pelo Ctrl-C, para que um
 * servidor que cai ou encerra seja notado na hora, mesmo com o usuário parado
 * no menu. Fim da entrada (Ctrl-D) e Ctrl-C valem como a opção 2.
 *
 * @module
 */

import type { FalhaDoCliente } from "./falhas.ts";
import type { SessaoDeEnvio, Tela } from "./interfaces.ts";
import { RetornoCliente } from "../retornos.ts";
import type { LeitorDeLinhas } from "./linhas.ts";
import { tituloDaMensagem } from "../datas.ts";
import type { Mensagem } from "../protocolo/quadros.ts";
import type { Cores } from "../saida/cores.ts";
import { motivoDoExcesso } from "./limites.ts";

export const MENU = "> OPCOES: 1 - Enviar nova mensagem; 2 - Sair.";
export const OPCAO_INVALIDA =
  "> Opcao invalida. Por favor escolha entre: 1 - Enviar nova mensagem; 2 - Sair.";

type Acontecimento =
  | { tipo: "linha"; linha: string | null }
  | { tipo: "fim"; falha: FalhaDoCliente | null }
  | { tipo: "interrompido" };

/** O menu, do primeiro prompt à saída; devolve o código de saída. */
export class Menu {
  readonly #sessao: SessaoDeEnvio;
  readonly #entrada: LeitorDeLinhas;
  readonly #tela: Tela;
  readonly #cores: Cores;
  readonly #interrupcao: Promise<void>;
  readonly #ecoar: boolean;

  /**
   * @param ecoar repete cada resposta lida, para que a transcrição de uma
   *   entrada redirecionada (sem terminal para ecoar) fique legível
   */
  constructor(
    sessao: SessaoDeEnvio,
    entrada: LeitorDeLinhas,
    tela: Tela,
    opcoes: { cores: Cores; interrupcao: Promise<void>; ecoar: boolean },
  ) {
    this.#sessao = sessao;
    this.#entrada = entrada;
    this.#tela = tela;
    this.#cores = opcoes.cores;
    this.#interrupcao = opcoes.interrupcao;
    this.#ecoar = opcoes.ecoar;
  }

  async executar(): Promise<number> {
    while (true) {
      this.#tela.escrever(`${MENU}\n>>> `);
      const evento = await this.#esperarLinha();
      if (evento.tipo === "fim") return this.#relatarFim(evento.falha);
      if (evento.tipo === "interrompido" || evento.linha === null) {
        this.#tela.escrever("\n");
        return await this.#sair();
      }
      const opcao = evento.linha.trim();
      if (opcao === "2") return await this.#sair();
      if (opcao !== "1") {
        this.#tela.escrever(`${OPCAO_INVALIDA}\n`);
        continue;
      }
      const codigo = await this.#novaMensagem();
      if (codigo !== undefined) return codigo;
    }
  }

  /** Compõe e envia uma mensagem; devolve um código se a sessão acabou. */
  async #novaMensagem(): Promise<number | undefined> {
    const instante = Date.now();
    const rascunho = this.#sessao.compor("", "", instante);
    this.#tela.escrever(
      `> ${this.#cores.negrito(tituloDaMensagem(rascunho))}\n`,
    );
    const assunto = await this.#perguntar("> ASSUNTO: ");
    if (typeof assunto !== "string") return assunto;
    const texto = await this.#perguntar("> TEXTO: ");
    if (typeof texto !== "string") return texto;

    const excesso = this.#sessao.excesso(assunto, texto);
    if (excesso > 0) {
      const motivo = motivoDoExcesso(
        assunto,
        texto,
        this.#sessao.tamanhoMaximo,
        true,
      );
      this.#tela.escrever(
        this.#cores.erro(`> Mensagem não enviada: ${motivo}.`) + "\n",
      );
      return undefined;
    }
    const mensagem = this.#sessao.compor(assunto, texto, instante);
    return await this.#entregar(mensagem);
  }

  /** Pergunta uma linha; num fim de sessão devolve o código de saída. */
  async #perguntar(pergunta: string): Promise<string | number> {
    this.#tela.escrever(pergunta);
    const evento = await this.#esperarLinha();
    if (evento.tipo === "fim") return this.#relatarFim(evento.falha);
    if (evento.tipo === "linha" && evento.linha !== null) return evento.linha;
    this.#tela.escrever("\n> Entrada encerrada: mensagem não enviada.\n");
    return await this.#sair();
  }

  async #entregar(mensagem: Mensagem): Promise<number | undefined> {
    const numero = `#${String(mensagem.numero).padStart(3, "0")}`;
    const entrega = this.#sessao.enviar(mensagem);
    const interrompido = this.#interrupcao.then(() => "interrompido" as const);
    const resultado = await Promise.race([
      entrega.then(() => "entregue" as const, (falha: Error) => falha),
      interrompido,
    ]);
    if (resultado === "entregue") {
      this.#tela.escrever(
        this.#sessao.confirma
          ? `> Mensagem ${numero} entregue: o servidor confirmou o recebimento.\n`
          : `> Mensagem ${numero} enviada (o servidor original não confirma o recebimento).\n`,
      );
      return undefined;
    }
    if (resultado === "interrompido") {
      // Ctrl-C com a mensagem a caminho: sai, mas diz o que houve com ela.
      const codigo = await this.#sair();
      const final = await entrega.then(() => true, () => false);
      this.#tela.escrever(
        final
          ? `> Mensagem ${numero} entregue antes da saída.\n`
          : `> Mensagem ${numero} NÃO entregue.\n`,
      );
      return final ? codigo : Math.max(codigo, RetornoCliente.NAO_ENTREGUE);
    }
    this.#tela.escrever(this.#cores.erro(`> ${resultado.message}.`) + "\n");
    return this.#relatarFim(await this.#sessao.fim);
  }

  async #esperarLinha(): Promise<Acontecimento> {
    const evento = await Promise.race([
      this.#entrada.proxima().then((linha) =>
        ({ tipo: "linha", linha }) as const
      ),
      this.#sessao.fim.then((falha) => ({ tipo: "fim", falha }) as const),
      this.#interrupcao.then(() => ({ tipo: "interrompido" }) as const),
    ]);
    if (this.#ecoar && evento.tipo === "linha" && evento.linha !== null) {
      this.#tela.escrever(`${evento.linha}\n`);
    }
    return evento;
  }

  async #sair(): Promise<number> {
    const falha = await this.#sessao.sair();
    if (falha) return this.#relatarFim(falha);
    this.#tela.escrever("> Conexão encerrada com CODIGO_SAIDA. Até logo!\n");
    return RetornoCliente.OK;
  }

  #relatarFim(falha: FalhaDoCliente | null): number {
    if (!falha) return RetornoCliente.OK;
    this.#tela.escrever("\n" + this.#cores.erro(`> ${falha.message}.`) + "\n");
    return falha.codigoDeRetorno;
  }
}
