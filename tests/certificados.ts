/**
 * Certificados descartáveis para os testes de TLS: uma CA e um certificado de
 * servidor para 127.0.0.1 assinado por ela, gerados pelo `openssl` de verdade
 * numa pasta temporária (`ca.pem`, `srv.pem`, `srv.key`). Sem o `openssl`, um
 * erro de uma linha com o pacote Debian a instalar.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Roda o `openssl` em `pasta`. */
export async function openssl(pasta: string, ...args: string[]): Promise<void> {
  let saida: Deno.CommandOutput;
  try {
    saida = await new Deno.Command("openssl", { args, cwd: pasta }).output();
  } catch (erro) {
    if (!(erro instanceof Deno.errors.NotFound)) throw erro;
    throw new Error(
      'falta o programa openssl: instale o pacote Debian "openssl"',
    );
  }
  assert.equal(saida.code, 0, new TextDecoder().decode(saida.stderr));
}

/** Gera em `pasta` a CA (`ca.pem`) e o certificado do servidor para 127.0.0.1. */
export async function certificadosDeTeste(pasta: string): Promise<void> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
  await openssl(
    pasta,
    "req",
    "-x509",
    ...ec,
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
    pasta,
    "req",
    ...ec,
    "-nodes",
    "-keyout",
    "srv.key",
    "-out",
    "srv.csr",
    "-subj",
    "/CN=127.0.0.1",
  );
  await Deno.writeTextFile(`${pasta}/ext.cnf`, "subjectAltName=IP:127.0.0.1\n");
  await openssl(
    pasta,
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
    "srv.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  );
}
