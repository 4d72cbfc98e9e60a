/**
 * Testes de lib/cli/argumentos.ts: a leitura das opções com as mensagens em
 * português, as regras do `parseArgs` estrito do Node uma a uma, e a
 * comparação com o próprio `parseArgs` de `node:util` em milhares de listas
 * de argumentos geradas (com as diferenças deliberadas nomeadas).
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import {
  analisarArgumentos,
  type Opcoes,
  pareceOpcao,
} from "../../lib/cli/argumentos.ts";
import { PROGRAMA_CLIENTE } from "../../lib/cli/cliente.ts";
import { PROGRAMA_SERVIDOR } from "../../lib/cli/servidor.ts";
import { mulberry32 } from "../dados.ts";
import { falhaDeUso } from "./ajudantes.ts";

Deno.test("analisarArgumentos lê opções longas, curtas e com =", () => {
  const ler = (args: string[]) => ({
    ...analisarArgumentos(args, PROGRAMA_CLIENTE.opcoes),
  });
  assert.deepEqual(ler([]), {});
  assert.deepEqual(ler(["--host", "srv", "--porta", "5000"]), {
    host: "srv",
    porta: "5000",
  });
  assert.deepEqual(ler(["-h"]), { ajuda: true });
  assert.deepEqual(ler(["--porta=-1"]), { porta: "-1" });
  assert.deepEqual(ler(["--assunto", "Olá ção", "--linhas"]), {
    assunto: "Olá ção",
    linhas: true,
  });
  assert.deepEqual(ler(["--texto", ""]), { texto: "" });
  // Começa por "-" mas não é opção deste programa: é claramente um valor.
  assert.deepEqual(ler(["--texto", "-5 graus", "--assunto", "-"]), {
    texto: "-5 graus",
    assunto: "-",
  });
  assert.deepEqual(ler(["--porta", "-1"]), { porta: "-1" });
});

Deno.test("analisarArgumentos explica cada erro em português", async (t) => {
  const casos: [string[], string][] = [
    [["--nada"], "opção desconhecida: --nada"],
    [["-x"], "opção desconhecida: -x"],
    [["extra"], "argumento inesperado: extra"],
    [["-h", "x"], "argumento inesperado: x"],
    [["--porta"], "a opção --porta precisa de um valor"],
    [["--linhas=1"], "a opção --linhas não recebe valor"],
    [
      ["--texto", "-h"],
      'a opção --texto recebeu "-h", que parece outra opção; para um valor começado por "-", use --texto=-h',
    ],
    [
      ["--porta", "--host"],
      'a opção --porta recebeu "--host", que parece outra opção; para um valor começado por "-", use --porta=--host',
    ],
  ];
  for (const [args, mensagem] of casos) {
    await t.step(args.join(" "), () => {
      falhaDeUso(
        () => analisarArgumentos(args, PROGRAMA_CLIENTE.opcoes),
        mensagem,
      );
    });
  }
});

// O analisador é nosso (não o de node:util): as regras do parseArgs estrito do
// Node que os programas já seguiam, uma a uma.
Deno.test("analisarArgumentos segue as regras do parseArgs estrito do Node", async (t) => {
  const casos: [string, string[], Record<string, unknown>][] = [
    ["a última repetição vale", ["--porta", "1", "--porta", "2"], {
      porta: "2",
    }],
    ['"-" sozinho é um valor', ["--texto", "-"], { texto: "-" }],
    ["valor vazio com =", ["--texto="], { texto: "" }],
    ["o valor vai até o fim depois do primeiro =", ["--assunto=a=b"], {
      assunto: "a=b",
    }],
    ["curtas juntas", ["-hh"], { ajuda: true }],
    ['"--" encerra as opções', ["--linhas", "--"], { linhas: true }],
    ["opção múltipla junta os valores", [
      "--permitir",
      "10.0.0.0/8",
      "--negar=10.0.0.1",
      "--permitir=fd00::/8",
    ], { permitir: ["10.0.0.0/8", "fd00::/8"], negar: ["10.0.0.1"] }],
  ];
  for (const [nome, args, esperado] of casos) {
    await t.step(nome, () => {
      const opcoes = args.some((a) => /permitir|negar/.test(a))
        ? PROGRAMA_SERVIDOR.opcoes
        : PROGRAMA_CLIENTE.opcoes;
      assert.deepEqual({ ...analisarArgumentos(args, opcoes) }, esperado);
    });
  }
});

Deno.test("analisarArgumentos recusa com a mensagem certa os casos de borda", async (t) => {
  const casos: [string[], string][] = [
    [["--", "x"], "argumento inesperado: x"],
    [["--", "--host", "srv"], "argumento inesperado: --host"],
    [["-"], "argumento inesperado: -"],
    [[""], "argumento inesperado: "],
    [["-hx"], "opção desconhecida: -x"],
    [["--nada", "x"], "opção desconhecida: --nada"],
    [["--nada=1"], "opção desconhecida: --nada"],
    [["--toString"], "opção desconhecida: --toString"],
    [["--__proto__"], "opção desconhecida: --__proto__"],
    [["--ajuda="], "a opção --ajuda não recebe valor"],
    [["--host", "srv", "--porta"], "a opção --porta precisa de um valor"],
    // O primeiro problema, da esquerda para a direita, é o relatado.
    [
      ["--porta", "--nada", "--nada"],
      'a opção --porta recebeu "--nada", que parece outra opção; para um valor começado por "-", use --porta=--nada',
    ],
    // Cita o valor desta ocorrência, não o da primeira --porta.
    [
      ["--porta", "1", "--porta", "-hx"],
      'a opção --porta recebeu "-hx", que parece outra opção; para um valor começado por "-", use --porta=-hx',
    ],
    // O nome inteiro, como foi digitado, mesmo com espaço ou apóstrofo.
    [["--foo bar"], "opção desconhecida: --foo bar"],
    [["it's"], "argumento inesperado: it's"],
  ];
  for (const [args, mensagem] of casos) {
    await t.step(JSON.stringify(args), () => {
      falhaDeUso(
        () => analisarArgumentos(args, PROGRAMA_CLIENTE.opcoes),
        mensagem,
      );
    });
  }
});

// O Node cita "'-h, --ajuda'": a mensagem deve nomear a forma longa.
Deno.test({
  name: "--ajuda=sim cita a opção longa ao dizer que ela não recebe valor",
  fn() {
    falhaDeUso(
      () => analisarArgumentos(["--ajuda=sim"], PROGRAMA_CLIENTE.opcoes),
      "a opção --ajuda não recebe valor",
    );
  },
});

// Comparação com o parseArgs estrito de node:util, o analisador que o nosso
// substituiu: em listas de argumentos geradas a partir das opções dos dois
// programas, os dois aceitam ou recusam juntos, com os mesmos valores, e
// recusam pelo mesmo motivo, citando a mesma opção ou argumento.

/** Uma forma de recusa: a mensagem do Node e a nossa, com os mesmos grupos. */
interface Correspondencia {
  nome: string;
  node: RegExp;
  nossa: RegExp;
}

/** As nossas mensagens dizem o mesmo que as do Node, em português. */
const TRADUCOES: readonly Correspondencia[] = [
  {
    nome: "opção desconhecida",
    node: /^Unknown option '(?<citada>.*)'$/s,
    nossa: /^opção desconhecida: (?<citada>.*)$/s,
  },
  {
    nome: "argumento posicional",
    node:
      /^Unexpected argument '(?<citada>.*)'\. This command does not take positional arguments$/s,
    nossa: /^argumento inesperado: (?<citada>.*)$/s,
  },
];

/**
 * Onde as nossas mensagens dizem outra coisa que as do Node, de propósito (a
 * recusa é a mesma; só o texto difere). Os grupos com nome têm de coincidir.
 */
const DIFERENCAS_DELIBERADAS: readonly Correspondencia[] = [
  {
    nome:
      "falta o valor: citamos só a forma longa, sem a curta nem o <value> do Node",
    node: /^Option '(?:-., )?(?<longa>--.+) <value>' argument missing$/s,
    nossa: /^a opção (?<longa>--.+) precisa de um valor$/s,
  },
  {
    nome:
      "opção booleana com valor: citamos só a forma longa, sem a curta (o Node diz '-h, --ajuda')",
    node: /^Option '(?:-., )?(?<longa>--.+)' does not take an argument$/s,
    nossa: /^a opção (?<longa>--.+) não recebe valor$/s,
  },
  {
    nome:
      "valor que parece opção: citamos o valor e o sugerimos em --opcao=VALOR, em vez do '-XYZ' do Node",
    node:
      /^Option '(?<escrita>.+)' argument is ambiguous\.\nDid you forget to specify the option argument for '\k<escrita>'\?\nTo specify an option argument starting with a dash use '(?<longa>--.+)=-XYZ'(?: or '.+-XYZ')?\.$/s,
    nossa:
      /^a opção (?<escrita>.+) recebeu "(?<valor>.*)", que parece outra opção; para um valor começado por "-", use (?<longa>--.+)=\k<valor>$/s,
  },
];

/**
 * A diferença deliberada que aceita o que o Node recusa: depois de uma opção
 * que exige valor, um argumento começado por "-" que não parece opção deste
 * programa (`--texto "-5 graus"`) é o valor, como o Node o leria se viesse
 * colado (`--texto=-5 graus`). Para comparar, colamos esses valores antes de
 * dar a lista ao Node; até o primeiro `--`, que encerra as opções.
 */
function colarValoresClaros(args: readonly string[], opcoes: Opcoes): string[] {
  const colados: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return [...colados, ...args.slice(i)];
    const nome = arg.startsWith("--") ? arg.slice(2) : undefined;
    const seguinte = args[i + 1];
    if (
      nome !== undefined && Object.hasOwn(opcoes, nome) &&
      opcoes[nome].tipo === "string" && seguinte !== undefined &&
      seguinte.length > 1 && seguinte[0] === "-" &&
      !pareceOpcao(seguinte, opcoes)
    ) {
      colados.push(`${arg}=${seguinte}`);
      i++;
    } else colados.push(arg);
  }
  return colados;
}

type Resultado =
  | { aceitos: Record<string, unknown> }
  | { recusa: string; grupos: Record<string, string> };

function comNode(
  args: readonly string[],
  opcoes: Record<string, { tipo: string; curta?: string; multipla?: boolean }>,
): Resultado {
  const config: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {};
  for (const [nome, opcao] of Object.entries(opcoes)) {
    config[nome] = {
      type: opcao.tipo as "string" | "boolean",
      ...(opcao.curta ? { short: opcao.curta } : {}),
      ...(opcao.multipla ? { multiple: true } : {}),
    };
  }
  try {
    const { values } = parseArgs({
      args: [...args],
      options: config,
      strict: true,
      allowPositionals: false,
    });
    return { aceitos: { ...values } };
  } catch (erro) {
    const mensagem = (erro as Error).message;
    for (const c of [...TRADUCOES, ...DIFERENCAS_DELIBERADAS]) {
      const achado = c.node.exec(mensagem);
      if (achado) return { recusa: c.nome, grupos: { ...achado.groups } };
    }
    throw new Error(`mensagem do Node sem correspondência: ${mensagem}`, {
      cause: erro,
    });
  }
}

function conosco(
  args: readonly string[],
  opcoes: Parameters<typeof analisarArgumentos>[1],
): Resultado {
  try {
    return { aceitos: { ...analisarArgumentos(args, opcoes) } };
  } catch (erro) {
    const mensagem = (erro as Error).message;
    for (const c of [...TRADUCOES, ...DIFERENCAS_DELIBERADAS]) {
      const achado = c.nossa.exec(mensagem);
      if (achado) return { recusa: c.nome, grupos: { ...achado.groups } };
    }
    throw new Error(`mensagem nossa sem correspondência: ${mensagem}`, {
      cause: erro,
    });
  }
}

/** Listas de argumentos feitas das opções do programa, de valores e de bordas. */
function* listasGeradas(
  opcoes: Record<string, unknown>,
  semente: number,
  quantas: number,
): Generator<string[]> {
  const aleatorio = mulberry32(semente);
  const um = <T>(itens: readonly T[]): T =>
    itens[Math.floor(aleatorio() * itens.length)];
  const nomes = [...Object.keys(opcoes), "nada", "json", "assunto", "toString"];
  const valores = [
    "srv",
    "5000",
    "10.0.0.0/8",
    "-1",
    "--host",
    "-",
    "",
    "a=b",
    "x y",
    "it's",
    "-h",
    "--",
    "=",
    "--porta=1",
    "ção",
  ];
  const bordas = [
    "--",
    "-",
    "",
    "-h",
    "-hh",
    "-hx",
    "-h-",
    "-hv",
    "-x",
    "-=",
    "---porta",
    "--=x",
    "--__proto__",
    "--constructor=1",
    "x",
  ];
  for (let i = 0; i < quantas; i++) {
    const args: string[] = [];
    const tamanho = Math.floor(aleatorio() * 7);
    for (let j = 0; j < tamanho; j++) {
      const sorteio = aleatorio();
      if (sorteio < 0.4) args.push(`--${um(nomes)}`);
      else if (sorteio < 0.6) args.push(`--${um(nomes)}=${um(valores)}`);
      else if (sorteio < 0.85) args.push(um(valores));
      else args.push(um(bordas));
    }
    yield args;
  }
}

Deno.test("analisarArgumentos concorda com o parseArgs estrito de node:util em listas geradas", async (t) => {
  for (
    const [programa, semente] of [
      [PROGRAMA_SERVIDOR, 0x5e41d0],
      [PROGRAMA_CLIENTE, 0xc11e47e],
    ] as const
  ) {
    await t.step(programa.nome, () => {
      const vistos = new Map<string, number>();
      for (const args of listasGeradas(programa.opcoes, semente, 2500)) {
        const colados = colarValoresClaros(args, programa.opcoes);
        if (colados.length !== args.length) {
          vistos.set("valor claro", (vistos.get("valor claro") ?? 0) + 1);
        }
        const esperado = comNode(colados, programa.opcoes);
        const obtido = conosco(args, programa.opcoes);
        const como = "aceitos" in esperado ? "aceita" : esperado.recusa;
        vistos.set(como, (vistos.get(como) ?? 0) + 1);
        if ("aceitos" in esperado) {
          assert.deepEqual(obtido, esperado, JSON.stringify(args));
        } else {
          assert.ok("recusa" in obtido, `aceitou ${JSON.stringify(args)}`);
          assert.equal(obtido.recusa, esperado.recusa, JSON.stringify(args));
          // A nossa pode ter grupos a mais (o valor citado), não a menos.
          for (const [grupo, texto] of Object.entries(esperado.grupos)) {
            assert.equal(obtido.grupos[grupo], texto, JSON.stringify(args));
          }
        }
      }
      // O gerador passou por todos os caminhos, não só por um.
      const caminhos = [
        "aceita",
        "valor claro",
        ...TRADUCOES,
        ...DIFERENCAS_DELIBERADAS,
      ];
      for (const c of caminhos) {
        const nome = typeof c === "string" ? c : c.nome;
        assert.ok(
          (vistos.get(nome) ?? 0) >= 10,
          `${nome}: ${vistos.get(nome)}`,
        );
      }
    });
  }
});
