/**
 * Testes de lib/servidor/acesso.ts: as faixas de `--permitir`/`--negar`
 * (IPv4, IPv6 e IPv4 escrito como IPv6 mapeado) e a comparação do token.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  lerFaixa,
  ListaDeAcesso,
  tokensIguais,
} from "../../lib/servidor/acesso.ts";

Deno.test("--negar e --permitir casam IPv4, IPv6 e endereços IPv4 vindos de um socket IPv6", () => {
  const lista = new ListaDeAcesso(["10.0.0.0/8", "fd00::/8"], ["10.9.0.0/16"]);
  assert.equal(lista.recusar("10.1.2.3"), undefined);
  assert.equal(lista.recusar("::ffff:10.1.2.3"), undefined);
  assert.equal(lista.recusar("fd12::1"), undefined);
  assert.equal(
    lista.recusar("10.9.1.1"),
    "endereço negado por --negar 10.9.0.0/16",
  );
  assert.equal(
    lista.recusar("192.168.0.1"),
    "endereço fora das faixas de --permitir",
  );
});

Deno.test("uma faixa IPv4 escrita como IPv6 mapeado (::ffff:a.b.c.d) vale para o endereço IPv4", () => {
  const negar = new ListaDeAcesso([], ["::ffff:127.0.0.1/128"]);
  assert.equal(
    negar.recusar("127.0.0.1"),
    "endereço negado por --negar 127.0.0.1/32",
  );
  assert.equal(negar.recusar("127.0.0.2"), undefined);
  const permitir = new ListaDeAcesso(["::ffff:10.0.0.0/104"], []);
  assert.equal(permitir.recusar("10.200.0.1"), undefined);
  assert.equal(
    permitir.recusar("11.0.0.1"),
    "endereço fora das faixas de --permitir",
  );
  assert.throws(
    () => lerFaixa("::ffff:0:0/90"),
    /faixa IPv4 escrita como IPv6 com menos de 96 bits/,
  );
});

Deno.test("faixa ilegível: RangeError com exemplo", () => {
  assert.throws(
    () => lerFaixa("10.0.0.0/33"),
    RangeError,
    'faixa de endereços inválida: "10.0.0.0/33"',
  );
});

Deno.test("tokensIguais compara conteúdo, não só o tamanho", () => {
  assert.equal(tokensIguais("segredo", "segredo"), true);
  assert.equal(tokensIguais("segredo", "segredx"), false);
  assert.equal(tokensIguais("segredo", "segredo!"), false);
});
