/**
 * A passagem: o caminho mais quente do servidor. Os quadros MENSAGEM de uma
 * leitura viram linhas do log (JSON ou blocos legíveis) num laço só, no
 * núcleo em WebAssembly (nucleo/fonte/passagem.ts), sem objeto, evento nem
 * `string` por mensagem; as linhas saem iguais, byte a byte, às do caminho
 * comum (`json.ts`, `legivel.ts`, com o teste de equivalência). O que o
 * núcleo não sabe levar — outro tipo de quadro, um byte a escapar, um número
 * fora de ordem — fica para a sessão, que o passa ao `Decodificador`.
 *
 * @module
 */

import type {
  DaLeitura,
  OrigemDaLeitura,
  OrigemLegada,
  Passagem,
  PassagemLegada,
} from "../servidor/eventos.ts";
import type { Montador, SaidaEmLotes } from "./lotes.ts";
import { NUCLEO } from "./nucleo/binario.ts";

/** Quantos pedaços a linha tem (nucleo/fonte/passagem.ts, `PEDACOS`). */
const PEDACOS = 10;
const TAMANHO_PEDACO = 1024;
/** O que segue o fim do título no bloco do original, até o assunto. */
const ROTULO_ASSUNTO = new TextEncoder().encode("\n\n> ASSUNTO:\n");

/**
 * A partir de quantos bytes as linhas de uma leitura vão direto da memória do
 * núcleo para o arquivo (`escreverJa`): uma gravação a mais custa uns µs,
 * o mesmo que copiar dezenas de KiB para o lote. Abaixo disso (sessões curtas,
 * uma mensagem por vez), o lote junta as linhas de várias sessões.
 */
const GRAVACAO_DIRETA_MINIMA = 32 * 1024;

/** Por que o núcleo parou (os mesmos números de lá). */
const Motivo = { FIM: 0, CHAVE: 1, CHEIA: 2, OUTRO: 3 } as const;

/** As funções e as regiões que o núcleo exporta. */
interface Nucleo {
  memory: WebAssembly.Memory;
  REGIAO_PEDACOS: WebAssembly.Global;
  REGIAO_TITULO: WebAssembly.Global;
  REGIAO_ENTRADA: WebAssembly.Global;
  CAPACIDADE_ENTRADA: WebAssembly.Global;
  REGIAO_SAIDA: WebAssembly.Global;
  pedaco(i: number, comprimento: number): void;
  configurar(
    limite: number,
    ultimo: number,
    chave: number,
    fuso: number,
    json: number,
    largura: number,
  ): void;
  trocarChave(chave: number, fuso: number): void;
  chaveDe(instante: number, fuso: number): number;
  passar(inicio: number, fim: number, saida: number): number;
  passarLegado(inicio: number, fim: number, saida: number): number;
  posicaoFinal(): number;
  saidaFinal(): number;
  mensagensPassadas(): number;
  ultimoPassado(): number;
  instanteDoQuadro(): number;
  fusoDoQuadro(): number;
}

/**
 * Os pedaços fixos da linha de um formato, entre os campos que o núcleo
 * escreve: `0 1 número 2 3 4 5 número 6 [ms 7] assunto 8 texto 9`
 * (veja a fonte do núcleo). Um pedaço que muda é trocado por outro objeto.
 */
export interface Moldes {
  /** JSON: a chave é o segundo UTC e o fuso, e a linha leva os milissegundos. */
  readonly json: boolean;
  /** Dígitos mínimos do primeiro número (3 no bloco: `#007`). */
  readonly largura: number;
  readonly pedacos: readonly Uint8Array[];
  /** Os pedaços da conexão e da hora da leitura. */
  daLeitura(origem: DaLeitura): void;
  /** Os pedaços do segundo de `instante`; `false` se ele não cabe no molde. */
  doSegundo(instante: number, fuso: number): boolean;
}

let modulo: WebAssembly.Module | undefined;

/**
 * A passagem para `saida` com estes moldes, ou `undefined` se o WebAssembly
 * (com SIMD) não estiver disponível: aí tudo vai pelo caminho comum.
 * `antes(instante)` é chamado antes das linhas de cada leitura (o aviso de
 * eventos omitidos vem antes delas).
 */
export function criarPassagem(
  saida: SaidaEmLotes,
  moldes: Moldes,
  antes: (instante: number) => void,
): Passagem | undefined {
  const nucleo = instanciar();
  return nucleo && new PassagemParaSaida(nucleo, saida, moldes, antes);
}

/**
 * A passagem dos blocos do cliente original (só para o log JSON), com os
 * moldes da linha de mensagem com `"legado":true`; `undefined` sem
 * WebAssembly. Uma instância do núcleo só dela (1 MiB), criada na primeira
 * leitura de um cliente original.
 */
export function criarPassagemLegada(
  saida: SaidaEmLotes,
  moldes: Moldes,
  antes: (instante: number) => void,
): PassagemLegada | undefined {
  const nucleo = instanciar();
  return nucleo && new PassagemLegadaParaSaida(nucleo, saida, moldes, antes);
}

function instanciar(): Nucleo | undefined {
  try {
    modulo ??= new WebAssembly.Module(NUCLEO as Uint8Array<ArrayBuffer>);
    const { exports } = new WebAssembly.Instance(modulo, {});
    return exports as unknown as Nucleo;
  } catch {
    return undefined;
  }
}

class PassagemParaSaida implements Passagem, Montador {
  mensagens = 0;
  ultimoNumero = 0;
  readonly #nucleo: Nucleo;
  readonly #memoria: Uint8Array;
  readonly #saida: SaidaEmLotes;
  readonly #moldes: Moldes;
  readonly #antes: (instante: number) => void;
  readonly #regiaoPedacos: number;
  readonly #regiaoTitulo: number;
  readonly #regiaoEntrada: number;
  readonly #capacidadeEntrada: number;
  readonly #regiaoSaida: number;
  /** O pedaço que está em cada espaço do núcleo. */
  readonly #copiados: (Uint8Array | undefined)[] = [];
  #chave = NaN;
  #fuso = 0;
  /** Fim das linhas na região de saída, para `montar`. */
  #fimDasLinhas = 0;
  /**
   * Os bytes que estão na região de entrada: `[#espelhoDe, #espelhoAte)` da
   * leitura de `#espelho`. Quando a sessão volta com a mesma leitura (depois
   * de um quadro que o núcleo não levou), o resto não é copiado de novo: sem
   * isso, cada quadro recusado custava copiar o resto da leitura inteira.
   * Fraca: a passagem não prende o buffer de leitura de ninguém.
   */
  #espelho: WeakRef<Uint8Array> | undefined;
  #espelhoDe = 0;
  #espelhoAte = 0;

  constructor(
    nucleo: Nucleo,
    saida: SaidaEmLotes,
    moldes: Moldes,
    antes: (instante: number) => void,
  ) {
    this.#nucleo = nucleo;
    // A memória do núcleo tem tamanho fixo: esta vista vale para sempre.
    this.#memoria = new Uint8Array(nucleo.memory.buffer);
    this.#saida = saida;
    this.#moldes = moldes;
    this.#antes = antes;
    this.#regiaoPedacos = nucleo.REGIAO_PEDACOS.value;
    this.#regiaoTitulo = nucleo.REGIAO_TITULO.value;
    this.#regiaoEntrada = nucleo.REGIAO_ENTRADA.value;
    this.#capacidadeEntrada = nucleo.CAPACIDADE_ENTRADA.value;
    this.#regiaoSaida = nucleo.REGIAO_SAIDA.value;
  }

  passar(bytes: Uint8Array, inicio: number, origem: OrigemDaLeitura): number {
    this.mensagens = 0;
    this.ultimoNumero = origem.ultimoNumero;
    if (!this.#prepararLeitura(origem)) return inicio;
    const moldes = this.#moldes;
    this.#nucleo.configurar(
      origem.limite,
      origem.ultimoNumero,
      this.#chave,
      this.#fuso,
      moldes.json ? 1 : 0,
      moldes.largura,
    );
    const pos = this.#percorrer(bytes, inicio, origem, false);
    // O WebAssembly devolve `u32` como `i32`: de 2³¹ em diante, negativo.
    this.ultimoNumero = this.#nucleo.ultimoPassado() >>> 0;
    return pos;
  }

  /**
   * Os blocos do cliente original (`PassagemLegada.passar`): a chave é o
   * instante do fim de título que o decodificador já leu; os pedaços do
   * segundo e o título vão para o núcleo quando ela muda.
   */
  passarLegado(
    bytes: Uint8Array,
    inicio: number,
    origem: OrigemLegada,
  ): number {
    this.mensagens = 0;
    const instante = origem.instanteDoTitulo;
    if (Number.isNaN(instante) || !this.#prepararLeitura(origem)) return inicio;
    if (instante !== this.#chave) {
      if (!this.#moldes.doSegundo(instante, 0) || !this.#copiarPedacos()) {
        return inicio;
      }
      const titulo = this.#regiaoTitulo;
      this.#memoria.set(origem.fimDoTitulo, titulo);
      this.#memoria.set(ROTULO_ASSUNTO, titulo + origem.fimDoTitulo.length);
      this.#chave = instante;
    }
    this.#nucleo.configurar(origem.tamanhoMaximo, 0, NaN, 0, 1, 1);
    return this.#percorrer(bytes, inicio, origem, true);
  }

  /** O laço das duas passagens: janelas da entrada, até o núcleo parar. */
  #percorrer(
    bytes: Uint8Array,
    inicio: number,
    origem: DaLeitura,
    legado: boolean,
  ): number {
    const nucleo = this.#nucleo;
    let pos = inicio;
    let chaveTrocadaEm = -1;
    // Cada volta consome quadros ou troca a chave uma vez por quadro.
    for (let voltas = 0; pos < bytes.length && voltas < 1_000_000; voltas++) {
      const entrada = this.#espelhar(bytes, pos);
      const fim = this.#regiaoEntrada + (this.#espelhoAte - this.#espelhoDe);
      const motivo = legado
        ? nucleo.passarLegado(entrada, fim, this.#regiaoSaida)
        : nucleo.passar(entrada, fim, this.#regiaoSaida);
      const consumidos = nucleo.posicaoFinal() - entrada;
      const linhas = nucleo.mensagensPassadas() >>> 0;
      if (linhas > 0) this.#despejar(nucleo.saidaFinal(), linhas, origem);
      pos += consumidos;
      if (motivo === Motivo.CHEIA) {
        if (linhas === 0) break; // nem uma linha cabe: caminho comum
        continue;
      }
      if (motivo === Motivo.CHAVE) {
        if (chaveTrocadaEm === pos || !this.#trocarChave()) break;
        chaveTrocadaEm = pos;
        continue;
      }
      // FIM: a janela de entrada acabou no meio de um quadro que a leitura
      // ainda tem: uma janela nova a partir dele (se ela já começava nele, o
      // quadro é maior que a região: fica para o caminho comum). OUTRO (ou o
      // fim da leitura): quem chamou continua.
      if (
        motivo === Motivo.FIM && this.#espelhoAte < bytes.length &&
        this.#espelhoDe !== pos
      ) {
        this.#espelho = undefined;
        continue;
      }
      break;
    }
    return pos;
  }

  /**
   * Garante `bytes[pos]` e o que se segue (até a capacidade) na região de
   * entrada; devolve o endereço de `bytes[pos]` lá.
   */
  #espelhar(bytes: Uint8Array, pos: number): number {
    if (
      this.#espelho?.deref() !== bytes || pos < this.#espelhoDe ||
      pos >= this.#espelhoAte
    ) {
      const ate = Math.min(bytes.length, pos + this.#capacidadeEntrada);
      this.#memoria.set(bytes.subarray(pos, ate), this.#regiaoEntrada);
      this.#espelho = new WeakRef(bytes);
      this.#espelhoDe = pos;
      this.#espelhoAte = ate;
    }
    return this.#regiaoEntrada + (pos - this.#espelhoDe);
  }

  /** Os pedaços da conexão e da leitura; `false` se algum não cabe. */
  #prepararLeitura(origem: DaLeitura): boolean {
    this.#moldes.daLeitura(origem);
    return this.#copiarPedacos();
  }

  /** O quadro da parada é de outro segundo: pedaços e chave novos. */
  #trocarChave(): boolean {
    const nucleo = this.#nucleo;
    const instante = nucleo.instanteDoQuadro();
    const fuso = nucleo.fusoDoQuadro();
    if (!this.#moldes.doSegundo(instante, fuso) || !this.#copiarPedacos()) {
      return false;
    }
    this.#chave = nucleo.chaveDe(instante, fuso);
    this.#fuso = fuso;
    nucleo.trocarChave(this.#chave, fuso);
    return true;
  }

  /** Põe no núcleo os pedaços que mudaram. */
  #copiarPedacos(): boolean {
    const pedacos = this.#moldes.pedacos;
    for (let i = 0; i < PEDACOS; i++) {
      const pedaco = pedacos[i];
      if (pedaco === this.#copiados[i]) continue;
      if (pedaco.length > TAMANHO_PEDACO - 16) {
        this.#copiados[i] = undefined;
        return false; // não cabe no espaço (um par enorme?): caminho comum
      }
      this.#memoria.set(pedaco, this.#regiaoPedacos + i * TAMANHO_PEDACO);
      this.#nucleo.pedaco(i, pedaco.length);
      this.#copiados[i] = pedaco;
    }
    return true;
  }

  /** As linhas que o núcleo escreveu vão para o lote da saída. */
  #despejar(fim: number, linhas: number, origem: DaLeitura) {
    if (this.mensagens === 0) this.#antes(origem.instante);
    this.mensagens += linhas;
    // Muitas linhas, num arquivo comum: direto da memória do núcleo. Poucas
    // vão para o lote, que junta as de várias sessões numa gravação só.
    const tamanho = fim - this.#regiaoSaida;
    if (
      tamanho >= GRAVACAO_DIRETA_MINIMA &&
      this.#saida.escreverJa(
        this.#memoria.subarray(this.#regiaoSaida, fim),
        linhas,
      )
    ) return;
    this.#fimDasLinhas = fim;
    this.#saida.escreverMontado(tamanho, this);
    this.#saida.contarMensagem(linhas);
  }

  montar(destino: Uint8Array, inicio: number): number {
    const linhas = this.#memoria.subarray(
      this.#regiaoSaida,
      this.#fimDasLinhas,
    );
    destino.set(linhas, inicio);
    return inicio + linhas.length;
  }
}

/** A passagem dos blocos do cliente original, sobre o mesmo laço. */
class PassagemLegadaParaSaida implements PassagemLegada {
  readonly #passagem: PassagemParaSaida;

  constructor(
    nucleo: Nucleo,
    saida: SaidaEmLotes,
    moldes: Moldes,
    antes: (instante: number) => void,
  ) {
    this.#passagem = new PassagemParaSaida(nucleo, saida, moldes, antes);
  }

  get mensagens(): number {
    return this.#passagem.mensagens;
  }

  passar(bytes: Uint8Array, inicio: number, origem: OrigemLegada): number {
    return this.#passagem.passarLegado(bytes, inicio, origem);
  }
}
