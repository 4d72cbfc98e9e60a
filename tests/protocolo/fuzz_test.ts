/**
 * Fuzz reproduzível do decodificador (lib/protocolo/decodificador.ts). Um PRNG com semente
 * (mulberry32) gera fluxos aleatórios e mutações de fluxos válidos (bits
 * trocados, truncamento, fatias duplicadas, comprimentos aleatórios até
 * 0xFFFFFFFF), cortados em pedaços aleatórios. Confere que:
 *
 * - a única exceção que sai do decodificador é ErroDeProtocolo, com um código
 *   conhecido;
 * - um fluxo válido sem mutação volta exatamente aos quadros de origem;
 * - o decodificador nunca aloca um buffer maior que o maior limite (logo nunca
 *   guarda mais que limite + 5 bytes de cabeçalho), qualquer que seja o
 *   comprimento declarado;
 * - os quadros entregues respeitam os limites (por exemplo, assunto + texto de
 *   uma MENSAGEM nunca passa do tamanho máximo).
 *
 * A semente aparece na mensagem de falha. Para repetir outra semente:
 * `SEMENTE_FUZZ=123 deno test --allow-env=SEMENTE_FUZZ tests/protocolo/fuzz_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CodigoErro, ErroDeProtocolo } from "../../lib/erros.ts";
import { juntar } from "../bytes.ts";
import { codificar } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  CABECALHO,
  type Limites,
  limitesDoCliente,
  limitesDoServidor,
  type Quadro,
  tamanhoDaMensagem,
  Tipo,
} from "../../lib/protocolo/quadros.ts";
import { mulberry32 } from "../dados.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";

// ---------------------------------------------------------------------------
// PRNG

class Sorteio {
  #proximo: () => number;
  constructor(semente: number) {
    this.#proximo = mulberry32(semente);
  }
  /** Real em [0, 1). */
  real(): number {
    return this.#proximo();
  }
  /** Inteiro em [de, ate]. */
  inteiro(de: number, ate: number): number {
    return de + Math.floor(this.#proximo() * (ate - de + 1));
  }
  chance(p: number): boolean {
    return this.#proximo() < p;
  }
  um<T>(itens: readonly T[]): T {
    return itens[Math.floor(this.#proximo() * itens.length)];
  }
  u32(): number {
    return Math.floor(this.#proximo() * 0x100000000);
  }
  bytes(n: number): Uint8Array {
    const saida = new Uint8Array(n);
    for (let i = 0; i < n; i++) saida[i] = Math.floor(this.#proximo() * 256);
    return saida;
  }
}

// ---------------------------------------------------------------------------
// Geradores

const PEDACOS_DE_TEXTO = [
  "a",
  "Olá",
  " ",
  "\n",
  "ç",
  "€",
  "😀",
  "👩‍👩‍👧",
  "Tudo bem?",
  "\u0000",
  "\u07ff",
  "\uffff",
  "\u{10ffff}",
];

function textoAleatorio(s: Sorteio, maximoBytes: number): string {
  let texto = "";
  const partes = s.inteiro(0, 12);
  for (let i = 0; i < partes; i++) {
    const parte = s.um(PEDACOS_DE_TEXTO);
    if (tamanhoDaMensagem(texto, parte) > maximoBytes) break;
    texto += parte;
  }
  return texto;
}

/** Um quadro válido que `limites` aceitam, com campos aleatórios. */
function quadroAleatorio(
  s: Sorteio,
  tipos: readonly Tipo[],
  tamanhoMaximo: number,
): Quadro {
  const tipo = s.um(tipos);
  switch (tipo) {
    case Tipo.OLA_CLIENTE:
      // As versões que se decodificam por inteiro: 1 (token) e 2 (sessão e token).
      return s.inteiro(1, 2) === 1
        ? { tipo, versao: 1, token: textoAleatorio(s, 64) }
        : {
          tipo,
          versao: 2,
          sessao: Array.from(
            { length: 32 },
            () => "0123456789abcdef"[s.inteiro(0, 15)],
          ).join(""),
          token: textoAleatorio(s, 64),
        };
    case Tipo.OLA_SERVIDOR:
      return s.inteiro(1, 2) === 1
        ? {
          tipo,
          versao: 1,
          tamanhoMaximo: s.u32(),
          tempoOcioso: s.u32(),
        }
        : {
          tipo,
          versao: 2,
          tamanhoMaximo: s.u32(),
          tempoOcioso: s.u32(),
          ultimoGravado: s.u32(),
        };
    case Tipo.MENSAGEM: {
      const assunto = textoAleatorio(s, tamanhoMaximo);
      const texto = textoAleatorio(
        s,
        tamanhoMaximo - tamanhoDaMensagem(assunto, ""),
      );
      return {
        tipo,
        mensagem: {
          numero: s.u32(),
          instante: s.chance(0.5)
            ? s.inteiro(0, 4_102_444_800_000)
            : (s.real() - 0.5) * 1e15,
          fuso: s.inteiro(-32768, 32767),
          assunto,
          texto,
        },
      };
    }
    case Tipo.CONFIRMACAO:
      return { tipo, numero: s.u32() };
    case Tipo.ERRO:
      return {
        tipo,
        codigo: s.inteiro(0, 0xffff),
        texto: textoAleatorio(s, 200),
      };
    case Tipo.DESPEDIDA:
    case Tipo.PING:
    case Tipo.PONG:
      return { tipo };
  }
}

/** Corta `fluxo` em pedaços de tamanhos aleatórios (às vezes 1 byte só). */
function cortar(s: Sorteio, fluxo: Uint8Array): Uint8Array[] {
  const pedacos: Uint8Array[] = [];
  const estilo = s.inteiro(0, 3);
  let pos = 0;
  while (pos < fluxo.length) {
    const tamanho = estilo === 0
      ? 1
      : estilo === 1
      ? s.inteiro(1, 8)
      : estilo === 2
      ? s.inteiro(1, 300)
      : fluxo.length;
    // Às vezes uma cópia, às vezes uma vista (com byteOffset não nulo).
    const fatia = fluxo.subarray(pos, pos + tamanho);
    pedacos.push(s.chance(0.3) ? fatia.slice() : fatia);
    pos += tamanho;
  }
  if (s.chance(0.1)) {
    pedacos.splice(s.inteiro(0, pedacos.length), 0, new Uint8Array(0));
  }
  return pedacos;
}

/** Aplica de 1 a 4 mutações a um fluxo (sempre devolve um buffer novo). */
function mutar(
  s: Sorteio,
  original: Uint8Array,
  inicios: number[],
): Uint8Array {
  let fluxo: Uint8Array = original.slice();
  const mutacoes = s.inteiro(1, 4);
  for (let m = 0; m < mutacoes; m++) {
    switch (s.inteiro(0, 6)) {
      case 0: { // troca de um bit
        if (fluxo.length === 0) break;
        fluxo[s.inteiro(0, fluxo.length - 1)] ^= 1 << s.inteiro(0, 7);
        break;
      }
      case 1: // truncamento
        fluxo = fluxo.slice(0, s.inteiro(0, fluxo.length));
        break;
      case 2: { // fatia duplicada logo depois de si
        if (fluxo.length === 0) break;
        const de = s.inteiro(0, fluxo.length - 1);
        const ate = s.inteiro(de, Math.min(fluxo.length, de + 64));
        fluxo = juntar(
          fluxo.subarray(0, ate),
          fluxo.subarray(de, ate),
          fluxo.subarray(ate),
        );
        break;
      }
      case 3: { // comprimento aleatório num cabeçalho (até 0xFFFFFFFF)
        const inicio = s.um(inicios);
        if (inicio + 4 > fluxo.length) break;
        const comprimento = s.um([
          s.u32(),
          0xffffffff,
          0x80000000,
          s.inteiro(0, 2048),
          s.inteiro(0, 20),
        ]);
        new DataView(fluxo.buffer).setUint32(inicio, comprimento);
        break;
      }
      case 4: { // tipo aleatório num cabeçalho
        const inicio = s.um(inicios);
        if (inicio + 4 >= fluxo.length) break;
        fluxo[inicio + 4] = s.inteiro(0, 255);
        break;
      }
      case 5: { // bytes aleatórios no meio
        const pos = s.inteiro(0, fluxo.length);
        fluxo = juntar(
          fluxo.subarray(0, pos),
          s.bytes(s.inteiro(1, 16)),
          fluxo.subarray(pos),
        );
        break;
      }
      case 6: { // trecho apagado
        const de = s.inteiro(0, fluxo.length);
        const ate = s.inteiro(de, Math.min(fluxo.length, de + 32));
        fluxo = juntar(fluxo.subarray(0, de), fluxo.subarray(ate));
        break;
      }
    }
  }
  return fluxo;
}

/** Quadros de tamanho pequeno e tipo aleatório: cabeçalhos plausíveis, corpo lixo. */
function lixoEstruturado(s: Sorteio): Uint8Array {
  const partes: Uint8Array[] = [];
  const n = s.inteiro(1, 8);
  for (let i = 0; i < n; i++) {
    const corpo = s.bytes(s.inteiro(0, 40));
    const cabecalho = new Uint8Array(CABECALHO);
    new DataView(cabecalho.buffer).setUint32(0, corpo.length);
    cabecalho[4] = s.chance(0.8) ? s.inteiro(1, 8) : s.inteiro(0, 255);
    partes.push(cabecalho, corpo);
  }
  return juntar(...partes);
}

// ---------------------------------------------------------------------------
// Espião de alocação

const U8Original = globalThis.Uint8Array;
let maiorAlocacao = 0;

/** Troca `Uint8Array` global por um Proxy que anota o maior `new Uint8Array(n)`. */
const U8Espiao = new Proxy(U8Original, {
  construct(alvo, args, novoAlvo) {
    if (typeof args[0] === "number" && args[0] > maiorAlocacao) {
      maiorAlocacao = args[0];
    }
    return Reflect.construct(alvo, args, novoAlvo);
  },
});

/** Roda `acao` com o espião instalado; devolve a maior alocação vista. */
function espiando(acao: () => void): number {
  maiorAlocacao = 0;
  globalThis.Uint8Array = U8Espiao;
  try {
    acao();
  } finally {
    globalThis.Uint8Array = U8Original;
  }
  return maiorAlocacao;
}

// ---------------------------------------------------------------------------
// Um caso

interface Perfil {
  nome: string;
  limites: Limites;
  saudacao: Tipo | undefined;
  tipos: readonly Tipo[];
  tamanhoMaximo: number;
}

function perfis(s: Sorteio): Perfil[] {
  const tamanhoMaximo = s.um([0, 1, 16, 100, 1024, 4096]);
  const doServidor: Tipo[] = [
    Tipo.OLA_CLIENTE,
    Tipo.MENSAGEM,
    Tipo.DESPEDIDA,
    Tipo.ERRO,
    Tipo.PING,
    Tipo.PONG,
  ];
  const doCliente: Tipo[] = [
    Tipo.OLA_SERVIDOR,
    Tipo.CONFIRMACAO,
    Tipo.DESPEDIDA,
    Tipo.ERRO,
    Tipo.PING,
    Tipo.PONG,
  ];
  return [
    {
      nome: `servidor(${tamanhoMaximo}) com saudação`,
      limites: limitesDoServidor(tamanhoMaximo),
      saudacao: Tipo.OLA_CLIENTE,
      tipos: doServidor,
      tamanhoMaximo,
    },
    {
      nome: `servidor(${tamanhoMaximo}) sem saudação`,
      limites: limitesDoServidor(tamanhoMaximo),
      saudacao: undefined,
      tipos: doServidor,
      tamanhoMaximo,
    },
    {
      nome: "cliente",
      limites: limitesDoCliente(),
      saudacao: s.chance(0.5) ? Tipo.OLA_SERVIDOR : undefined,
      tipos: doCliente,
      tamanhoMaximo: 0,
    },
  ];
}

const CODIGOS = new Set<number>(Object.values(CodigoErro));

function maiorLimite(limites: Limites): number {
  return Math.max(...Object.values(limites));
}

/** Confere que um quadro entregue é coerente com os limites do perfil. */
function conferirQuadro(quadro: Quadro, perfil: Perfil) {
  const limite = perfil.limites[quadro.tipo];
  assert.ok(
    limite !== undefined,
    `tipo 0x${quadro.tipo.toString(16)} entregue`,
  );
  switch (quadro.tipo) {
    case Tipo.MENSAGEM: {
      const m = quadro.mensagem;
      assert.ok(
        Number.isInteger(m.numero) && m.numero >= 0 && m.numero <= 0xffffffff,
      );
      assert.ok(Number.isFinite(m.instante), "instante finito");
      assert.ok(
        Number.isInteger(m.fuso) && m.fuso >= -32768 && m.fuso <= 32767,
      );
      assert.ok(
        tamanhoDaMensagem(m.assunto, m.texto) <= perfil.tamanhoMaximo,
        "mensagem dentro do tamanho máximo",
      );
      break;
    }
    case Tipo.CONFIRMACAO:
      assert.ok(quadro.numero >= 0 && quadro.numero <= 0xffffffff);
      break;
    case Tipo.ERRO:
      assert.ok(quadro.codigo >= 0 && quadro.codigo <= 0xffff);
      break;
    case Tipo.OLA_CLIENTE:
    case Tipo.OLA_SERVIDOR:
      assert.ok(quadro.versao >= 0 && quadro.versao <= 255);
      break;
  }
}

/**
 * Alimenta o decodificador com os pedaços; devolve os quadros e o erro de
 * protocolo (se houve). Qualquer outra exceção sobe e derruba o teste.
 */
function alimentar(
  perfil: Perfil,
  pedacos: Uint8Array[],
): { quadros: Quadro[]; erro?: ErroDeProtocolo; alocacao: number } {
  const quadros: Quadro[] = [];
  let erro: ErroDeProtocolo | undefined;
  const alocacao = espiando(() => {
    const d = new Decodificador({
      mensagens: MensagemNoLugar,
      limites: perfil.limites,
      saudacao: perfil.saudacao,
    });
    try {
      for (const pedaco of pedacos) {
        d.decodificar(pedaco, (q) => quadros.push(q));
      }
    } catch (e) {
      if (!(e instanceof ErroDeProtocolo)) throw e;
      erro = e;
    }
  });
  if (erro !== undefined) {
    assert.ok(CODIGOS.has(erro.codigo), `código desconhecido ${erro.codigo}`);
    assert.ok(erro.message.length > 0);
  }
  return erro === undefined
    ? { quadros, alocacao }
    : { quadros, erro, alocacao };
}

/** Um caso completo do fuzz para um sorteio; lança em caso de falha. */
function umCaso(s: Sorteio): void {
  for (const perfil of perfis(s)) {
    const limiteMaior = maiorLimite(perfil.limites);
    // Fluxo válido: começa pela saudação quando o perfil a exige.
    const quadros: Quadro[] = [];
    if (perfil.saudacao !== undefined) {
      quadros.push(quadroAleatorio(s, [perfil.saudacao], perfil.tamanhoMaximo));
    }
    const n = s.inteiro(0, 8);
    for (let i = 0; i < n; i++) {
      quadros.push(quadroAleatorio(s, perfil.tipos, perfil.tamanhoMaximo));
    }
    const codificados = quadros.map(codificar);
    const inicios: number[] = [0];
    for (const c of codificados) inicios.push(inicios.at(-1)! + c.length);
    const valido = juntar(...codificados);

    // 1. Sem mutação: os mesmos quadros, sem erro.
    const limpo = alimentar(perfil, cortar(s, valido));
    assert.equal(limpo.erro, undefined, `${perfil.nome}: erro em fluxo válido`);
    assert.deepEqual(limpo.quadros, quadros, `${perfil.nome}: ida e volta`);
    assert.ok(limpo.alocacao <= limiteMaior);

    // 2. Com mutações, 3. bytes aleatórios, 4. cabeçalhos plausíveis e corpos lixo.
    const entradas = [
      mutar(s, valido, inicios),
      s.bytes(s.inteiro(0, 64)),
      lixoEstruturado(s),
    ];
    for (const entrada of entradas) {
      const r = alimentar(perfil, cortar(s, entrada));
      assert.ok(
        r.alocacao <= limiteMaior,
        `${perfil.nome}: alocou ${r.alocacao} bytes com limite ${limiteMaior}`,
      );
      for (const q of r.quadros) conferirQuadro(q, perfil);
    }
  }
}

// ---------------------------------------------------------------------------
// Testes

const SEMENTES_FIXAS = [1, 2, 3, 42, 0xc0ffee, 0xdeadbeef];

/** Uma semente extra, só se a permissão já estiver concedida (sem perguntar). */
function sementeDoAmbiente(): number | undefined {
  const permissao = Deno.permissions.querySync({
    name: "env",
    variable: "SEMENTE_FUZZ",
  });
  if (permissao.state !== "granted") return undefined;
  const valor = Deno.env.get("SEMENTE_FUZZ");
  if (valor === undefined || valor === "") return undefined;
  const semente = Number(valor);
  if (!Number.isInteger(semente)) {
    throw new TypeError(`SEMENTE_FUZZ inválida: ${valor}`);
  }
  return semente >>> 0;
}

const CASOS_POR_SEMENTE = 800;
const ORCAMENTO_MS = 2_000;

Deno.test("fuzz: o decodificador só lança ErroDeProtocolo e nunca aloca além do limite", async (t) => {
  const inicio = performance.now();
  const extra = sementeDoAmbiente();
  const sementes = extra === undefined ? SEMENTES_FIXAS : [extra];
  const orcamentoPorSemente = ORCAMENTO_MS / sementes.length;
  let total = 0;
  for (const semente of sementes) {
    await t.step(`semente ${semente}`, () => {
      const s = new Sorteio(semente);
      const comeco = performance.now();
      for (let caso = 0; caso < CASOS_POR_SEMENTE; caso++) {
        if (performance.now() - comeco > orcamentoPorSemente) break;
        try {
          umCaso(s);
        } catch (erro) {
          // A semente e o número do caso bastam para repetir a falha.
          throw new Error(
            `fuzz falhou com a semente ${semente}, caso ${caso}: ${erro}`,
            { cause: erro },
          );
        }
        total++;
      }
    });
  }
  assert.ok(total > 0, "nenhum caso rodou");
  assert.ok(performance.now() - inicio < 3_000, "o fuzz passou de 3 s");
});

Deno.test("fuzz: comprimentos enormes não fazem o heap crescer", () => {
  // Cada cabeçalho declara um comprimento aleatório, acima do maior limite
  // destes tipos (a saudação da versão 2: 8 + 32 + 4096) e até 0xFFFFFFFF, com um tipo
  // aceito. Um decodificador que alocasse pelo cabeçalho antes de conferir o
  // limite pediria gigabytes; aqui o heap tem de ficar praticamente parado.
  // Sem gc garantido, a folga é larga (32 MB), mas bem abaixo de uma única
  // alocação indevida de 0x80000000 bytes ou mais.
  const s = new Sorteio(0x5eed);
  const limites = limitesDoServidor(1024);
  const tipos = [Tipo.MENSAGEM, Tipo.OLA_CLIENTE, Tipo.ERRO, Tipo.DESPEDIDA];
  const cabecalho = new Uint8Array(CABECALHO);
  const vista = new DataView(cabecalho.buffer);
  const antes = Deno.memoryUsage().heapUsed;
  let recusados = 0;
  let maior = 0;
  for (let i = 0; i < 5_000; i++) {
    vista.setUint32(
      0,
      s.um([s.inteiro(4137, 0xffffffff), 0xffffffff, 0x7fffffff, 4137]),
    );
    cabecalho[4] = s.um(tipos);
    maior = Math.max(
      maior,
      espiando(() => {
        const d = new Decodificador({ mensagens: MensagemNoLugar, limites });
        try {
          d.decodificar(cabecalho, () => {});
        } catch (e) {
          if (!(e instanceof ErroDeProtocolo)) throw e;
          recusados++;
        }
      }),
    );
  }
  const crescimento = Deno.memoryUsage().heapUsed - antes;
  assert.equal(recusados, 5_000, "todo comprimento acima do limite é recusado");
  assert.ok(maior <= maiorLimite(limites), `alocou ${maior} bytes`);
  assert.ok(
    crescimento < 32 * 1024 * 1024,
    `heap cresceu ${crescimento} bytes`,
  );
});

Deno.test("fuzz: o espião de alocação enxerga o corpo alocado pelo decodificador", () => {
  // Garante que o espião funciona: um cabeçalho de MENSAGEM no limite, sem o
  // corpo, faz o decodificador alocar exatamente o corpo declarado.
  const limites = limitesDoServidor(1024);
  const cabecalho = new Uint8Array(CABECALHO);
  new DataView(cabecalho.buffer).setUint32(0, 16 + 1024);
  cabecalho[4] = Tipo.MENSAGEM;
  const alocado = espiando(() => {
    new Decodificador({ mensagens: MensagemNoLugar, limites }).decodificar(
      cabecalho,
      () => {},
    );
  });
  assert.equal(alocado, 16 + 1024);
  assert.equal(globalThis.Uint8Array, U8Original, "espião removido");
});
