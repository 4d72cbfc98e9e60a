/**
 * Testes de lib/servidor/prazos.ts: qual prazo de uma sessão vence, com que
 * motivo, e de quanto em quanto tempo o servidor varre.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CodigoErro } from "../../lib/erros.ts";
import {
  inicioDoQuadro,
  intervaloDeVarredura,
  type MarcasDeTempo,
  prazoVencido,
} from "../../lib/servidor/prazos.ts";

const LIMITES = { prazo: 5000, tempoOcioso: 60_000 };
const EM_DIA: MarcasDeTempo = {
  saudando: false,
  inicio: 0,
  inicioQuadro: 0,
  ultimaAtividade: 0,
};

Deno.test("prazoVencido: saudação que não chega no prazo", () => {
  const marcas = { ...EM_DIA, saudando: true };
  assert.equal(prazoVencido(5000, marcas, LIMITES), undefined);
  assert.deepEqual(prazoVencido(5001, marcas, LIMITES), {
    codigo: CodigoErro.PRAZO_ESGOTADO,
    motivo: "nenhuma saudação em 5 s",
  });
});

Deno.test("prazoVencido: quadro começado que não termina no prazo", () => {
  const marcas = { ...EM_DIA, inicioQuadro: 1000, ultimaAtividade: 5500 };
  assert.equal(prazoVencido(6000, marcas, LIMITES), undefined);
  assert.deepEqual(prazoVencido(6001, marcas, LIMITES), {
    codigo: CodigoErro.PRAZO_ESGOTADO,
    motivo: "quadro incompleto por mais de 5 s",
  });
});

Deno.test("prazoVencido: tempo ocioso, e 0 desliga", () => {
  assert.equal(prazoVencido(60_000, EM_DIA, LIMITES), undefined);
  assert.deepEqual(prazoVencido(60_001, EM_DIA, LIMITES), {
    codigo: CodigoErro.OCIOSO,
    motivo: "nada recebido em 60 s (tempo ocioso)",
  });
  const semOcioso = { ...LIMITES, tempoOcioso: 0 };
  assert.equal(prazoVencido(10_000_000, EM_DIA, semOcioso), undefined);
});

Deno.test("prazoVencido: a saudação vence antes do tempo ocioso", () => {
  const marcas = { ...EM_DIA, saudando: true };
  assert.equal(
    prazoVencido(100_000, marcas, LIMITES)?.motivo,
    "nenhuma saudação em 5 s",
  );
});

Deno.test("intervaloDeVarredura: um quarto do menor limite, entre 50 ms e 1 s", async (t) => {
  for (
    const [prazo, tempoOcioso, esperado] of [
      [10_000, 0, 1000],
      [2000, 0, 500],
      [2000, 1000, 250],
      [100, 0, 50],
      [10_000, 60_000, 1000],
    ]
  ) {
    await t.step(
      `prazo ${prazo}, ocioso ${tempoOcioso}: ${esperado} ms`,
      () => {
        assert.equal(intervaloDeVarredura({ prazo, tempoOcioso }), esperado);
      },
    );
  }
});

Deno.test("início do quadro: conta do primeiro byte de cada quadro, não da última fronteira", () => {
  // Nada pendente: sem relógio.
  assert.equal(inicioDoQuadro(0, 100, false, false), 0);
  assert.equal(inicioDoQuadro(50, 100, false, true), 0);
  // Um quadro começa incompleto: o relógio parte agora.
  assert.equal(inicioDoQuadro(0, 100, true, false), 100);
  // Mais bytes do mesmo quadro, sem terminá-lo: o relógio continua.
  assert.equal(inicioDoQuadro(100, 400, true, false), 100);
  // O pedaço terminou um quadro e começou outro: relógio novo.
  assert.equal(inicioDoQuadro(100, 400, true, true), 400);
  // Fluxo constante fora de compasso: 1041 bytes por quadro, 1448 por
  // pedaço a cada 12 ms; nenhum quadro fica pendente mais que 2 pedaços.
  let inicio = 0;
  let pior = 0;
  for (let i = 1, lidos = 0; i <= 1000; i++) {
    const antes = Math.floor(lidos / 1041);
    lidos += 1448;
    const agora = i * 12;
    inicio = inicioDoQuadro(
      inicio,
      agora,
      lidos % 1041 !== 0,
      Math.floor(lidos / 1041) > antes,
    );
    if (inicio !== 0) pior = Math.max(pior, agora - inicio);
  }
  assert.ok(pior <= 12, `${pior}`);
});
