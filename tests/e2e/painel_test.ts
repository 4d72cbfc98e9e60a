/**
 * O painel de ponta a ponta: o `servidor` de verdade com `--painel`, as
 * mensagens mandadas pelo `cliente` de verdade e a página aberta num Chromium
 * sem tela (`puppeteer-core`). Confere a ordem no DOM, que nada do que os
 * clientes escrevem vira HTML ou roda, o filtro, e a volta sem lacuna nem
 * repetição depois que o teste corta o fluxo de eventos (por um proxy TCP
 * seu, no meio do caminho), a pausa, a marca do cliente original, o id curto
 * e a letra grande. Por HTTP: cabeçalhos, API, métricas, `/saude`, token,
 * listas de acesso e HTTPS com `--tls-cert`. Com `PAINEL_CAPTURA=arquivo.png`,
 * guarda uma captura da página (a do README).
 */

import assert from "node:assert/strict";
import { certificadosDeTeste } from "../certificados.ts";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import {
  alvo,
  iniciarServidor,
  opcoesDaTarefa,
  ParCru,
  Processo,
  rodarCliente,
} from "../ajudantes.ts";
import { conferirComPromtool } from "../painel/promtool.ts";

const CHROMIUM = "/usr/bin/chromium";

/** O Chromium do sistema, ou um erro de uma linha que diz o pacote. */
function chromium(): string {
  try {
    Deno.statSync(CHROMIUM);
    return CHROMIUM;
  } catch {
    throw new Error(
      `falta ${CHROMIUM}: instale o pacote Debian "chromium" (apt-get install chromium)`,
    );
  }
}

async function abrirNavegador(): Promise<
  { navegador: Browser; pasta: string }
> {
  const pasta = await Deno.makeTempDir({ prefix: "painel-chromium-" });
  const navegador = await puppeteer.launch({
    executablePath: chromium(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${pasta}`,
    ],
  });
  return { navegador, pasta };
}

/**
 * Um proxy TCP entre o navegador e o painel. `cortar()` fecha todas as
 * conexões e passa a segurar as novas até `soltar()`: o navegador fica sem
 * eventos por um tempo que o teste controla.
 */
class Proxy {
  readonly ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  readonly #destino: number;
  readonly #abertas = new Set<Deno.Conn>();
  readonly #retidas: Deno.Conn[] = [];
  readonly #tubos: Promise<unknown>[] = [];
  #segurando = false;
  #aoReter: (() => void) | undefined;
  readonly #aceitando: Promise<void>;

  constructor(destino: number) {
    this.#destino = destino;
    this.#aceitando = this.#aceitar();
  }

  get porta(): number {
    return this.ouvinte.addr.port;
  }

  async #aceitar() {
    try {
      for await (const conn of this.ouvinte) {
        if (this.#segurando) {
          this.#retidas.push(conn);
          this.#aoReter?.();
        } else await this.#ligar(conn);
      }
    } catch {
      // ouvinte fechado
    }
  }

  async #ligar(conn: Deno.Conn) {
    const outro = await Deno.connect({
      hostname: "127.0.0.1",
      port: this.#destino,
    });
    this.#abertas.add(conn);
    this.#abertas.add(outro);
    const tubo = (de: Deno.Conn, para: Deno.Conn) =>
      de.readable.pipeTo(para.writable).catch(() => {}).finally(() => {
        this.#fechar(de);
        this.#fechar(para);
      });
    this.#tubos.push(tubo(conn, outro), tubo(outro, conn));
  }

  #fechar(conn: Deno.Conn) {
    if (!this.#abertas.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // já fechada
    }
  }

  /** Fecha tudo o que está aberto e segura as próximas conexões. */
  cortar(): void {
    this.#segurando = true;
    for (const conn of [...this.#abertas]) this.#fechar(conn);
  }

  /** Espera o navegador tentar voltar (uma conexão retida). */
  tentouVoltar(): Promise<void> {
    if (this.#retidas.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#aoReter = resolve);
  }

  async soltar(): Promise<void> {
    this.#segurando = false;
    for (const conn of this.#retidas.splice(0)) await this.#ligar(conn);
  }

  async fechar(): Promise<void> {
    this.ouvinte.close();
    await this.#aceitando;
    for (const conn of this.#retidas.splice(0)) conn.close();
    for (const conn of [...this.#abertas]) this.#fechar(conn);
    await Promise.all(this.#tubos);
  }
}

// O código que roda na página vai como texto: o Deno não tem os tipos do DOM.

interface NaTela {
  id: number;
  texto: string;
  visivel: boolean;
}

/** As mensagens na tela, de cima para baixo. */
function naTela(pagina: Page): Promise<NaTela[]> {
  return pagina.evaluate(`[...document.querySelectorAll("#mensagens > li")]
    .map((li) => ({
      id: Number(li.dataset.id),
      texto: li.querySelector(".texto").textContent,
      visivel: !li.hidden,
    }))`) as Promise<NaTela[]>;
}

function esperarItens(pagina: Page, n: number) {
  return pagina.waitForFunction(
    `document.querySelectorAll("#mensagens > li").length >= ${n}`,
    { timeout: 10_000 },
  );
}

const ATAQUES = [
  "<script>window.invadido = 1</script>",
  '<img src=x onerror="window.invadido = 2">',
  "javascript:window.invadido = 3",
  "\u202Eevil\u202C e <b>negrito</b>",
];

Deno.test("painel no navegador: ordem, texto inerte, filtro, volta sem lacuna nem repetição, pausa, marca do cliente original, id curto e letra grande", async () => {
  const servidor = await iniciarServidor(["--painel", "0"]);
  // A linha do painel sai antes da de pronto, que iniciarServidor já esperou.
  const url = /> Painel em (http:\S+)/.exec(servidor.saida.texto)!;
  const proxy = new Proxy(Number(new URL(url[1]).port));
  const { navegador, pasta } = await abrirNavegador();
  try {
    const pagina = await navegador.newPage();
    const erros: string[] = [];
    pagina.on("pageerror", (e) => erros.push(String(e)));
    pagina.on("dialog", (d) => {
      erros.push(`diálogo: ${d.message()}`);
      void d.dismiss();
    });
    await pagina.setViewport({ width: 1100, height: 900 });
    await pagina.goto(`http://127.0.0.1:${proxy.porta}/`);
    await pagina.waitForSelector("#conexao.ao-vivo");

    const envio = await rodarCliente(
      [...alvo(servidor), "--assunto", "ataque", "--linhas"],
      ATAQUES.join("\n") + "\n",
    );
    assert.equal(envio.codigo, 0, envio.erros);
    await esperarItens(pagina, ATAQUES.length);
    let tela = await naTela(pagina);
    assert.deepEqual(tela.map((m) => m.id), [4, 3, 2, 1]);
    assert.deepEqual(tela.map((m) => m.texto), [
      "\\u{202E}evil\\u{202C} e <b>negrito</b>",
      ...ATAQUES.slice(0, 3).reverse(),
    ]);
    assert.equal(
      await pagina.evaluate("window.invadido"),
      undefined,
    );
    assert.equal(
      await pagina.$$eval(
        "#mensagens img, #mensagens script, #mensagens b",
        (e) => e.length,
      ),
      0,
    );
    assert.equal(await pagina.$$eval("#mensagens .escape", (e) => e.length), 2);

    // Filtro: só o que tem "onerror" fica visível; limpo, tudo volta.
    await pagina.type("#filtro", "ONERROR");
    tela = await naTela(pagina);
    assert.deepEqual(tela.filter((m) => m.visivel).map((m) => m.id), [2]);
    await pagina.evaluate(`{
      const filtro = document.getElementById("filtro");
      filtro.value = "";
      filtro.dispatchEvent(new Event("input"));
    }`);

    // Corta o fluxo; com o navegador tentando voltar, chegam mais três.
    proxy.cortar();
    await proxy.tentouVoltar();
    const depois = await rodarCliente(
      [...alvo(servidor), "--assunto", "depois do corte", "--linhas"],
      "um\ndois\ntrês\n",
    );
    assert.equal(depois.codigo, 0, depois.erros);
    await proxy.soltar();
    await esperarItens(pagina, ATAQUES.length + 3);
    await pagina.waitForSelector("#conexao.ao-vivo");
    tela = await naTela(pagina);
    assert.deepEqual(tela.map((m) => m.id), [7, 6, 5, 4, 3, 2, 1]);
    assert.deepEqual(tela.slice(0, 3).map((m) => m.texto), [
      "três",
      "dois",
      "um",
    ]);

    // Pausar retém as novas e conta quantas; continuar as mostra.
    await pagina.click("#pausar");
    const pausada = await rodarCliente([
      ...alvo(servidor),
      "--assunto",
      "durante a pausa",
      "--texto",
      "retida",
    ]);
    assert.equal(pausada.codigo, 0, pausada.erros);
    await pagina.waitForFunction(
      `document.getElementById("pausar").textContent === "Continuar (1 novas)"`,
      { timeout: 10_000 },
    );
    assert.equal((await naTela(pagina)).length, 7);
    await pagina.click("#pausar");
    await esperarItens(pagina, 8);
    assert.equal((await naTela(pagina))[0].texto, "retida");

    // O cliente original (o nosso --legado fala como ele) ganha a marca;
    // cada mensagem mostra o id curto, como o terminal.
    const antigo = await rodarCliente([
      ...alvo(servidor),
      "--legado",
      "--assunto",
      "do cliente original",
      "--texto",
      "sem fuso",
    ]);
    assert.equal(antigo.codigo, 0, antigo.erros);
    await esperarItens(pagina, 9);
    const marcas = await pagina.evaluate(`[...document.querySelectorAll(
      "#mensagens > li")].map((li) => ({
        legado: !li.querySelector(".legado").hidden,
        id: li.querySelector(".id").textContent,
        completo: li.querySelector(".id").title,
      }))`) as { legado: boolean; id: string; completo: string }[];
    assert.deepEqual(marcas.map((m) => m.legado), [
      true,
      ...new Array(8).fill(false),
    ]);
    for (const m of marcas) {
      assert.match(m.id, /^\[[0-9a-f]{8}-\d+\]$/);
      const [sessao, numero] = m.id.slice(1, -1).split("-");
      assert.match(
        m.completo,
        new RegExp(`^id ${sessao}[0-9a-f]{24}-${numero}$`),
      );
    }

    // Letra grande: liga e desliga (e se lembra no armazenamento da página).
    const tamanho = () =>
      pagina.evaluate(`getComputedStyle(document.body).fontSize`);
    assert.equal(await tamanho(), "16px");
    await pagina.click("#grande");
    assert.equal(await tamanho(), "28px");
    assert.equal(
      await pagina.evaluate(`localStorage.getItem("painel-grande")`),
      "1",
    );
    await pagina.click("#grande");
    assert.equal(await tamanho(), "16px");
    assert.deepEqual(erros, []);

    const captura = Deno.env.get("PAINEL_CAPTURA");
    if (captura) {
      await pagina.waitForFunction(
        `document.getElementById("por-minuto").textContent !== "0"`,
      );
      await pagina.screenshot({ path: captura as `${string}.png` });
    }
  } finally {
    await navegador.close();
    await proxy.fechar();
    await Deno.remove(pasta, { recursive: true });
    servidor.sinal("SIGINT");
    assert.equal(await servidor.status(), 0);
  }
});

/** A URL do painel que o servidor anunciou. */
function urlDoPainel(servidor: { saida: { texto: string } }): string {
  return /> Painel em (https?:\S+)/.exec(servidor.saida.texto)![1];
}

Deno.test("painel por HTTP: cabeçalhos, /api/mensagens?desde, /metricas no promtool, /saude 503 ao encerrar", async () => {
  const servidor = await iniciarServidor(["--painel", "0"]);
  const url = urlDoPainel(servidor);
  let sinalizado = false;
  try {
    const envio = await rodarCliente(
      [...alvo(servidor), "--assunto", "a", "--linhas"],
      "um\ndois\ntrês\n",
    );
    assert.equal(envio.codigo, 0, envio.erros);

    const pagina = await fetch(url);
    await pagina.body?.cancel();
    assert.equal(pagina.status, 200);
    assert.match(
      pagina.headers.get("content-security-policy")!,
      /script-src 'self'/,
    );
    assert.doesNotMatch(
      pagina.headers.get("content-security-policy")!,
      /unsafe/,
    );
    assert.equal(pagina.headers.get("x-content-type-options"), "nosniff");

    const api = await fetch(new URL("/api/mensagens?desde=1", url));
    assert.equal(api.headers.get("cache-control"), "no-store");
    const mensagens = await api.json();
    assert.deepEqual(mensagens.map((m: { seq: number }) => m.seq), [2, 3]);
    assert.equal(mensagens[1].texto, "três");
    assert.equal(mensagens[1].evento, "mensagem");
    assert.equal(mensagens[1].numero, 3);

    const controle = new AbortController();
    const eventos = await fetch(new URL("/eventos", url), {
      headers: { "last-event-id": "2" },
      signal: controle.signal,
    });
    assert.equal(eventos.headers.get("cache-control"), "no-store");
    assert.match(eventos.headers.get("content-type")!, /^text\/event-stream/);
    const leitor = eventos.body!.getReader();
    const inicio = new TextDecoder().decode((await leitor.read()).value);
    assert.deepEqual([...inicio.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]), [
      "3",
    ]);
    const metricas = await (await fetch(new URL("/metricas", url))).text();
    assert.match(metricas, /^sockets_mensagens_recebidas_total 3$/m);
    assert.match(metricas, /^sockets_espectadores 1$/m);
    assert.match(metricas, /^sockets_espectadores_desligados_total 0$/m);
    assert.match(metricas, /^sockets_mensagens_nao_gravadas 0$/m);
    await conferirComPromtool(metricas);
    controle.abort();
    await leitor.closed.catch(() => {});

    const saude = await fetch(new URL("/saude", url));
    assert.equal(saude.status, 200);
    await saude.body?.cancel();
    // Um cliente que não se despede segura o encerramento na tolerância.
    using par = await ParCru.conectar(servidor);
    await par.saudar();
    servidor.sinal("SIGINT");
    sinalizado = true;
    await servidor.saida.esperar(/encerrando/);
    const encerrando = await fetch(new URL("/saude", url));
    assert.equal(encerrando.status, 503);
    await encerrando.body?.cancel();
    par.fechar();
  } finally {
    if (!sinalizado) servidor.sinal("SIGINT");
    assert.equal(await servidor.status(), 0);
  }
});

Deno.test("painel com token: 401 sem ele, Bearer para scripts, cookie depois de /entrar, atraso no erro", async () => {
  const servidor = await iniciarServidor(["--painel", "0"], "127.0.0.1", {
    SOCKETS_TOKEN: "segredo",
  });
  const url = urlDoPainel(servidor);
  try {
    const sem = await fetch(url);
    assert.equal(sem.status, 401);
    assert.match(await sem.text(), /<form method="post" action="\/entrar">/);
    const api = await fetch(new URL("/api/mensagens", url));
    assert.equal(api.status, 401);
    await api.body?.cancel();
    const bearer = await fetch(new URL("/metricas", url), {
      headers: { authorization: "Bearer segredo" },
    });
    assert.equal(bearer.status, 200);
    await bearer.body?.cancel();

    const entrar = (token: string) =>
      fetch(new URL("/entrar", url), {
        method: "POST",
        body: new URLSearchParams({ token }),
        redirect: "manual",
      });
    const inicio = performance.now();
    const errado = await entrar("errado");
    assert.equal(errado.status, 401);
    await errado.body?.cancel();
    assert.ok(performance.now() - inicio >= 90, "o erro deve ser atrasado");
    const certo = await entrar("segredo");
    assert.equal(certo.status, 303);
    await certo.body?.cancel();
    const cookie = certo.headers.get("set-cookie")!;
    assert.match(cookie, /HttpOnly; SameSite=Strict/);
    assert.doesNotMatch(cookie, /segredo/);
    const comCookie = await fetch(url, {
      headers: { cookie: cookie.split(";")[0] },
    });
    assert.equal(comCookie.status, 200);
    await comCookie.body?.cancel();
  } finally {
    servidor.sinal("SIGINT");
    assert.equal(await servidor.status(), 0);
  }
});

Deno.test("painel: --negar vale para os espectadores", async () => {
  const servidor = await iniciarServidor([
    "--painel",
    "0",
    "--negar",
    "127.0.0.1",
  ]);
  try {
    const resposta = await fetch(urlDoPainel(servidor));
    assert.equal(resposta.status, 403);
    await resposta.body?.cancel();
  } finally {
    servidor.sinal("SIGINT");
    assert.equal(await servidor.status(), 0);
  }
});

Deno.test("painel com --tls-cert/--tls-chave: HTTPS com o certificado do servidor, --permitir vale para os espectadores", async () => {
  const pasta = await Deno.makeTempDir({ prefix: "painel-tls-" });
  try {
    await certificadosDeTeste(pasta);
    const tls = [
      "--tls-cert",
      `${pasta}/srv.pem`,
      "--tls-chave",
      `${pasta}/srv.key`,
    ];
    const cliente = Deno.createHttpClient({
      caCerts: [await Deno.readTextFile(`${pasta}/ca.pem`)],
    });
    try {
      const servidor = await iniciarServidor([
        "--painel",
        "0",
        "--permitir",
        "127.0.0.1",
        ...tls,
      ]);
      try {
        const url = urlDoPainel(servidor);
        assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
        const saude = await fetch(new URL("/saude", url), { client: cliente });
        assert.equal(saude.status, 200);
        assert.equal(await saude.text(), "ok\n");
        const pagina = await fetch(url, { client: cliente });
        assert.equal(pagina.status, 200);
        await pagina.body?.cancel();
        // Sem a CA, o certificado não é aceito: é mesmo TLS com ele.
        await assert.rejects(fetch(new URL("/saude", url)));
        // HTTP simples na porta do painel não passa.
        await assert.rejects(
          fetch(new URL("/saude", url.replace("https:", "http:"))).then((r) =>
            r.text()
          ),
        );
      } finally {
        servidor.sinal("SIGINT");
        assert.equal(await servidor.status(), 0);
      }

      // Fora de --permitir: 403, também por HTTPS.
      const fora = await iniciarServidor([
        "--painel",
        "0",
        "--permitir",
        "10.0.0.0/8",
        ...tls,
      ]);
      try {
        const resposta = await fetch(new URL("/saude", urlDoPainel(fora)), {
          client: cliente,
        });
        assert.equal(resposta.status, 403);
        await resposta.body?.cancel();
      } finally {
        fora.sinal("SIGINT");
        assert.equal(await fora.status(), 0);
      }
    } finally {
      cliente.close();
    }
  } finally {
    await Deno.remove(pasta, { recursive: true });
  }
});

/**
 * O servidor em 127.0.0.1 com o painel, portas efêmeras e no máximo `limite`
 * descritores abertos (`ulimit -n` num bash que dá `exec` no deno: o PID é o
 * do servidor); `args` vão depois.
 */
function servidorComPoucosDescritores(limite: number, args: string[]) {
  const deno = [
    Deno.execPath(),
    "run",
    ...opcoesDaTarefa("servidor"),
    new URL("../../servidor.ts", import.meta.url).pathname,
    ...["--host", "127.0.0.1", "--porta", "0", "--painel", "0"],
    ...args,
  ];
  return new Processo(
    new Deno.Command("bash", {
      args: ["-c", `ulimit -n ${limite} && exec "$@"`, "bash", ...deno],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn(),
    false,
  );
}

/** As portas do servidor pronto: a do protocolo, a URL e a porta do painel. */
async function portasDoPainel(servidor: Processo) {
  const [, porta] = await servidor.saida.esperar(
    /na porta (\d+)\. Aguardando/,
  );
  const url = urlDoPainel(servidor);
  return { porta: porta!, url, painel: Number(new URL(url).port) };
}

/** Abre até `n` conexões a `porta` mandando `pedido`; para na primeira recusa. */
async function conectarVarias(
  porta: number,
  n: number,
  pedido: Uint8Array,
): Promise<Deno.TcpConn[]> {
  const conexoes: Deno.TcpConn[] = [];
  for (let i = 0; i < n; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: porta })
      .catch(() => null);
    if (conn === null) break;
    conexoes.push(conn);
    await conn.write(pedido).catch(() => 0);
  }
  return conexoes;
}

/** Quantas destas conexões o outro lado já fechou (lê com prazo curto). */
async function fechadasPeloOutroLado(
  conexoes: Deno.TcpConn[],
  prazoMs: number,
): Promise<number> {
  const fechou = async (conn: Deno.TcpConn) => {
    let prazo: ReturnType<typeof setTimeout> | undefined;
    const lido = await Promise.race([
      conn.read(new Uint8Array(64)).then((n) => n === null, () => true),
      new Promise<"aberta">((pronto) => {
        prazo = setTimeout(() => pronto("aberta"), prazoMs);
      }),
    ]);
    clearTimeout(prazo);
    return lido === true;
  };
  let n = 0;
  for (const conn of conexoes) if (await fechou(conn)) n++;
  return n;
}

Deno.test("painel contra pedidos pela metade (slowloris): no máximo 32 por endereço, fechados no --prazo, e os descritores sobram para os clientes", async () => {
  await using servidor = servidorComPoucosDescritores(256, [
    "--prazo",
    "1.5",
  ]);
  const { porta, url, painel } = await portasDoPainel(servidor);
  const pedido = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n");
  // Antes, 400 destas deixavam o processo sem descritores (EMFILE).
  const pelaMetade = await conectarVarias(painel, 400, pedido);
  try {
    assert.equal(pelaMetade.length, 400, "o painel continuou aceitando");
    // As que passaram do teto por endereço foram fechadas ao chegar; as
    // outras continuam abertas, à espera do resto do pedido.
    const [ficam, excedentes] = [pelaMetade.slice(0, 32), pelaMetade.slice(32)];
    assert.equal(await fechadasPeloOutroLado(excedentes, 2000), 368);
    // Com o ataque no ar, a porta do protocolo atende.
    const r = await rodarCliente([
      "--host",
      "127.0.0.1",
      "--porta",
      porta,
      "--assunto",
      "durante",
      "--texto",
      "de pé",
    ]);
    assert.equal(r.codigo, 0, r.erros);
    // No --prazo (1,5 s), as 32 que ficaram são fechadas.
    assert.equal(await fechadasPeloOutroLado(ficam, 5000), 32);
  } finally {
    for (const conn of pelaMetade) conn.close();
  }
  const saude = await fetch(new URL("/saude", url));
  assert.equal(saude.status, 200);
  assert.equal(saude.headers.get("connection"), "close");
  await saude.body?.cancel();
  servidor.sinal("SIGTERM");
  assert.equal(await servidor.status(), 0);
  assert.doesNotMatch(servidor.saida.texto, /falha ao aceitar/);
  assert.doesNotMatch(servidor.erros.texto, /Uncaught|\bat /);
});

Deno.test("painel sem descritores livres: relata, volta a aceitar quando há, e o servidor continua de pé (sem rastro de pilha)", async () => {
  await using servidor = servidorComPoucosDescritores(256, []);
  const { porta, url, painel } = await portasDoPainel(servidor);
  // Os descritores acabam pela porta do protocolo (até --max-conexoes, 1000,
  // as conexões sem saudação ficam até o --prazo, 10 s); o painel, que
  // aceita na mesma hora, falha ao aceitar e relata.
  const vazio = new Uint8Array(0);
  const protocolo = await conectarVarias(Number(porta), 300, vazio);
  const doPainel: Deno.TcpConn[] = [];
  try {
    const limite = Date.now() + 10_000;
    // Limitado pelo prazo: até o painel relatar a falha ao aceitar.
    while (
      !/painel: falha ao aceitar conexão: .*de novo em 1 s/.test(
        servidor.saida.texto,
      )
    ) {
      assert.ok(Date.now() < limite, "o painel não relatou a falha em 10 s");
      doPainel.push(...await conectarVarias(painel, 1, vazio));
      await new Promise((pronto) => setTimeout(pronto, 50));
    }
  } finally {
    for (const conn of [...protocolo, ...doPainel]) conn.close();
  }
  // Com descritores livres de novo, o painel volta a atender.
  const limite = Date.now() + 10_000;
  let saude: Response | undefined;
  while (saude === undefined) {
    saude = await fetch(new URL("/saude", url)).catch(() => undefined);
    if (saude === undefined) {
      assert.ok(Date.now() < limite, "o painel não voltou em 10 s");
      await new Promise((pronto) => setTimeout(pronto, 100));
    }
  }
  assert.equal(saude.status, 200);
  await saude.body?.cancel();
  const r = await rodarCliente([
    "--host",
    "127.0.0.1",
    "--porta",
    porta,
    "--assunto",
    "depois",
    "--texto",
    "de pé",
  ]);
  assert.equal(r.codigo, 0, r.erros);
  servidor.sinal("SIGTERM");
  assert.equal(await servidor.status(), 0);
  assert.doesNotMatch(servidor.erros.texto, /Uncaught|\bat /);
});
