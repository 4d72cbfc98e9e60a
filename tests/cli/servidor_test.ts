/**
 * Testes de lib/cli/servidor.ts: os padrões do servidor, que precisam bater
 * com o que a ajuda anuncia, e a análise de cada opção com seus limites.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  analisarConfigServidor,
  PROGRAMA_SERVIDOR,
} from "../../lib/cli/servidor.ts";
import { escolher, falhaDeUso } from "./ajudantes.ts";

Deno.test("analisarConfigServidor: padrões iguais aos anunciados na ajuda", () => {
  const config = analisarConfigServidor([]);
  assert.deepEqual(
    escolher(config, [
      "ajuda",
      "versao",
      "host",
      "porta",
      "tamanhoMaximo",
      "maxConexoes",
      "tempoOcioso",
      "prazo",
      "json",
    ]),
    {
      ajuda: false,
      versao: false,
      host: undefined,
      porta: 3415,
      tamanhoMaximo: 1024,
      maxConexoes: 1000,
      tempoOcioso: 300_000,
      prazo: 10_000,
      json: false,
    },
  );
  const { opcoes } = PROGRAMA_SERVIDOR;
  assert.equal(opcoes.porta.padrao, String(config.porta));
  assert.equal(opcoes["tamanho-maximo"].padrao, String(config.tamanhoMaximo));
  assert.equal(opcoes["max-conexoes"].padrao, String(config.maxConexoes));
  assert.equal(
    opcoes["tempo-ocioso"].padrao,
    String(config.tempoOcioso / 1000),
  );
  assert.equal(opcoes.prazo.padrao, String(config.prazo / 1000));
});

Deno.test("analisarConfigServidor lê cada opção e recusa valores fora dos limites", () => {
  const config = analisarConfigServidor([
    "--host",
    "::",
    "--porta",
    "0",
    "--tamanho-maximo",
    "65536",
    "--max-conexoes",
    "2",
    "--tempo-ocioso",
    "0",
    "--prazo",
    "0.4",
    "--json",
  ]);
  assert.deepEqual(
    escolher(config, [
      "host",
      "porta",
      "tamanhoMaximo",
      "maxConexoes",
      "tempoOcioso",
      "prazo",
      "json",
    ]),
    {
      host: "::",
      porta: 0,
      tamanhoMaximo: 65536,
      maxConexoes: 2,
      tempoOcioso: 0,
      prazo: 400,
      json: true,
    },
  );
  assert.equal(analisarConfigServidor(["-h"]).ajuda, true);
  assert.equal(analisarConfigServidor(["--versao"]).versao, true);
  falhaDeUso(
    () => analisarConfigServidor(["--tamanho-maximo", "0"]),
    "--tamanho-maximo deve estar entre 1 e 16777216, não 0",
  );
  falhaDeUso(
    () =>
      analisarConfigServidor([
        "--tamanho-maximo",
        String(16 * 1024 * 1024 + 1),
      ]),
    "--tamanho-maximo deve estar entre 1 e 16777216, não 16777217",
  );
  falhaDeUso(
    () => analisarConfigServidor(["--prazo", "0"]),
    '--prazo deve ser de 0.001 a 2147483 segundos, não "0"',
  );
  falhaDeUso(
    () => analisarConfigServidor(["--porta", "abc"]),
    '--porta deve ser um número inteiro, não "abc"',
  );
  falhaDeUso(
    () => analisarConfigServidor(["--assunto", "x"]),
    "opção desconhecida: --assunto",
  );
});

Deno.test("analisarConfigServidor confere --host e os limites das durações onde são digitados", () => {
  falhaDeUso(
    () => analisarConfigServidor(["--host", ""]),
    "--host não pode ficar vazio; dê um nome ou endereço (ou omita a opção)",
  );
  assert.equal(analisarConfigServidor(["--host", "[::1]"]).host, "::1");
  // 4294968 s em ms passa do u32 da saudação (daria 704 ms).
  falhaDeUso(
    () => analisarConfigServidor(["--tempo-ocioso", "4294968"]),
    '--tempo-ocioso deve ser 0 (nunca) ou de 0.001 a 2147483 segundos, não "4294968"',
  );
  // Uma fração que arredonda para 0 não vira "nunca" calada.
  falhaDeUso(
    () => analisarConfigServidor(["--tempo-ocioso", "0.0001"]),
    '--tempo-ocioso deve ser 0 (nunca) ou de 0.001 a 2147483 segundos, não "0.0001"',
  );
  assert.equal(analisarConfigServidor(["--tempo-ocioso", "0"]).tempoOcioso, 0);
});

Deno.test("analisarConfigServidor: --painel e --painel-historico", () => {
  const sem = analisarConfigServidor([]);
  assert.equal(sem.painel, undefined);
  assert.equal(sem.painelHistorico, 200);
  assert.equal(
    PROGRAMA_SERVIDOR.opcoes["painel-historico"].padrao,
    String(sem.painelHistorico),
  );
  const com = analisarConfigServidor([
    "--painel",
    "8080",
    "--painel-historico",
    "0",
  ]);
  assert.equal(com.painel, 8080);
  assert.equal(com.painelHistorico, 0);
  assert.equal(analisarConfigServidor(["--painel", "0"]).painel, 0);
  falhaDeUso(
    () => analisarConfigServidor(["--painel-historico", "10"]),
    "--painel-historico só vale com --painel",
  );
  falhaDeUso(
    () => analisarConfigServidor(["--painel", "65536"]),
    "--painel deve estar entre 0 e 65535, não 65536",
  );
  falhaDeUso(
    () => analisarConfigServidor(["--painel", "x"]),
    '--painel deve ser um número inteiro, não "x"',
  );
  falhaDeUso(
    () => analisarConfigServidor(["--painel", "1", "--painel-historico=-1"]),
    "--painel-historico deve estar entre 0 e 1000000, não -1",
  );
});
