/**
 * O cliente sem menu, para scripts: uma mensagem (`--assunto`/`--texto`, o
 * texto podendo vir da entrada padrão) ou uma por linha (`--linhas`), com as
 * mensagens em fila sem esperar cada confirmação, e um relato final de quantas
 * foram entregues. Silencioso, salvo erros (ou uma linha com `--verbose`).
 *
 * @module
 */

import type { FalhaDoCliente } from "./falhas.ts";
import { RetornoCliente } from "../retornos.ts";
import type { LeitorDeLinhas } from "./linhas.ts";
import type { SessaoDeEnvio, Tela } from "./interfaces.ts";
import { motivoDoExcesso } from "./limites.ts";
import { contar } from "../saida/contagem.ts";

/** Quantas mensagens podem estar a caminho, sem confirmação, ao mesmo tempo. */
const JANELA = 1024;

export interface Roteiro {
  assunto: string;
  /** O texto, ou `undefined` para ler a entrada inteira como texto. */
  texto: string | undefined;
  linhas: boolean;
  verbose: boolean;
}

/**
 * Envia uma mensagem e espera a confirmação; devolve o código de saída. Sem
 * `roteiro.texto`, o texto é a `entrada` inteira (que então é obrigatória).
 */
export async function enviarUma(
  sessao: SessaoDeEnvio,
  roteiro: Roteiro,
  entrada: LeitorDeLinhas | undefined,
  saida: Tela,
  erros: Tela,
): Promise<number> {
  let texto = roteiro.texto;
  if (texto === undefined) {
    if (entrada === undefined) {
      throw new TypeError("sem --texto, o texto vem da entrada");
    }
    texto = semQuebraFinal(await entrada.tudo());
  }
  const excesso = sessao.excesso(roteiro.assunto, texto);
  if (excesso > 0) {
    erros.escrever(
      `cliente: mensagem não enviada: ${
        motivoDoExcesso(roteiro.assunto, texto, sessao.tamanhoMaximo)
      }\n`,
    );
    await sessao.sair();
    return RetornoCliente.NAO_ENTREGUE;
  }
  const mensagem = sessao.compor(roteiro.assunto, texto);
  const entrega = sessao.enviar(mensagem);
  // Com confirmação, a DESPEDIDA vai logo atrás da mensagem: o servidor
  // confirma tudo o que recebeu antes de responder a ela (PROTOCOLO.md), e a
  // saída não espera uma ida e volta a mais. O original não confirma: lá a
  // despedida só sai depois do envio, como antes.
  const saindo = sessao.confirma ? sessao.sair() : undefined;
  try {
    await entrega;
  } catch (falha) {
    // CODIGO_SAIDA mesmo assim: o servidor.py original depende dele
    await (saindo ?? sessao.sair());
    return relatarFalha(falha as FalhaDoCliente, erros);
  }
  if (roteiro.verbose) {
    saida.escrever(
      sessao.confirma
        ? `mensagem #${numero3(mensagem.numero)} entregue\n`
        : `mensagem #${
          numero3(mensagem.numero)
        } enviada (sem confirmação do servidor original)\n`,
    );
  }
  const falha = await (saindo ?? sessao.sair());
  return falha ? relatarFalha(falha, erros) : RetornoCliente.OK;
}

/**
 * Envia cada linha da entrada como uma mensagem, sem esperar a confirmação de
 * uma para mandar a próxima (até `JANELA` a caminho). Uma linha grande demais é
 * relatada e pulada. Sai com 0 só se todas foram entregues.
 */
export async function enviarLinhas(
  sessao: SessaoDeEnvio,
  roteiro: Roteiro,
  entrada: LeitorDeLinhas,
  saida: Tela,
  erros: Tela,
): Promise<number> {
  const aCaminho = new Set<Promise<void>>();
  let entregues = 0;
  let perdidas = 0;
  let puladas = 0;
  let falha: FalhaDoCliente | undefined;
  let numeroDaLinha = 0;
  while (falha === undefined) {
    const linha = await Promise.race([
      entrada.proxima(),
      sessao.fim.then(() => null),
    ]);
    if (linha === null) break;
    numeroDaLinha++;
    const excesso = sessao.excesso(roteiro.assunto, linha);
    if (excesso > 0) {
      puladas++;
      erros.escrever(
        `cliente: linha ${numeroDaLinha} pulada: ${
          motivoDoExcesso(roteiro.assunto, linha, sessao.tamanhoMaximo)
        }\n`,
      );
      continue;
    }
    const entrega = sessao.enviar(sessao.compor(roteiro.assunto, linha)).then(
      () => void entregues++,
      (erro: FalhaDoCliente) => {
        perdidas++;
        falha ??= erro;
      },
    ).finally(() => aCaminho.delete(entrega));
    aCaminho.add(entrega);
    if (aCaminho.size >= JANELA) await Promise.race(aCaminho);
  }
  await Promise.all(aCaminho);
  const fim = await sessao.sair();
  falha ??= fim ?? undefined;
  const total = entregues + perdidas + puladas;
  // Sem confirmação (o servidor original), o máximo é "enviada".
  const [uma, varias] = sessao.confirma
    ? ["entregue", "entregues"]
    : ["enviada", "enviadas"];
  const resumo =
    `${entregues} de ${
      contar(total, `mensagem ${uma}`, `mensagens ${varias}`)
    }` +
    (puladas ? `, ${contar(puladas, "pulada", "puladas")} por tamanho` : "") +
    (perdidas ? `, ${contar(perdidas, `não ${uma}`, `não ${varias}`)}` : "");
  if (falha) erros.escrever(`cliente: ${falha.message}\n`);
  if (roteiro.verbose || entregues < total) {
    (entregues < total ? erros : saida).escrever(`cliente: ${resumo}\n`);
  }
  if (falha) return falha.codigoDeRetorno;
  return entregues < total ? RetornoCliente.NAO_ENTREGUE : RetornoCliente.OK;
}

function numero3(numero: number): string {
  return String(numero).padStart(3, "0");
}

function relatarFalha(falha: FalhaDoCliente, erros: Tela): number {
  erros.escrever(`cliente: ${falha.message}\n`);
  return falha.codigoDeRetorno ?? RetornoCliente.NAO_ENTREGUE;
}

/** A entrada inteira vira o texto; a quebra de linha final do `echo` não conta. */
function semQuebraFinal(texto: string): string {
  return texto.endsWith("\r\n")
    ? texto.slice(0, -2)
    : texto.endsWith("\n")
    ? texto.slice(0, -1)
    : texto;
}
