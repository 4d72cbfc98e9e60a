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
 * - `ociosos --porta P --clientes N --sondas K [--bytes-rajada B]`, com
 *   comandos pela entrada padrão: `conectar`, `sondar`, `rajada I F` (os
 *   clientes de I a F-1 mandam cada um ~B bytes de uma vez, em mensagens do
 *   tamanho máximo do servidor, e esperam as confirmações; depois param de
 *   novo), e fim de arquivo para desconectar e sair;
 * - `sessoes --porta P --clientes N --duracao MS [--cru] [--tls-ca F]`: N
 *   clientes, cada um repetindo conectar → saudação → uma mensagem →
 *   confirmação → CODIGO_SAIDA (`--cru`: manda o quadro, lê os 9 bytes e
 *   espera o fim, contra bench/linha_de_base/aceitador.ts);
 * - `legado --porta P --conexoes N --assunto A --texto T --duracao MS
 *   --arquivo F`: os blocos de texto do cliente original em Python
 *   (`codificarBlocoLegado`) e CODIGO_SAIDA, fechando logo depois, como o
 *   cliente.py; sem confirmação, o tempo vai até o arquivo de saída `--json`
 *   do servidor ter a linha de cada mensagem;
 * - `reconexao --porta P --intervalo MS`: uma `SessaoRetomavel`
 *   (lib/cliente/retomada.ts, a do `cliente --linhas`) mandando uma mensagem
 *   a cada `intervalo` ms sem esperar as confirmações, enquanto o banco
 *   derruba e reinicia o servidor; relata uma linha por evento (`caiu`,
 *   `reconectado`, a primeira `confirmada` depois de cada reconexão), com o
 *   instante em ms do relógio de parede (`performance.timeOrigin +
 *   performance.now()`, comparável entre processos da mesma máquina), e
 *   `fim` quando a entrada padrão fecha.
 *
 * `--tls-ca F` (em `vazao` e `sessoes`): conecta com TLS a 127.0.0.1,
 * confiando só na CA do arquivo.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { sortearSessao } from "../lib/sorteio.ts";
import { parseArgs } from "node:util";
import { Cliente } from "../lib/cliente/sessao.ts";
import { SessaoRetomavel } from "../lib/cliente/retomada.ts";
import { Conexao } from "../lib/conexao.ts";
import { LeitorDeLinhas } from "../lib/cliente/linhas.ts";
import { codificar, codificarMensagem } from "../lib/protocolo/codificador.ts";
import {
  BYTES_CODIGO_SAIDA,
  codificarBlocoLegado,
} from "../lib/protocolo/legado.ts";
import { Decodificador } from "../lib/protocolo/decodificador.ts";
import {
  CABECALHO,
  limitesDoCliente,
  limitesDoServidor,
  type Quadro,
  Tipo,
  VERSAO,
} from "../lib/protocolo/quadros.ts";
import { MensagemNoLugar } from "../lib/protocolo/mensagem_no_lugar.ts";

const HOST = "127.0.0.1";
/** Prazo de conexão, saudação e despedida de cada cliente. */
const PRAZO_MS = 30_000;
/** Bytes de quadros por escrita no modo de vazão. */
const BYTES_POR_LOTE = 256 * 1024;
/** Bytes enviados e ainda sem confirmação, no máximo, por conexão. */
const JANELA_BYTES = 4 * 1024 * 1024;
/** Clientes ociosos conectando ao mesmo tempo. */
const CONEXOES_SIMULTANEAS = 64;
/** Clientes ociosos mandando a sua rajada ao mesmo tempo. */
const RAJADAS_SIMULTANEAS = 8;
/** Tamanho de uma CONFIRMACAO no fio (a resposta do pingue cru). */
const BYTES_CONFIRMACAO = CABECALHO + 4;

/** Escreve um resultado como uma linha JSON. */
function relatar(resultado: Record<string, unknown>): void {
  console.log(JSON.stringify(resultado));
}

/**
 * Conecta a 127.0.0.1: TCP, ou TLS confiando só na CA `ca` (PEM), com o
 * handshake completo antes de voltar. O TLS começa sobre um TCP já com
 * `setNoDelay` (`Deno.startTls`): `Deno.TlsConn` não tem `setNoDelay`, e o
 * algoritmo de Nagle do lado do gerador não deve entrar na medida.
 */
async function conectar(porta: number, ca: string | undefined) {
  const tcp = await Deno.connect({ hostname: HOST, port: porta });
  if (ca === undefined) return tcp;
  tcp.setNoDelay(true);
  const conn = await Deno.startTls(tcp, { hostname: HOST, caCerts: [ca] });
  try {
    await conn.handshake();
  } catch (erro) {
    conn.close();
    throw erro;
  }
  return conn;
}

/**
 * O OLA_CLIENTE da versão atual do protocolo, como o `Cliente` manda. A
 * sessão (da versão 2 em diante: 128 bits aleatórios em hexadecimal) é nova a
 * cada conexão; uma versão que não a usa ignora o campo.
 */
function saudacao(): Uint8Array {
  return codificar({
    tipo: Tipo.OLA_CLIENTE,
    versao: VERSAO,
    token: "",
    sessao: sortearSessao(),
  });
}

/** O PEM de `--tls-ca`, quando há. */
function lerCa(caminho: string | undefined): string | undefined {
  return caminho === undefined ? undefined : Deno.readTextFileSync(caminho);
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
    mensagens: MensagemNoLugar,
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
    this.conexao.enviar(saudacao());
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
      "tls-ca": { type: "string" },
    },
  });
  const porta = Number(values.porta);
  const conexoes = Number(values.conexoes);
  const ca = lerCa(values["tls-ca"]);
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
      const conn = await conectar(porta, ca);
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

/**
 * ~`bytes` de uma vez, em mensagens do tamanho máximo do servidor; volta
 * quando todas foram confirmadas.
 */
async function rajada(cliente: Cliente, bytes: number): Promise<void> {
  const assunto = "rajada";
  const texto = "x".repeat(cliente.tamanhoMaximo - assunto.length);
  if (cliente.excesso(assunto, texto) > 0) {
    throw new Error("a mensagem da rajada não cabe no limite do servidor");
  }
  const vezes = Math.ceil(bytes / cliente.tamanhoMaximo);
  await Promise.all(
    Array.from(
      { length: vezes },
      () => cliente.enviar(cliente.compor(assunto, texto)),
    ),
  );
}

/** Muitos clientes conectados e parados; depois, sondas de um cliente novo. */
async function ociosos(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      porta: { type: "string" },
      clientes: { type: "string", default: "10000" },
      sondas: { type: "string", default: "20" },
      "bytes-rajada": { type: "string", default: "1600000" },
    },
  });
  const porta = Number(values.porta);
  const total = Number(values.clientes);
  const bytesRajada = Number(values["bytes-rajada"]);
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
    // `rajada I F`, quantas vierem; o fim de arquivo é a hora de sair.
    for (let i = 0; i < total; i++) {
      const comando = (await comandos.proxima())?.split(" ");
      if (comando?.[0] !== "rajada") break;
      const [inicio, fim] = [Number(comando[1]), Number(comando[2])];
      const comeco = performance.now();
      let proxima = inicio;
      await Promise.all(
        Array.from({ length: RAJADAS_SIMULTANEAS }, async () => {
          while (proxima < Math.min(fim, clientes.length)) {
            await rajada(clientes[proxima++], bytesRajada);
          }
        }),
      );
      relatar({
        fase: "rajada",
        clientes: fim - inicio,
        ms: performance.now() - comeco,
      });
    }
  } finally {
    for (const cliente of clientes) cliente.fechar();
    await comPrazo(
      Promise.allSettled(clientes.map((cliente) => cliente.fim)),
      PRAZO_MS,
      "fechar os clientes ociosos",
    );
  }
}

/**
 * Uma conexão curta, enxuta: escreve bytes inteiros e lê quadros com o
 * `Decodificador`, sem o `Cliente` (o custo medido é o do servidor).
 */
class Curta {
  readonly #conn: Deno.Conn;
  readonly #buffer = new Uint8Array(4096);
  readonly #decodificador = new Decodificador({ limites: limitesDoCliente() });
  readonly #quadros: Quadro[] = [];

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  async escrever(bytes: Uint8Array): Promise<void> {
    let escritos = 0;
    while (escritos < bytes.length) {
      escritos += await this.#conn.write(bytes.subarray(escritos));
    }
  }

  /** Lê até `quantos` bytes chegarem (a linha de base responde 9). */
  async lerBytes(quantos: number): Promise<void> {
    let lidos = 0;
    while (lidos < quantos) {
      const n = await this.#conn.read(this.#buffer);
      if (n === null) throw new Error("a conexão acabou antes da resposta");
      lidos += n;
    }
  }

  /** O próximo quadro do tipo pedido; um ERRO ou o fim viram exceção. */
  async esperar(tipo: Tipo): Promise<void> {
    // Cada volta lê um pedaço; termina no quadro, no fim ou num ERRO.
    while (true) {
      const quadro = this.#quadros.shift();
      if (quadro?.tipo === tipo) return;
      if (quadro?.tipo === Tipo.ERRO) {
        throw new Error(`ERRO ${quadro.codigo}: ${quadro.texto}`);
      }
      if (quadro) continue;
      const n = await this.#conn.read(this.#buffer);
      if (n === null) throw new Error(`a conexão acabou esperando ${tipo}`);
      this.#decodificador.decodificar(
        this.#buffer.subarray(0, n),
        (q) => this.#quadros.push(q),
      );
    }
  }

  /** Lê e descarta até o fim que o servidor dá. */
  async esperarFim(): Promise<void> {
    // Termina quando o par fecha; o servidor fecha logo depois da despedida.
    while (await this.#conn.read(this.#buffer) !== null) {
      // Descarta.
    }
  }

  fechar(): void {
    try {
      this.#conn.close();
    } catch {
      // Já fechada.
    }
  }
}

/** Muitas sessões curtas de uma mensagem, `--clientes` de cada vez. */
async function sessoes(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      porta: { type: "string" },
      clientes: { type: "string", default: "64" },
      duracao: { type: "string", default: "1000" },
      cru: { type: "boolean", default: false },
      "tls-ca": { type: "string" },
    },
  });
  const porta = Number(values.porta);
  const ca = lerCa(values["tls-ca"]);
  const cru = values.cru;
  const despedida = codificar({ tipo: Tipo.DESPEDIDA });
  const sessao = async () => {
    const curta = new Curta(await conectar(porta, ca));
    try {
      const mensagem = codificarMensagem({
        numero: 1,
        instante: Date.now(),
        fuso: 0,
        assunto: "curta",
        texto: "uma mensagem por conexão",
      });
      if (cru) {
        await curta.escrever(mensagem);
        await curta.lerBytes(BYTES_CONFIRMACAO);
      } else {
        await curta.escrever(saudacao());
        await curta.esperar(Tipo.OLA_SERVIDOR);
        await curta.escrever(mensagem);
        await curta.esperar(Tipo.CONFIRMACAO);
        await curta.escrever(despedida);
        await curta.esperar(Tipo.DESPEDIDA);
      }
      await curta.esperarFim();
    } finally {
      curta.fechar();
    }
  };
  await sessao(); // aquece (e confere que a sessão funciona)
  let feitas = 0;
  const inicio = performance.now();
  const limite = inicio + Number(values.duracao);
  await Promise.all(
    Array.from({ length: Number(values.clientes) }, async () => {
      // Limitado pelo relógio.
      while (performance.now() < limite) {
        await sessao();
        feitas++;
      }
    }),
  );
  relatar({
    modo: cru ? "sessoes-cru" : "sessoes",
    tls: ca !== undefined,
    sessoes: feitas,
    // A sessão de aquecimento também deixou uma mensagem no servidor.
    mensagens: feitas + 1,
    ms: performance.now() - inicio,
  });
}

/** Onde fica, em cada linha do `--json`, a letra do evento: `{"evento":"m`. */
const LETRA_DO_EVENTO = '{"evento":"'.length;
const M = 0x6d;

/**
 * Conta as linhas de mensagem de um `--json` lido aos pedaços: a letra do
 * evento de cada linha, `m` só em `"mensagem"`. As outras linhas não entram:
 * com a saída lotada, o servidor troca os eventos de conexão (conectou,
 * saiu) por um aviso de omitidos, escrito só no evento seguinte.
 */
class LinhasDeMensagem {
  mensagens = 0;
  /** Bytes até a letra do evento da linha corrente; -1: já conferida. */
  #ate = LETRA_DO_EVENTO;

  contar(bytes: Uint8Array): void {
    let i = 0;
    // Cada volta passa de uma linha para a seguinte.
    while (i < bytes.length) {
      if (this.#ate >= 0) {
        const j = i + this.#ate;
        if (j >= bytes.length) {
          this.#ate = j - bytes.length;
          return;
        }
        if (bytes[j] === M) this.mensagens++;
        this.#ate = -1;
        i = j;
      }
      const nl = bytes.indexOf(0x0a, i);
      if (nl === -1) return;
      i = nl + 1;
      this.#ate = LETRA_DO_EVENTO;
    }
  }
}

/**
 * Conta as mensagens que o servidor acrescenta ao arquivo, à medida que
 * chegam, até `alvo()` (conhecido só no fim do envio) ou o prazo.
 */
async function contarMensagensAte(
  arquivo: string,
  alvo: () => number,
  prazoMs: number,
): Promise<number> {
  using leitor = await Deno.open(arquivo, { read: true });
  const buffer = new Uint8Array(1024 * 1024);
  const linhas = new LinhasDeMensagem();
  const limite = performance.now() + prazoMs;
  // Limitado pelo prazo.
  while (linhas.mensagens < alvo()) {
    const n = await leitor.read(buffer);
    if (n !== null) {
      linhas.contar(buffer.subarray(0, n));
      continue;
    }
    if (performance.now() > limite) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return linhas.mensagens;
}

/**
 * O texto do cliente original: blocos crus por `--conexoes`, sem
 * confirmação, até o prazo; depois CODIGO_SAIDA, e o tempo vai até o
 * `--arquivo` do servidor (`--json`, esvaziado antes) ter a linha de cada
 * mensagem.
 */
async function legado(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      porta: { type: "string" },
      conexoes: { type: "string", default: "1" },
      assunto: { type: "string", default: "10" },
      texto: { type: "string", default: "90" },
      duracao: { type: "string", default: "1000" },
      arquivo: { type: "string" },
    },
  });
  const porta = Number(values.porta);
  const conexoes = Number(values.conexoes);
  const { assunto, texto } = conteudo(
    Number(values.assunto),
    Number(values.texto),
  );
  // Um lote de ~256 KiB de blocos numerados de 1 em diante, repetido: o
  // servidor não exige numeração crescente do cliente original.
  const blocos: Uint8Array[] = [];
  let tamanho = 0;
  const instante = Date.now();
  for (let numero = 1; tamanho < BYTES_POR_LOTE; numero++) {
    const bloco = codificarBlocoLegado({
      numero,
      instante,
      fuso: 0,
      assunto,
      texto,
    });
    blocos.push(bloco);
    tamanho += bloco.length;
  }
  const lote = new Uint8Array(tamanho);
  blocos.reduce((posicao, bloco) => {
    lote.set(bloco, posicao);
    return posicao + bloco.length;
  }, 0);
  const conns = await Promise.all(
    Array.from(
      { length: conexoes },
      () => Deno.connect({ hostname: HOST, port: porta }),
    ),
  );
  let mensagens = 0;
  let enviado = false;
  const contando = contarMensagensAte(
    values.arquivo!,
    () => enviado ? mensagens : Infinity,
    PRAZO_MS,
  );
  try {
    const inicio = performance.now();
    const limite = inicio + Number(values.duracao);
    await Promise.all(conns.map(async (conn) => {
      const curta = new Curta(conn);
      // Limitado pelo relógio.
      while (performance.now() < limite) {
        await curta.escrever(lote);
        mensagens += blocos.length;
      }
      // Como o cliente.py: CODIGO_SAIDA e fecha. Sem fechar, o "saiu" da
      // conexão só chegava ao arquivo no prazo de 1 s que o servidor dá ao
      // par para fechar (ESPERA_FECHAMENTO_MS), e o segundo entrava na conta.
      await curta.escrever(BYTES_CODIGO_SAIDA);
      conn.close();
    }));
    enviado = true;
    const escritas = await contando;
    const ms = performance.now() - inicio;
    if (escritas < mensagens) {
      throw new Error(
        `o arquivo tem ${escritas} linhas de mensagem; esperava ${mensagens}`,
      );
    }
    relatar({
      modo: "legado",
      conexoes,
      mensagens,
      bytesBlocos: Math.round(mensagens / blocos.length * tamanho),
      ms,
    });
  } finally {
    enviado = true;
    for (const conn of conns) {
      try {
        conn.close();
      } catch {
        // Já fechada.
      }
    }
  }
}

/** Mensagens sem confirmação, no máximo, no modo de reconexão. */
const FILA_RECONEXAO = 10_000;

/** O relógio de parede em ms, com frações: comparável entre processos. */
function agora(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Uma sessão que reconecta, mandando sem parar, para o cenário 13: o banco
 * derruba e reinicia o servidor na mesma porta, e mede do servidor pronto à
 * primeira confirmação nova. Cada `Deno.connect` deste processo (só a sessão
 * conecta) é cronometrado: o início da tentativa que deu certo separa a
 * espera do cliente (a retomada dorme entre tentativas) do resto (conectar,
 * saudar, reenviar, gravar, confirmar).
 */
async function reconexao(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      porta: { type: "string" },
      intervalo: { type: "string", default: "2" },
      assunto: { type: "string", default: "10" },
      texto: { type: "string", default: "90" },
    },
  });
  const porta = Number(values.porta);
  const intervalo = Number(values.intervalo);
  const { assunto, texto } = conteudo(
    Number(values.assunto),
    Number(values.texto),
  );
  let tentativas = 0;
  let ultimaTentativa = 0;
  const conectarDeVerdade = Deno.connect;
  Object.defineProperty(Deno, "connect", {
    value: (...argumentos: unknown[]) => {
      tentativas++;
      ultimaTentativa = agora();
      return Reflect.apply(conectarDeVerdade, Deno, argumentos);
    },
  });

  /** Relatar a próxima confirmação (a primeira, e a primeira depois de voltar). */
  let esperandoNova = true;
  let enviadas = 0;
  let confirmadas = 0;
  let falha: string | undefined;
  const avisar = (aviso: string) => {
    if (!aviso.startsWith("reconectado")) {
      esperandoNova = false;
      tentativas = 0;
      relatar({ evento: "caiu", t: agora(), aviso });
      return;
    }
    relatar({
      evento: "reconectado",
      t: agora(),
      tentativa: ultimaTentativa,
      tentativas,
    });
    // As que o servidor diz já ter gravado resolvem dentro da retomada, em
    // microtarefas enfileiradas antes desta: não são confirmações novas.
    queueMicrotask(() => esperandoNova = true);
  };
  const sessao = await SessaoRetomavel.conectar(
    { host: HOST, porta, tempoLimite: PRAZO_MS },
    { aposDespedida: true, avisar },
  );
  const aoConfirmar = (numero: number) => {
    confirmadas++;
    if (!esperandoNova) return;
    esperandoNova = false;
    relatar({ evento: "confirmada", t: agora(), numero });
  };
  let parar = false;
  new LeitorDeLinhas(Deno.stdin.readable).proxima().finally(() => parar = true);
  // Limitado pela entrada: o banco a fecha depois da última rodada.
  while (!parar && falha === undefined) {
    if (enviadas - confirmadas < FILA_RECONEXAO) {
      const mensagem = sessao.compor(assunto, texto);
      enviadas++;
      sessao.enviar(mensagem).then(
        () => aoConfirmar(mensagem.numero),
        (erro) => falha ??= (erro as Error).message,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalo));
  }
  const fim = await sessao.sair();
  relatar({
    evento: "fim",
    enviadas,
    confirmadas,
    falha: falha ?? fim?.message ?? null,
  });
}

const MODOS: Record<string, (args: string[]) => Promise<void>> = {
  vazao,
  latencia,
  pingue,
  ociosos,
  sessoes,
  legado,
  reconexao,
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
