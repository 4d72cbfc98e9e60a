/**
 * Testes de lib/cli/arquivos.ts: os arquivos que as opções indicam, lidos ou
 * recusados com a opção e o motivo em português, e o token (do arquivo, sem a
 * quebra de linha final, ou da variável de ambiente).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  ErroDeConfiguracao,
  lerArquivo,
  lerPem,
  lerToken,
} from "../../lib/cli/arquivos.ts";
import { VARIAVEL_TOKEN } from "../../lib/cli/comum.ts";

/** Espera um ErroDeConfiguracao com exatamente esta mensagem. */
function falhaDeConfiguracao(acao: () => unknown, mensagem: string): void {
  assert.throws(acao, (erro: unknown) => {
    assert.ok(erro instanceof ErroDeConfiguracao, `veio ${erro}`);
    assert.equal(erro.name, "ErroDeConfiguracao");
    assert.equal(erro.message, mensagem);
    return true;
  });
}

/** Roda `acao` com a variável do token neste valor e a restaura depois. */
function comVariavel(valor: string | undefined, acao: () => void): void {
  const antes = Deno.env.get(VARIAVEL_TOKEN);
  const definir = (v: string | undefined) =>
    v === undefined
      ? Deno.env.delete(VARIAVEL_TOKEN)
      : Deno.env.set(VARIAVEL_TOKEN, v);
  definir(valor);
  try {
    acao();
  } finally {
    definir(antes);
  }
}

Deno.test("lerArquivo devolve o texto ou diz qual opção e por quê", () => {
  const caminho = Deno.makeTempFileSync();
  try {
    Deno.writeTextFileSync(caminho, "-----BEGIN CERTIFICATE-----\n");
    assert.equal(
      lerArquivo(caminho, "--ca"),
      "-----BEGIN CERTIFICATE-----\n",
    );
  } finally {
    Deno.removeSync(caminho);
  }
  falhaDeConfiguracao(
    () => lerArquivo(caminho, "--tls-cert"),
    `--tls-cert ${caminho}: arquivo não encontrado`,
  );
});

Deno.test("lerArquivo recusa uma pasta e um arquivo sem fim (/dev/zero) em português, sem ler tudo", () => {
  const pasta = Deno.makeTempDirSync();
  try {
    falhaDeConfiguracao(
      () => lerArquivo(pasta, "--tls-cert"),
      `--tls-cert ${pasta}: é uma pasta, não um arquivo`,
    );
  } finally {
    Deno.removeSync(pasta);
  }
  falhaDeConfiguracao(
    () => lerArquivo("/dev/zero", "--token-arquivo"),
    "--token-arquivo /dev/zero: maior que 1 MiB; não parece um arquivo de configuração",
  );
});

Deno.test("lerToken recusa um token maior que o campo da saudação (4096 bytes)", () => {
  const arquivo = Deno.makeTempFileSync();
  try {
    Deno.writeTextFileSync(arquivo, "t".repeat(4096) + "\n");
    assert.equal(lerToken(arquivo), "t".repeat(4096));
    Deno.writeTextFileSync(arquivo, "t".repeat(4097));
    falhaDeConfiguracao(
      () => lerToken(arquivo),
      `--token-arquivo ${arquivo}: token de 4097 bytes; o máximo é 4096`,
    );
  } finally {
    Deno.removeSync(arquivo);
  }
  comVariavel("é".repeat(2049), () =>
    falhaDeConfiguracao(
      () => lerToken(undefined),
      `${VARIAVEL_TOKEN}: token de 4098 bytes; o máximo é 4096`,
    ));
});

Deno.test("lerToken tira as quebras de linha do fim do arquivo, prevalece sobre a variável e recusa token vazio", () => {
  const caminho = Deno.makeTempFileSync();
  try {
    Deno.writeTextFileSync(caminho, "segredo\r\n");
    assert.equal(lerToken(caminho), "segredo");
    Deno.writeTextFileSync(caminho, "segredo\n\n");
    assert.equal(lerToken(caminho), "segredo");
    Deno.writeTextFileSync(caminho, "segredo\r\n\r\n");
    assert.equal(lerToken(caminho), "segredo");
    // Só o fim: uma quebra no meio faz parte do token.
    Deno.writeTextFileSync(caminho, "seg\nredo\n");
    assert.equal(lerToken(caminho), "seg\nredo");
    // Com o arquivo e a variável, vale o arquivo.
    Deno.writeTextFileSync(caminho, "do-arquivo\n");
    comVariavel("da-variavel", () => {
      assert.equal(lerToken(caminho), "do-arquivo");
    });
    Deno.writeTextFileSync(caminho, "\n");
    falhaDeConfiguracao(
      () => lerToken(caminho),
      `--token-arquivo ${caminho}: token vazio`,
    );
  } finally {
    Deno.removeSync(caminho);
  }
});

Deno.test("lerToken sem arquivo usa a variável de ambiente", () => {
  comVariavel(undefined, () => assert.equal(lerToken(undefined), undefined));
  comVariavel("abc", () => assert.equal(lerToken(undefined), "abc"));
  comVariavel("", () => {
    falhaDeConfiguracao(
      () => lerToken(undefined),
      `${VARIAVEL_TOKEN} está vazia`,
    );
  });
});

Deno.test("na linha de comando, só arquivos.ts e permissoes.ts tocam o sistema (Deno.*)", () => {
  const pasta = new URL("../../lib/cli/", import.meta.url);
  const comDeno = [...Deno.readDirSync(pasta)]
    .map((entrada) => entrada.name)
    .filter((nome) => nome.endsWith(".ts"))
    .filter((nome) =>
      /\bDeno\.\w/.test(Deno.readTextFileSync(new URL(nome, pasta)))
    );
  assert.deepEqual(comDeno.sort(), ["arquivos.ts", "permissoes.ts"]);
});

Deno.test("lerPem confere que o arquivo tem o bloco PEM que a opção pede", () => {
  const caminho = Deno.makeTempFileSync();
  try {
    Deno.writeTextFileSync(caminho, "não é PEM\n");
    falhaDeConfiguracao(
      () => lerPem(caminho, "--ca", "certificado"),
      `--ca ${caminho}: não é um certificado PEM (falta a linha -----BEGIN CERTIFICATE-----)`,
    );
    falhaDeConfiguracao(
      () => lerPem(caminho, "--tls-chave", "chave"),
      `--tls-chave ${caminho}: não é uma chave privada PEM (falta a linha -----BEGIN PRIVATE KEY-----)`,
    );
    const cert =
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    Deno.writeTextFileSync(caminho, cert);
    assert.equal(lerPem(caminho, "--tls-cert", "certificado"), cert);
    for (const tipo of ["", "RSA ", "EC "]) {
      Deno.writeTextFileSync(caminho, `-----BEGIN ${tipo}PRIVATE KEY-----\n`);
      assert.ok(lerPem(caminho, "--tls-chave", "chave"));
    }
  } finally {
    Deno.removeSync(caminho);
  }
});
