/**
 * Testes de lib/saida/passagem.ts: o núcleo em WebAssembly escreve, byte a
 * byte, as mesmas linhas (JSON e blocos legíveis, com e sem cores) que o
 * caminho comum — `Decodificador` e um evento por mensagem —, para mensagens
 * sorteadas de todo tipo, e para exatamente nos quadros que não sabe levar;
 * e o mesmo para os blocos do cliente original (`passagemLegada`), no laço
 * com o `DecodificadorLegado` que a sessão usa.
 *
 * @module
 */
import assert from "node:assert/strict";
import type {
  OrigemDaLeitura,
  Par,
  Passagem,
  Registro,
} from "../../lib/servidor/eventos.ts";
import {
  codificar,
  codificarMensagem,
} from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  BYTES_CODIGO_SAIDA,
  codificarBlocoLegado,
  DecodificadorLegado,
} from "../../lib/protocolo/legado.ts";
import { ErroDeProtocolo } from "../../lib/erros.ts";
import {
  limitesDoServidor,
  type Mensagem,
  type Quadro,
  Tipo,
} from "../../lib/protocolo/quadros.ts";
import { RegistroJson } from "../../lib/saida/json.ts";
import { RegistroLegivel } from "../../lib/saida/legivel.ts";
import { SaidaEmLotes } from "../../lib/saida/lotes.ts";
import { EscritorFalso } from "../ajudantes.ts";
import { juntar } from "../bytes.ts";
import { INSTANTE, MARCAS, SEM_CORES, SESSAO } from "./dados.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";

const LIMITE = 1 << 20;
const PAR_V4: Par = { endereco: "127.0.0.1", porta: 5000 };
const PAR_V6: Par = { endereco: "::1", porta: 40123 };

/** Gerador pseudoaleatório com semente (mulberry32): falhas reproduzíveis. */
function sorteador(semente: number): (n: number) => number {
  let a = semente >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const ASCII = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789.,;:!?-_()[]{}";
const RAROS = ['"', "\\", "\n", "\t", "é", "ç", "\u202e", "\x7f", "日本", "😀"];

function textoSorteado(sorte: (n: number) => number, maximo: number): string {
  const n = sorte(maximo + 1);
  let texto = "";
  for (let i = 0; i < n; i++) texto += ASCII[sorte(ASCII.length)];
  if (sorte(6) === 0) {
    const i = sorte(texto.length + 1);
    texto = texto.slice(0, i) + RAROS[sorte(RAROS.length)] + texto.slice(i);
  }
  return texto;
}

/** Mensagens sorteadas: números crescentes com saltos, instantes e fusos variados. */
function mensagensSorteadas(semente: number, quantas: number): Mensagem[] {
  const sorte = sorteador(semente);
  const mensagens: Mensagem[] = [];
  let numero = 0;
  let instante = INSTANTE;
  let fuso = -180;
  for (let i = 0; i < quantas; i++) {
    numero += 1 + (sorte(8) === 0 ? sorte(1000) : 0);
    instante += [0, 0, 1, 7, 400, 1000, 61_000][sorte(7)];
    if (sorte(20) === 0) fuso = [-180, 0, 330, -600, 840][sorte(5)];
    mensagens.push({
      numero,
      instante: sorte(40) === 0 ? instante + 0.25 : instante,
      fuso,
      assunto: textoSorteado(sorte, sorte(10) === 0 ? 300 : 20),
      texto: textoSorteado(sorte, sorte(10) === 0 ? 3000 : 120),
    });
  }
  return mensagens;
}

interface Caminho {
  escritor: EscritorFalso;
  saida: SaidaEmLotes;
  registro: Registro;
}

function caminho(criar: (saida: SaidaEmLotes) => Registro): Caminho {
  const escritor = new EscritorFalso();
  const saida = new SaidaEmLotes(escritor);
  return { escritor, saida, registro: criar(saida) };
}

/** O caminho comum: cada quadro pelo `Decodificador`, um evento por mensagem. */
function pelosEventos(registro: Registro, par: Par, instante: number) {
  return (quadro: Quadro) => {
    if (quadro.tipo !== Tipo.MENSAGEM) return;
    registro.registrar({
      tipo: "mensagem",
      instante,
      par,
      mensagem: quadro.mensagem,
      sessao: SESSAO,
      legado: false,
    });
  };
}

/**
 * O laço da sessão do servidor (lib/servidor/sessao.ts): a passagem leva o
 * que sabe; cada quadro em que ela para vai pelo `Decodificador`. Devolve
 * quantas mensagens a passagem levou.
 */
function pelaPassagem(
  passagem: Passagem,
  registro: Registro,
  pedacos: Uint8Array[],
  par: Par,
  instante: number,
): number {
  const decodificador = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(LIMITE),
    noLugar: true,
  });
  let ultimoNumero = 0;
  let passadas = 0;
  const aoQuadro = pelosEventos(registro, par, instante);
  for (const pedaco of pedacos) {
    let pos = 0;
    while (pos < pedaco.length) {
      if (!decodificador.incompleto) {
        const origem: OrigemDaLeitura = {
          par,
          sessao: SESSAO,
          instante,
          ultimoNumero,
          limite: limitesDoServidor(LIMITE)[Tipo.MENSAGEM]!,
        };
        pos = passagem.passar(pedaco, pos, origem);
        passadas += passagem.mensagens;
        ultimoNumero = passagem.ultimoNumero;
        if (pos === pedaco.length) break;
      }
      pos = decodificador.decodificarUm(pedaco, pos, (quadro) => {
        if (quadro.tipo === Tipo.MENSAGEM) {
          ultimoNumero = quadro.mensagem.numero;
        }
        aoQuadro(quadro);
      });
    }
  }
  return passadas;
}

/** Corta `bytes` em pedaços de tamanhos sorteados (alguns no meio de quadros). */
function cortar(bytes: Uint8Array, semente: number): Uint8Array[] {
  const sorte = sorteador(semente);
  const pedacos: Uint8Array[] = [];
  for (let p = 0; p < bytes.length;) {
    const n = 1 + [sorte(8), sorte(300), sorte(70_000), 600_000][sorte(4)];
    pedacos.push(bytes.subarray(p, p + n));
    p += n;
  }
  return pedacos;
}

const FORMATOS: [string, (saida: SaidaEmLotes) => Registro][] = [
  ["--json", (saida) => new RegistroJson(saida)],
  ["legível sem cores", (saida) => new RegistroLegivel(saida, SEM_CORES)],
  ["legível com cores", (saida) => new RegistroLegivel(saida, MARCAS)],
];

for (const [nome, criar] of FORMATOS) {
  Deno.test(`passagem (${nome}): as mesmas linhas do caminho comum, mensagens sorteadas`, async () => {
    for (const semente of [1, 2, 3, 4]) {
      const mensagens = mensagensSorteadas(semente, 1500);
      const bytes = juntar(...mensagens.map((m) => codificarMensagem(m)));
      const par = semente % 2 === 0 ? PAR_V6 : PAR_V4;
      const instante = INSTANTE + 500 + semente;
      const comum = caminho(criar);
      new Decodificador({
        mensagens: MensagemNoLugar,
        limites: limitesDoServidor(LIMITE),
        noLugar: true,
      })
        .decodificar(bytes, pelosEventos(comum.registro, par, instante));
      const rapido = caminho(criar);
      const passagem = rapido.registro.passagem;
      assert.ok(passagem, "o registro tem a passagem");
      const passadas = pelaPassagem(
        passagem,
        rapido.registro,
        cortar(bytes, semente),
        par,
        instante,
      );
      await Promise.all([comum.saida.esvaziar(), rapido.saida.esvaziar()]);
      assert.equal(
        rapido.escritor.texto,
        comum.escritor.texto,
        `semente ${semente}`,
      );
      assert.ok(
        passadas > mensagens.length / 2,
        `a passagem levou a maioria (${passadas} de ${mensagens.length})`,
      );
      assert.equal(rapido.saida.naoGravadas, 0);
    }
  });
}

/** Uma mensagem comum, só ASCII. */
function simples(numero: number, instante = INSTANTE): Uint8Array {
  return codificarMensagem({
    numero,
    instante,
    fuso: -180,
    assunto: "Backup",
    texto: "concluido sem erros",
  });
}

function origem(ultimoNumero = 0, limite = LIMITE + 16): OrigemDaLeitura {
  return {
    par: PAR_V4,
    sessao: SESSAO,
    instante: INSTANTE,
    ultimoNumero,
    limite,
  };
}

Deno.test("passagem: para no primeiro quadro que não sabe levar, e só nele", async (t) => {
  const casos: [string, Uint8Array, number][] = [
    ["um PING", codificar({ tipo: Tipo.PING }), 2],
    ["uma DESPEDIDA", codificar({ tipo: Tipo.DESPEDIDA }), 2],
    ["número que não cresce", simples(2), 2],
    [
      "texto com aspas",
      codificarMensagem({
        numero: 3,
        instante: INSTANTE,
        fuso: 0,
        assunto: "a",
        texto: 'diz "oi"',
      }),
      2,
    ],
    [
      "texto com acento",
      codificarMensagem({
        numero: 3,
        instante: INSTANTE,
        fuso: 0,
        assunto: "é",
        texto: "",
      }),
      2,
    ],
    ["fração de milissegundo (--json)", simples(3, INSTANTE + 0.5), 2],
  ];
  for (const [nome, estranho, esperadas] of casos) {
    await t.step(nome, () => {
      const { registro } = caminho((saida) => new RegistroJson(saida));
      const bytes = juntar(simples(1), simples(2), estranho, simples(9));
      const parou = registro.passagem!.passar(bytes, 0, origem());
      assert.equal(parou, simples(1).length * 2);
      assert.equal(registro.passagem!.mensagens, esperadas);
      assert.equal(registro.passagem!.ultimoNumero, 2);
    });
  }
  await t.step("quadro incompleto no fim: para no começo dele", () => {
    const { registro } = caminho((saida) => new RegistroJson(saida));
    const bytes = juntar(simples(1), simples(2).subarray(0, 30));
    assert.equal(
      registro.passagem!.passar(bytes, 0, origem()),
      simples(1).length,
    );
  });
  await t.step("maior que o limite: fica para o Decodificador recusar", () => {
    const { registro } = caminho((saida) => new RegistroJson(saida));
    const bytes = juntar(simples(1), simples(2));
    const limite = simples(1).length - 5;
    assert.equal(registro.passagem!.passar(bytes, 0, origem(0, limite - 1)), 0);
    assert.equal(
      registro.passagem!.passar(bytes, 0, origem(0, limite)),
      bytes.length,
    );
  });
  await t.step(
    "números de 2³¹ em diante (u32): o último volta positivo e a ordem vale",
    () => {
      const { registro } = caminho((saida) => new RegistroJson(saida));
      const base = 2 ** 31;
      const bytes = juntar(
        simples(base + 1),
        simples(base + 2),
        simples(base + 2),
      );
      const parou = registro.passagem!.passar(bytes, 0, origem(base));
      assert.equal(
        parou,
        simples(1).length * 2,
        "o repetido fica para o decodificador",
      );
      assert.equal(registro.passagem!.mensagens, 2);
      assert.equal(registro.passagem!.ultimoNumero, base + 2);
      const maximo = 2 ** 32 - 1;
      const noTopo = simples(maximo);
      assert.equal(
        registro.passagem!.passar(noTopo, 0, origem(maximo - 1)),
        noTopo.length,
      );
      assert.equal(registro.passagem!.ultimoNumero, maximo);
    },
  );
  await t.step(
    "começa onde mandam e respeita o último número da conexão",
    () => {
      const { registro } = caminho((saida) => new RegistroJson(saida));
      const bytes = juntar(simples(1), simples(5), simples(6));
      const inicio = simples(1).length;
      assert.equal(registro.passagem!.passar(bytes, inicio, origem(5)), inicio);
      assert.equal(
        registro.passagem!.passar(bytes, inicio, origem(4)),
        bytes.length,
      );
      assert.equal(registro.passagem!.ultimoNumero, 6);
    },
  );
});

Deno.test("passagem: leituras maiores que as regiões do núcleo (entrada de 256 KiB, saída de 1 MiB)", async () => {
  const quadros: Uint8Array[] = [];
  for (let n = 1; n <= 20_000; n++) quadros.push(simples(n, INSTANTE + n));
  const bytes = juntar(...quadros); // ~1 MB de entrada, ~5 MB de linhas
  const comum = caminho((saida) => new RegistroJson(saida));
  new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(LIMITE),
    noLugar: true,
  })
    .decodificar(bytes, pelosEventos(comum.registro, PAR_V4, INSTANTE));
  for (const sincrona of [false, true]) {
    // Síncrona: um arquivo comum, gravado direto da memória do núcleo.
    const escritor = new EscritorFalso();
    const saida = new SaidaEmLotes(
      sincrona
        ? Object.assign(escritor, {
          writeSync: (b: Uint8Array) => {
            escritor.escritas.push(b.slice());
            return b.length;
          },
        })
        : escritor,
      { sincronaAte: Infinity },
    );
    const passagem = new RegistroJson(saida).passagem!;
    assert.equal(passagem.passar(bytes, 0, origem()), bytes.length);
    assert.equal(passagem.mensagens, 20_000);
    await Promise.all([comum.saida.esvaziar(), saida.esvaziar()]);
    assert.equal(escritor.texto, comum.escritor.texto, `síncrona: ${sincrona}`);
    assert.equal(saida.naoGravadas, 0);
  }
});

// A passagem dos blocos do cliente original (só no --json).

const TAMANHO_LEGADO = 4096;

/** Texto sorteado sem quebra de linha (o original não a envia). */
function linhaSorteada(sorte: (n: number) => number, maximo: number): string {
  return textoSorteado(sorte, maximo).replaceAll("\n", "\t");
}

/**
 * Blocos sorteados: números de 0 a 2³² − 1 (repetidos, fora de ordem), horas
 * de parede que mudam de segundo, de dia e de ano, e de vez em quando um
 * título com 11 dígitos (zeros à esquerda), que o núcleo deixa para o
 * decodificador.
 */
function blocosSorteados(semente: number, quantos: number): Uint8Array[] {
  const sorte = sorteador(semente);
  const blocos: Uint8Array[] = [];
  let instante = INSTANTE;
  let fuso = -180;
  for (let i = 0; i < quantos; i++) {
    if (sorte(30) === 0) fuso = [0, -180, 330][sorte(3)];
    // Quase sempre o mesmo segundo, como numa rajada.
    instante += sorte(4) !== 0
      ? 0
      : [1, 999, 61_000, 86_400_000 * 400][sorte(4)];
    const numero = [
      i,
      sorte(1000),
      sorte(100_000),
      0xffff_ffff - sorte(3),
      1_000_000_000 + sorte(1000),
    ][sorte(5)];
    const bloco = codificarBlocoLegado({
      numero,
      instante,
      fuso,
      assunto: linhaSorteada(sorte, sorte(10) === 0 ? 300 : 20),
      texto: linhaSorteada(sorte, sorte(10) === 0 ? 2000 : 120),
    });
    if (sorte(50) === 0 && numero < 1000) {
      // "#007" vira "#00000000007": o mesmo número, mais dígitos.
      const texto = new TextDecoder().decode(bloco);
      blocos.push(bytesDe(texto.replace("#", "#00000000")));
    } else blocos.push(bloco);
  }
  return blocos;
}

function bytesDe(texto: string): Uint8Array {
  return new TextEncoder().encode(texto);
}

/** O evento de uma mensagem do cliente original, como a sessão o relata. */
function eventoLegado(mensagem: Mensagem, instante: number) {
  return {
    tipo: "mensagem" as const,
    instante,
    par: PAR_V4,
    mensagem,
    sessao: SESSAO,
    legado: true,
  };
}

/** O caminho comum: `decodificar` em cada pedaço, um evento por bloco. */
function legadoPelosEventos(
  registro: Registro,
  pedacos: Uint8Array[],
  instante: number,
): DecodificadorLegado {
  const decodificador = new DecodificadorLegado(TAMANHO_LEGADO, {
    noLugar: true,
  });
  for (const pedaco of pedacos) {
    decodificador.decodificar(
      pedaco,
      (mensagem) => registro.registrar(eventoLegado(mensagem, instante)),
    );
  }
  return decodificador;
}

/**
 * O laço da sessão do servidor para o cliente original
 * (`Sessao.#processarLegado`): a passagem leva os blocos que sabe; cada um
 * em que ela para vai pelo `DecodificadorLegado`. Devolve o decodificador
 * e quantas mensagens a passagem levou (também quando lança).
 */
function legadoPelaPassagem(
  registro: Registro,
  pedacos: Uint8Array[],
  instante: number,
  contagem: { passadas: number },
): DecodificadorLegado {
  const passagem = registro.passagemLegada!;
  const legado = new DecodificadorLegado(TAMANHO_LEGADO, { noLugar: true });
  const aoBloco = (mensagem: Mensagem) =>
    registro.registrar(eventoLegado(mensagem, instante));
  for (const pedaco of pedacos) {
    let pos = 0;
    while (pos < pedaco.length && !legado.terminou) {
      if (!legado.incompleto) {
        pos = passagem.passar(pedaco, pos, {
          par: PAR_V4,
          sessao: SESSAO,
          instante,
          tamanhoMaximo: TAMANHO_LEGADO,
          fimDoTitulo: legado.fimDoTitulo,
          instanteDoTitulo: legado.instanteDoTitulo,
        });
        contagem.passadas += passagem.mensagens;
        if (pos === pedaco.length) break;
      }
      pos = legado.decodificarUm(pedaco, pos, aoBloco);
    }
  }
  return legado;
}

/** Roda `f` e devolve o erro que ela lançou (ou `undefined`). */
function erroDe(f: () => void): unknown {
  try {
    f();
  } catch (erro) {
    return erro;
  }
  return undefined;
}

/**
 * Os dois caminhos sobre os mesmos pedaços: mesmas linhas, mesmo erro (ou
 * nenhum), mesmo fim. Devolve quantas mensagens a passagem levou.
 */
async function legadoNosDoisCaminhos(
  pedacos: Uint8Array[],
  instante: number,
  rotulo: string,
): Promise<number> {
  const comum = caminho((saida) => new RegistroJson(saida));
  let decodificadorComum: DecodificadorLegado | undefined;
  const erroComum = erroDe(() => {
    decodificadorComum = legadoPelosEventos(comum.registro, pedacos, instante);
  });
  const rapido = caminho((saida) => new RegistroJson(saida));
  const contagem = { passadas: 0 };
  let decodificadorRapido: DecodificadorLegado | undefined;
  const erroRapido = erroDe(() => {
    decodificadorRapido = legadoPelaPassagem(
      rapido.registro,
      pedacos,
      instante,
      contagem,
    );
  });
  await Promise.all([comum.saida.esvaziar(), rapido.saida.esvaziar()]);
  assert.equal(rapido.escritor.texto, comum.escritor.texto, rotulo);
  assert.deepEqual(erroRapido, erroComum, rotulo);
  if (erroComum instanceof ErroDeProtocolo) {
    assert.equal(
      (erroRapido as ErroDeProtocolo).codigo,
      erroComum.codigo,
      rotulo,
    );
  }
  assert.equal(
    decodificadorRapido?.terminou,
    decodificadorComum?.terminou,
    rotulo,
  );
  assert.equal(
    decodificadorRapido?.incompleto,
    decodificadorComum?.incompleto,
    rotulo,
  );
  return contagem.passadas;
}

Deno.test("passagem legada (--json): as mesmas linhas do caminho comum, blocos sorteados", async () => {
  for (const semente of [1, 2, 3, 4, 5, 6]) {
    const blocos = blocosSorteados(semente, 1500);
    const bytes = juntar(...blocos);
    const passadas = await legadoNosDoisCaminhos(
      cortar(bytes, semente),
      INSTANTE + 500 + semente,
      `semente ${semente}`,
    );
    assert.ok(
      // Um terço dos blocos tem algo a escapar; perto de um em cinco muda de segundo.
      passadas > blocos.length * 0.4,
      `a passagem levou a maior parte (${passadas} de ${blocos.length})`,
    );
  }
});

Deno.test("passagem legada: cortada em qualquer ponto, as mesmas linhas", async () => {
  const bytes = juntar(...blocosSorteados(7, 6));
  for (let corte = 0; corte <= bytes.length; corte++) {
    await legadoNosDoisCaminhos(
      [bytes.subarray(0, corte), bytes.subarray(corte)],
      INSTANTE,
      `corte em ${corte}`,
    );
  }
});

Deno.test("passagem legada: o mesmo erro, depois das mesmas linhas, e o mesmo fim", async (t) => {
  const bom = (numero: number) =>
    codificarBlocoLegado({
      numero,
      instante: INSTANTE,
      fuso: 0,
      assunto: "Backup",
      texto: "concluido sem erros",
    });
  const texto = new TextDecoder().decode(bom(5));
  const estranhos: [string, Uint8Array][] = [
    ["CODIGO_SAIDA", BYTES_CODIGO_SAIDA],
    ["CODIGO_SAIDA partido", BYTES_CODIGO_SAIDA.subarray(0, 5)],
    ["rótulo errado", bytesDe(texto.replace("> TEXTO:", "> TEXTOS"))],
    ["fechamento errado", bytesDe(texto.replace(/---\n$/, "--\n"))],
    ["abertura errada", bytesDe(texto.replace("---", "-+-"))],
    ["dois dígitos", bytesDe(texto.replace("#005", "#05"))],
    ["número acima de 2³² − 1", bytesDe(texto.replace("#005", "#4294967296"))],
    [
      "data inválida",
      bytesDe(texto.replace(/\d\d\/(\d\d\/\d{4})/, "31/02/2026")),
    ],
    ["hora de outro segundo", bom(5).map((b, i) => i === 40 ? 0x39 : b)],
    ["título com letra", bytesDe(texto.replace("#005", "#0a5"))],
    ["acento no texto", bytesDe(texto.replace("concluido", "concluído"))],
    ["aspas no assunto", bytesDe(texto.replace("Backup", 'Back"up'))],
    [
      "UTF-8 inválido",
      juntar(
        bom(5).subarray(0, 60),
        new Uint8Array([0xff]),
        bom(5).subarray(60),
      ),
    ],
    [
      "acima do limite",
      codificarBlocoLegado({
        numero: 5,
        instante: INSTANTE,
        fuso: 0,
        assunto: "a",
        texto: "x".repeat(TAMANHO_LEGADO),
      }),
    ],
    [
      "no limite",
      codificarBlocoLegado({
        numero: 5,
        instante: INSTANTE,
        fuso: 0,
        assunto: "a",
        texto: "x".repeat(TAMANHO_LEGADO - 1),
      }),
    ],
  ];
  for (const [nome, estranho] of estranhos) {
    await t.step(nome, async () => {
      const bytes = juntar(bom(1), bom(2), estranho, bom(9));
      for (const pedacos of [[bytes], cortar(bytes, 3)]) {
        await legadoNosDoisCaminhos(pedacos, INSTANTE, nome);
      }
    });
  }
});
