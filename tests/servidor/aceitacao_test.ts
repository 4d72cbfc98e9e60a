import assert from "node:assert/strict";
import {
  depoisDaFalha,
  PAUSA_ACEITACAO_MS,
} from "../../lib/servidor/aceitacao.ts";

const comCodigo = (code: string, message = code) =>
  Object.assign(new Error(message), { code });

Deno.test("accept(): falha de uma conexão tenta de novo já; falta de descritores pausa", () => {
  for (const codigo of ["ENOTCONN", "ECONNABORTED", "ECONNRESET", "EPROTO"]) {
    assert.deepEqual(depoisDaFalha(comCodigo(codigo)), {
      pausa: 0,
      relatar: false,
    }, codigo);
  }
  assert.deepEqual(
    depoisDaFalha(new Deno.errors.NotConnected("os error 107")),
    { pausa: 0, relatar: false },
  );
  for (const codigo of ["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]) {
    assert.deepEqual(depoisDaFalha(comCodigo(codigo)), {
      pausa: PAUSA_ACEITACAO_MS,
      relatar: true,
    }, codigo);
  }
  assert.equal(
    depoisDaFalha(new Error("Too many open files (os error 24)")).pausa,
    PAUSA_ACEITACAO_MS,
  );
});
