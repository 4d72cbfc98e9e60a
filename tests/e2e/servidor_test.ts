/**
 * O servidor de ponta a ponta diante de entradas hostis, limites, prazos e
 * encerramento: cada caso confere o quadro ERRO que o par recebe, a linha do
 * log e que um cliente bem-comportado, conectado ao mesmo tempo, continua
 * mandando e recebendo todas as confirmações.
 */

import assert from "node:assert/strict";
import {
  alvo,
  iniciar,
  iniciarServidor,
  opcoesDaTarefa,
  ouvinteLocal,
  ParCru,
  Processo,
  type ServidorEmTeste,
} from "../ajudantes.ts";
import { Cliente } from "../../lib/cliente/sessao.ts";
import { CodigoErro } from "../../lib/erros.ts";
import { RetornoServidor } from "../../lib/retornos.ts";
import { JANELA_DO_MESMO_CTRL_C_MS } from "../../lib/sinais.ts";
import { novaMensagem } from "../../lib/datas.ts";
import {
  codificar,
  codificarMensagem,
} from "../../lib/protocolo/codificador.ts";
import { type Quadro, Tipo, VERSAO_1 } from "../../lib/protocolo/quadros.ts";

/** Um cliente do próprio lib/, bem-comportado, ao lado do ataque. */
async function comClienteBom(
  servidor: ServidorEmTeste,
  ataque: () => Promise<void>,
): Promise<void> {
  const cliente = await Cliente.conectar({
    host: servidor.host,
    porta: servidor.porta,
    tempoLimite: 5000,
  });
  try {
    await cliente.enviar(cliente.compor("antes", "do ataque"));
    await ataque();
    for (let i = 0; i < 5; i++) {
      await cliente.enviar(cliente.compor("depois", `mensagem ${i}`));
    }
    assert.equal(await cliente.sair(), null);
  } finally {
    cliente.fechar();
    await cliente.fim;
  }
  await servidor.saida.esperar(/saiu \(CODIGO_SAIDA\) depois de 6 mensagens/);
}

/** Conecta, manda os bytes dados e fecha com RST (SO_LINGER 0). */
const RESET_NO_MEIO = `
import socket, struct, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(bytes(int(b) for b in sys.argv[3].split(",")))
s.recv(64)  # a saudação do servidor: a partir daqui ele espera o quadro
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
`;

function erroRecebido(quadros: Quadro[]): { codigo: number; texto: string } {
  const erro = quadros.find((q) => q.tipo === Tipo.ERRO);
  assert.ok(
    erro && erro.tipo === Tipo.ERRO,
    `esperava um quadro ERRO em ${JSON.stringify(quadros)}`,
  );
  return erro;
}

Deno.test("bytes hostis na saudação são recusados com ERRO e explicação", async (t) => {
  await using servidor = await iniciarServidor();
  const casos: [string, Uint8Array | string][] = [
    ["lixo", Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03)],
    ["requisição HTTP", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"],
    [
      "ClientHello TLS",
      Uint8Array.of(
        0x16,
        0x03,
        0x01,
        0x00,
        0xa5,
        0x01,
        0x00,
        0x00,
        0xa1,
        0x03,
        0x03,
      ),
    ],
    ["banner SSH", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"],
  ];
  await comClienteBom(servidor, async () => {
    for (const [nome, bytes] of casos) {
      await t.step(nome, async () => {
        using par = await ParCru.conectar(servidor);
        await par.escrever(bytes);
        const erro = erroRecebido(await par.ateOFim());
        assert.equal(erro.codigo, CodigoErro.PROTOCOLO_DESCONHECIDO);
        // Um ClientHello é reconhecido como TLS, e a explicação diz o que fazer.
        const tls = nome === "ClientHello TLS";
        assert.match(
          erro.texto,
          tls
            ? /^os primeiros bytes são de TLS \(um ClientHello\)/
            : /não são uma saudação do protocolo/,
        );
        await servidor.saida.esperar(
          tls
            ? /rejeitado: os primeiros bytes são de TLS .+ ou o cliente sem --tls \(código 1\)/
            : /rejeitado: os primeiros bytes não são uma saudação do protocolo Sockets de Rede \(código 1\)/,
        );
      });
    }
  });
});

Deno.test("quadros inválidos depois da saudação: cada um recusado com seu código", async (t) => {
  await using servidor = await iniciarServidor();
  const mensagem = codificarMensagem(novaMensagem(1, "ok", "ok"));
  const utf8Ruim = mensagem.slice();
  utf8Ruim[5 + 16] = 0xff; // primeiro byte do assunto
  const casos: [string, Uint8Array, number, RegExp][] = [
    [
      "comprimento de 4 GiB",
      Uint8Array.of(0xff, 0xff, 0xff, 0xff, Tipo.MENSAGEM),
      CodigoErro.MENSAGEM_GRANDE,
      /mensagem de 4294967279 bytes excede o limite de 1024 bytes/,
    ],
    [
      "UTF-8 inválido",
      utf8Ruim,
      CodigoErro.UTF8_INVALIDO,
      /UTF-8 inválido no campo assunto/,
    ],
    [
      "tipo desconhecido",
      Uint8Array.of(0, 0, 0, 0, 0x7f),
      CodigoErro.TIPO_DESCONHECIDO,
      /tipo de quadro desconhecido ou inesperado: 0x7f/,
    ],
  ];
  await comClienteBom(servidor, async () => {
    for (const [nome, bytes, codigo, texto] of casos) {
      await t.step(nome, async () => {
        using par = await ParCru.conectar(servidor);
        assert.equal((await par.saudar()).tipo, Tipo.OLA_SERVIDOR);
        await par.escrever(bytes);
        const erro = erroRecebido(await par.ateOFim());
        assert.equal(erro.codigo, codigo);
        assert.match(erro.texto, texto);
        await servidor.saida.esperar(
          new RegExp(`rejeitado: ${texto.source}.*\\(código ${codigo}\\)`),
        );
      });
    }
    await t.step("mensagem antes da saudação", async () => {
      using par = await ParCru.conectar(servidor);
      await par.escrever(mensagem);
      const erro = erroRecebido(await par.ateOFim());
      assert.equal(erro.codigo, CodigoErro.FORA_DE_ORDEM);
      await servidor.saida.esperar(
        /rejeitado: quadro 0x03 recebido antes da saudação/,
      );
    });
  });
  // Nenhuma das mensagens hostis foi mostrada.
  assert.doesNotMatch(servidor.saida.texto, /ASSUNTO:\n {2}ok\n/);
});

Deno.test("quadro cortado e conexão fechada ou reiniciada no meio: os outros seguem", async () => {
  await using servidor = await iniciarServidor();
  const mensagem = codificarMensagem(novaMensagem(1, "cortada", "no meio"));
  await comClienteBom(servidor, async () => {
    {
      using par = await ParCru.conectar(servidor);
      await par.saudar();
      await par.escrever(mensagem.subarray(0, 12));
    } // fechada (FIN) no meio do quadro
    await servidor.saida.esperar(
      /desconectou-se sem CODIGO_SAIDA \(conexão fechada pelo cliente\) depois de 0 mensagens/,
    );
    // RST de verdade: o Deno não expõe SO_LINGER, o Python sim.
    const ola = codificar({
      tipo: Tipo.OLA_CLIENTE,
      versao: VERSAO_1,
      token: "",
    });
    const bytes = [...ola, ...mensagem.subarray(0, 12)];
    const python = new Deno.Command("python3", {
      args: [
        "-c",
        RESET_NO_MEIO,
        servidor.host,
        String(servidor.porta),
        bytes.join(","),
      ],
    });
    assert.equal((await python.output()).code, 0);
    await servidor.saida.esperar(
      /desconectou-se sem CODIGO_SAIDA \(conexão fechada pelo cliente\)/,
    );
  });
  assert.doesNotMatch(servidor.saida.texto, /cortada/);
});

Deno.test("prazos: saudação, quadro a conta-gotas e cliente ocioso", async (t) => {
  await using servidor = await iniciarServidor([
    "--prazo",
    "0.4",
    "--tempo-ocioso",
    "0.8",
  ]);
  await comClienteBom(servidor, async () => {
    await t.step("conecta e não diz nada", async () => {
      using par = await ParCru.conectar(servidor);
      const erro = erroRecebido(await par.ateOFim());
      assert.equal(erro.codigo, CodigoErro.PRAZO_ESGOTADO);
      await servidor.saida.esperar(
        /rejeitado: nenhuma saudação em 0\.4 s \(código 8\)/,
      );
    });
    await t.step("um byte por vez, devagar: prazo por quadro", async () => {
      using par = await ParCru.conectar(servidor);
      await par.saudar();
      const mensagem = codificarMensagem(novaMensagem(1, "devagar", "demais"));
      const inicio = Date.now();
      let erro: Quadro | null = null;
      const leitura = par.ateOFim().then((q) =>
        erro = erroRecebido(q) as Quadro
      );
      for (let i = 0; i < mensagem.length && erro === null; i++) {
        await par.escrever(mensagem.subarray(i, i + 1)).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await leitura;
      assert.ok(
        Date.now() - inicio < 3000,
        "o prazo por quadro deveria cortar antes do quadro inteiro",
      );
      await servidor.saida.esperar(
        /rejeitado: quadro incompleto por mais de 0\.4 s \(código 8\)/,
      );
    });
    await t.step("saúda e fica ocioso", async () => {
      using par = await ParCru.conectar(servidor);
      await par.saudar();
      const erro = erroRecebido(await par.ateOFim());
      assert.equal(erro.codigo, CodigoErro.OCIOSO);
      await servidor.saida.esperar(
        /rejeitado: nada recebido em 0\.8 s \(tempo ocioso\)/,
      );
    });
  });
  // O cliente bom ficou parado mais que o tempo ocioso durante os passos acima,
  // mantido vivo só por PING, e ainda assim terminou com "saiu ... 6 mensagens"
  // (conferido em comClienteBom): ocioso no menu não é desligado.
  assert.equal(servidor.saida.texto.match(/código 9/g)?.length, 1);
});

Deno.test("quem não lê as confirmações é desligado; o servidor não acumula", async () => {
  await using servidor = await iniciarServidor();
  await comClienteBom(servidor, async () => {
    using par = await ParCru.conectar(servidor);
    await par.saudar();
    // Uma enxurrada de PINGs, sem ler nenhum PONG.
    const pings = new Uint8Array(5 * 20_000);
    for (let i = 0; i < 20_000; i++) pings[i * 5 + 4] = Tipo.PING;
    let enviados = 0;
    try {
      for (; enviados < 200; enviados++) await par.escrever(pings);
    } catch {
      // O servidor fechou: esperado.
    }
    await servidor.saida.esperar(
      /rejeitado: o cliente não lê as confirmações \(código 11\)/,
    );
  });
});

Deno.test("além de --max-conexoes: ERRO de servidor cheio; os conectados seguem", async () => {
  await using servidor = await iniciarServidor(["--max-conexoes", "2"]);
  await comClienteBom(servidor, async () => {
    using ocupante = await ParCru.conectar(servidor);
    await ocupante.saudar();
    const extra = iniciar("cliente", alvo(servidor));
    assert.equal(await extra.status(), 9);
    assert.match(
      extra.erros.texto,
      /o servidor recusou: servidor cheio: o máximo é 2 conexões \(código 10\)/,
    );
    await servidor.saida.esperar(/rejeitado: servidor cheio/);
  });
});

Deno.test("sequências de controle são mostradas escapadas, nunca interpretadas", async () => {
  await using servidor = await iniciarServidor();
  const cliente = await Cliente.conectar({
    host: servidor.host,
    porta: servidor.porta,
    tempoLimite: 5000,
  });
  const perigos =
    "\x1b[31mvermelho\x1b]0;titulo\x07\x9b2J\u202eabc\u2066\x7f\x00\r\tfim\\";
  await cliente.enviar(cliente.compor("\x1b[2J", perigos));
  await cliente.enviar(
    cliente.compor("linhas", "um\n---\n> MENSAGEM #999 - forjada\ndois"),
  );
  await cliente.sair();
  await servidor.saida.esperar(/saiu \(CODIGO_SAIDA\)/);
  const texto = servidor.saida.texto;
  assert.ok(texto.includes("  \\x1B[2J\n"));
  assert.ok(
    texto.includes(
      "  \\x1B[31mvermelho\\x1B]0;titulo\\x07\\x9B2J\\u{202E}abc\\u{2066}\\x7F\\x00\\r\\tfim\\\\\n",
    ),
  );
  // Quebras de linha viram linhas recuadas: nada começa na coluna 0 como a moldura.
  assert.ok(
    texto.includes("  um\n  ---\n  > MENSAGEM #999 - forjada\n  dois\n---\n"),
  );
  assert.doesNotMatch(
    texto,
    // deno-lint-ignore no-control-regex -- procura justamente os controles
    /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/,
  );
});

Deno.test("SIGTERM: CODIGO_SAIDA a todos, confirma o que ainda chega, resumo, saída 0", async () => {
  await using servidor = await iniciarServidor();
  using par = await ParCru.conectar(servidor);
  await par.saudar();
  await par.escrever(codificarMensagem(novaMensagem(1, "primeira", "antes")));
  assert.deepEqual(await par.proximo(), { tipo: Tipo.CONFIRMACAO, numero: 1 });
  servidor.sinal("SIGTERM");
  assert.deepEqual(await par.proximo(), { tipo: Tipo.DESPEDIDA });
  // Uma mensagem que já estava a caminho ainda é confirmada na tolerância.
  await par.escrever(
    codificarMensagem(novaMensagem(2, "segunda", "a caminho")),
  );
  assert.deepEqual(await par.proximo(), { tipo: Tipo.CONFIRMACAO, numero: 2 });
  await par.escrever(codificar({ tipo: Tipo.DESPEDIDA }));
  assert.deepEqual(await par.ateOFim(), []);
  par.fechar();
  assert.equal(await servidor.status(), RetornoServidor.OK);
  assert.match(
    servidor.saida.texto,
    /Sinal SIGTERM recebido: encerrando; avisando 1 cliente com CODIGO_SAIDA/,
  );
  assert.match(servidor.saida.texto, /ASSUNTO:\n {2}segunda\n/);
  assert.match(
    servidor.saida.texto,
    /Servidor encerrado: 1 cliente atendido, 2 mensagens recebidas, 0 conexões rejeitadas\./,
  );
});

Deno.test("dois SIGINTs seguidos (Ctrl-C sob deno task) são um só: resumo e saída 0", async () => {
  await using servidor = await iniciarServidor();
  using par = await ParCru.conectar(servidor);
  await par.saudar();
  servidor.sinal("SIGINT");
  servidor.sinal("SIGINT"); // o repasse do deno task, logo depois
  assert.deepEqual(await par.proximo(), { tipo: Tipo.DESPEDIDA });
  par.fechar();
  assert.equal(await servidor.status(), RetornoServidor.OK);
  assert.match(servidor.saida.texto, /Servidor encerrado: 1 cliente atendido/);
});

Deno.test("um segundo sinal depois da janela força a saída na hora (código 130)", async () => {
  await using servidor = await iniciarServidor();
  using par = await ParCru.conectar(servidor);
  await par.saudar();
  servidor.sinal("SIGINT");
  assert.deepEqual(await par.proximo(), { tipo: Tipo.DESPEDIDA });
  // Antes da janela seria o mesmo Ctrl-C (o repasse do deno task).
  await new Promise((r) => setTimeout(r, JANELA_DO_MESMO_CTRL_C_MS + 50));
  servidor.sinal("SIGINT"); // o par não respondeu: ainda na tolerância
  assert.equal(await servidor.status(), RetornoServidor.FORCADO);
});

Deno.test("porta em uso: mensagem com a porta e código 3", async () => {
  using ocupada = ouvinteLocal();
  const servidor = iniciar("servidor", [
    "--host",
    "127.0.0.1",
    "--porta",
    String(ocupada.addr.port),
  ]);
  assert.equal(await servidor.status(), RetornoServidor.PORTA_EM_USO);
  assert.equal(
    servidor.erros.texto,
    `servidor: a porta ${ocupada.addr.port} já está em uso em 127.0.0.1; escolha outra com --porta\n`,
  );
});

Deno.test("opções inválidas do servidor: código 2 e dica da ajuda", async (t) => {
  for (
    const args of [
      ["--porta", "abc"],
      ["--porta", "70000"],
      ["--tamanho-maximo", "0"],
      ["--nada"],
      ["--prazo", "0"],
      ["--host", ""],
      ["--tempo-ocioso", "4294968"],
      ["--tempo-ocioso", "0.0001"],
    ]
  ) {
    await t.step(args.join(" "), async () => {
      const servidor = iniciar("servidor", args);
      assert.equal(await servidor.status(), RetornoServidor.USO);
      assert.match(
        servidor.erros.texto,
        /^servidor: .+\nUse "servidor --ajuda" para ver as opções\.\n$/,
      );
    });
  }
});

Deno.test("IPv6: o servidor em ::1 mostra o endereço entre colchetes", async () => {
  await using servidor = await iniciarServidor([], "::1");
  const cliente = await Cliente.conectar({
    host: "::1",
    porta: servidor.porta,
    tempoLimite: 5000,
  });
  await cliente.enviar(cliente.compor("v6", "ok"));
  await cliente.sair();
  await servidor.saida.esperar(
    /> Cliente ::1 conectou-se por meio da porta \d+/,
  );
  await servidor.saida.esperar(/> De \[::1\]:\d+, recebida em/);
});

Deno.test("sem descritores livres (EMFILE), o laço de aceitação continua", async () => {
  // O servidor com poucos descritores: o sh baixa o limite e dá lugar ao deno.
  const filho = new Deno.Command("sh", {
    args: [
      "-c",
      'ulimit -n 64 && exec "$0" "$@"',
      Deno.execPath(),
      "run",
      ...opcoesDaTarefa("servidor"),
      new URL("../../servidor.ts", import.meta.url).pathname,
      "--host",
      "127.0.0.1",
      "--porta",
      "0",
    ],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  await using processo = new Processo(filho, false);
  const porta = Number((await processo.saida.esperar(/na porta (\d+)\./))[1]);
  const servidor = { host: "127.0.0.1", porta };
  const pares: ParCru[] = [];
  try {
    // Mais conexões do que o limite deixa aceitar.
    for (let i = 0; i < 80; i++) pares.push(await ParCru.conectar(servidor));
    await processo.saida.esperar(
      /> Erro: falha ao aceitar conexão: .*(Too many open files|os error 24)/,
    );
  } finally {
    for (const par of pares) par.fechar();
  }
  // Com os descritores de volta, um cliente novo é atendido normalmente.
  const cliente = await Cliente.conectar({ ...servidor, tempoLimite: 5000 });
  await cliente.enviar(cliente.compor("depois do EMFILE", "ok"));
  assert.equal(await cliente.sair(), null);
  await processo.saida.esperar(/ASSUNTO:\n {2}depois do EMFILE\n/);
});
