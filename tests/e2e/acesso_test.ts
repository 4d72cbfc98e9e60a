/**
 * Segurança: listas de acesso, token e TLS. As regras de `lib/servidor/acesso.ts` em
 * unidade; de ponta a ponta, com certificados gerados pelo `openssl` na hora,
 * um par TLS que ninguém daqui escreveu (`openssl s_client`) e conexões de
 * origem escolhida (127.0.0.2, 127.0.0.3) feitas com Python.
 */

import assert from "node:assert/strict";
import { ListaDeAcesso, tokensIguais } from "../../lib/servidor/acesso.ts";
import { CodigoErro } from "../../lib/erros.ts";
import { RetornoCliente } from "../../lib/retornos.ts";
import { codificar } from "../../lib/protocolo/codificador.ts";
import { Tipo, VERSAO_1 } from "../../lib/protocolo/quadros.ts";
import {
  alvo,
  iniciar,
  iniciarServidor,
  ParCru,
  rodarCliente,
} from "../ajudantes.ts";
import { openssl as opensslEm } from "../certificados.ts";

Deno.test("lista de acesso: IPv4, IPv6, IPv4 mapeado e --negar prevalece", () => {
  const lista = new ListaDeAcesso(["127.0.0.0/8", "fd00::/8"], [
    "127.0.0.66",
    "fd00::bad/128",
  ]);
  assert.equal(lista.recusar("127.0.0.2"), undefined);
  assert.equal(lista.recusar("::ffff:127.0.0.9"), undefined);
  assert.equal(lista.recusar("fd00::1"), undefined);
  assert.match(
    lista.recusar("127.0.0.66")!,
    /negado por --negar 127\.0\.0\.66\/32/,
  );
  assert.match(lista.recusar("fd00::bad")!, /negado por --negar/);
  assert.match(lista.recusar("10.0.0.1")!, /fora das faixas de --permitir/);
  assert.match(lista.recusar("::1")!, /fora das faixas de --permitir/);
  const soNegar = new ListaDeAcesso([], ["::1"]);
  assert.equal(soNegar.recusar("127.0.0.1"), undefined);
  assert.match(soNegar.recusar("::1")!, /negado/);
  assert.equal(new ListaDeAcesso([], []).ativa, false);
  assert.throws(
    () => new ListaDeAcesso(["300.1.1.1/8"], []),
    /faixa de endereços inválida: "300\.1\.1\.1\/8"/,
  );
  assert.throws(() => new ListaDeAcesso([], ["::1/129"]), RangeError);
});

Deno.test("token: comparação exata", () => {
  assert.equal(tokensIguais("segredo", "segredo"), true);
  assert.equal(tokensIguais("segredo", "segredO"), false);
  assert.equal(tokensIguais("segredo", "segredo "), false);
  assert.equal(tokensIguais("", "x"), false);
});

/** Conecta a partir de `origem` (Python pode escolher; o Deno não), saúda e diz o que veio. */
const CONECTAR_DE = `
import socket, sys
s = socket.socket()
s.settimeout(5)
s.bind((sys.argv[1], 0))
s.connect(("127.0.0.1", int(sys.argv[2])))
s.sendall(bytes.fromhex(sys.argv[3]))
try:
    dados = s.recv(64)
    print("fechada" if not dados else "resposta " + dados.hex())
except ConnectionResetError:
    print("fechada")
`;

async function conectarDe(
  origem: string,
  porta: number,
  token = "",
): Promise<string> {
  const ola = codificar({ tipo: Tipo.OLA_CLIENTE, versao: VERSAO_1, token });
  const hex = [...ola].map((b) => b.toString(16).padStart(2, "0")).join("");
  const { code, stdout, stderr } = await new Deno.Command("python3", {
    args: ["-c", CONECTAR_DE, origem, String(porta), hex],
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("--permitir e --negar em loopback IPv4: fechado antes da saudação e registrado", async () => {
  await using servidor = await iniciarServidor([
    "--permitir",
    "127.0.0.0/30",
    "--negar",
    "127.0.0.3",
  ]);
  assert.match(
    await conectarDe("127.0.0.2", servidor.porta),
    /^resposta 000000/,
  );
  assert.equal(await conectarDe("127.0.0.3", servidor.porta), "fechada");
  assert.equal(await conectarDe("127.0.0.5", servidor.porta), "fechada");
  await servidor.saida.esperar(
    /Cliente 127\.0\.0\.3:\d+ rejeitado: endereço negado por --negar 127\.0\.0\.3\/32 \(código 12\)/,
  );
  await servidor.saida.esperar(
    /Cliente 127\.0\.0\.5:\d+ rejeitado: endereço fora das faixas de --permitir \(código 12\)/,
  );
});

Deno.test("--negar e --permitir em IPv6 (::1)", async () => {
  {
    await using servidor = await iniciarServidor(["--negar", "::1/128"], "::1");
    const r = await rodarCliente([
      ...alvo(servidor),
      "--assunto",
      "a",
      "--texto",
      "b",
    ]);
    assert.equal(r.codigo, RetornoCliente.CONEXAO_PERDIDA, r.erros);
    await servidor.saida.esperar(
      /Cliente \[::1\]:\d+ rejeitado: endereço negado/,
    );
  }
  await using servidor = await iniciarServidor(
    ["--permitir", "::1/128"],
    "::1",
  );
  const r = await rodarCliente([
    ...alvo(servidor),
    "--assunto",
    "a",
    "--texto",
    "b",
  ]);
  assert.equal(r.codigo, 0, r.erros);
});

Deno.test("token: certo entra, errado e ausente recebem 'não autorizado' (código 12)", async () => {
  await using servidor = await iniciarServidor([], "127.0.0.1", {
    SOCKETS_TOKEN: "s3gr3d0",
  });
  const args = [...alvo(servidor), "--assunto", "com token", "--texto", "ok"];
  const certo = await rodarCliente(args, "", { SOCKETS_TOKEN: "s3gr3d0" });
  assert.equal(certo.codigo, 0, certo.erros);
  const errado = await rodarCliente(args, "", { SOCKETS_TOKEN: "chute" });
  assert.equal(errado.codigo, RetornoCliente.NAO_AUTORIZADO);
  assert.equal(
    errado.erros,
    "cliente: o servidor recusou: não autorizado (código 12)\n",
  );
  const ausente = await rodarCliente(args);
  assert.equal(ausente.codigo, RetornoCliente.NAO_AUTORIZADO);
  await servidor.saida.esperar(
    /Cliente 127\.0\.0\.1:\d+ rejeitado: não autorizado: token errado/,
  );
  await servidor.saida.esperar(
    /Cliente 127\.0\.0\.1:\d+ rejeitado: não autorizado: token ausente/,
  );
  assert.equal(
    servidor.saida.texto.match(/ASSUNTO:\n {2}com token/g)?.length,
    1,
  );
});

Deno.test("token de arquivo; além do saldo de erros nem o certo é conferido, e outro endereço entra na hora", async () => {
  const pasta = await Deno.makeTempDir();
  try {
    const arquivo = `${pasta}/token.txt`;
    await Deno.writeTextFile(arquivo, "do-arquivo\n");
    await using servidor = await iniciarServidor([
      "--token-arquivo",
      arquivo,
      "--falhas-por-endereco",
      "3",
    ]);
    const saudar = async (token: string) => {
      using par = await ParCru.conectar(servidor);
      await par.escrever(
        codificar({ tipo: Tipo.OLA_CLIENTE, versao: VERSAO_1, token }),
      );
      return await par.proximo();
    };
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await saudar(`chute${i}`), {
        tipo: Tipo.ERRO,
        codigo: CodigoErro.NAO_AUTORIZADO,
        texto: "não autorizado",
      });
    }
    // Sem saldo (3 por minuto): nem o token certo é conferido deste endereço.
    assert.deepEqual(await saudar("do-arquivo"), {
      tipo: Tipo.ERRO,
      codigo: CodigoErro.NAO_AUTORIZADO,
      texto:
        "não autorizado: tentativas demais de 127.0.0.1; tente de novo em 20 s",
    });
    // Outro endereço tem o seu saldo: entra na hora (OLA_SERVIDOR, tipo 2).
    const inicio = Date.now();
    const resposta = await conectarDe(
      "127.0.0.2",
      servidor.porta,
      "do-arquivo",
    );
    assert.match(resposta, /^resposta 0000000d02/);
    assert.ok(Date.now() - inicio < 1500, `${Date.now() - inicio} ms`);
  } finally {
    await Deno.remove(pasta, { recursive: true });
  }
});

Deno.test("token sem TLS fora do loopback: aviso na partida", async () => {
  await using servidor = await iniciarServidor([], "0.0.0.0", {
    SOCKETS_TOKEN: "x",
  });
  await servidor.saida.esperar(/> Aviso: token exigido sem TLS em 0\.0\.0\.0/);
});

/**
 * Uma CA, outra CA e certificados para localhost (um válido, um vencido),
 * gerados na hora com openssl (`openssl` de tests/certificados.ts).
 */
async function gerarCertificados(pasta: string): Promise<void> {
  const openssl = (...args: string[]) => opensslEm(pasta, ...args);
  await Deno.writeTextFile(
    `${pasta}/ext.cnf`,
    "subjectAltName=DNS:localhost\n",
  );
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=CA de teste",
  );
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "outra.key",
    "-out",
    "outra.pem",
    "-days",
    "2",
    "-subj",
    "/CN=Outra CA",
  );
  await openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "srv.key",
    "-out",
    "srv.csr",
    "-subj",
    "/CN=localhost",
  );
  const assinar = (saida: string, dias: string) =>
    openssl(
      "x509",
      "-req",
      "-in",
      "srv.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      saida,
      "-days",
      dias,
      "-extfile",
      "ext.cnf",
    );
  await assinar("srv.pem", "2");
  await assinar("vencido.pem", "-1");
}

Deno.test("TLS de ponta a ponta, recusas de certificado e pares que não falam TLS", async (t) => {
  const pasta = await Deno.makeTempDir();
  try {
    await gerarCertificados(pasta);
    const tls = (
      cert: string,
    ) => ["--tls-cert", `${pasta}/${cert}`, "--tls-chave", `${pasta}/srv.key`];
    const enviar = ["--assunto", "cifrada", "--texto", "segredo"];
    {
      await using servidor = await iniciarServidor(tls("srv.pem"));
      const porta = ["--porta", String(servidor.porta)];
      await t.step("sessão verificada com --ca", async () => {
        const r = await rodarCliente([
          "--host",
          "localhost",
          ...porta,
          "--tls",
          "--ca",
          `${pasta}/ca.pem`,
          ...enviar,
        ]);
        assert.equal(r.codigo, 0, r.erros);
        await servidor.saida.esperar(/ASSUNTO:\n {2}cifrada\n/);
      });
      await t.step("nome errado", async () => {
        const r = await rodarCliente([
          "--host",
          "127.0.0.1",
          ...porta,
          "--tls",
          "--ca",
          `${pasta}/ca.pem`,
          ...enviar,
        ]);
        assert.equal(r.codigo, RetornoCliente.FALHA_TLS);
        assert.match(
          r.erros,
          /falha de TLS com 127\.0\.0\.1:\d+: o certificado do servidor não vale para o nome "127\.0\.0\.1"/,
        );
      });
      await t.step("CA desconhecida", async () => {
        const r = await rodarCliente([
          "--host",
          "localhost",
          ...porta,
          "--tls",
          "--ca",
          `${pasta}/outra.pem`,
          ...enviar,
        ]);
        assert.equal(r.codigo, RetornoCliente.FALHA_TLS);
        assert.match(r.erros, /não foi emitido pela CA de --ca/);
        await servidor.saida.esperar(
          /desconectou-se sem CODIGO_SAIDA \(TLS: o cliente não confia no certificado deste servidor \(CA desconhecida\); dê a ele a CA que o emitiu, com --ca\)/,
        );
        const semCa = await rodarCliente([
          "--host",
          "localhost",
          ...porta,
          "--tls",
          ...enviar,
        ]);
        assert.equal(semCa.codigo, RetornoCliente.FALHA_TLS);
      });
      await t.step("cliente sem TLS num servidor TLS", async () => {
        const r = await rodarCliente([
          "--host",
          "localhost",
          ...porta,
          ...enviar,
        ]);
        assert.equal(r.codigo, RetornoCliente.PROTOCOLO_INCOMPATIVEL);
        assert.match(r.erros, /ele parece usar TLS: tente --tls/);
        await servidor.saida.esperar(
          /desconectou-se sem CODIGO_SAIDA \(TLS: o cliente não fala TLS \(conectou sem --tls\?\); este servidor só aceita TLS\)/,
        );
      });
      await t.step(
        "openssl s_client completa o handshake e seu lixo é recusado",
        async () => {
          const sClient = new Deno.Command("openssl", {
            args: [
              "s_client",
              "-connect",
              `127.0.0.1:${servidor.porta}`,
              "-CAfile",
              `${pasta}/ca.pem`,
              "-verify_hostname",
              "localhost",
              "-quiet",
            ],
            stdin: "piped",
            stdout: "piped",
            stderr: "piped",
          }).spawn();
          const escritor = sClient.stdin.getWriter();
          await escritor.write(
            new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"),
          );
          await servidor.saida.esperar(
            /rejeitado: os primeiros bytes não são uma saudação do protocolo/,
          );
          await escritor.close();
          const { stderr } = await sClient.output();
          assert.match(new TextDecoder().decode(stderr), /verify return:1/);
        },
      );
    }
    await t.step("certificado vencido", async () => {
      await using servidor = await iniciarServidor(tls("vencido.pem"));
      const r = await rodarCliente([
        "--host",
        "localhost",
        "--porta",
        String(servidor.porta),
        "--tls",
        "--ca",
        `${pasta}/ca.pem`,
        ...enviar,
      ]);
      assert.equal(r.codigo, RetornoCliente.FALHA_TLS);
      assert.match(r.erros, /o certificado do servidor expirou/);
    });
    await t.step("cliente TLS num servidor sem TLS", async () => {
      await using servidor = await iniciarServidor();
      const r = await rodarCliente([
        "--host",
        "localhost",
        "--porta",
        String(servidor.porta),
        "--tls",
        ...enviar,
      ]);
      assert.equal(r.codigo, RetornoCliente.FALHA_TLS);
      assert.match(r.erros, /a resposta não é TLS; o servidor fala TLS\?/);
      await servidor.saida.esperar(
        /rejeitado: os primeiros bytes são de TLS \(um ClientHello\).*inicie o servidor com --tls-cert e --tls-chave, ou o cliente sem --tls/,
      );
    });
    await t.step(
      "arquivos ilegíveis: código 6 no servidor, 2 no cliente",
      async () => {
        const servidor = iniciar("servidor", [
          "--porta",
          "0",
          "--tls-cert",
          `${pasta}/nao-existe.pem`,
          "--tls-chave",
          `${pasta}/srv.key`,
        ]);
        assert.equal(await servidor.status(), 6);
        assert.equal(
          servidor.erros.texto,
          `servidor: --tls-cert ${pasta}/nao-existe.pem: arquivo não encontrado\n`,
        );
        const r = await rodarCliente([
          "--porta",
          "1",
          "--tls",
          "--ca",
          `${pasta}/nada.pem`,
        ]);
        assert.equal(r.codigo, RetornoCliente.USO);
        assert.match(r.erros, /--ca .*nada\.pem: arquivo não encontrado/);
      },
    );
    await t.step(
      "arquivos trocados: --ca que não é PEM, chave de outro certificado",
      async () => {
        await Deno.writeTextFile(`${pasta}/lixo.txt`, "não é PEM\n");
        const r = await rodarCliente([
          "--porta",
          "1",
          "--tls",
          "--ca",
          `${pasta}/lixo.txt`,
        ]);
        assert.equal(r.codigo, RetornoCliente.USO);
        assert.equal(
          r.erros,
          `cliente: --ca ${pasta}/lixo.txt: não é um certificado PEM (falta a linha -----BEGIN CERTIFICATE-----)\n`,
        );
        const servidor = iniciar("servidor", [
          "--porta",
          "0",
          "--tls-cert",
          `${pasta}/srv.pem`,
          "--tls-chave",
          `${pasta}/outra.key`,
        ]);
        assert.equal(await servidor.status(), 6);
        assert.equal(
          servidor.erros.texto,
          "servidor: a chave de --tls-chave não é a do certificado de --tls-cert; confira se os dois arquivos são do mesmo par\n",
        );
      },
    );
  } finally {
    await Deno.remove(pasta, { recursive: true });
  }
});
