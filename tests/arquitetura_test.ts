/**
 * A arquitetura conferida: o grafo de módulos de cada programa (`deno info
 * --json`, com os `import()` dinâmicos) e as regras que mantêm as camadas à
 * vista — o codec puro não toca em `Deno.*`, nada em `lib/` importa um ponto de
 * entrada, e o cliente não carrega nada do lado do servidor nem o log JSON.
 *
 * @module
 */

import assert from "node:assert/strict";

const RAIZ = new URL("../", import.meta.url);

/** Os módulos locais (caminhos relativos à raiz) e os pacotes do grafo. */
async function grafo(entrada: string): Promise<string[]> {
  const saida = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entrada],
    cwd: RAIZ,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(saida.code, 0, new TextDecoder().decode(saida.stderr));
  const info = JSON.parse(new TextDecoder().decode(saida.stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules.map(({ specifier }) =>
    specifier.startsWith(RAIZ.href)
      ? specifier.slice(RAIZ.href.length)
      : specifier
  ).sort();
}

/** Todos os arquivos `.ts` sob uma pasta, relativos à raiz. */
interface Modulo {
  specifier: string;
  dependencies?: {
    code?: { specifier: string };
    isDynamic?: boolean;
  }[];
}

/** Os módulos do grafo de `entrada`, cada um com suas dependências. */
async function grafoCompleto(entrada: string): Promise<Map<string, Modulo>> {
  const saida = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entrada],
    cwd: RAIZ,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(saida.code, 0, new TextDecoder().decode(saida.stderr));
  const info = JSON.parse(new TextDecoder().decode(saida.stdout)) as {
    modules: Modulo[];
  };
  return new Map(info.modules.map((m) => [m.specifier, m]));
}

/**
 * O que o programa carrega ao partir: o fecho das importações estáticas de
 * código (sem `import()` dinâmico nem `import type`), relativo à raiz.
 */
function carregadosNaPartida(
  modulos: Map<string, Modulo>,
  entrada: string,
): string[] {
  const vistos = new Set<string>();
  const pilha = [new URL(entrada, RAIZ).href];
  // Limitado pelo tamanho do grafo: cada módulo entra uma vez.
  while (pilha.length > 0) {
    const atual = pilha.pop()!;
    if (vistos.has(atual)) continue;
    vistos.add(atual);
    for (const dep of modulos.get(atual)?.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) pilha.push(dep.code.specifier);
    }
  }
  return [...vistos].map((m) =>
    m.startsWith(RAIZ.href) ? m.slice(RAIZ.href.length) : m
  ).sort();
}

async function arquivosTs(pasta: string): Promise<string[]> {
  const achados: string[] = [];
  for await (const entrada of Deno.readDir(new URL(pasta, RAIZ))) {
    const caminho = `${pasta}${entrada.name}`;
    if (entrada.isDirectory) achados.push(...await arquivosTs(`${caminho}/`));
    else if (entrada.name.endsWith(".ts")) achados.push(caminho);
  }
  return achados.sort();
}

async function texto(caminho: string): Promise<string> {
  return await Deno.readTextFile(new URL(caminho, RAIZ));
}

Deno.test("o cliente não carrega o lado do servidor, o log JSON nem o controle de acesso", async () => {
  const modulos = await grafo("cliente.ts");
  assert.ok(
    modulos.includes("lib/cliente/menu.ts"),
    "o menu (import dinâmico) entra no grafo",
  );
  const proibidos = modulos.filter((m) =>
    m.startsWith("lib/servidor/") ||
    /^lib\/saida\/(json|legivel|terminal)\.ts$/.test(m) ||
    m.includes("ipaddr") || m === "servidor.ts"
  );
  assert.deepEqual(proibidos, []);
});

/**
 * O que o cliente carrega antes de main(): exatamente estes módulos. Cada
 * módulo a mais na partida custa uns 0,05 a 0,1 ms ao cliente de uma
 * mensagem (cenário 5 do banco, alvo ≤ 1,5× de um `deno run` vazio); o que só
 * o menu, a ajuda, o modo --legado, o token e a CA em arquivo, quem lê a
 * entrada ou quem escreve algo usa entra por `import()`.
 */
const PARTIDA_DO_CLIENTE = [
  "cliente.ts",
  "lib/cli/argumentos.ts",
  "lib/cli/cliente.ts",
  "lib/cli/comum.ts",
  "lib/cli/permissoes.ts",
  "lib/cli/valores.ts",
  "lib/cliente/conectar.ts",
  "lib/cliente/falhas.ts",
  "lib/cliente/limites.ts",
  "lib/cliente/retomada.ts",
  "lib/cliente/roteiro.ts",
  "lib/cliente/sessao.ts",
  "lib/conexao.ts",
  "lib/datas.ts",
  "lib/erros.ts",
  "lib/protocolo/codificador.ts",
  "lib/protocolo/decodificador.ts",
  "lib/protocolo/quadros.ts",
  "lib/protocolo/utf8.ts",
  "lib/retornos.ts",
  "lib/saida/contagem.ts",
  "lib/saida/endereco.ts",
  "lib/sinais.ts",
  "lib/sorteio.ts",
  "lib/temporizador.ts",
];

Deno.test("o cliente de uma mensagem parte só com o que usa: o menu, a ajuda, o --legado, os arquivos, a leitura da entrada e a escrita em lotes vêm por import()", async () => {
  const modulos = await grafoCompleto("cliente.ts");
  const partida = carregadosNaPartida(modulos, "cliente.ts");
  for (
    const tardio of [
      "lib/cli/ajuda.ts",
      "lib/cli/arquivos.ts",
      "lib/cliente/legado.ts",
      "lib/cliente/linhas.ts",
      "lib/cliente/menu.ts",
      "lib/protocolo/legado.ts",
      "lib/saida/cores.ts",
      "lib/saida/lotes.ts",
    ]
  ) {
    assert.ok(
      modulos.has(new URL(tardio, RAIZ).href),
      `${tardio} continua no grafo (o deno compile o embute)`,
    );
    assert.ok(!partida.includes(tardio), `${tardio} carregado na partida`);
  }
  assert.deepEqual(
    partida,
    PARTIDA_DO_CLIENTE,
    "a partida do cliente mudou: um módulo novo nela pesa no cenário 5",
  );
});

Deno.test("cliente.ts pede ele mesmo cada módulo da partida: o Deno só lê o mapa de fontes de quem pede um módulo novo", async () => {
  const modulos = await grafoCompleto("cliente.ts");
  const diretos = (modulos.get(new URL("cliente.ts", RAIZ).href)
    ?.dependencies ?? [])
    .filter((dep) => dep.code && !dep.isDynamic)
    .map((dep) => dep.code!.specifier.slice(RAIZ.href.length));
  const faltam = PARTIDA_DO_CLIENTE.filter((m) =>
    m !== "cliente.ts" && !diretos.includes(m)
  );
  assert.deepEqual(
    faltam,
    [],
    "importe em cliente.ts (na lista do resto da partida) cada módulo da partida",
  );
});

Deno.test("o servidor não carrega a sessão, o menu nem os modos de script do cliente", async () => {
  const modulos = await grafo("servidor.ts");
  assert.deepEqual(
    modulos.filter((m) => m.startsWith("lib/cliente/") || m === "cliente.ts"),
    [],
  );
});

Deno.test("os clientes @nats-io só são carregados com --nats: por import() dinâmico de lib/nats/ligacao.ts", async () => {
  const modulos = await grafoCompleto("servidor.ts");
  const partida = carregadosNaPartida(modulos, "servidor.ts");
  assert.ok(partida.includes("lib/nats/assuntos.ts"), "a parte pura entra");
  assert.deepEqual(
    partida.filter((m) =>
      m.includes("@nats-io") ||
      /^lib\/nats\/(ligacao|publicador|acompanhar)\.ts$/.test(m)
    ),
    [],
    "o servidor sem --nats não carrega o NATS",
  );
  // No grafo inteiro, os pacotes estão lá (o import() dinâmico), e só
  // módulos de lib/nats/ (e o harness dos testes) os importam.
  const importamNats = [...modulos.values()].filter((m) =>
    (m.dependencies ?? []).some((d) =>
      d.code?.specifier.startsWith("npm:@nats-io/")
    )
  ).map((m) => m.specifier.slice(RAIZ.href.length));
  assert.ok(importamNats.length > 0, "o grafo tem os pacotes @nats-io");
  assert.deepEqual(
    importamNats.filter((m) => !m.startsWith("lib/nats/")),
    [],
  );
  // E quem importa lib/nats/ligacao.ts de fora de lib/nats/ o faz com import().
  for (const m of modulos.values()) {
    for (const d of m.dependencies ?? []) {
      if (!d.code?.specifier.endsWith("/lib/nats/ligacao.ts")) continue;
      if (m.specifier.includes("/lib/nats/")) continue;
      assert.ok(d.isDynamic, `${m.specifier} importa ligacao.ts sem import()`);
    }
  }
});

Deno.test("o cliente não tem o NATS nem no grafo", async () => {
  const modulos = await grafo("cliente.ts");
  assert.deepEqual(
    modulos.filter((m) => m.includes("@nats-io") || m.startsWith("lib/nats/")),
    [],
  );
});

Deno.test("o codec em lib/protocolo/ é puro: nenhum arquivo menciona Deno.", async () => {
  const arquivos = await arquivosTs("lib/protocolo/");
  assert.ok(arquivos.length > 0);
  for (const arquivo of arquivos) {
    assert.ok(
      !(await texto(arquivo)).includes("Deno."),
      `${arquivo} menciona Deno.`,
    );
  }
});

Deno.test("nada em lib/ importa um ponto de entrada, e todo arquivo abre com o comentário do módulo", async () => {
  const importacao = /(?:from|import)\s*\(?\s*"([^"]+)"/g;
  for (const arquivo of await arquivosTs("lib/")) {
    const conteudo = await texto(arquivo);
    assert.ok(
      conteudo.startsWith("/**"),
      `${arquivo} não abre com um comentário do módulo`,
    );
    for (const [, alvo] of conteudo.matchAll(importacao)) {
      if (!alvo!.startsWith(".")) continue;
      const resolvido = new URL(alvo!, new URL(arquivo, RAIZ)).href.slice(
        RAIZ.href.length,
      );
      assert.ok(
        resolvido.startsWith("lib/"),
        `${arquivo} importa ${resolvido}, fora de lib/`,
      );
    }
  }
});
