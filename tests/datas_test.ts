/**
 * Testes de lib/datas.ts: o título do original, a data/hora num fuso, o
 * ISO 8601 com deslocamento, o fuso local (nunca -0) e o cache de segundo da
 * hora local.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  dataHoraLocal,
  dataHoraNoFuso,
  fusoLocal,
  iso8601,
  novaMensagem,
  tituloDaMensagem,
} from "../lib/datas.ts";
import { INSTANTE, mensagem } from "./dados.ts";
import type { Mensagem } from "../lib/protocolo/quadros.ts";

function dois(n: number): string {
  return String(n).padStart(2, "0");
}

/** Referência independente: a hora local pelos getters locais de Date. */
function localPorDate(instante: number): string {
  const d = new Date(instante);
  return `${dois(d.getDate())}/${dois(d.getMonth() + 1)}/${d.getFullYear()} ${
    dois(d.getHours())
  }:${dois(d.getMinutes())}:${dois(d.getSeconds())}`;
}

Deno.test("tituloDaMensagem completa o número com zeros e usa a hora do cliente", async (t) => {
  const casos: { nome: string; parcial: Partial<Mensagem>; titulo: string }[] =
    [
      {
        nome: "número 1, fuso -180 (Brasília)",
        parcial: { numero: 1 },
        titulo: "MENSAGEM #001 - 24/11/2026 19:27:52",
      },
      {
        nome: "número 42",
        parcial: { numero: 42 },
        titulo: "MENSAGEM #042 - 24/11/2026 19:27:52",
      },
      {
        nome: "número 999",
        parcial: { numero: 999 },
        titulo: "MENSAGEM #999 - 24/11/2026 19:27:52",
      },
      {
        nome: "número 1000 não é cortado",
        parcial: { numero: 1000 },
        titulo: "MENSAGEM #1000 - 24/11/2026 19:27:52",
      },
      {
        nome: "número u32 máximo",
        parcial: { numero: 0xffffffff },
        titulo: "MENSAGEM #4294967295 - 24/11/2026 19:27:52",
      },
      {
        nome: "fuso +330 (Índia) passa para o dia seguinte",
        parcial: { numero: 7, fuso: 330 },
        titulo: "MENSAGEM #007 - 25/11/2026 03:57:52",
      },
      {
        nome: "fuso 0",
        parcial: { numero: 12, fuso: 0 },
        titulo: "MENSAGEM #012 - 24/11/2026 22:27:52",
      },
    ];
  for (const { nome, parcial, titulo } of casos) {
    await t.step(nome, () => {
      assert.equal(tituloDaMensagem(mensagem(parcial)), titulo);
    });
  }
});

Deno.test("dataHoraNoFuso", async (t) => {
  const casos: {
    nome: string;
    instante: number;
    fuso: number;
    texto: string;
  }[] = [
    {
      nome: "todos os campos com zero à esquerda",
      instante: Date.UTC(2026, 0, 2, 3, 4, 5),
      fuso: 0,
      texto: "02/01/2026 03:04:05",
    },
    {
      nome: "milissegundos são descartados, não arredondados",
      instante: Date.UTC(2026, 0, 2, 3, 4, 5, 999),
      fuso: 0,
      texto: "02/01/2026 03:04:05",
    },
    {
      nome: "fuso negativo volta para o dia anterior",
      instante: Date.UTC(2026, 10, 25, 0, 30, 0),
      fuso: -180,
      texto: "24/11/2026 21:30:00",
    },
    {
      nome: "fuso positivo atravessa o ano",
      instante: Date.UTC(2026, 11, 31, 23, 59, 59),
      fuso: 60,
      texto: "01/01/2027 00:59:59",
    },
    {
      nome: "fuso negativo volta o ano",
      instante: Date.UTC(2027, 0, 1, 1, 0, 0),
      fuso: -180,
      texto: "31/12/2026 22:00:00",
    },
    {
      nome: "29 de fevereiro de ano bissexto",
      instante: Date.UTC(2028, 1, 28, 23, 0, 0),
      fuso: 330,
      texto: "29/02/2028 04:30:00",
    },
    {
      nome: "fuso de meia hora negativo (-570, Marquesas)",
      instante: Date.UTC(2026, 5, 1, 12, 0, 0),
      fuso: -570,
      texto: "01/06/2026 02:30:00",
    },
    {
      nome: "fuso extremo +840 (Kiribati)",
      instante: Date.UTC(2026, 5, 1, 12, 0, 0),
      fuso: 840,
      texto: "02/06/2026 02:00:00",
    },
    {
      nome: "antes de 1970",
      instante: Date.UTC(1969, 11, 31, 23, 59, 59, 500),
      fuso: 0,
      texto: "31/12/1969 23:59:59",
    },
    {
      nome: "instante zero em -180",
      instante: 0,
      fuso: -180,
      texto: "31/12/1969 21:00:00",
    },
  ];
  for (const { nome, instante, fuso, texto } of casos) {
    await t.step(nome, () => {
      assert.equal(dataHoraNoFuso(instante, fuso), texto);
    });
  }
});

Deno.test("iso8601 com Z, deslocamentos negativos e positivos", async (t) => {
  const casos: { fuso: number; texto: string }[] = [
    { fuso: 0, texto: "2026-11-24T22:27:52.123Z" },
    { fuso: -180, texto: "2026-11-24T19:27:52.123-03:00" },
    { fuso: 330, texto: "2026-11-25T03:57:52.123+05:30" },
    { fuso: 345, texto: "2026-11-25T04:12:52.123+05:45" },
    { fuso: -30, texto: "2026-11-24T21:57:52.123-00:30" },
    { fuso: -570, texto: "2026-11-24T12:57:52.123-09:30" },
    { fuso: 840, texto: "2026-11-25T12:27:52.123+14:00" },
    { fuso: -720, texto: "2026-11-24T10:27:52.123-12:00" },
  ];
  for (const { fuso, texto } of casos) {
    await t.step(`fuso ${fuso}`, () => {
      const iso = iso8601(INSTANTE, fuso);
      assert.equal(iso, texto);
      // O texto aponta para o mesmo instante.
      assert.equal(new Date(iso).getTime(), INSTANTE);
    });
  }
  await t.step("qualquer fuso de -720 a +840 volta ao mesmo instante", () => {
    for (let fuso = -720; fuso <= 840; fuso += 15) {
      const iso = iso8601(INSTANTE, fuso);
      assert.match(
        iso,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$/,
      );
      assert.equal(new Date(iso).getTime(), INSTANTE, iso);
    }
  });
});

Deno.test("fusoLocal nunca é -0 e bate com getTimezoneOffset", () => {
  const instantes = [
    0,
    INSTANTE,
    Date.UTC(2026, 0, 15),
    Date.UTC(2026, 6, 15),
    Date.UTC(1990, 5, 1),
    Date.now(),
  ];
  for (const instante of instantes) {
    const fuso = fusoLocal(instante);
    assert.ok(!Object.is(fuso, -0), `-0 em ${instante}`);
    assert.ok(Number.isInteger(fuso));
    const esperado = -new Date(instante).getTimezoneOffset();
    assert.ok(fuso === esperado, `${fuso} !== ${esperado}`);
    // Quando o fuso é UTC, getTimezoneOffset dá 0 e o negativo seria -0.
    if (esperado === 0) assert.ok(Object.is(fuso, 0));
  }
});

Deno.test("dataHoraLocal bate com a hora local, também quando o segundo muda", () => {
  const base = Date.UTC(2026, 10, 24, 22, 27, 52);
  const sequencia = [
    base + 999, // fim de um segundo
    base + 1000, // começo do seguinte: o cache tem de ser trocado
    base + 1001, // mesmo segundo: vem do cache
    base + 1999,
    base + 2000,
    base - 1, // volta no tempo: o segundo anterior
    base + 60_000, // outro minuto
    base + 60_000 + 500,
    base + 86_400_000, // outro dia, mesma hora
    base + 999, // de volta ao primeiro
    // Viradas de horário de verão (Europa em 2026, Brasil em 2018): quando o
    // TZ do processo é um desses, o fuso muda junto com o segundo.
    Date.UTC(2026, 2, 29, 0, 59, 59, 999),
    Date.UTC(2026, 2, 29, 1, 0, 0, 0),
    Date.UTC(2026, 9, 25, 0, 59, 59, 999),
    Date.UTC(2026, 9, 25, 1, 0, 0, 0),
    Date.UTC(2018, 10, 4, 2, 59, 59, 999),
    Date.UTC(2018, 10, 4, 3, 0, 0, 0),
  ];
  for (const instante of sequencia) {
    assert.equal(
      dataHoraLocal(instante),
      localPorDate(instante),
      `${instante}`,
    );
  }
});

Deno.test("dataHoraLocal no mesmo segundo devolve o mesmo texto", () => {
  const base = Date.UTC(2026, 0, 2, 3, 4, 5);
  const primeiro = dataHoraLocal(base);
  for (let ms = 0; ms < 1000; ms += 111) {
    assert.equal(dataHoraLocal(base + ms), primeiro);
  }
  assert.notEqual(dataHoraLocal(base + 1000), primeiro);
});

Deno.test("dataHoraLocal com instantes antes de 1970 arredonda o segundo para baixo", () => {
  // -1 ms é 31/12/1969 23:59:59.999 UTC, no segundo -1, não no segundo 0.
  assert.equal(dataHoraLocal(-1), localPorDate(-1));
  assert.equal(dataHoraLocal(0), localPorDate(0));
  assert.equal(dataHoraLocal(-1001), localPorDate(-1001));
});

Deno.test("novaMensagem usa o instante dado e o fuso local dele", () => {
  const m = novaMensagem(3, "Olá", "Tudo bem?", INSTANTE);
  assert.deepEqual(m, {
    numero: 3,
    instante: INSTANTE,
    fuso: fusoLocal(INSTANTE),
    assunto: "Olá",
    texto: "Tudo bem?",
  });
  const antes = Date.now();
  const agora = novaMensagem(1, "", "");
  assert.ok(agora.instante >= antes && agora.instante <= Date.now());
  // O título de uma mensagem nova mostra a hora local de quem a compôs.
  assert.equal(
    tituloDaMensagem(m),
    `MENSAGEM #003 - ${localPorDate(INSTANTE)}`,
  );
});
