/**
 * Testes de lib/cli/cli.ts: a leitura das opções com as mensagens em português, a
 * validação de portas, inteiros e durações, o texto de `--ajuda` (todas as
 * opções, padrões, códigos de saída e exemplos) e os padrões das duas
 * configurações, que precisam bater com o que a ajuda anuncia.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  analisarArgumentos,
  dicaDeAjuda,
  ErroDeUso,
  lerConfigCliente,
  lerConfigServidor,
  lerInteiro,
  lerPorta,
  lerSegundos,
  OPCOES_COMUNS,
  type Programa,
  PROGRAMA_CLIENTE,
  PROGRAMA_SERVIDOR,
  textoDeAjuda,
  VERSAO_PROGRAMA,
} from "../../lib/cli/cli.ts";
import { RetornoCliente, RetornoServidor } from "../../lib/retornos.ts";

/** Espera um ErroDeUso com exatamente esta mensagem. */
function falhaDeUso(acao: () => unknown, mensagem: string): void {
  assert.throws(acao, (erro: unknown) => {
    assert.ok(erro instanceof ErroDeUso, `esperava ErroDeUso, veio ${erro}`);
    assert.equal(erro.name, "ErroDeUso");
    assert.equal(erro.message, mensagem);
    return true;
  });
}

/** Só os campos pedidos (outros módulos podem acrescentar opções). */
function escolher<T extends object>(
  objeto: T,
  campos: readonly (keyof T)[],
): Partial<T> {
  return Object.fromEntries(campos.map((c) => [c, objeto[c]])) as Partial<T>;
}

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
      ["--porta", "-1"],
      'a opção --porta recebeu "-1", que parece outra opção; para um valor começado por "-", use --porta=-1',
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
      ["--porta", "-1", "--nada"],
      'a opção --porta recebeu "-1", que parece outra opção; para um valor começado por "-", use --porta=-1',
    ],
    // Cita o valor desta ocorrência, não o da primeira --porta.
    [
      ["--porta", "1", "--porta", "-1"],
      'a opção --porta recebeu "-1", que parece outra opção; para um valor começado por "-", use --porta=-1',
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

Deno.test("lerPorta aceita 0 a 65535 e recusa o resto com a explicação", async (t) => {
  assert.equal(lerPorta(undefined, 3415), 3415);
  for (
    const [valor, porta] of [
      ["0", 0],
      ["1", 1],
      ["5000", 5000],
      [
        "65535",
        65535,
      ],
      [" 80 ", 80],
      ["007", 7],
    ] as const
  ) {
    await t.step(`aceita "${valor}"`, () => {
      assert.equal(lerPorta(valor, 3415), porta);
    });
  }
  const recusas: [string, string][] = [
    ["abc", '--porta deve ser um número inteiro, não "abc"'],
    ["", '--porta deve ser um número inteiro, não ""'],
    ["1.5", '--porta deve ser um número inteiro, não "1.5"'],
    ["1e3", '--porta deve ser um número inteiro, não "1e3"'],
    ["0x50", '--porta deve ser um número inteiro, não "0x50"'],
    ["80a", '--porta deve ser um número inteiro, não "80a"'],
    ["70000", "--porta deve estar entre 0 e 65535, não 70000"],
    ["65536", "--porta deve estar entre 0 e 65535, não 65536"],
    ["-1", "--porta deve estar entre 0 e 65535, não -1"],
    [
      "99999999999999999999",
      "--porta deve estar entre 0 e 65535, não 99999999999999999999",
    ],
  ];
  for (const [valor, mensagem] of recusas) {
    await t.step(`recusa "${valor}"`, () => {
      falhaDeUso(() => lerPorta(valor, 3415), mensagem);
    });
  }
});

Deno.test("lerInteiro respeita o intervalo dado e o nome da opção", () => {
  assert.equal(lerInteiro(undefined, "--n", 1, 10, 5), 5);
  assert.equal(lerInteiro("1", "--n", 1, 10, 5), 1);
  assert.equal(lerInteiro("10", "--n", 1, 10, 5), 10);
  falhaDeUso(
    () => lerInteiro("0", "--max-conexoes", 1, 1_000_000, 1000),
    "--max-conexoes deve estar entre 1 e 1000000, não 0",
  );
  falhaDeUso(
    () => lerInteiro("11", "--n", 1, 10, 5),
    "--n deve estar entre 1 e 10, não 11",
  );
  falhaDeUso(
    () => lerInteiro("dez", "--tamanho-maximo", 1, 10, 5),
    '--tamanho-maximo deve ser um número inteiro, não "dez"',
  );
});

Deno.test("lerSegundos aceita frações e devolve milissegundos", async (t) => {
  assert.equal(lerSegundos(undefined, "--prazo", 10_000), 10_000);
  const aceitos: [string, number, number][] = [
    ["1", 0, 1000],
    ["0.4", 0, 400],
    ["1.5", 1, 1500],
    ["0", 0, 0],
    ["300", 0, 300_000],
    [" 2 ", 0, 2000],
    ["0.0005", 1, 1],
  ];
  for (const [valor, minimo, ms] of aceitos) {
    await t.step(`aceita "${valor}" (mínimo ${minimo} ms)`, () => {
      assert.equal(lerSegundos(valor, "--prazo", 10_000, minimo), ms);
    });
  }
  const recusas: [string, number, string][] = [
    ["0", 1, '--prazo deve ser um número de segundos (mais que 0), não "0"'],
    [
      "0.0004",
      1,
      '--prazo deve ser um número de segundos (mais que 0), não "0.0004"',
    ],
    [
      "-1",
      0,
      '--prazo deve ser um número de segundos (0 ou mais), não "-1"',
    ],
    [
      "abc",
      0,
      '--prazo deve ser um número de segundos (0 ou mais), não "abc"',
    ],
    ["", 0, '--prazo deve ser um número de segundos (0 ou mais), não ""'],
    [" ", 0, '--prazo deve ser um número de segundos (0 ou mais), não " "'],
    [
      "Infinity",
      0,
      '--prazo deve ser um número de segundos (0 ou mais), não "Infinity"',
    ],
    [
      "NaN",
      0,
      '--prazo deve ser um número de segundos (0 ou mais), não "NaN"',
    ],
  ];
  for (const [valor, minimo, mensagem] of recusas) {
    await t.step(`recusa "${valor}" (mínimo ${minimo} ms)`, () => {
      falhaDeUso(() => lerSegundos(valor, "--prazo", 10_000, minimo), mensagem);
    });
  }
});

function confereAjuda(programa: Programa, codigos: Record<string, number>) {
  const ajuda = textoDeAjuda(programa);
  assert.ok(ajuda.endsWith("\n"));
  assert.ok(ajuda.startsWith(programa.resumo + "\n"));
  assert.ok(ajuda.includes(`Uso: ${programa.nome} [opções]`));
  for (const [nome, opcao] of Object.entries(programa.opcoes)) {
    const linha = ajuda.split("\n").find((l) =>
      new RegExp(`^\\s+(-\\w, )?--${nome}\\b`).test(l)
    );
    assert.ok(linha, `a ajuda mostra --${nome}`);
    assert.ok(linha.includes(opcao.descricao), `descrição de --${nome}`);
    if (opcao.curta) assert.ok(linha.includes(`-${opcao.curta}, --${nome}`));
    if (opcao.valor) assert.ok(linha.includes(`--${nome} ${opcao.valor}`));
    if (opcao.padrao) {
      assert.ok(
        linha.includes(`(padrão: ${opcao.padrao})`),
        `padrão de --${nome}`,
      );
    }
  }
  assert.ok(ajuda.includes("Códigos de saída:"));
  // Todo código de saída que o programa usa está documentado na ajuda.
  for (const [nome, codigo] of Object.entries(codigos)) {
    const documentado = programa.codigos.find((c) => c.codigo === codigo);
    assert.ok(documentado, `código ${codigo} (${nome}) na ajuda`);
    assert.ok(
      ajuda.includes(`${String(codigo).padStart(3)}  ${documentado.descricao}`),
    );
  }
  assert.ok(ajuda.includes("Exemplos:"));
  assert.ok(programa.exemplos.length >= 3);
  for (const exemplo of programa.exemplos) {
    assert.ok(ajuda.includes(`  ${exemplo}\n`), exemplo);
    assert.match(exemplo, new RegExp(`(^|\\s)${programa.nome} `));
  }
}

Deno.test("a ajuda do servidor mostra toda opção com padrão, todo código de saída e exemplos", () => {
  confereAjuda(PROGRAMA_SERVIDOR, RetornoServidor);
  const ajuda = textoDeAjuda(PROGRAMA_SERVIDOR);
  for (
    const opcao of ["--json", "--max-conexoes", "--tempo-ocioso", "--prazo"]
  ) {
    assert.ok(ajuda.includes(opcao), opcao);
  }
  assert.match(ajuda, /--json \| jq/);
});

Deno.test("a ajuda do cliente mostra toda opção com padrão, todo código de saída e exemplos", () => {
  confereAjuda(PROGRAMA_CLIENTE, RetornoCliente);
  const ajuda = textoDeAjuda(PROGRAMA_CLIENTE);
  for (
    const opcao of ["--assunto", "--texto", "--linhas", "--verbose", "--legado"]
  ) {
    assert.ok(ajuda.includes(opcao), opcao);
  }
  // Um exemplo de cada modo sem menu.
  assert.match(ajuda, /--assunto "Backup" --texto "concluído"/);
  assert.match(ajuda, /\| cliente .*--texto -/);
  assert.match(ajuda, /\| cliente .*--linhas/);
});

Deno.test("a dica de ajuda e a versão", () => {
  assert.equal(
    dicaDeAjuda("cliente"),
    'Use "cliente --ajuda" para ver as opções.',
  );
  assert.match(VERSAO_PROGRAMA, /^\d+\.\d+\.\d+$/);
  assert.equal(OPCOES_COMUNS.ajuda.curta, "h");
});

Deno.test("lerConfigServidor: padrões iguais aos anunciados na ajuda", () => {
  const config = lerConfigServidor([]);
  assert.deepEqual(
    escolher(config, [
      "ajuda",
      "versao",
      "host",
      "porta",
      "tamanhoMaximo",
      "maxConexoes",
      "tempoOcioso",
      "prazo",
      "json",
    ]),
    {
      ajuda: false,
      versao: false,
      host: undefined,
      porta: 3415,
      tamanhoMaximo: 1024,
      maxConexoes: 1000,
      tempoOcioso: 300_000,
      prazo: 10_000,
      json: false,
    },
  );
  const { opcoes } = PROGRAMA_SERVIDOR;
  assert.equal(opcoes.porta.padrao, String(config.porta));
  assert.equal(opcoes["tamanho-maximo"].padrao, String(config.tamanhoMaximo));
  assert.equal(opcoes["max-conexoes"].padrao, String(config.maxConexoes));
  assert.equal(
    opcoes["tempo-ocioso"].padrao,
    String(config.tempoOcioso / 1000),
  );
  assert.equal(opcoes.prazo.padrao, String(config.prazo / 1000));
});

Deno.test("lerConfigServidor lê cada opção e recusa valores fora dos limites", () => {
  const config = lerConfigServidor([
    "--host",
    "::",
    "--porta",
    "0",
    "--tamanho-maximo",
    "65536",
    "--max-conexoes",
    "2",
    "--tempo-ocioso",
    "0",
    "--prazo",
    "0.4",
    "--json",
  ]);
  assert.deepEqual(
    escolher(config, [
      "host",
      "porta",
      "tamanhoMaximo",
      "maxConexoes",
      "tempoOcioso",
      "prazo",
      "json",
    ]),
    {
      host: "::",
      porta: 0,
      tamanhoMaximo: 65536,
      maxConexoes: 2,
      tempoOcioso: 0,
      prazo: 400,
      json: true,
    },
  );
  assert.equal(lerConfigServidor(["-h"]).ajuda, true);
  assert.equal(lerConfigServidor(["--versao"]).versao, true);
  falhaDeUso(
    () => lerConfigServidor(["--tamanho-maximo", "0"]),
    "--tamanho-maximo deve estar entre 1 e 16777216, não 0",
  );
  falhaDeUso(
    () => lerConfigServidor(["--tamanho-maximo", String(16 * 1024 * 1024 + 1)]),
    "--tamanho-maximo deve estar entre 1 e 16777216, não 16777217",
  );
  falhaDeUso(
    () => lerConfigServidor(["--prazo", "0"]),
    '--prazo deve ser um número de segundos (mais que 0), não "0"',
  );
  falhaDeUso(
    () => lerConfigServidor(["--porta", "abc"]),
    '--porta deve ser um número inteiro, não "abc"',
  );
  falhaDeUso(
    () => lerConfigServidor(["--assunto", "x"]),
    "opção desconhecida: --assunto",
  );
});

Deno.test("lerConfigCliente: padrões iguais aos anunciados na ajuda", () => {
  const config = lerConfigCliente([]);
  assert.deepEqual(
    escolher(config, [
      "ajuda",
      "versao",
      "host",
      "porta",
      "tempoLimite",
      "assunto",
      "texto",
      "linhas",
      "verbose",
      "legado",
    ]),
    {
      ajuda: false,
      versao: false,
      host: undefined,
      porta: 3415,
      tempoLimite: 10_000,
      assunto: undefined,
      texto: undefined,
      linhas: false,
      verbose: false,
      legado: false,
    },
  );
  const { opcoes } = PROGRAMA_CLIENTE;
  assert.equal(opcoes.porta.padrao, String(config.porta));
  assert.equal(
    opcoes["tempo-limite"].padrao,
    String(config.tempoLimite / 1000),
  );
});

Deno.test("lerConfigCliente: modos sem menu e combinações proibidas", () => {
  assert.deepEqual(
    escolher(
      lerConfigCliente(["--assunto", "Backup", "--texto", "-", "--verbose"]),
      ["assunto", "texto", "linhas", "verbose"],
    ),
    { assunto: "Backup", texto: "-", linhas: false, verbose: true },
  );
  assert.deepEqual(
    escolher(lerConfigCliente(["--assunto", "app", "--linhas"]), [
      "assunto",
      "texto",
      "linhas",
    ]),
    { assunto: "app", texto: undefined, linhas: true },
  );
  // --linhas sem --assunto vale (assunto vazio) e --verbose vale com --linhas.
  assert.equal(lerConfigCliente(["--linhas", "--verbose"]).verbose, true);
  assert.equal(lerConfigCliente(["--tempo-limite", "0.5"]).tempoLimite, 500);
  falhaDeUso(
    () => lerConfigCliente(["--linhas", "--texto", "x"]),
    "--linhas lê os textos da entrada; não use --texto junto",
  );
  falhaDeUso(
    () => lerConfigCliente(["--verbose"]),
    "--verbose vale só para os modos sem menu (--assunto, --texto, --linhas)",
  );
  falhaDeUso(
    () => lerConfigCliente(["--tempo-limite", "0"]),
    '--tempo-limite deve ser um número de segundos (mais que 0), não "0"',
  );
  falhaDeUso(
    () => lerConfigCliente(["--porta=-1"]),
    "--porta deve estar entre 0 e 65535, não -1",
  );
  falhaDeUso(() => lerConfigCliente(["--json"]), "opção desconhecida: --json");
});
