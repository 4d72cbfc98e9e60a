/**
 * Os modos para scripts, de ponta a ponta, pelos programas de verdade com as
 * permissões das tarefas (as mesmas dos binários compilados): o cliente sem
 * menu (uma mensagem, texto da entrada, `--linhas`), o `servidor --json`,
 * `--versao`/`--ajuda`, e o conjunto de permissões, que não pode crescer sem
 * que este teste mude junto.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  alvo,
  iniciar,
  iniciarServidor,
  opcoesDaTarefa,
  ParCru,
  rodarCliente,
  type ServidorEmTeste,
} from "../ajudantes.ts";
import { textoDeAjuda } from "../../lib/cli/ajuda.ts";
import { PROGRAMA_CLIENTE } from "../../lib/cli/cliente.ts";
import { VERSAO_PROGRAMA } from "../../lib/cli/comum.ts";
import { PROGRAMA_SERVIDOR } from "../../lib/cli/servidor.ts";
import { Cliente } from "../../lib/cliente/sessao.ts";
import { CodigoErro } from "../../lib/erros.ts";
import { RetornoCliente, RetornoServidor } from "../../lib/retornos.ts";
import { novaMensagem } from "../../lib/datas.ts";
import {
  codificar,
  codificarMensagem,
} from "../../lib/protocolo/codificador.ts";
import { Tipo, VERSAO } from "../../lib/protocolo/quadros.ts";

const RAIZ = new URL("../../", import.meta.url);
const ISO_COM_FUSO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$/;
/** Caracteres que um terminal interpretaria (exceto `\n`, que separa as linhas). */
const CRU_PERIGOSO =
  // deno-lint-ignore no-control-regex -- procura justamente os controles
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

type EventoJson = Record<string, unknown> & { evento: string };

/** Cada linha da saída padrão do `servidor --json`, já lida como JSON. */
function eventos(servidor: ServidorEmTeste): EventoJson[] {
  const linhas = servidor.saida.texto.split("\n");
  assert.equal(linhas.pop(), "", "a saída termina em quebra de linha");
  return linhas.map((linha) => {
    try {
      return JSON.parse(linha) as EventoJson;
    } catch {
      throw new Error(
        `linha que não é JSON na saída: ${JSON.stringify(linha)}`,
      );
    }
  });
}

function mensagensRecebidas(servidor: ServidorEmTeste): EventoJson[] {
  return eventos(servidor).filter((e) => e.evento === "mensagem");
}

/** Espera o servidor relatar a saída (CODIGO_SAIDA) de um cliente, em JSON. */
async function esperarSaida(servidor: ServidorEmTeste, mensagens: number) {
  await servidor.saida.esperar(
    new RegExp(`"evento":"saiu"[^\\n]*"mensagens":${mensagens}\\}\\n`),
  );
}

Deno.test("--assunto/--texto: entrega, não imprime nada e sai com 0", async () => {
  await using servidor = await iniciarServidor();
  const r = await rodarCliente([
    ...alvo(servidor),
    "--assunto",
    "Backup",
    "--texto",
    "concluído",
  ]);
  assert.deepEqual(r, { codigo: 0, saida: "", erros: "" });
  await servidor.saida.esperar(
    /> ASSUNTO:\n {2}Backup\n\n> TEXTO:\n {2}concluído\n---\n/,
  );
  await servidor.saida.esperar(/saiu \(CODIGO_SAIDA\) depois de 1 mensagem\./);
});

Deno.test("--verbose imprime uma linha só", async () => {
  await using servidor = await iniciarServidor();
  const r = await rodarCliente([
    ...alvo(servidor),
    "--assunto",
    "Backup",
    "--texto",
    "ok",
    "--verbose",
  ]);
  assert.equal(r.codigo, 0);
  assert.match(r.saida, /^mensagem #0*1 entregue\n$/);
  assert.equal(r.erros, "");
});

Deno.test("--texto - lê a entrada inteira como um texto (sem a quebra final)", async () => {
  await using servidor = await iniciarServidor(["--json"]);
  const texto = "linha 1\n  linha 2 recuada\n\nção 👋🏽\ttab";
  const r = await rodarCliente(
    [...alvo(servidor), "--assunto", "Relatório", "--texto", "-"],
    texto + "\n",
  );
  assert.deepEqual(r, { codigo: 0, saida: "", erros: "" });
  await esperarSaida(servidor, 1);
  const [mensagem] = mensagensRecebidas(servidor);
  assert.equal(mensagem.assunto, "Relatório");
  assert.equal(mensagem.texto, texto);
});

Deno.test("--assunto com a entrada redirecionada e sem --texto: a entrada é o texto", async () => {
  await using servidor = await iniciarServidor(["--json"]);
  const r = await rodarCliente(
    [...alvo(servidor), "--assunto", "Disco"],
    "Sist. Arq.  Tam.\r\n/dev/sda1  50G\r\n",
  );
  assert.deepEqual(r, { codigo: 0, saida: "", erros: "" });
  await esperarSaida(servidor, 1);
  const [mensagem] = mensagensRecebidas(servidor);
  assert.equal(mensagem.assunto, "Disco");
  assert.equal(mensagem.texto, "Sist. Arq.  Tam.\r\n/dev/sda1  50G");
});

Deno.test("--linhas: 500 linhas, todas no servidor uma vez e em ordem; --verbose conta no fim", async () => {
  await using servidor = await iniciarServidor(["--json"]);
  const linhas = Array.from(
    { length: 500 },
    (_, i) => `linha ${String(i + 1).padStart(3, "0")} ção`,
  );
  const r = await rodarCliente(
    [...alvo(servidor), "--assunto", "app", "--linhas", "--verbose"],
    linhas.join("\n") + "\n",
  );
  assert.deepEqual(r, {
    codigo: 0,
    saida: "cliente: 500 de 500 mensagens entregues\n",
    erros: "",
  });
  await esperarSaida(servidor, 500);
  const recebidas = mensagensRecebidas(servidor);
  assert.deepEqual(recebidas.map((m) => m.texto), linhas);
  assert.deepEqual(
    recebidas.map((m) => m.numero),
    linhas.map((_, i) => i + 1),
  );
  assert.ok(recebidas.every((m) => m.assunto === "app"));
  assert.equal(new Set(recebidas.map((m) => m.par)).size, 1);
});

Deno.test("--linhas sem --verbose: silencioso; última linha sem quebra também vai", async () => {
  await using servidor = await iniciarServidor(["--json"]);
  const r = await rodarCliente(
    [...alvo(servidor), "--assunto", "app", "--linhas"],
    "um\r\ndois\ntrês",
  );
  assert.deepEqual(r, { codigo: 0, saida: "", erros: "" });
  await esperarSaida(servidor, 3);
  assert.deepEqual(mensagensRecebidas(servidor).map((m) => m.texto), [
    "um",
    "dois",
    "três",
  ]);
});

Deno.test("mensagem grande demais, sem menu: falha com o texto claro e código 1", async () => {
  await using servidor = await iniciarServidor();
  const r = await rodarCliente([
    ...alvo(servidor),
    "--assunto",
    "X",
    "--texto",
    "x".repeat(2000),
  ]);
  assert.equal(r.codigo, RetornoCliente.NAO_ENTREGUE);
  assert.equal(r.saida, "");
  // 1 + 2000 = 2001 bytes: 977 acima de 1024.
  assert.equal(
    r.erros,
    "cliente: mensagem não enviada: 977 bytes acima do limite de 1024 bytes do servidor\n",
  );
  await servidor.saida.esperar(/saiu \(CODIGO_SAIDA\) depois de 0 mensagens/);
  assert.doesNotMatch(servidor.saida.texto, /ASSUNTO/);
});

Deno.test("--linhas: a linha grande demais é relatada e pulada, as outras vão; código 1 e resumo", async () => {
  await using servidor = await iniciarServidor(["--json"]);
  const r = await rodarCliente(
    [...alvo(servidor), "--assunto", "app", "--linhas"],
    `antes\n${"é".repeat(600)}\ndepois\n`,
  );
  assert.equal(r.codigo, RetornoCliente.NAO_ENTREGUE);
  assert.equal(r.saida, "");
  // 3 + 1200 = 1203 bytes: 179 acima de 1024.
  assert.equal(
    r.erros,
    "cliente: linha 2 pulada: 179 bytes acima do limite de 1024 bytes do servidor\n" +
      "cliente: 2 de 3 mensagens entregues, 1 pulada por tamanho\n",
  );
  await esperarSaida(servidor, 2);
  assert.deepEqual(mensagensRecebidas(servidor).map((m) => m.texto), [
    "antes",
    "depois",
  ]);
});

/**
 * Bytes na fila de recepção das conexões estabelecidas na porta (do kernel).
 * O Deno só deixa ler /proc com --allow-all; `cat` basta.
 */
async function filaDeRecepcao(porta: number): Promise<number> {
  const hex = porta.toString(16).toUpperCase().padStart(4, "0");
  const { stdout } = await new Deno.Command("cat", {
    args: ["/proc/net/tcp"],
    stderr: "inherit",
  }).output();
  let total = 0;
  for (const linha of new TextDecoder().decode(stdout).split("\n")) {
    const campos = linha.trim().split(/\s+/);
    if (campos[1]?.endsWith(`:${hex}`) && campos[3] === "01") {
      total += parseInt(campos[4].split(":")[1], 16);
    }
  }
  return total;
}

Deno.test({
  name:
    "--linhas: servidor morto no meio — tenta reconectar, desiste no prazo, código diferente de 0 e as não entregues relatadas",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using servidor = await iniciarServidor();
    await using cliente = iniciar(
      "cliente",
      [
        ...alvo(servidor),
        "--assunto",
        "lote",
        "--linhas",
        "--tempo-limite",
        "1",
      ],
      { entrada: true },
    );
    await cliente.digitar("antes 1");
    await cliente.digitar("antes 2");
    await servidor.saida.esperar(/TEXTO:\n {2}antes 2\n/);
    // Parado, o servidor não lê nem confirma; as próximas ficam a caminho.
    servidor.sinal("SIGSTOP");
    const depois = [1, 2, 3, 4, 5].map((i) => `depois ${i}`);
    for (const linha of depois) await cliente.digitar(linha);
    const bytes = depois.reduce(
      (soma, linha, i) =>
        soma + codificarMensagem(novaMensagem(i + 3, "lote", linha)).length,
      0,
    );
    // Espera (com prazo) as cinco chegarem ao kernel do servidor parado.
    const limite = Date.now() + 10_000;
    while ((await filaDeRecepcao(servidor.porta)) < bytes) {
      assert.ok(Date.now() < limite, "as mensagens não chegaram ao servidor");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    servidor.sinal("SIGKILL");
    await servidor.status();
    const codigo = await cliente.status();
    assert.notEqual(codigo, 0);
    assert.equal(codigo, RetornoCliente.CONEXAO_PERDIDA);
    // A confirmação (cumulativa) das duas primeiras pode ainda não ter saído
    // quando o servidor para — ele grava a mensagem antes de escrever a
    // confirmação no socket —, então 0, 1 ou 2 entregues; as cinco de depois
    // nunca foram confirmadas. O cliente tenta reconectar (e reenviar) até
    // `--tempo-limite`; depois, toda não confirmada é dada como não entregue.
    const resumo =
      /^cliente: mensagem #00([123]) não entregue: sem conseguir reconectar a 127\.0\.0\.1:\d+ em 1 s \([567] mensagens sem confirmação; última falha: [^\n]+\)\ncliente: ([012]) de 7 mensagens entregues, ([567]) não entregues\n$/
        .exec(cliente.erros.texto);
    assert.ok(resumo, cliente.erros.texto);
    const [, primeira, entregues, perdidas] = resumo.map(Number);
    assert.equal(primeira, entregues + 1);
    assert.equal(entregues + perdidas, 7);
  },
});

Deno.test("uma mensagem que o servidor não confirma: código 5 e 'não confirmou nada', não uma queda", async () => {
  // Um servidor que saúda (versão 2) e depois lê tudo sem nunca confirmar nem
  // responder à despedida.
  using ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const saudou = Promise.withResolvers<void>();
  const mudo = (async () => {
    const conn = await ouvinte.accept();
    try {
      await conn.read(new Uint8Array(4096)); // a saudação do cliente
      await conn.write(codificar({
        tipo: Tipo.OLA_SERVIDOR,
        versao: VERSAO,
        tamanhoMaximo: 1024,
        tempoOcioso: 0,
        ultimoGravado: 0,
      }));
      saudou.resolve();
      const resto = new Uint8Array(4096);
      while (await conn.read(resto) !== null) { /* lê e não confirma */ }
    } catch {
      // o cliente fechou
    } finally {
      conn.close();
    }
  })();
  await using cliente = iniciar("cliente", [
    "--host",
    "127.0.0.1",
    "--porta",
    String(ouvinte.addr.port),
    "--assunto",
    "a",
    "--texto",
    "-",
    "--tempo-limite",
    "1",
  ], { entrada: true });
  await saudou.promise;
  await cliente.digitar("sem resposta");
  assert.equal(await cliente.status(), RetornoCliente.TEMPO_ESGOTADO);
  assert.equal(
    cliente.erros.texto,
    "cliente: mensagem #001 não entregue: o servidor não confirmou nada em 1 s (1 mensagem à espera de confirmação; a saída dele pode estar parada)\n",
  );
  await mudo;
});

Deno.test("--linhas com --texto é erro de uso: código 2 e dica da ajuda", async () => {
  const r = await rodarCliente([
    "--host",
    "127.0.0.1",
    "--assunto",
    "x",
    "--linhas",
    "--texto",
    "y",
  ]);
  assert.deepEqual(r, {
    codigo: RetornoCliente.USO,
    saida: "",
    erros:
      "cliente: --linhas lê os textos da entrada; não use --texto junto\n" +
      'Use "cliente --ajuda" para ver as opções.\n',
  });
});

Deno.test("servidor --json: um objeto por linha para cada evento; o texto para pessoas vai à saída de erro", async () => {
  const servidor = await iniciarServidor(["--json"]);
  try {
    // O pronto: JSON na saída padrão; a linha para pessoas já foi na de erro.
    await servidor.saida.esperar(/\{"evento":"pronto"[^\n]*\n/);
    const cliente = await Cliente.conectar({
      host: servidor.host,
      porta: servidor.porta,
      tempoLimite: 5000,
    });
    const perigoso =
      "\x1b]0;HACKED\x07\x1b[41mvermelho\x1b[2J\x1b[H\x9b31m\u202eabc\u2066\u2028\x00\x7f\r\n\tfim\\";
    const mensagem = cliente.compor("Assunto \x1b[1mnegrito", perigoso);
    await cliente.enviar(mensagem);
    assert.equal(await cliente.sair(), null);
    await servidor.saida.esperar(/"evento":"saiu"/);
    {
      using lixo = await ParCru.conectar(servidor);
      await lixo.escrever("GET / HTTP/1.1\r\n\r\n");
      await lixo.ateOFim();
    }
    await servidor.saida.esperar(/"evento":"rejeitado"/);
    servidor.sinal("SIGTERM");
    assert.equal(await servidor.status(), RetornoServidor.OK);

    const texto = servidor.saida.texto;
    assert.doesNotMatch(texto, CRU_PERIGOSO);
    const todos = eventos(servidor);
    for (const evento of todos) {
      assert.match(evento.instante as string, ISO_COM_FUSO, evento.evento);
    }
    assert.deepEqual(todos.map((e) => e.evento), [
      "pronto",
      "conectou",
      "mensagem",
      "saiu",
      "conectou",
      "rejeitado",
      "encerrando",
      "resumo",
    ]);
    const porTipo = (tipo: string) =>
      todos.filter((e) => e.evento === tipo).map(({ instante: _, ...e }) => e);
    assert.deepEqual(porTipo("pronto"), [{
      evento: "pronto",
      endereco: "127.0.0.1",
      porta: servidor.porta,
      tamanhoMaximo: 1024,
      maxConexoes: 1000,
    }]);
    const [conectou, conectouLixo] = porTipo("conectou");
    assert.match(conectou.par as string, /^127\.0\.0\.1:\d+$/);
    const par = conectou.par;
    const [recebida] = todos.filter((e) => e.evento === "mensagem");
    assert.match(recebida.enviada as string, ISO_COM_FUSO);
    assert.equal(
      new Date(recebida.enviada as string).getTime(),
      mensagem.instante,
    );
    const id = String(porTipo("mensagem")[0]?.id);
    assert.match(id, /^[0-9a-f]{32}-1$/);
    assert.deepEqual(porTipo("mensagem"), [{
      evento: "mensagem",
      par,
      id,
      numero: 1,
      enviada: recebida.enviada,
      assunto: "Assunto \x1b[1mnegrito",
      texto: perigoso,
      legado: false,
    }]);
    assert.deepEqual(porTipo("saiu"), [{ evento: "saiu", par, mensagens: 1 }]);
    assert.deepEqual(porTipo("rejeitado"), [{
      evento: "rejeitado",
      par: conectouLixo.par,
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
      motivo:
        "os primeiros bytes não são uma saudação do protocolo Sockets de Rede",
    }]);
    // A sessão do lixo pode ainda não ter acabado de fechar: 0 ou 1 cliente.
    const [encerrando] = porTipo("encerrando");
    assert.equal(encerrando.sinal, "SIGTERM");
    assert.ok(encerrando.clientes === 0 || encerrando.clientes === 1);
    assert.deepEqual(porTipo("resumo"), [{
      evento: "resumo",
      clientes: 2,
      mensagens: 1,
      rejeitadas: 1,
      naoGravadas: 0,
    }]);
    // Na saída de erro, só o que é para pessoas; nada de blocos de mensagem.
    assert.match(
      servidor.erros.texto,
      /^> Servidor configurado em 127\.0\.0\.1/,
    );
    assert.match(servidor.erros.texto, /> Servidor encerrado: 2 clientes/);
    assert.doesNotMatch(servidor.erros.texto, /ASSUNTO|HACKED/);
  } finally {
    await servidor[Symbol.asyncDispose]();
  }
});

Deno.test("--versao nos dois programas", async () => {
  for (const programa of ["servidor", "cliente"] as const) {
    const processo = iniciar(programa, ["--versao"]);
    assert.equal(await processo.status(), 0);
    assert.equal(processo.saida.texto, `${programa} ${VERSAO_PROGRAMA}\n`);
    assert.equal(processo.erros.texto, "");
  }
});

Deno.test("--ajuda e -h nos dois programas: o texto completo da ajuda", async () => {
  const ajudas = {
    servidor: textoDeAjuda(PROGRAMA_SERVIDOR),
    cliente: textoDeAjuda(PROGRAMA_CLIENTE),
  };
  for (const programa of ["servidor", "cliente"] as const) {
    for (const opcao of ["--ajuda", "-h"]) {
      const processo = iniciar(programa, [opcao]);
      assert.equal(await processo.status(), 0);
      assert.equal(processo.saida.texto, ajudas[programa]);
    }
  }
});

/**
 * O conjunto documentado no README (issue 7 o alargou de rede + nome da
 * máquina para também a variável do token e a leitura dos arquivos de TLS e
 * token). Crescer de novo exige mudar este teste e o README juntos.
 */
const PERMISSOES = [
  "--allow-net",
  "--allow-sys=hostname",
  "--allow-env=SOCKETS_TOKEN",
  "--allow-read",
  "--no-prompt",
];
/** O servidor lê também o token do NATS (issue 17, `--nats`). */
const PERMISSOES_SERVIDOR = PERMISSOES.map((p) =>
  p === "--allow-env=SOCKETS_TOKEN"
    ? "--allow-env=SOCKETS_TOKEN,SOCKETS_NATS_TOKEN"
    : p
);

/**
 * A única opção das tarefas que não é permissão: o V8 do cliente compila cada
 * função ao carregar o módulo, e o cache de código guarda todas (a partida do
 * cliente de uma mensagem cai ~1,5 ms). Não dá acesso a nada.
 */
const OPCOES_DO_V8_DO_CLIENTE = ["--v8-flags=--no-lazy"];

Deno.test("as permissões dos dois programas são exatamente as documentadas", async () => {
  assert.deepEqual(opcoesDaTarefa("servidor"), PERMISSOES_SERVIDOR);
  assert.deepEqual(opcoesDaTarefa("cliente"), [
    ...PERMISSOES,
    ...OPCOES_DO_V8_DO_CLIENTE,
  ]);
  const readme = await Deno.readTextFile(new URL("README.md", RAIZ));
  for (const opcao of PERMISSOES.filter((p) => p.startsWith("--allow"))) {
    assert.ok(readme.includes(`| \`${opcao}\``), `README explica ${opcao}`);
  }
  assert.ok(
    readme.includes("`--allow-env=SOCKETS_TOKEN,SOCKETS_NATS_TOKEN`"),
    "README explica a variável do token do NATS",
  );
  for (const opcao of OPCOES_DO_V8_DO_CLIENTE) {
    assert.ok(readme.includes(`\`${opcao}\``), `README explica ${opcao}`);
  }
  // Nada de --allow-net=host:porta: a porta e o host são escolhidos na hora.
  assert.ok(!PERMISSOES.some((p) => p.startsWith("--allow-net=")));
});

Deno.test("compilar.ts tira as permissões das tarefas, sem nenhuma escrita à mão", async () => {
  const fonte = await Deno.readTextFile(
    new URL("scripts/compilar.ts", RAIZ),
  );
  assert.doesNotMatch(fonte, /--allow-|"-A"|--no-prompt/);
  assert.match(fonte, /\.\.\.opcoesDaTarefa\(programa\)/);
  // A mesma função que os testes usam (scripts/tarefas.ts lê o deno.json).
  assert.match(fonte, /import \{ opcoesDaTarefa \} from "\.\/tarefas\.ts"/);
});

Deno.test("com as permissões das tarefas, os programas não têm mais nada", async () => {
  const modulos = ["servidor.ts", "cliente.ts"].map((m) =>
    `import ${JSON.stringify(new URL(m, RAIZ).href)};`
  );
  const roteiro = `${modulos.join("\n")}
const estado = async (d) => (await Deno.permissions.query(d)).state;
const falha = async (f) => { try { await f(); return "permitido"; } catch (e) { return e.name; } };
console.log(JSON.stringify({
  net: await estado({ name: "net" }),
  hostname: await estado({ name: "sys", kind: "hostname" }),
  osRelease: await estado({ name: "sys", kind: "osRelease" }),
  token: await estado({ name: "env", variable: "SOCKETS_TOKEN" }),
  home: await estado({ name: "env", variable: "HOME" }),
  write: await estado({ name: "write" }),
  run: await estado({ name: "run" }),
  ffi: await estado({ name: "ffi" }),
  escrever: await falha(() => Deno.writeTextFile("/tmp/nao-deveria", "x")),
  executar: await falha(() => new Deno.Command("true").output()),
  ambiente: await falha(() => Deno.env.get("HOME")),
}));
`;
  const filho = new Deno.Command(Deno.execPath(), {
    args: ["run", ...opcoesDaTarefa("servidor"), "-"],
    cwd: RAIZ,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const escritor = filho.stdin.getWriter();
  await escritor.write(new TextEncoder().encode(roteiro));
  await escritor.close();
  const { code, stdout, stderr } = await filho.output();
  const erros = new TextDecoder().decode(stderr);
  assert.equal(code, 0, erros);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), {
    net: "granted",
    hostname: "granted",
    osRelease: "prompt",
    token: "granted",
    home: "prompt",
    write: "prompt",
    run: "prompt",
    ffi: "prompt",
    escrever: "NotCapable",
    executar: "NotCapable",
    ambiente: "NotCapable",
  });
});
