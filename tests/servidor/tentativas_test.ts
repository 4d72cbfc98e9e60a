import assert from "node:assert/strict";
import { origemDe, Tentativas } from "../../lib/servidor/tentativas.ts";

const limites = { porOrigem: 3, global: 6, prefixoIpv6: 64, pendentes: 2 };

Deno.test("origem: IPv4 inteiro, IPv4 mapeado em IPv6, prefixo IPv6 de N bits", () => {
  assert.equal(origemDe("10.0.0.7", 64), "10.0.0.7");
  assert.equal(origemDe("::ffff:10.0.0.7", 64), "10.0.0.7");
  assert.equal(origemDe("2001:db8:1:2:aaaa::1", 64), "2001:db8:1:2::/64");
  assert.equal(origemDe("2001:db8:1:2:ffff::9", 64), "2001:db8:1:2::/64");
  assert.equal(origemDe("2001:db8:1:2:aaaa::1", 48), "2001:db8:1::/48");
  assert.equal(origemDe("2001:db8:1:2:aaaa::1", 56), "2001:db8:1::/56");
  assert.equal(origemDe("2001:db8:1:2ff:a::1", 60), "2001:db8:1:2f0::/60");
  assert.equal(origemDe("::1", 128), "::1/128");
});

Deno.test("tentativas: o saldo de uma origem acaba e volta à razão por minuto", () => {
  const t = new Tentativas({ ...limites, global: 100 });
  for (let i = 0; i < 3; i++) {
    assert.equal(t.consultar("10.0.0.1", 0), 0);
    t.falhou("10.0.0.1", 0);
  }
  // Sem saldo: 3 por minuto = uma ficha a cada 20 s.
  assert.equal(t.consultar("10.0.0.1", 0), 20_000);
  assert.equal(t.consultar("10.0.0.1", 15_000), 5_000);
  assert.equal(t.consultar("10.0.0.1", 20_000), 0);
  // Outro endereço da mesma /64 é a mesma origem; outra /64 não.
  t.falhou("2001:db8::1", 0);
  t.falhou("2001:db8::2", 0);
  t.falhou("2001:db8::3", 0);
  assert.ok(t.consultar("2001:db8::ffff", 0) > 0);
  assert.equal(t.consultar("2001:db8:0:1::1", 0), 0);
});

Deno.test("tentativas: o teto global vale para todas as origens, menos as que já acertaram", () => {
  const t = new Tentativas(limites);
  t.acertou("10.9.9.9");
  for (let i = 0; i < 6; i++) t.falhou(`10.0.0.${i}`, 0); // uma falha de cada
  assert.ok(t.consultar("10.0.0.100", 0) > 0, "endereço novo: teto global");
  assert.equal(t.consultar("10.9.9.9", 0), 0, "já acertou: conferido");
  assert.equal(t.consultar("10.0.0.100", 10_000), 0); // 6/min: 10 s
});

Deno.test("tentativas: pendentes por origem, contadas até saírem", () => {
  const t = new Tentativas(limites);
  assert.equal(t.entrou("2001:db8::1"), true);
  assert.equal(t.entrou("2001:db8::2"), true);
  assert.equal(t.entrou("2001:db8::3"), false); // mesma /64
  assert.equal(t.entrou("10.0.0.1"), true);
  t.saiu("2001:db8::1");
  assert.equal(t.entrou("2001:db8::4"), true);
});
