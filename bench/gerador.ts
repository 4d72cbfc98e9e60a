/**
 * O gerador de carga do banco de medidas. Roda num processo `deno` próprio,
 * para não dividir o laço de eventos com o servidor medido, e fala com ele
 * pelo código do próprio projeto: `Cliente` (lib/cliente/sessao.ts) para latência,
 * capacidade ociosa e sondas; `Conexao` (lib/conexao.ts) com o codec
 * (lib/protocolo/codificador.ts) para vazão, porque `Cliente` não tem envio em lote.
 *
 * Para vazão, cada conexão codifica um lote de quadros uma vez com
 * `codificarMensagem` e, a cada envio, reescreve só o campo do número (o
 * primeiro do corpo, logo depois dos `CABECALHO` bytes); as confirmações
 * cumulativas voltam pelo `Decodificador`. Antes de medir, um lote
 * renumerado é conferido com o decodificador do próprio servidor.
 *
 * Relata cada resultado como uma linha JSON na saída padrão. Modos:
 *
 * - `vazao --porta P --conexoes N --assunto A --texto T --duracao MS [--cru]`
 *   (`--cru`: sem saudação nem confirmações, para os receptores de base);
 * - `latencia --porta P --vezes N --aquecimento W --assunto A --texto T`;
 * - `pingue --porta P --vezes N --aquecimento W --assunto A --texto T` (TCP
 *   cru, contra bench/linha_de_base/pingue.ts);
 * - `ociosos --porta P --clientes N --sondas K`, com comandos pela entrada
 *   padrão: `conectar`, `sondar`, e fim de arquivo para desconectar e sair.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { sortearSessao } from "../lib/sorteio.ts";
import { parseArgs } from "node:util";
import { Cliente } from "../lib/cliente/sessao.ts";
import { Conexao } from "../lib/conexao.ts";
import { LeitorDeLinhas } from "../lib/cliente/linhas.ts";
import { codificar, codificarMensagem } from "../lib/protocolo/codificador.ts";
import { Decodificador } from "../lib/protocolo/decodificador.ts";
import {
  CABECALHO,
  limitesDoCliente,
  limitesDoServidor,
  type Quadro,
  Tipo,
  VERSAO,
} from "../lib/protocolo/quadros.ts";

const HOST = "127.0.0.1";
/** Prazo de conexão, saudação e despedida de cada cliente. */
const PRAZO_MS = 30_000;
/** Bytes de quadros por escrita no modo de vazão. */
const BYTES_POR_LOTE = 256 * 1024;
/** Bytes enviados e ainda sem confirmação, no máximo, por conexão. */
const JANELA_BYTES = 4 * 1024 * 1024;
/** Clientes ociosos conectando ao mesmo tempo. */
const CONEXOES_SIMULTANEAS = 64;
/** Tamanho de uma CONFIRMACAO no fio (a resposta do pingue cru). */
const BYTES_CONFIRMACAO = CABECALHO + 4;

/** Escreve um resultado como uma linha JSON. */
function relatar(resultado: Record<string, unknown>): void {
  console.log(JSON.stringify(resultado));
}

/** Uma mensagem de teste: assunto `a…`, texto `x…`. */
function conteudo(bytesAssunto: number, bytesTexto: number) {
  return { assunto: "a".repeat(bytesAssunto), texto: "x".repeat(bytesTexto) };
}

/** Promessa que rejeita depois de `ms`, com o cronômetro cancelável. */
function comPrazo<T>(promessa: Promise<T>, ms: number, oque: string) {
  let prazo: ReturnType<typeof setTimeout> | undefined;
  const estouro = new Promise<never>((_, rejeitar) => {
    prazo = setTimeout(
      () => rejeitar(new Error(`${oque}: nada em ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promessa, estouro]).finally(() => clearTimeout(prazo));
}

/** Um lote de quadros MENSAGEM iguais, renumerável no lugar. */
class Lote {
  readonly bytes: Uint8Array;
  readonly tamanhoQuadro: number;
  readonly quantos: number;
  readonly #vista: DataView;

  constructor(quantos: number, assunto: string, texto: string) {
    const instante = Date.now();
    const primeiro = codificarMensagem({
      numero: 1,
      instante,
      fuso: 0,
      assunto,
      texto,
    });
    this.tamanhoQuadro = primeiro.length;
    this.quantos = quantos;
    this.bytes = new Uint8Array(this.tamanhoQuadro * quantos);
    for (let i = 0; i < quantos; i++) {
      const quadro = i === 0 ? primeiro : codificarMensagem({
        numero: i + 1,
        instante,
        fuso: 0,
        assunto,
        texto,
      });
      this.bytes.set(quadro, i * this.tamanhoQuadro);
    }
    this.#vista = new DataView(this.bytes.buffer);
  }

  /** Dá aos quadros os números `primeiro`, `primeiro + 1`, … */
  numerar(primeiro: number): void {
    for (let i = 0; i < this.quantos; i++) {
      this.#vista.setUint32(i * this.tamanhoQuadro + CABECALHO, primeiro + i);
    }
  }
}

/**
 * Confere, com o decodificador que o servidor usa, que um lote renumerado
 * continua válido e traz os números pedidos.
 */
function conferirLote(lote: Lote, tamanhoMaximo: number): void {
  const primeiro = 123_456;
  lote.numerar(primeiro);
  const numeros: number[] = [];
  const decodificador = new Decodificador({
    limites: limitesDoServidor(tamanhoMaximo),
  });
  decodificador.decodificar(lote.bytes, (quadro) => {
    if (quadro.tipo === Tipo.MENSAGEM) numeros.push(quadro.mensagem.numero);
  });
  const certo = numeros.length === lote.quantos &&
    numeros.every((n, i) => n === primeiro + i) && !decodificador.incompleto;
  if (!certo) throw new Error("o lote renumerado não decodifica como devia");
}

/** Uma conexão do modo de vazão. */
class Fluxo {
  readonly conexao: Conexao;
  readonly lote: Lote;
  readonly #decodificador = new Decodificador({ limites: limitesDoCliente() });
  enviados = 0;
  confirmado = 0;
  tamanhoMaximo = 0;
  #saudado = false;
  #acabou = false;
  #erro: string | undefined;
  #acordar: (() => void) | undefined;
  readonly lendo: Promise<void>;

  constructor(conn: Deno.Conn, lote: Lote, cru: boolean) {
    this.conexao = new Conexao(conn, { limiteFila: 64 * 1024 * 1024 });
    this.lote = lote;
    this.lendo = cru ? this.#lerCru() : this.#lerConfirmacoes();
  }

  async #lerConfirmacoes(): Promise<void> {
    try {
      while (true) {
        const pedaco = await this.conexao.ler();
        if (pedaco === null) break;
        this.#decodificador.decodificar(pedaco, this.#aoQuadro);
        this.#avisar();
      }
    } catch (erro) {
      this.#erro ??= (erro as Error).message;
    } finally {
      this.#acabou = true;
      this.conexao.fechar();
      this.#avisar();
    }
  }

  /** O receptor cru responde um byte quando lê o fim; depois fecha. */
  async #lerCru(): Promise<void> {
    try {
      while (await this.conexao.ler() !== null) {
        // Só espera o fim.
      }
    } finally {
      this.#acabou = true;
      this.conexao.fechar();
      this.#avisar();
    }
  }

  #aoQuadro = (quadro: Quadro): void => {
    switch (quadro.tipo) {
      case Tipo.CONFIRMACAO:
        this.confirmado = quadro.numero;
        return;
      case Tipo.OLA_SERVIDOR:
        this.#saudado = true;
        this.tamanhoMaximo = quadro.tamanhoMaximo;
        return;
      case Tipo.ERRO:
        this.#erro ??=
          `o servidor mandou ERRO ${quadro.codigo}: ${quadro.texto}`;
        return;
    }
  };

  #avisar() {
    const acordar = this.#acordar;
    this.#acordar = undefined;
    acordar?.();
  }

  /** Espera o próximo pedaço lido (ou o fim); falha se a conexão acabou mal. */
  async #esperar(oque: string): Promise<void> {
    if (this.#erro) throw new Error(this.#erro);
    if (this.#acabou) throw new Error(`a conexão acabou esperando ${oque}`);
    await new Promise<void>((resolve) => this.#acordar = resolve);
  }

  async saudar(): Promise<void> {
    this.conexao.enviar(
      codificar({
        tipo: Tipo.OLA_CLIENTE,
        versao: VERSAO,
        token: "",
        sessao: sortearSessao(),
      }),
    );
    const limite = Date.now() + PRAZO_MS;
    while (!this.#saudado) {
      if (Date.now() > limite) throw new Error("sem saudação do servidor");
      await this.#esperar("a saudação");
    }
  }

  /** Envia lotes até `limite` (relógio de `performance.now`) e espera o fim. */
  async enviarAte(limite: number, cru: boolean): Promise<number> {
    const janela = Math.max(
      2 * this.lote.quantos,
      Math.floor(JANELA_BYTES / this.lote.tamanhoQuadro),
    );
    while (performance.now() < limite) {
      while (
        !cru && this.enviados + this.lote.quantos - this.confirmado > janela
      ) {
        await this.#esperar("confirmações");
      }
      this.lote.numerar(this.enviados + 1);
      this.conexao.enviar(this.lote.bytes);
      await this.conexao.esvaziar();
      if (this.conexao.fechada) {
        throw new Error(
          `a escrita falhou: ${(this.conexao.erroEscrita as Error)?.message}`,
        );
      }
      this.enviados += this.lote.quantos;
    }
    if (cru) {
      await this.conexao.fecharEscrita();
      await this.lendo;
      return performance.now();
    }
    while (this.confirmado < this.enviados) {
      await this.#esperar("as últimas confirmações");
    }
    return performance.now();
  }

  /** CODIGO_SAIDA, e espera o servidor responder e fechar. */
  async sair(): Promise<void> {
    if (!this.#acabou) {
      this.conexao.enviar(codificar({ tipo: Tipo.DESPEDIDA }));
      const prazo = setTimeout(() => this.conexao.fechar(), PRAZO_MS);
      await this.lendo;
      clearTimeout(prazo);
    }
    this.conexao.fechar();
  }
}

async function vazao(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      porta: { type: "string" },
      conexoes: { type: "string", default: "1" },
      assunto: { type: "string", default: "10" },
      texto: { type: "string", default: "90" },
      duracao: { type: "string", default: "1000" },
      cru: { type: "boolean", default: false },
    },
  });
  const porta = Number(values.porta);
  const conexoes = Number(values.conexoes);
  const { assunto, texto } = conteudo(
    Number(values.assunto),
    Number(values.texto),
  );
  const cru = values.cru;
  const tamanhoQuadro = codificarMensagem({
    numero: 1,
    instante: 0,
    fuso: 0,
    assunto,
    texto,
  }).length;
  const porLote = Math.max(1, Math.floor(BYTES_POR_LOTE / tamanhoQuadro));

  const fluxos = await Promise.all(
    Array.from({ length: conexoes }, async () => {
      const conn = await Deno.connect({ hostname: HOST, port: porta });
      return new Fluxo(conn, new Lote(porLote, assunto, texto), cru);
    }),
  );
  try {
    if (!cru) {
      await Promise.all(fluxos.map((fluxo) => fluxo.saudar()));
      const utilMaximo = assunto.length + texto.length;
      if (fluxos[0].tamanhoMaximo < utilMaximo) {
        throw new Error(
          `o servidor aceita ${
            fluxos[0].tamanhoMaximo
          } bytes; a mensagem tem ${utilMaximo}`,
        );
      }
      conferirLote(fluxos[0].lote, fluxos[0].tamanhoMaximo);
    }
    const inicio = performance.now();
    const limite = inicio + Number(values.duracao);
    const fins = await Promise.all(
      fluxos.map((fluxo) => fluxo.enviarAte(limite, cru)),
    );
    const ms = Math.max(...fins) - inicio;
    if (!cru) await Promise.all(fluxos.map((fluxo) => fluxo.sair()));
    const mensagens = fluxos.reduce((soma, fluxo) => soma + fluxo.enviados, 0);
    relatar({
      modo: cru ? "cru" : "protocolo",
      conexoes,
      mensagens,
      bytesQuadros: mensagens * tamanhoQuadro,
      bytesUteis: mensagens * (assunto.length + texto.length),
      ms,
    });
  } finally {
    for (const fluxo of fluxos) fluxo.conexao.fechar();
  }
}

function opcoesDeIdaEVolta(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      porta: { type: "string" },
      vezes: { type: "string", default: "20000" },
      aquecimento: { type: "string", default: "1000" },
      assunto: { type: "string", default: "10" },
      texto: { type: "string", default: "90" },
    },
  });
  return {
    porta: Number(values.porta),
    vezes: Number(values.vezes),
    aquecimento: Number(values.aquecimento),
    ...conteudo(Number(values.assunto), Number(values.texto)),
  };
}

/** Latência pelo `Cliente` do projeto: envia, espera a confirmação, repete. */
async function latencia(args: string[]): Promise<void> {
  const opcoes = opcoesDeIdaEVolta(args);
  const cliente = await Cliente.conectar({
    host: HOST,
    porta: opcoes.porta,
    tempoLimite: PRAZO_MS,
  });
  try {
    for (let i = 0; i < opcoes.aquecimento; i++) {
      await cliente.enviar(cliente.compor(opcoes.assunto, opcoes.texto));
    }
    const amostras = new Array<number>(opcoes.vezes);
    for (let i = 0; i < opcoes.vezes; i++) {
      const mensagem = cliente.compor(opcoes.assunto, opcoes.texto);
      const inicio = performance.now();
      await cliente.enviar(mensagem);
      amostras[i] = performance.now() - inicio;
    }
    relatar({ modo: "latencia", amostrasMs: amostras });
  } finally {
    await cliente.sair();
  }
}

/** Ida e volta em TCP cru: o mesmo quadro vai, 9 bytes voltam. */
async function pingue(args: string[]): Promise<void> {
  const opcoes = opcoesDeIdaEVolta(args);
  const conn = await Deno.connect({ hostname: HOST, port: opcoes.porta });
  conn.setNoDelay(true);
  const pedido = codificarMensagem({
    numero: 1,
    instante: Date.now(),
    fuso: 0,
    assunto: opcoes.assunto,
    texto: opcoes.texto,
  });
  const resposta = new Uint8Array(4096);
  const idaEVolta = async () => {
    let escritos = 0;
    while (escritos < pedido.length) {
      escritos += await conn.write(pedido.subarray(escritos));
    }
    let lidos = 0;
    while (lidos < BYTES_CONFIRMACAO) {
      const n = await conn.read(resposta);
      if (n === null) throw new Error("o pingue fechou a conexão");
      lidos += n;
    }
  };
  try {
    for (let i = 0; i < opcoes.aquecimento; i++) await idaEVolta();
    const amostras = new Array<number>(opcoes.vezes);
    for (let i = 0; i < opcoes.vezes; i++) {
      const inicio = performance.now();
      await idaEVolta();
      amostras[i] = performance.now() - inicio;
    }
    relatar({ modo: "pingue", amostrasMs: amostras });
  } finally {
    conn.close();
  }
}

/** Conecta, saúda, envia uma mensagem, espera a confirmação e sai. */
async function sondar(porta: number): Promise<number> {
  const inicio = performance.now();
  const cliente = await Cliente.conectar({
    host: HOST,
    porta,
    tempoLimite: PRAZO_MS,
  });
  try {
    await cliente.enviar(cliente.compor("sonda", "ainda atende?"));
  } finally {
    await cliente.sair();
  }
  return performance.now() - inicio;
}

/** Muitos clientes conectados e parados; depois, sondas de um cliente novo. */
async function ociosos(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      porta: { type: "string" },
      clientes: { type: "string", default: "10000" },
      sondas: { type: "string", default: "20" },
    },
  });
  const porta = Number(values.porta);
  const total = Number(values.clientes);
  const comandos = new LeitorDeLinhas(Deno.stdin.readable);
  const clientes: Cliente[] = [];
  try {
    await sondar(porta); // aquece o servidor antes da primeira medida de memória
    relatar({ fase: "pronto" });
    if (await comandos.proxima() !== "conectar") return;
    const inicio = performance.now();
    let proximo = 0;
    await Promise.all(
      Array.from({ length: CONEXOES_SIMULTANEAS }, async () => {
        while (proximo < total) {
          proximo++;
          clientes.push(
            await Cliente.conectar({
              host: HOST,
              porta,
              tempoLimite: PRAZO_MS,
            }),
          );
        }
      }),
    );
    relatar({
      fase: "conectados",
      clientes: clientes.length,
      ms: performance.now() - inicio,
    });
    if (await comandos.proxima() !== "sondar") return;
    const amostras: number[] = [];
    for (let i = 0; i < Number(values.sondas); i++) {
      amostras.push(await sondar(porta));
    }
    relatar({ fase: "sondado", amostrasMs: amostras });
    await comandos.proxima(); // fim de arquivo: hora de sair
  } finally {
    for (const cliente of clientes) cliente.fechar();
    await comPrazo(
      Promise.allSettled(clientes.map((cliente) => cliente.fim)),
      PRAZO_MS,
      "fechar os clientes ociosos",
    );
  }
}

const MODOS: Record<string, (args: string[]) => Promise<void>> = {
  vazao,
  latencia,
  pingue,
  ociosos,
};

async function main(args: string[]): Promise<number> {
  const [modo, ...resto] = args;
  const executar = MODOS[modo ?? ""];
  if (!executar) {
    console.error(
      `gerador: modo desconhecido "${modo ?? ""}"; use ${
        Object.keys(MODOS).join(", ")
      }`,
    );
    return 2;
  }
  try {
    await executar(resto);
    return 0;
  } catch (erro) {
    console.error(`gerador: ${(erro as Error).message}`);
    return 1;
  }
}

// Deno.exit: a leitura pendente da entrada não deve segurar o processo.
if (import.meta.main) Deno.exit(await main(Deno.args));
