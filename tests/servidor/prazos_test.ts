/**
 * Testes de lib/servidor/prazos.ts: qual prazo de uma sessão vence, com que
 * motivo, e de quanto em quanto tempo o servidor varre.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CodigoErro } from "../../lib/erros.ts";
import {
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
