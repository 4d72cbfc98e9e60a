/**
 * Compatibilidade com as ferramentas originais em Python (issue 4), de ponta a
 * ponta: processos de verdade em loopback. O nosso servidor recebe do emulador
 * do `cliente.py` (tests/python/cliente_original.py) e de fluxos legados
 * escritos à mão num socket cru; o nosso `cliente --legado` fala com o
 * emulador do `servidor.py` (tests/python/servidor_original.py), e confere-se
 * byte a byte o que ele recebeu, conforme LEGADO.md.
 *
 * Os testes rodam sem `--allow-write`: a pasta temporária onde o emulador do
 * servidor grava o que recebeu é criada e apagada pelo próprio python3.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  alvo,
  iniciar,
  iniciarServidor,
  ParCru,
  PRAZO_TESTE_MS,
  Processo,
  rodarCliente,
  type ServidorEmTeste,
} from "../ajudantes.ts";
import { CodigoErro } from "../../lib/erros.ts";
import { RetornoCliente } from "../../lib/retornos.ts";

const PYTHON = "python3";
const PASTA_PYTHON = new URL("../python/", import.meta.url);

/** `dd/mm/aaaa HH:MM:SS`, como no título do original. */
const DATA = String.raw`\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}`;

function escaparRegex(texto: string): string {
  return texto.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

const tres = (n: number) => String(n).padStart(3, "0");

/** Inicia um dos emuladores em Python (só os que este teste inicia). */
function iniciarPython(
  script: "cliente_original.py" | "servidor_original.py",
  args: string[],
  entrada = false,
): Processo {
  const filho = new Deno.Command(PYTHON, {
    args: [new URL(script, PASTA_PYTHON).pathname, ...args],
    stdin: entrada ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return new Processo(filho, entrada);
}

/** Roda um trecho de python e devolve a saída (o status é sempre esperado). */
async function python(codigo: string, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(PYTHON, {
    args: ["-c", codigo, ...args],
    stdin: "null",
  }).output();
  const decodificador = new TextDecoder();
  assert.equal(code, 0, decodificador.decode(stderr));
  return decodificador.decode(stdout).trim();
}

/** Pasta temporária criada e apagada pelo python3 (os testes não escrevem). */
async function pastaTemporaria(): Promise<
  { caminho: string } & AsyncDisposable
> {
  const caminho = await python(
    "import tempfile; print(tempfile.mkdtemp(prefix='sockets-compat-'))",
  );
  return {
    caminho,
    [Symbol.asyncDispose]: async () => {
      await python("import shutil, sys; shutil.rmtree(sys.argv[1])", caminho);
    },
  };
}

/** A data do título vista como hora local; deve ser de agora há pouco. */
function confereHoraDoCliente(data: string) {
  const [dia, mes, ano, hora, minuto, segundo] = data.split(/[/ :]/).map(
    Number,
  );
  const instante = new Date(ano, mes - 1, dia, hora, minuto, segundo).getTime();
  const diferenca = Math.abs(Date.now() - instante);
  assert.ok(diferenca < 120_000, `título com hora ${data}, longe de agora`);
}

/**
 * Um bloco como o nosso servidor o mostra: título com a hora do cliente, de
 * onde veio, assunto e texto recuados em dois espaços. O grupo 1 é a data.
 */
function blocoMostrado(
  numero: number,
  porta: number,
  assunto: string,
  texto: string,
  legado = true,
): RegExp {
  return new RegExp(
    String.raw`\n---\n> MENSAGEM #${tres(numero)} - (${DATA})\n` +
      String.raw`> De 127\.0\.0\.1:${porta}${
        legado ? String.raw` \(cliente original\)` : ""
      }, recebida em ${DATA} \[[0-9a-f]{8}-${numero}\]\n` +
      String.raw`\n> ASSUNTO:\n  ${escaparRegex(assunto)}\n` +
      String.raw`\n> TEXTO:\n  ${escaparRegex(texto)}\n---\n`,
  );
}

function contar(texto: string, padrao: RegExp): number {
  return [...texto.matchAll(new RegExp(padrao.source, "g"))].length;
}

/** Espera a linha de conexão de um cliente novo e devolve a porta dele. */
async function portaDoProximoCliente(
  servidor: ServidorEmTeste,
): Promise<number> {
  const linha = await servidor.saida.esperar(
    /> Cliente 127\.0\.0\.1 conectou-se por meio da porta (\d+)\n/,
  );
  return Number(linha[1]);
}

/** Um bloco do cliente original escrito à mão (LEGADO.md), sem o codec. */
function blocoCru(
  numero: number,
  data: string,
  assunto: string,
  texto: string,
): string {
  return `\n---\n> MENSAGEM #${
    tres(numero)
  } - ${data}\n\n> ASSUNTO:\n${assunto}\n\n> TEXTO:\n${texto}\n---\n`;
}

/**
 * Lê cru até o servidor fechar, com prazo; devolve quantos bytes vieram (o
 * cliente original não lê nada, então o servidor não deve mandar nada).
 */
async function bytesAteOFim(par: ParCru): Promise<number> {
  let estourou = false;
  const prazo = setTimeout(() => {
    estourou = true;
    par.fechar();
  }, PRAZO_TESTE_MS);
  const buffer = new Uint8Array(4096);
  let total = 0;
  try {
    while (true) {
      const n = await par.conn.read(buffer).catch(() => null);
      if (n === null) break;
      total += n;
    }
  } finally {
    clearTimeout(prazo);
  }
  assert.ok(!estourou, "o servidor não fechou a conexão legada");
  return total;
}

// --- 1. O nosso servidor recebe do cliente original (emulado em Python) ----

/** Mensagens do emulador: acentos, emoji e as linhas da moldura do bloco. */
const DO_ORIGINAL: [string, string][] = [
  ["Olá", "Texto com acentuação"],
  ["---", "> TEXTO:"],
  ["> TEXTO: --- > ASSUNTO:", "---ção 日本語 👋🏽 ---"],
];

Deno.test("servidor recebe o cliente original nos três modos de CODIGO_SAIDA, com um cliente do protocolo ao lado", async () => {
  await using servidor = await iniciarServidor();
  // O cliente do protocolo de verdade, pelo menu, como uma pessoa digitando.
  await using protocolo = iniciar("cliente", alvo(servidor), { entrada: true });
  await protocolo.saida.esperar(/>>> /);
  const portaProtocolo = await portaDoProximoCliente(servidor);
  let numeroProtocolo = 0;

  /** Uma mensagem do cliente do protocolo, confirmada, no meio do legado. */
  const mensagemDoProtocolo = async (modo: string) => {
    const n = ++numeroProtocolo;
    await protocolo.digitar("1");
    await protocolo.saida.esperar(new RegExp(`MENSAGEM #${tres(n)} - `));
    await protocolo.digitar(`protocolo ${n}`);
    await protocolo.digitar(`durante o modo ${modo}, ação`);
    await protocolo.saida.esperar(
      new RegExp(`> Mensagem #${tres(n)} entregue: o servidor confirmou`),
    );
    await servidor.saida.esperar(
      blocoMostrado(
        n,
        portaProtocolo,
        `protocolo ${n}`,
        `durante o modo ${modo}, ação`,
        false,
      ),
    );
  };

  const portas: Record<string, number> = {};
  for (const modo of ["normal", "colado", "partido"] as const) {
    await using original = iniciarPython("cliente_original.py", [
      ...alvo(servidor),
      "--modo",
      modo,
    ], true);
    const porta = await portaDoProximoCliente(servidor);
    portas[modo] = porta;
    let mostrados = 0;
    const esperarBloco = async () => {
      const [assunto, texto] = DO_ORIGINAL[mostrados++];
      const casou = await servidor.saida.esperar(
        blocoMostrado(mostrados, porta, assunto, texto),
      );
      confereHoraDoCliente(casou[1]);
    };
    for (const [i, [assunto, texto]] of DO_ORIGINAL.entries()) {
      await original.digitar(`${assunto}\t${texto}`);
      // O legado ainda conectado enquanto o protocolo manda e é confirmado.
      if (modo === "normal") {
        await esperarBloco();
        if (i === 0) await mensagemDoProtocolo(modo);
      } else if (modo === "colado" && i > 0) {
        await esperarBloco(); // o bloco anterior só sai com a linha seguinte
        if (i === 1) await mensagemDoProtocolo(modo);
      }
    }
    if (modo === "partido") {
      while (mostrados < DO_ORIGINAL.length) await esperarBloco();
      await mensagemDoProtocolo(modo);
    }
    await original.fecharEntrada(); // fim da entrada: CODIGO_SAIDA
    while (mostrados < DO_ORIGINAL.length) await esperarBloco();
    await servidor.saida.esperar(
      new RegExp(
        `> Cliente 127\\.0\\.0\\.1:${porta} saiu \\(CODIGO_SAIDA\\) depois de ${DO_ORIGINAL.length} mensagens\\.\n`,
      ),
    );
    assert.equal(await original.status(), 0, original.erros.texto);
    assert.equal(original.erros.texto, "");
  }

  await protocolo.digitar("2");
  assert.equal(await protocolo.status(), 0, protocolo.saida.texto);
  await servidor.saida.esperar(
    new RegExp(
      `> Cliente 127\\.0\\.0\\.1:${portaProtocolo} saiu \\(CODIGO_SAIDA\\) depois de 3 mensagens\\.`,
    ),
  );

  // Cada bloco aparece uma vez só, inteiro, e nada foi rejeitado.
  const log = servidor.saida.texto;
  for (const porta of Object.values(portas)) {
    assert.equal(
      contar(log, new RegExp(`> De 127\\.0\\.0\\.1:${porta} \\(cliente`)),
      DO_ORIGINAL.length,
    );
    for (const [i, [assunto, texto]] of DO_ORIGINAL.entries()) {
      assert.equal(
        contar(log, blocoMostrado(i + 1, porta, assunto, texto)),
        1,
        `bloco ${i + 1} da porta ${porta}`,
      );
    }
  }
  assert.doesNotMatch(log, /rejeitado|desconectou-se/);
});

// --- 2. Fluxos legados escritos à mão num socket cru ----------------------

Deno.test("fluxo legado cru: bloco partido byte a byte, vários blocos numa escrita, CODIGO_SAIDA partido", async () => {
  await using servidor = await iniciarServidor();
  using par = await ParCru.conectar(servidor);
  const porta = par.conn.localAddr.port;
  const primeiro = blocoCru(1, "24/11/2026 19:27:52", "Olá", "ação 👋🏽 ñ");
  // Um byte por escrita: corta também o meio de cada caractere UTF-8.
  for (const byte of new TextEncoder().encode(primeiro)) {
    await par.escrever(Uint8Array.of(byte));
  }
  await par.escrever(
    blocoCru(2, "25/11/2026 08:00:00", "---", "> TEXTO:") +
      blocoCru(3, "31/12/2026 23:59:59", "> ASSUNTO:", "--- fim ---") +
      "CODIGO_",
  );
  await par.escrever("SAIDA");
  assert.equal(await bytesAteOFim(par), 0, "nada é enviado ao original");

  const esperados: [string, string, string][] = [
    ["24/11/2026 19:27:52", "Olá", "ação 👋🏽 ñ"],
    ["25/11/2026 08:00:00", "---", "> TEXTO:"],
    ["31/12/2026 23:59:59", "> ASSUNTO:", "--- fim ---"],
  ];
  for (const [i, [data, assunto, texto]] of esperados.entries()) {
    const casou = await servidor.saida.esperar(
      blocoMostrado(i + 1, porta, assunto, texto),
    );
    assert.equal(casou[1], data); // a hora do título, não a do servidor
  }
  await servidor.saida.esperar(
    new RegExp(
      `> Cliente 127\\.0\\.0\\.1:${porta} saiu \\(CODIGO_SAIDA\\) depois de 3 mensagens\\.`,
    ),
  );
  for (const [i, [, assunto, texto]] of esperados.entries()) {
    assert.equal(
      contar(servidor.saida.texto, blocoMostrado(i + 1, porta, assunto, texto)),
      1,
    );
  }
});

Deno.test("par legado que só fecha é relatado sem CODIGO_SAIDA, com ou sem bloco pela metade", async () => {
  await using servidor = await iniciarServidor();
  {
    using par = await ParCru.conectar(servidor);
    const porta = par.conn.localAddr.port;
    await par.escrever(blocoCru(1, "24/11/2026 19:27:52", "tchau", "sem sair"));
    await servidor.saida.esperar(blocoMostrado(1, porta, "tchau", "sem sair"));
    par.fechar();
    await servidor.saida.esperar(
      new RegExp(
        `> Cliente 127\\.0\\.0\\.1:${porta} desconectou-se sem CODIGO_SAIDA \\(conexão fechada pelo cliente\\) depois de 1 mensagem\\.`,
      ),
    );
  }
  {
    using par = await ParCru.conectar(servidor);
    const porta = par.conn.localAddr.port;
    const bloco = blocoCru(1, "24/11/2026 19:27:52", "meio", "bloco");
    await par.escrever(bloco.slice(0, bloco.indexOf("> TEXTO:")));
    par.fechar();
    await servidor.saida.esperar(
      new RegExp(
        `> Cliente 127\\.0\\.0\\.1:${porta} desconectou-se sem CODIGO_SAIDA \\(conexão fechada pelo cliente\\) depois de 0 mensagens\\.`,
      ),
    );
  }
  assert.doesNotMatch(servidor.saida.texto, /ASSUNTO:\n {2}meio/);
});

Deno.test("bloco legado acima de --tamanho-maximo (em bytes) é rejeitado; o do limite exato passa", async () => {
  await using servidor = await iniciarServidor(["--tamanho-maximo", "64"]);
  using par = await ParCru.conectar(servidor);
  const porta = par.conn.localAddr.port;
  const assunto = "dez bytes!"; // 10 bytes
  const cabe = "é".repeat(27); // 54 bytes: 64 no total
  await par.escrever(blocoCru(1, "24/11/2026 19:27:52", assunto, cabe));
  await servidor.saida.esperar(blocoMostrado(1, porta, assunto, cabe));
  await par.escrever(blocoCru(2, "24/11/2026 19:27:53", assunto, cabe + "x"));
  await servidor.saida.esperar(
    new RegExp(
      `> Cliente 127\\.0\\.0\\.1:${porta} rejeitado: bloco do cliente original excede o limite de 64 bytes \\(código ${CodigoErro.MENSAGEM_GRANDE}\\)\\.`,
    ),
  );
  assert.equal(await bytesAteOFim(par), 0, "o original não lê: sem ERRO");
  assert.doesNotMatch(servidor.saida.texto, /MENSAGEM #002/);
});

Deno.test("fluxo legado que nunca completa um bloco é rejeitado pelo --prazo", async () => {
  await using servidor = await iniciarServidor(["--prazo", "0.5"]);
  using par = await ParCru.conectar(servidor);
  const porta = par.conn.localAddr.port;
  const inicio = Date.now();
  await par.escrever("\n---\n> MENSAGEM #001 - 24/11/2026 19:27:52\n\n> ASS");
  await servidor.saida.esperar(
    new RegExp(
      `> Cliente 127\\.0\\.0\\.1:${porta} rejeitado: quadro incompleto por mais de 0\\.5 s \\(código ${CodigoErro.PRAZO_ESGOTADO}\\)\\.`,
    ),
  );
  assert.ok(Date.now() - inicio >= 500, "rejeitado antes do prazo");
  assert.equal(await bytesAteOFim(par), 0);
});

Deno.test("caracteres de controle num bloco legado aparecem escapados; lixo é recusado", async () => {
  await using servidor = await iniciarServidor();
  {
    using par = await ParCru.conectar(servidor);
    const porta = par.conn.localAddr.port;
    await par.escrever(
      blocoCru(
        1,
        "24/11/2026 19:27:52",
        "\x1b[31mvermelho\x1b[0m",
        "sino\x07 volta\r \u202eevil\\",
      ) + "CODIGO_SAIDA",
    );
    await servidor.saida.esperar(
      blocoMostrado(
        1,
        porta,
        String.raw`\x1B[31mvermelho\x1B[0m`,
        String.raw`sino\x07 volta\r \u{202E}evil\\`,
      ),
    );
    await servidor.saida.esperar(
      /saiu \(CODIGO_SAIDA\) depois de 1 mensagem\./,
    );
    assert.equal(await bytesAteOFim(par), 0);
  }
  {
    // Começa como o original ("\n") mas não é: entrada hostil.
    using par = await ParCru.conectar(servidor);
    const porta = par.conn.localAddr.port;
    await par.escrever("\n\x1b]0;titulo\x07GET / HTTP/1.1\r\n\r\n");
    await servidor.saida.esperar(
      new RegExp(
        `> Cliente 127\\.0\\.0\\.1:${porta} rejeitado: os bytes não seguem o formato do cliente original: [^\\n]+ \\(código ${CodigoErro.PROTOCOLO_DESCONHECIDO}\\)\\.`,
      ),
    );
    assert.equal(await bytesAteOFim(par), 0);
  }
  const log = servidor.saida.texto;
  assert.ok(!log.includes("\x1b"), "ESC cru na saída do servidor");
  assert.ok(!log.includes("\x07") && !log.includes("\r"));
  assert.ok(!log.includes("\u202e"));
});

// --- 3. O nosso cliente --legado fala com o servidor original (emulado) ----

interface Recebido {
  /** Os bytes exatos que o servidor original recebeu, como texto. */
  texto: string;
  /** O tamanho de cada `recv(1024)`, em ordem. */
  recvs: number[];
}

/**
 * Roda o emulador do servidor original, passa-lhe a porta via `rodar` e
 * devolve o que ele recebeu; confere que terminou bem.
 */
async function comServidorOriginal(
  rodar: (alvo: string[]) => Promise<void>,
): Promise<Recebido> {
  await using pasta = await pastaTemporaria();
  const arquivo = `${pasta.caminho}/recebido`;
  await using original = iniciarPython("servidor_original.py", [
    "--host",
    "127.0.0.1",
    "--porta",
    "0",
    "--saida",
    arquivo,
    "--tempo",
    "10",
  ]);
  const porta = (await original.saida.esperar(/^PORTA (\d+)$/m))[1];
  await rodar(["--host", "127.0.0.1", "--porta", porta]);
  assert.equal(await original.status(), 0, original.erros.texto);
  assert.match(original.saida.texto, /> Cliente 127\.0\.0\.1 conectou-se/);
  const bytes = await Deno.readFile(arquivo);
  const recvs = (await Deno.readTextFile(`${arquivo}.recvs`)).trim()
    .split("\n").filter((l) => l !== "").map(Number);
  assert.equal(
    recvs.reduce((a, b) => a + b, 0),
    bytes.length,
    "os recvs somam o arquivo",
  );
  return {
    texto: new TextDecoder("utf-8", { fatal: true }).decode(bytes),
    recvs,
  };
}

/**
 * O que o original deve receber: os blocos exatos de LEGADO.md, na ordem, e
 * CODIGO_SAIDA por último. Devolve as datas dos títulos.
 */
function confereBytes(recebido: Recebido, mensagens: [string, string][]) {
  const blocos = mensagens.map(([assunto, texto], i) =>
    String.raw`\n---\n> MENSAGEM #${tres(i + 1)} - (${DATA})\n\n` +
    String.raw`> ASSUNTO:\n${escaparRegex(assunto)}\n\n` +
    String.raw`> TEXTO:\n${escaparRegex(texto)}\n---\n`
  );
  const casou = new RegExp(`^${blocos.join("")}CODIGO_SAIDA$`).exec(
    recebido.texto,
  );
  assert.ok(casou, `bytes recebidos fora do formato:\n${recebido.texto}`);
  // CODIGO_SAIDA chegou sozinho no seu recv: o original o reconhece.
  assert.equal(recebido.recvs.at(-1), 12, `recvs: ${recebido.recvs}`);
  const datas = casou.slice(1);
  datas.forEach(confereHoraDoCliente);
  return datas;
}

const AVISO_SEM_CONFIRMACAO =
  /o servidor original não confirma o recebimento; não há como garantir/g;

Deno.test("cliente --legado pelo menu: o servidor original recebe os blocos exatos e CODIGO_SAIDA sozinho", async () => {
  const mensagens: [string, string][] = [
    ["Olá", "Texto com acentuação"],
    ["---", "> TEXTO: ção 👋🏽"],
  ];
  let saida = "";
  const recebido = await comServidorOriginal(async (destino) => {
    const r = await rodarCliente(
      ["--legado", ...destino],
      mensagens.map(([a, t]) => `1\n${a}\n${t}\n`).join("") + "2\n",
    );
    assert.equal(r.codigo, 0, r.saida + r.erros);
    assert.equal(r.erros, "");
    saida = r.saida;
  });
  const datas = confereBytes(recebido, mensagens);

  assert.match(saida, /^> Conectado a 127\.0\.0\.1 na porta \d+\.\.\.\n/);
  assert.equal(contar(saida, AVISO_SEM_CONFIRMACAO), 1, saida);
  for (const [i, data] of datas.entries()) {
    // O título mostrado é o mesmo que foi pelo fio.
    assert.ok(saida.includes(`> MENSAGEM #${tres(i + 1)} - ${data}\n`));
    assert.ok(
      saida.includes(
        `> Mensagem #${
          tres(i + 1)
        } enviada (o servidor original não confirma o recebimento).\n`,
      ),
      saida,
    );
  }
  assert.doesNotMatch(saida, /Mensagem #\d+ entregue/);
  assert.match(saida, /> Conexão encerrada com CODIGO_SAIDA\. Até logo!\n$/);
});

Deno.test('cliente --legado sem menu (--assunto/--texto): um bloco exato, CODIGO_SAIDA sozinho, "enviada"', async () => {
  const assunto = "Aviso: ção";
  const texto = "Prova amanhã --- > TEXTO: às 8h";
  const recebido = await comServidorOriginal(async (destino) => {
    const r = await rodarCliente([
      "--legado",
      ...destino,
      "--assunto",
      assunto,
      "--texto",
      texto,
      "--verbose",
    ]);
    assert.equal(r.codigo, 0, r.saida + r.erros);
    // O aviso de que o original não confirma vem uma vez, na saída de erro.
    assert.equal(
      r.erros,
      "cliente: Aviso: o servidor original não confirma o recebimento; não há como garantir que uma mensagem foi entregue.\n",
    );
    assert.equal(
      r.saida,
      "mensagem #001 enviada (sem confirmação do servidor original)\n",
    );
  });
  confereBytes(recebido, [[assunto, texto]]);
});

Deno.test("cliente --legado sem menu, texto grande demais: não envia, mas ainda manda CODIGO_SAIDA sozinho", async () => {
  const recebido = await comServidorOriginal(async (destino) => {
    const r = await rodarCliente([
      "--legado",
      ...destino,
      "--assunto",
      "a",
      "--texto",
      "x".repeat(1024),
    ]);
    assert.equal(r.codigo, RetornoCliente.NAO_ENTREGUE, r.saida + r.erros);
    assert.match(r.erros, /mensagem não enviada: 1 byte acima do limite/);
  });
  confereBytes(recebido, []);
});

// Sem CODIGO_SAIDA, o servidor.py original fica girando para sempre em
// leituras vazias (LEGADO.md, item 3 do servidor): mesmo recusando o texto,
// o cliente tem de se despedir.
Deno.test({
  name:
    "cliente --legado sem menu, texto com quebra de linha: recusado, mas ainda manda CODIGO_SAIDA sozinho",
  fn: async () => {
    const recebido = await comServidorOriginal(async (destino) => {
      const processo = iniciar(
        "cliente",
        ["--legado", ...destino, "--assunto", "a", "--texto", "-"],
        { entrada: true },
      );
      await processo.escreverBytes(
        new TextEncoder().encode("linha 1\nlinha 2\n"),
      );
      const codigo = await processo.status();
      assert.equal(codigo, RetornoCliente.NAO_ENTREGUE);
      assert.match(processo.erros.texto, /não comporta quebras de linha/);
    });
    confereBytes(recebido, []);
  },
});

/**
 * Um servidor que aceita e nunca lê, com o buffer de recepção pequeno: o
 * núcleo do cliente logo para de aceitar bytes, e a escrita ficaria pendente.
 */
const SURDO = `
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
sys.stdin.read()
`;

Deno.test("cliente --legado --linhas com um servidor que não lê: desiste no prazo de --tempo-limite, código 5, e relata as não enviadas", async () => {
  const surdo = new Processo(
    new Deno.Command(PYTHON, {
      args: ["-c", SURDO],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
    true,
  );
  try {
    const [, porta] = await surdo.saida.esperar(/^(\d+)$/m);
    await using cliente = iniciar("cliente", [
      "--legado",
      "--host",
      "127.0.0.1",
      "--porta",
      porta,
      "--linhas",
      "--tempo-limite",
      "0.5",
    ], { entrada: true });
    // ~3,7 MB de linhas: bem mais do que os buffers do núcleo guardam.
    const linhas = Array.from(
      { length: 40_000 },
      (_, i) => `linha ${i} ${"x".repeat(80)}\n`,
    ).join("");
    const escrita = cliente.escreverBytes(new TextEncoder().encode(linhas))
      .catch(() => {}); // o cliente para de ler a entrada quando desiste
    await cliente.erros.esperar(
      /não enviada: o servidor parou de ler: nada saiu em 0\.5 s \(a entrada dele pode estar parada\)\n/,
    );
    assert.equal(await cliente.status(), RetornoCliente.TEMPO_ESGOTADO);
    await escrita;
    assert.match(
      cliente.erros.texto,
      /cliente: \d+ de \d+ mensagens enviadas, \d+ não enviadas\n$/,
    );
  } finally {
    await surdo.fecharEntrada();
    await surdo.status();
  }
});

// --- 4. O nosso cliente --legado com o nosso servidor ---------------------

Deno.test("cliente --legado com o nosso servidor: detectado pelo primeiro byte, mensagens mostradas e CODIGO_SAIDA", async () => {
  await using servidor = await iniciarServidor();
  const mensagens: [string, string][] = [
    ["Olá", "acentuação ção 👋🏽"],
    ["---", "> TEXTO:"],
  ];
  const r = await rodarCliente(
    ["--legado", ...alvo(servidor)],
    mensagens.map(([a, t]) => `1\n${a}\n${t}\n`).join("") + "2\n",
  );
  assert.equal(r.codigo, 0, r.saida + r.erros);
  assert.equal(contar(r.saida, AVISO_SEM_CONFIRMACAO), 1);
  assert.match(r.saida, /> Mensagem #002 enviada \(o servidor original/);
  const porta = await portaDoProximoCliente(servidor);
  for (const [i, [assunto, texto]] of mensagens.entries()) {
    const casou = await servidor.saida.esperar(
      blocoMostrado(i + 1, porta, assunto, texto),
    );
    // O servidor mostra a hora que o cliente pôs no título.
    assert.ok(r.saida.includes(`> MENSAGEM #${tres(i + 1)} - ${casou[1]}\n`));
  }
  await servidor.saida.esperar(
    new RegExp(
      `> Cliente 127\\.0\\.0\\.1:${porta} saiu \\(CODIGO_SAIDA\\) depois de 2 mensagens\\.`,
    ),
  );
  assert.doesNotMatch(servidor.saida.texto, /rejeitado/);
});
