/**
 * O cliente de ponta a ponta: processos de verdade em loopback, digitando no
 * menu como uma pessoa, e as falhas de conexão com seus códigos de saída.
 */

import assert from "node:assert/strict";
import {
  alvo,
  iniciar,
  iniciarServidor,
  ouvinteLocal,
  rodarCliente,
} from "../ajudantes.ts";
import { RetornoCliente } from "../../lib/retornos.ts";
import { certificadosDeTeste } from "../certificados.ts";

Deno.test("três clientes ao mesmo tempo, cada um com sua numeração", async () => {
  await using servidor = await iniciarServidor();
  const clientes = [1, 2, 3].map(() =>
    iniciar("cliente", alvo(servidor), { entrada: true })
  );
  for (const cliente of clientes) await cliente.saida.esperar(/>>> /);
  // Intercalados: cada um manda a sua primeira antes de qualquer segunda.
  for (const rodada of [1, 2]) {
    for (const [i, cliente] of clientes.entries()) {
      await cliente.digitar("1");
      await cliente.saida.esperar(new RegExp(`MENSAGEM #00${rodada} - `));
      await cliente.digitar(`assunto ${i}.${rodada}`);
      await cliente.digitar(`texto ${i}.${rodada}`);
      await cliente.saida.esperar(new RegExp(`Mensagem #00${rodada} entregue`));
    }
  }
  for (const cliente of clientes) {
    await cliente.digitar("2");
    assert.equal(await cliente.status(), 0);
  }
  for (let i = 0; i < 3; i++) {
    for (const rodada of [1, 2]) {
      assert.match(
        servidor.saida.texto,
        new RegExp(
          `MENSAGEM #00${rodada} - [^\\n]+\\n> De 127\\.0\\.0\\.1:\\d+, recebida em [^\\n]+ \\[[0-9a-f]{8}-${rodada}\\]\\n\\n> ASSUNTO:\\n  assunto ${i}\\.${rodada}\\n\\n> TEXTO:\\n  texto ${i}\\.${rodada}\\n---`,
        ),
      );
    }
  }
  await servidor.saida.esperar(/saiu \(CODIGO_SAIDA\) depois de 2 mensagens/);
});

Deno.test("acentos, emoji e uma mensagem de exatamente 1024 bytes chegam intactos", async () => {
  await using servidor = await iniciarServidor();
  const assunto = "Acentuação çãõé";
  const emoji = "Olá 👋🏽 mundo 🎉";
  const enche = "x".repeat(1024 - new TextEncoder().encode("cheia").length);
  const { codigo, saida } = await rodarCliente(
    alvo(servidor),
    `1\n${assunto}\n${emoji}\n1\ncheia\n${enche}\n2\n`,
  );
  assert.equal(codigo, 0, saida);
  assert.match(saida, /Mensagem #001 entregue/);
  assert.match(saida, /Mensagem #002 entregue/);
  await servidor.saida.esperar(
    new RegExp(`ASSUNTO:\\n  ${assunto}\\n\\n> TEXTO:\\n  ${emoji}\\n`),
  );
  await servidor.saida.esperar(new RegExp(`TEXTO:\\n  ${enche}\\n---`));
  await servidor.saida.esperar(/saiu \(CODIGO_SAIDA\)/);
});

Deno.test("resposta inválida no menu mostra o aviso do original e o menu de novo", async () => {
  await using servidor = await iniciarServidor();
  const { codigo, saida } = await rodarCliente(alvo(servidor), "a\n\n7\n2\n");
  assert.equal(codigo, 0);
  const avisos = saida.match(
    /> Opcao invalida\. Por favor escolha entre: 1 - Enviar nova mensagem; 2 - Sair\./g,
  );
  assert.equal(avisos?.length, 3);
  assert.equal(
    saida.match(/> OPCOES: 1 - Enviar nova mensagem; 2 - Sair\./g)?.length,
    4,
  );
  assert.match(saida, /^> Conectado a 127\.0\.0\.1 na porta \d+\.\.\./);
});

Deno.test("mensagem acima do limite é recusada antes do envio, dizendo por quantos bytes", async () => {
  await using servidor = await iniciarServidor();
  const { codigo, saida } = await rodarCliente(
    alvo(servidor),
    `1\nab\n${"é".repeat(512)}\n1\nok\ncabe\n2\n`,
  );
  assert.equal(codigo, 0);
  // 2 + 1024 = 1026 bytes: 2 acima do limite.
  assert.match(
    saida,
    /Mensagem não enviada: assunto \+ texto têm 1026 bytes, 2 bytes acima do limite de 1024 bytes/,
  );
  // A recusada não gasta número: a seguinte ainda é a #001.
  assert.match(saida, /Mensagem #001 entregue/);
  await servidor.saida.esperar(/ASSUNTO:\n {2}ok\n/);
  assert.doesNotMatch(servidor.saida.texto, /ASSUNTO:\n {2}ab\n/);
});

Deno.test("Ctrl-D (fim da entrada) vale como a opção 2: CODIGO_SAIDA e saída 0", async () => {
  await using servidor = await iniciarServidor();
  const { codigo, saida } = await rodarCliente(alvo(servidor), "1\num\ndois\n");
  assert.equal(codigo, 0);
  assert.match(saida, /Mensagem #001 entregue/);
  assert.match(saida, /Conexão encerrada com CODIGO_SAIDA/);
  await servidor.saida.esperar(/saiu \(CODIGO_SAIDA\) depois de 1 mensagem\./);
});

Deno.test("Ctrl-C no menu vale como a opção 2", async () => {
  await using servidor = await iniciarServidor();
  await using cliente = iniciar("cliente", alvo(servidor), { entrada: true });
  await cliente.saida.esperar(/>>> /);
  cliente.sinal("SIGINT");
  assert.equal(await cliente.status(), 0);
  assert.match(cliente.saida.texto, /Conexão encerrada com CODIGO_SAIDA/);
  await servidor.saida.esperar(/saiu \(CODIGO_SAIDA\)/);
});

Deno.test("o cliente parado no menu é avisado na hora quando o servidor encerra", async () => {
  await using servidor = await iniciarServidor();
  await using cliente = iniciar("cliente", alvo(servidor), { entrada: true });
  await cliente.saida.esperar(/>>> /);
  servidor.sinal("SIGTERM");
  await cliente.saida.esperar(/o servidor encerrou a sessão \(CODIGO_SAIDA\)/);
  assert.equal(await cliente.status(), RetornoCliente.SERVIDOR_ENCERROU);
  assert.equal(await servidor.status(), 0);
  assert.match(
    servidor.saida.texto,
    /Servidor encerrado: 1 cliente atendido, 0 mensagens recebidas/,
  );
});

Deno.test("o cliente é avisado quando o servidor some sem CODIGO_SAIDA: tenta reconectar e desiste no prazo", async () => {
  await using servidor = await iniciarServidor();
  await using cliente = iniciar(
    "cliente",
    [...alvo(servidor), "--tempo-limite", "1"],
    { entrada: true },
  );
  await cliente.saida.esperar(/>>> /);
  servidor.sinal("SIGKILL");
  await servidor.status();
  await cliente.saida.esperar(
    /a conexão com o servidor caiu sem CODIGO_SAIDA; reconectando/,
  );
  await cliente.saida.esperar(
    /sem conseguir reconectar a 127\.0\.0\.1:\d+ em 1 s/,
  );
  assert.equal(await cliente.status(), RetornoCliente.CONEXAO_PERDIDA);
});

Deno.test("no menu, parado mais que --tempo-limite, uma queda ainda reconecta: o tempo sem nada a confirmar não conta", async () => {
  await using servidor = await iniciarServidor();
  await using cliente = iniciar(
    "cliente",
    [...alvo(servidor), "--tempo-limite", "2"],
    { entrada: true },
  );
  await cliente.saida.esperar(/>>> /);
  // Uma pessoa parada no menu: não é espera por servidor, é o cenário. O
  // prazo de 2 s dá folga ao servidor novo para subir numa máquina ocupada.
  await new Promise((pronto) => setTimeout(pronto, 2500));
  servidor.sinal("SIGKILL");
  await servidor.status();
  await using novo = iniciar("servidor", [
    "--host",
    "127.0.0.1",
    "--porta",
    String(servidor.porta),
  ]);
  await novo.saida.esperar(/Aguardando conexões/);
  await cliente.saida.esperar(/reconectado ao servidor/);
  await cliente.digitar("1");
  await cliente.digitar("depois da queda");
  await cliente.digitar("chegou?");
  await cliente.saida.esperar(/Mensagem #001 entregue/);
  await novo.saida.esperar(/chegou\?/);
  await cliente.digitar("2");
  assert.equal(await cliente.status(), 0);
});

Deno.test("conexão recusada: uma linha clara e o código 3", async () => {
  const ouvinte = ouvinteLocal();
  const porta = ouvinte.addr.port;
  ouvinte.close(); // porta livre: ninguém escuta
  const r = await rodarCliente([
    "--host",
    "127.0.0.1",
    "--porta",
    String(porta),
  ]);
  assert.equal(r.codigo, RetornoCliente.RECUSADA);
  assert.equal(
    r.erros,
    `cliente: conexão recusada por 127.0.0.1 na porta ${porta}: não há servidor escutando ali\n`,
  );
});

Deno.test("host desconhecido: código 4, sem rastro de pilha", async () => {
  const r = await rodarCliente([
    "--host",
    "nao-existe.invalid",
    "--porta",
    "3415",
  ]);
  assert.equal(r.codigo, RetornoCliente.HOST_DESCONHECIDO);
  assert.equal(r.erros, "cliente: host desconhecido: nao-existe.invalid\n");
});

/**
 * Um ouvinte em Python com a fila de aceitação cheia (`listen(0)` e quatro
 * conexões que ninguém aceita): o kernel descarta os SYN seguintes, e quem
 * conecta fica sem resposta, como diante de um host em silêncio, sem sair do
 * loopback. O Deno não deixa escolher a fila do `listen`.
 */
const FILA_CHEIA = `
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
porta = s.getsockname()[1]
fila = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False)
    try:
        c.connect(("127.0.0.1", porta))
    except BlockingIOError:
        pass
    fila.append(c)
print(porta, flush=True)
sys.stdin.read()
`;

Deno.test("conectar sem resposta (fila de aceitação cheia): prazo de --tempo-limite, código 5", async () => {
  let python: Deno.ChildProcess;
  try {
    python = new Deno.Command("python3", {
      args: ["-c", FILA_CHEIA],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
  } catch (erro) {
    if (!(erro instanceof Deno.errors.NotFound)) throw erro;
    throw new Error('falta o python3: instale o pacote Debian "python3"');
  }
  const linhas = python.stdout.pipeThrough(new TextDecoderStream());
  const leitor = linhas.getReader();
  try {
    const { value: porta } = await leitor.read();
    const inicio = performance.now();
    const r = await rodarCliente([
      "--host",
      "127.0.0.1",
      "--porta",
      String(porta).trim(),
      "--assunto",
      "a",
      "--texto",
      "b",
      "--tempo-limite",
      "0.5",
    ]);
    const ms = performance.now() - inicio;
    assert.equal(r.codigo, RetornoCliente.TEMPO_ESGOTADO, r.erros);
    assert.match(
      r.erros,
      /^cliente: sem resposta de 127\.0\.0\.1 na porta \d+ em 0\.5 s \(host inalcançável ou em silêncio\)\n$/,
    );
    assert.ok(ms >= 450, `desistiu antes do prazo: ${ms} ms`);
  } finally {
    await python.stdin.close();
    await leitor.cancel();
    await python.status;
  }
});

Deno.test("servidor que aceita e fica calado: prazo da saudação, código 5", async () => {
  using ouvinte = ouvinteLocal(); // aceita pelo kernel, nunca responde
  const r = await rodarCliente([
    "--host",
    "127.0.0.1",
    "--porta",
    String(ouvinte.addr.port),
    "--tempo-limite",
    "0.5",
  ]);
  assert.equal(r.codigo, RetornoCliente.TEMPO_ESGOTADO);
  assert.match(
    r.erros,
    /sem saudação em 0\.5 s; é um servidor Sockets de Rede\?/,
  );
});

Deno.test("--tls com quem aceita e nunca completa o handshake: prazo, código 5, sem erro inesperado", async () => {
  using ouvinte = ouvinteLocal(); // aceita pelo kernel, nunca responde
  const r = await rodarCliente([
    "--host",
    "127.0.0.1",
    "--porta",
    String(ouvinte.addr.port),
    "--tls",
    "--tempo-limite",
    "0.5",
    "--assunto",
    "a",
    "--texto",
    "b",
  ]);
  assert.equal(r.codigo, RetornoCliente.TEMPO_ESGOTADO, r.erros);
  assert.match(
    r.erros,
    /^cliente: sem resposta de 127\.0\.0\.1 na porta \d+ em 0\.5 s \(host inalcançável ou em silêncio\)\n$/,
  );
});

Deno.test("--tls: o servidor cai e no lugar dele fica quem não completa o handshake: o cliente desiste no prazo, sem rastro de pilha", async () => {
  const pasta = await Deno.makeTempDir();
  try {
    await certificadosDeTeste(pasta);
    await using servidor = await iniciarServidor([
      "--tls-cert",
      `${pasta}/srv.pem`,
      "--tls-chave",
      `${pasta}/srv.key`,
    ]);
    await using cliente = iniciar("cliente", [
      ...alvo(servidor),
      "--tls",
      "--ca",
      `${pasta}/ca.pem`,
      "--linhas",
      "--tempo-limite",
      "1",
    ], { entrada: true });
    await cliente.digitar("antes da queda");
    await servidor.saida.esperar(/antes da queda/);
    servidor.sinal("SIGKILL");
    await servidor.status();
    // Na mesma porta, um ouvinte que aceita pelo kernel e nunca responde.
    using _calado = Deno.listen({
      hostname: "127.0.0.1",
      port: servidor.porta,
    });
    await cliente.digitar("depois da queda");
    assert.equal(await cliente.status(), RetornoCliente.CONEXAO_PERDIDA);
    // O servidor mostra a primeira antes de mandar a confirmação dela, que o
    // SIGKILL pode cortar: 1 ou 2 sem confirmação, e o relato confere.
    const relato =
      /^cliente: mensagem #00([12]) não entregue: sem conseguir reconectar a 127\.0\.0\.1:\d+ em 1 s \(([12]) mensage(?:m|ns) sem confirmação; última falha: sem resposta de 127\.0\.0\.1 na porta \d+ em 1 s \(host inalcançável ou em silêncio\)\)\ncliente: ([01]) de 2 mensagens entregues, ([12]) não entregues?\n$/
        .exec(cliente.erros.texto);
    assert.ok(relato, cliente.erros.texto);
    const [, primeira, semConfirmacao, entregues, perdidas] = relato.map(
      Number,
    );
    assert.equal(primeira, entregues + 1);
    assert.equal(semConfirmacao, perdidas);
    assert.equal(entregues + perdidas, 2);
    assert.doesNotMatch(cliente.erros.texto, /Uncaught|inesperado|\bat /);
  } finally {
    await Deno.remove(pasta, { recursive: true });
  }
});

Deno.test("um servidor HTTP não é confundido com o nosso: código 8", async () => {
  using ouvinte = ouvinteLocal();
  const atender = (async () => {
    const conn = await ouvinte.accept();
    await conn.read(new Uint8Array(64));
    await conn.write(
      new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"),
    );
    conn.close();
  })();
  const r = await rodarCliente([
    "--host",
    "127.0.0.1",
    "--porta",
    String(ouvinte.addr.port),
  ]);
  await atender;
  assert.equal(r.codigo, RetornoCliente.PROTOCOLO_INCOMPATIVEL);
  assert.match(
    r.erros,
    /^cliente: 127\.0\.0\.1:\d+ não fala o protocolo Sockets de Rede/,
  );
});

Deno.test("opções inválidas: erro de uso em português e código 2", async (t) => {
  const casos: [string[], RegExp][] = [
    [["--porta", "abc"], /--porta deve ser um número inteiro, não "abc"/],
    [["--porta", "70000"], /--porta deve estar entre 1 e 65535, não 70000/],
    [["--porta", "-1"], /--porta deve estar entre 1 e 65535, não -1/],
    [["--porta", "--host"], /a opção --porta recebeu "--host", que parece/],
    [["--porta=-1"], /--porta deve estar entre 1 e 65535, não -1/],
    [["--porta", "0"], /--porta deve estar entre 1 e 65535, não 0/],
    [["--host", "127.0.0.1:39185"], /a porta vai em --porta/],
    [["--xyz"], /opção desconhecida: --xyz/],
    [["--host"], /a opção --host precisa de um valor/],
  ];
  for (const [args, esperado] of casos) {
    await t.step(args.join(" "), async () => {
      const r = await rodarCliente(args);
      assert.equal(r.codigo, RetornoCliente.USO);
      assert.match(r.erros, esperado);
      assert.match(r.erros, /Use "cliente --ajuda" para ver as opções\./);
      assert.doesNotMatch(r.erros, /\bat \w+ \(/); // sem rastro de pilha
    });
  }
});

Deno.test("--ajuda lista as opções, os códigos de saída e exemplos", async () => {
  const r = await rodarCliente(["--ajuda"]);
  assert.equal(r.codigo, 0);
  for (
    const trecho of [
      "--host HOST",
      "--porta PORTA",
      "(padrão: 3415)",
      "--tempo-limite",
      "Códigos de saída:",
      "Exemplos:",
    ]
  ) {
    assert.ok(r.saida.includes(trecho), trecho);
  }
});
