/**
 * O harness de falhas (tests/e2e/falhas.ts) e seu proxy
 * (tests/e2e/proxy_falhas.ts): a apuração sobre saídas sintéticas, a mecânica
 * do proxy contra um eco local, e o harness curto de verdade — 4 clientes ×
 * 2000 mensagens, sem falhas (tem de passar sempre) e nos dois modos da
 * entrega confiável. A versão longa roda sozinha com `deno task falhas`.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Apuracao,
  conferir,
  falhas,
  type FigurasFalhas,
  lerRelato,
  Linhas,
  linhasDoCliente,
  relatorio,
} from "./falhas.ts";
import { ProxyDeFalhas } from "./proxy_falhas.ts";
import { mulberry32 } from "../dados.ts";

const N = 4;
const M = 2000;
const SESSAO_A = "9f1c0000000000000000000000000ae2";
const SESSAO_B = "0123456789abcdef0123456789abcdef";

function linhaDeMensagem(texto: string, id?: string): string {
  return JSON.stringify({
    evento: "mensagem",
    par: "127.0.0.1:40000",
    numero: 1,
    assunto: "",
    texto,
    ...(id === undefined ? {} : { id }),
  });
}

function apurar(esperadas: string[], linhas: string[]) {
  const apuracao = new Apuracao(esperadas);
  for (const linha of linhas) apuracao.linha(linha);
  return apuracao.resultado();
}

Deno.test("apuração: conta por texto e por id", async (t) => {
  const esperadas = ["c00 000001", "c00 000002", "c01 000001"];
  const pronto = JSON.stringify({ evento: "pronto", porta: 5000 });

  await t.step("cada mensagem uma vez: nada faltando nem repetido", () => {
    const r = apurar(esperadas, [
      pronto,
      linhaDeMensagem("c00 000001", `${SESSAO_A}-1`),
      linhaDeMensagem("c01 000001", `${SESSAO_B}-1`),
      linhaDeMensagem("c00 000002", `${SESSAO_A}-2`),
      JSON.stringify({ evento: "saiu", mensagens: 2 }),
    ]);
    assert.equal(r.linhas, 5);
    assert.equal(r.inicios, 1);
    assert.equal(r.mensagens, 3);
    assert.equal(r.distintas, 3);
    assert.equal(r.faltando, 0);
    assert.equal(r.duplicadas, 0);
    assert.equal(r.ids, 3);
    assert.equal(r.duplicadasAposDedup, 0);
    assert.equal(r.semId, 0);
    assert.equal(r.idsMalformados, 0);
  });

  await t.step("repetida com o mesmo id: some na deduplicação", () => {
    const r = apurar(esperadas, [
      pronto,
      linhaDeMensagem("c00 000001", `${SESSAO_A}-1`),
      linhaDeMensagem("c00 000002", `${SESSAO_A}-2`),
      pronto, // reinício
      linhaDeMensagem("c00 000002", `${SESSAO_A}-2`),
      linhaDeMensagem("c00 000002", `${SESSAO_A}-2`),
      linhaDeMensagem("c01 000001", `${SESSAO_B}-1`),
    ]);
    assert.equal(r.inicios, 2);
    assert.equal(r.duplicadas, 2);
    assert.equal(r.textosRepetidos, 1);
    assert.equal(r.ids, 3);
    assert.equal(r.duplicadasAposDedup, 0);
  });

  await t.step("repetida com outro id: sobra depois da deduplicação", () => {
    const r = apurar(esperadas, [
      linhaDeMensagem("c00 000001", `${SESSAO_A}-1`),
      linhaDeMensagem("c00 000001", `${SESSAO_A}-7`),
      linhaDeMensagem("c00 000002", `${SESSAO_A}-2`),
      linhaDeMensagem("c01 000001", `${SESSAO_B}-1`),
    ]);
    assert.equal(r.duplicadas, 1);
    assert.equal(r.duplicadasAposDedup, 1);
    assert.match(r.exemplosDuplicadasAposDedup[0], /c00 000001 .*-1, .*-7/);
  });

  await t.step("repetida sem id não se deduplica", () => {
    const r = apurar(esperadas, [
      linhaDeMensagem("c00 000001"),
      linhaDeMensagem("c00 000001"),
    ]);
    assert.equal(r.semId, 2);
    assert.equal(r.ids, 0);
    assert.equal(r.duplicadasAposDedup, 1);
    assert.equal(r.faltando, 2);
    assert.deepEqual(r.exemplosFaltando, ["c00 000002", "c01 000001"]);
  });

  await t.step("id com dois textos, id malformado, texto inesperado", () => {
    const r = apurar(esperadas, [
      linhaDeMensagem("c00 000001", `${SESSAO_A}-1`),
      linhaDeMensagem("c00 000002", `${SESSAO_A}-1`),
      linhaDeMensagem("c01 000001", "ABC-1"),
      linhaDeMensagem("intrusa", `${SESSAO_B}-9`),
    ]);
    assert.equal(r.idsConflitantes, 1);
    assert.equal(r.idsMalformados, 1);
    assert.equal(r.inesperadas, 1);
    assert.equal(r.distintas, 3);
  });

  await t.step("linha cortada por um kill -9 conta como quebrada", () => {
    const inteira = linhaDeMensagem("c00 000001", `${SESSAO_A}-1`);
    const r = apurar(esperadas, [
      inteira.slice(0, 40),
      "",
      inteira,
    ]);
    assert.equal(r.linhas, 2);
    assert.equal(r.quebradas, 1);
    assert.equal(r.mensagens, 1);
    assert.equal(r.exemplosQuebradas[0], inteira.slice(0, 40));
  });
});

Deno.test("Linhas separa as linhas em qualquer ponto de corte, em UTF-8", () => {
  const texto = '{"texto":"ação"}\n{"b":2}\n\nresto sem quebra';
  const bytes = new TextEncoder().encode(texto);
  for (let i = 0; i <= bytes.length; i++) {
    for (const j of [i, Math.min(bytes.length, i + 3)]) {
      const linhas = new Linhas();
      const vistas: string[] = [];
      const porLinha = (l: string) => void vistas.push(l);
      linhas.push(bytes.subarray(0, i), porLinha);
      linhas.push(bytes.subarray(i, j), porLinha);
      linhas.push(bytes.subarray(j), porLinha);
      linhas.fim(porLinha);
      assert.deepEqual(
        vistas,
        ['{"texto":"ação"}', '{"b":2}', "", "resto sem quebra"],
        `cortes em ${i} e ${j}`,
      );
    }
  }
});

Deno.test("linhas dos clientes: únicas, numeradas, com largura fixa", () => {
  const a = linhasDoCliente(3, 20, 20_000);
  assert.equal(a.length, 20_000);
  assert.equal(a[0], "c03 000001");
  assert.equal(a[19_999], "c03 020000");
  assert.equal(linhasDoCliente(7, 150, 2)[1], "c007 000002");
  const todas = [0, 1, 2].flatMap((i) => linhasDoCliente(i, 3, 1000));
  assert.equal(new Set(todas).size, 3000);
});

Deno.test("lerRelato pega a última contagem do cliente, nas duas redações", () => {
  assert.deepEqual(lerRelato("cliente: 2000 de 2000 mensagens entregues\n"), {
    entregues: 2000,
    total: 2000,
  });
  assert.deepEqual(
    lerRelato("cliente: 1 de 5 entregues\ncliente: 5 de 5 entregues\n"),
    { entregues: 5, total: 5 },
  );
  assert.equal(lerRelato("cliente: a conexão caiu\n"), undefined);
});

function figuras(parcial: Partial<FigurasFalhas>): FigurasFalhas {
  const apuracao = new Apuracao(["c00 000001"]);
  apuracao.linha(JSON.stringify({ evento: "pronto" }));
  apuracao.linha(linhaDeMensagem("c00 000001", `${SESSAO_A}-1`));
  return {
    modo: "resets",
    clientes: 1,
    mensagens: 1,
    semente: 1,
    taxa: 0.5,
    duracaoMs: 1,
    duracaoClientesMs: 1,
    prazoEsgotado: false,
    apuracao: apuracao.resultado(),
    proxy: {
      conexoes: 1,
      repassadas: 1,
      recusadas: 0,
      cortes: 0,
      abertas: 0,
      bytes: { ida: 1, volta: 1 },
    },
    reinicios: { pedidos: 0, sigterm: 0, sigkill: 0 },
    trocasDePorta: 0,
    fins: [{
      nome: "c00",
      codigo: 0,
      relato: { entregues: 1, total: 1 },
      ultimoErro: "",
    }],
    saidaDoServidor: 0,
    arquivo: undefined,
    ...parcial,
  };
}

Deno.test("conferir: o que cada modo exige", async (t) => {
  await t.step("tudo certo passa nos dois modos", () => {
    assert.deepEqual(conferir(figuras({})), []);
    assert.deepEqual(conferir(figuras({ modo: "reinicios" })), []);
  });

  await t.step(
    "uma repetida reprova resets; com o mesmo id, não reinicios",
    () => {
      const a = new Apuracao(["c00 000001"]);
      a.linha(JSON.stringify({ evento: "pronto" }));
      a.linha(linhaDeMensagem("c00 000001", `${SESSAO_A}-1`));
      a.linha(JSON.stringify({ evento: "pronto" }));
      a.linha(linhaDeMensagem("c00 000001", `${SESSAO_A}-1`));
      const r = a.resultado();
      const resets = conferir(figuras({ apuracao: r }));
      assert.equal(resets.length, 2, resets.join("; "));
      assert.match(resets[0], /1 cópias repetidas/);
      assert.match(resets[1], /subiu 2 vezes/);
      const reinicios = {
        pedidos: 1,
        sigterm: 0,
        sigkill: 1,
      };
      assert.deepEqual(
        conferir(figuras({ modo: "reinicios", apuracao: r, reinicios })),
        [],
      );
    },
  );

  await t.step("cliente que falhou, prazo, faltantes, sem id, servidor", () => {
    const a = new Apuracao(["c00 000001", "c00 000002"]);
    a.linha(linhaDeMensagem("c00 000001"));
    const problemas = conferir(figuras({
      modo: "reinicios",
      mensagens: 2,
      prazoEsgotado: true,
      apuracao: a.resultado(),
      reinicios: { pedidos: 4, sigterm: 1, sigkill: 0 },
      fins: [{
        nome: "c00",
        codigo: 6,
        relato: { entregues: 1, total: 2 },
        ultimoErro: "cliente: caiu",
      }],
      saidaDoServidor: 1,
    }));
    assert.deepEqual(problemas, [
      "prazo esgotado: clientes ainda rodando foram mortos",
      "cliente c00 saiu com 6 e relatou 1 de 2 (cliente: caiu)",
      "1 de 2 mensagens nunca apareceram (ex.: c00 000002)",
      "o servidor saiu com 1 no SIGTERM final",
      '1 mensagens sem "id"',
      "só 1 de 4 reinícios aconteceram (os clientes pararam antes)",
    ]);
  });

  await t.step("cliente com 0 mas sem a linha final também reprova", () => {
    const [problema] = conferir(figuras({
      fins: [{ nome: "c00", codigo: 0, relato: undefined, ultimoErro: "" }],
    }));
    assert.equal(
      problema,
      "cliente c00 saiu com 0 e não relatou a contagem final",
    );
  });
});

// ---------------------------------------------------------------------------
// O proxy contra um eco local.

/** Um servidor de eco que conta o que recebeu. */
class Eco {
  readonly ouvinte: Deno.TcpListener;
  recebidos = 0;
  readonly #conexoes = new Set<Deno.TcpConn>();
  readonly #tarefas = new Set<Promise<void>>();
  readonly #aceitando: Promise<void>;

  constructor(porta = 0) {
    const ouvinte = Deno.listen({ hostname: "127.0.0.1", port: porta });
    this.ouvinte = ouvinte;
    this.#aceitando = (async () => {
      for await (const conn of ouvinte) {
        this.#conexoes.add(conn);
        const tarefa: Promise<void> = this.#ecoar(conn).finally(() =>
          this.#tarefas.delete(tarefa)
        );
        this.#tarefas.add(tarefa);
      }
    })().catch(() => {});
  }

  get porta(): number {
    return this.ouvinte.addr.port;
  }

  async #ecoar(conn: Deno.TcpConn) {
    const buffer = new Uint8Array(16 * 1024);
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        this.recebidos += n;
        let escritos = 0;
        while (escritos < n) {
          escritos += await conn.write(buffer.subarray(escritos, n));
        }
      }
    } catch {
      // cortada
    }
    this.#conexoes.delete(conn);
    try {
      conn.close();
    } catch {
      // já fechada
    }
  }

  async fechar() {
    this.ouvinte.close();
    await this.#aceitando;
    for (const conn of this.#conexoes) {
      try {
        conn.close();
      } catch {
        // já fechada
      }
    }
    await Promise.all([...this.#tarefas]);
  }
}

/** Conecta ao proxy, manda `dados` (meio-fecha) e lê tudo até o fim. */
async function idaEVolta(
  porta: number,
  dados: Uint8Array,
): Promise<{ voltou: Uint8Array; cortada: boolean }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: porta });
  const partes: Uint8Array[] = [];
  let cortada = false;
  try {
    const escrita = (async () => {
      let escritos = 0;
      while (escritos < dados.length) {
        escritos += await conn.write(dados.subarray(escritos));
      }
      await conn.closeWrite();
    })().catch(() => void (cortada = true));
    const buffer = new Uint8Array(64 * 1024);
    while (true) {
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch {
        cortada = true;
        break;
      }
      if (n === null) break;
      partes.push(buffer.slice(0, n));
    }
    await escrita;
  } finally {
    conn.close();
  }
  const voltou = new Uint8Array(partes.reduce((s, p) => s + p.length, 0));
  let pos = 0;
  for (const p of partes) {
    voltou.set(p, pos);
    pos += p.length;
  }
  return { voltou, cortada: cortada || voltou.length < dados.length };
}

function bytesAleatorios(n: number, semente: number): Uint8Array {
  const sorte = mulberry32(semente);
  return Uint8Array.from({ length: n }, () => Math.floor(sorte() * 256));
}

Deno.test("proxy: repassa os dois sentidos sem perder nem trocar bytes", async () => {
  const eco = new Eco();
  await using proxy = new ProxyDeFalhas({
    alvo: { host: "127.0.0.1", porta: eco.porta },
  });
  try {
    const dados = bytesAleatorios(300_000, 7);
    const resultados = await Promise.all(
      [0, 1, 2].map(() => idaEVolta(proxy.porta, dados)),
    );
    for (const { voltou, cortada } of resultados) {
      assert.equal(cortada, false);
      assert.deepEqual(voltou, dados);
    }
    const c = proxy.contagem;
    assert.equal(c.conexoes, 3);
    assert.equal(c.repassadas, 3);
    assert.equal(c.cortes, 0);
    assert.equal(c.bytes.ida, 900_000);
    assert.equal(c.bytes.volta, 900_000);
  } finally {
    await proxy.fechar();
    await eco.fechar();
  }
});

Deno.test("proxy: corta no byte sorteado, no meio do pedaço", async () => {
  const eco = new Eco();
  await using proxy = new ProxyDeFalhas({
    alvo: { host: "127.0.0.1", porta: eco.porta },
    taxa: 1,
    minBytes: 1000,
    maxBytes: 1000,
    sentido: "ida",
  });
  try {
    const { voltou, cortada } = await idaEVolta(
      proxy.porta,
      bytesAleatorios(50_000, 8),
    );
    assert.equal(cortada, true);
    assert.ok(voltou.length <= 1000, `${voltou.length}`);
    // O eco recebeu exatamente até o ponto de corte (espera o último pedaço).
    for (let i = 0; i < 100 && eco.recebidos < 1000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(eco.recebidos, 1000);
    assert.equal(proxy.contagem.cortes, 1);
    assert.equal(proxy.contagem.bytes.ida, 1000);
  } finally {
    await proxy.fechar();
    await eco.fechar();
  }
});

Deno.test("proxy: com taxa e semente, corta uma parte e se repete igual", async () => {
  const rodar = async () => {
    const eco = new Eco();
    const proxy = new ProxyDeFalhas({
      alvo: { host: "127.0.0.1", porta: eco.porta },
      taxa: 0.5,
      maxBytes: 40_000,
      semente: 99,
    });
    try {
      const cortadas: boolean[] = [];
      for (let i = 0; i < 12; i++) {
        cortadas.push(
          (await idaEVolta(proxy.porta, bytesAleatorios(20_000, i))).cortada,
        );
      }
      return { cortadas, cortes: proxy.contagem.cortes };
    } finally {
      await proxy.fechar();
      await eco.fechar();
    }
  };
  const a = await rodar();
  const b = await rodar();
  assert.ok(a.cortes > 0 && a.cortes < 12, `${a.cortes} cortes`);
  assert.equal(a.cortadas.filter((c) => c).length, a.cortes);
  assert.deepEqual(a.cortadas, b.cortadas);
});

Deno.test("proxy: sobrevive ao alvo fora do ar e volta quando ele volta", async () => {
  const primeiro = new Eco();
  const porta = primeiro.porta;
  await primeiro.fechar();
  await using proxy = new ProxyDeFalhas({
    alvo: { host: "127.0.0.1", porta },
  });
  let eco: Eco | undefined;
  try {
    const dados = bytesAleatorios(10_000, 3);
    const fora = await idaEVolta(proxy.porta, dados);
    assert.equal(fora.cortada, true);
    assert.equal(fora.voltou.length, 0);
    assert.equal(proxy.contagem.recusadas, 1);

    eco = new Eco(porta); // o "servidor reiniciado", na mesma porta
    const volta = await idaEVolta(proxy.porta, dados);
    assert.deepEqual(volta.voltou, dados);
    await eco.fechar();

    eco = new Eco(); // noutra porta: o proxy aprende
    proxy.apontar(eco.porta);
    const outra = await idaEVolta(proxy.porta, dados);
    assert.deepEqual(outra.voltou, dados);
    assert.equal(proxy.contagem.repassadas, 2);
  } finally {
    await proxy.fechar();
    await eco?.fechar();
  }
});

Deno.test("proxy: cortarTodas derruba as conexões abertas", async () => {
  const eco = new Eco();
  await using proxy = new ProxyDeFalhas({
    alvo: { host: "127.0.0.1", porta: eco.porta },
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.porta });
  try {
    await conn.write(new Uint8Array([1, 2, 3]));
    const buffer = new Uint8Array(3);
    assert.equal(await conn.read(buffer), 3);
    assert.equal(proxy.contagem.abertas, 1);
    assert.equal(proxy.cortarTodas(), 1);
    const depois = await conn.read(buffer).catch(() => null);
    assert.equal(depois, null);
    assert.equal(proxy.contagem.cortes, 1);
    assert.equal(proxy.contagem.abertas, 0);
  } finally {
    conn.close();
    await proxy.fechar();
    await eco.fechar();
  }
});

// ---------------------------------------------------------------------------
// O harness com os programas de verdade.

async function rodar(
  opcoes: Parameters<typeof falhas>[0],
): Promise<{ f: FigurasFalhas; problemas: string[] }> {
  const f = await falhas({ prazoMs: 8_000, tempoLimiteCliente: 5, ...opcoes });
  const problemas = conferir(f);
  return { f, problemas };
}

Deno.test("harness sem falhas: o proxy repassa e cada mensagem aparece uma vez", async () => {
  const { f, problemas } = await rodar({
    modo: "resets",
    clientes: N,
    mensagens: M,
    taxa: 0,
  });
  assert.deepEqual(problemas, [], relatorio(f, problemas));
  assert.equal(f.apuracao.mensagens, N * M);
  assert.equal(f.proxy.cortes, 0);
  assert.equal(f.proxy.repassadas, N);
});

Deno.test("entrega confiável: com conexões cortadas, cada mensagem exatamente uma vez", async () => {
  const { f, problemas } = await rodar({
    modo: "resets",
    clientes: N,
    mensagens: M,
    taxa: 0.5,
    maxBytes: 16 * 1024,
  });
  assert.ok(f.proxy.cortes > 0, "o proxy cortou conexões");
  assert.deepEqual(problemas, [], relatorio(f, problemas));
});

Deno.test("entrega confiável: com o servidor reiniciado, ao menos uma vez e uma só pelo id", async () => {
  const { f, problemas } = await rodar({
    modo: "reinicios",
    clientes: N,
    mensagens: M,
    taxa: 0.3,
    maxBytes: 16 * 1024,
    reinicios: 2,
    ritmo: { linhas: 50, pausaMs: 10 },
  });
  assert.ok(f.reinicios.sigterm + f.reinicios.sigkill > 0, "reiniciou");
  assert.deepEqual(problemas, [], relatorio(f, problemas));
});
