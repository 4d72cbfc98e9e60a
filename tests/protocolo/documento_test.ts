/**
 * O exemplo anotado de PROTOCOLO.md confere com o codec: os bytes de cada
 * quadro mostrado (versão 1 e as saudações da versão 2) são os que
 * `codificar` produz. Se o leiaute mudar sem o documento (ou o contrário),
 * este teste acusa.
 *
 * @module
 */

import assert from "node:assert/strict";
import { codificar } from "../../lib/protocolo/codificador.ts";
import {
  type Quadro,
  Tipo,
  VERSAO,
  VERSAO_1,
} from "../../lib/protocolo/quadros.ts";

/** Cada título "**A → B: `TIPO`** (N bytes)" e os bytes do bloco que o segue. */
function exemplosDoDocumento(
  texto: string,
): { titulo: string; bytes: number[] }[] {
  const exemplos: { titulo: string; bytes: number[] }[] = [];
  const padrao = /\*\*([^*]+)\*\* \((\d+) bytes\)[^`]*?```\n([\s\S]*?)```/g;
  for (const [, titulo, tamanho, bloco] of texto.matchAll(padrao)) {
    const bytes: number[] = [];
    for (const linha of bloco!.split("\n")) {
      for (const palavra of linha.trim().split(/\s+/)) {
        if (!/^[0-9a-f]{2}$/.test(palavra)) break; // o resto da linha é a nota
        bytes.push(parseInt(palavra, 16));
      }
    }
    assert.equal(
      bytes.length,
      Number(tamanho),
      `${titulo}: o título diz ${tamanho} bytes`,
    );
    exemplos.push({ titulo: titulo!, bytes });
  }
  return exemplos;
}

Deno.test("o exemplo anotado de PROTOCOLO.md tem os bytes do codec", async () => {
  const texto = await Deno.readTextFile(
    new URL("../../PROTOCOLO.md", import.meta.url),
  );
  const esperados: Quadro[] = [
    { tipo: Tipo.OLA_CLIENTE, versao: VERSAO_1, token: "" },
    {
      tipo: Tipo.OLA_SERVIDOR,
      versao: VERSAO_1,
      tamanhoMaximo: 1024,
      tempoOcioso: 300_000,
    },
    {
      tipo: Tipo.MENSAGEM,
      mensagem: {
        numero: 1,
        instante: 1795559272123,
        fuso: -180,
        assunto: "Olá",
        texto: "Tudo bem?",
      },
    },
    { tipo: Tipo.CONFIRMACAO, numero: 1 },
    { tipo: Tipo.DESPEDIDA },
    { tipo: Tipo.DESPEDIDA },
    {
      tipo: Tipo.OLA_CLIENTE,
      versao: VERSAO,
      token: "",
      sessao: "9f1c2a3b4d5e6f708192a3b4c5d6e7f8",
    },
    {
      tipo: Tipo.OLA_SERVIDOR,
      versao: VERSAO,
      tamanhoMaximo: 1024,
      tempoOcioso: 300_000,
      ultimoGravado: 41,
    },
  ];
  const exemplos = exemplosDoDocumento(texto);
  assert.equal(
    exemplos.length,
    esperados.length,
    exemplos.map((e) => e.titulo).join("; "),
  );
  exemplos.forEach(({ titulo, bytes }, i) => {
    assert.deepEqual(bytes, [...codificar(esperados[i]!)], titulo);
  });
});
