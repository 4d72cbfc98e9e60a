/**
 * Testes de lib/cli/cliente.ts: os padrões do cliente, que precisam bater com
 * o que a ajuda anuncia, os modos sem menu e as combinações proibidas.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  analisarConfigCliente,
  avisoDeDigitacao,
  PROGRAMA_CLIENTE,
} from "../../lib/cli/cliente.ts";
import { escolher, falhaDeUso } from "./ajudantes.ts";

Deno.test("analisarConfigCliente: padrões iguais aos anunciados na ajuda", () => {
  const config = analisarConfigCliente([]);
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

Deno.test("analisarConfigCliente: modos sem menu e combinações proibidas", () => {
  assert.deepEqual(
    escolher(
      analisarConfigCliente([
        "--assunto",
        "Backup",
        "--texto",
        "-",
        "--verbose",
      ]),
      ["assunto", "texto", "linhas", "verbose"],
    ),
    { assunto: "Backup", texto: "-", linhas: false, verbose: true },
  );
  assert.deepEqual(
    escolher(analisarConfigCliente(["--assunto", "app", "--linhas"]), [
      "assunto",
      "texto",
      "linhas",
    ]),
    { assunto: "app", texto: undefined, linhas: true },
  );
  // --linhas sem --assunto vale (assunto vazio) e --verbose vale com --linhas.
  assert.equal(analisarConfigCliente(["--linhas", "--verbose"]).verbose, true);
  assert.equal(
    analisarConfigCliente(["--tempo-limite", "0.5"]).tempoLimite,
    500,
  );
  falhaDeUso(
    () => analisarConfigCliente(["--linhas", "--texto", "x"]),
    "--linhas lê os textos da entrada; não use --texto junto",
  );
  falhaDeUso(
    () => analisarConfigCliente(["--verbose"]),
    "--verbose vale só para os modos sem menu (--assunto, --texto, --linhas)",
  );
  falhaDeUso(
    () => analisarConfigCliente(["--tempo-limite", "0"]),
    '--tempo-limite deve ser de 0.001 a 2147483 segundos, não "0"',
  );
  falhaDeUso(
    () => analisarConfigCliente(["--porta=-1"]),
    "--porta deve estar entre 1 e 65535, não -1",
  );
  falhaDeUso(
    () => analisarConfigCliente(["--json"]),
    "opção desconhecida: --json",
  );
});

Deno.test("analisarConfigCliente recusa onde se digita: porta 0, host com porta, fração que some", () => {
  falhaDeUso(
    () => analisarConfigCliente(["--porta", "0"]),
    "--porta deve estar entre 1 e 65535, não 0",
  );
  falhaDeUso(
    () => analisarConfigCliente(["--host", "127.0.0.1:39185"]),
    "--host recebe só o endereço; a porta vai em --porta: --host 127.0.0.1 --porta 39185",
  );
  falhaDeUso(
    () => analisarConfigCliente(["--tempo-limite", "0.0001"]),
    '--tempo-limite deve ser de 0.001 a 2147483 segundos, não "0.0001"',
  );
  // Um valor começado por "-" que não é opção deste programa é o valor.
  assert.equal(
    analisarConfigCliente(["--assunto", "a", "--texto", "-5 graus"]).texto,
    "-5 graus",
  );
});

Deno.test("avisoDeDigitacao: só num terminal, só quando o texto vem do teclado", () => {
  const aviso = (args: string[], terminal = true) =>
    avisoDeDigitacao(analisarConfigCliente(args), terminal);
  assert.equal(aviso(["--assunto", "oi"]), "digite o texto; Ctrl-D termina");
  assert.equal(
    aviso(["--assunto", "oi", "--texto", "-"]),
    "digite o texto; Ctrl-D termina",
  );
  assert.equal(
    aviso(["--linhas"]),
    "digite uma mensagem por linha; Ctrl-D termina",
  );
  assert.equal(aviso(["--assunto", "oi"], false), undefined);
  assert.equal(aviso(["--assunto", "oi", "--texto", "x"]), undefined);
  assert.equal(aviso([]), undefined); // o menu já pergunta
});
