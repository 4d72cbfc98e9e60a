/**
 * O soak curto (tests/e2e/soak.ts): 8 clientes bem-comportados × 500 mensagens
 * numeradas enquanto 6 laços hostis repetem todos os ataques. A versão longa
 * roda sozinha com `deno task soak`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { conferirMemoria, soak } from "./soak.ts";
import { CodigoErro } from "../../lib/erros.ts";

const N = 8;
const M = 500;
const H = 6;

Deno.test("soak curto: sob ataque, toda mensagem confirmada aparece uma vez; a memória é amostrada", async (t) => {
  // soak() já confere: cada bom cliente teve as M confirmadas e nenhuma falha;
  // cada confirmada aparece exatamente uma vez na saída JSON do servidor; toda
  // linha da saída é JSON; o resumo bate; o servidor sai com 0 no SIGTERM.
  const figuras = await soak({
    clientes: N,
    mensagens: M,
    hostis: H,
    verificarMemoria: false, // conferida à parte, abaixo
  });

  await t.step("nada perdido nem repetido", () => {
    assert.equal(figuras.confirmadas, N * M);
    assert.equal(figuras.vistasNoServidor, N * M);
    assert.equal(figuras.faltando, 0);
    assert.equal(figuras.duplicadas, 0);
    assert.equal(figuras.resumo.mensagens, N * M);
  });

  await t.step("cada ataque rodou e foi recusado com seu código", () => {
    for (const [nome, vezes] of Object.entries(figuras.ataques)) {
      assert.ok(vezes >= H, `${nome} rodou ${vezes} vezes`);
    }
    assert.equal(Object.keys(figuras.ataques).length, 8);
    const recusas = (codigo: number) => figuras.rejeicoes[String(codigo)] ?? 0;
    assert.ok(recusas(CodigoErro.PROTOCOLO_DESCONHECIDO) > 0, "lixo");
    assert.ok(recusas(CodigoErro.MENSAGEM_GRANDE) > 0, "prefixo de 4 GiB");
    assert.ok(recusas(CodigoErro.PRAZO_ESGOTADO) > 0, "mudo e conta-gotas");
    assert.ok(recusas(CodigoErro.OCIOSO) > 0, "ocioso");
    assert.ok(recusas(CodigoErro.SERVIDOR_CHEIO) > 0, "além do limite");
    assert.ok(recusas(CodigoErro.FILA_CHEIA) > 0, "enxurrada sem ler");
    assert.ok(
      figuras.cheias > 0,
      "o par além do limite ouviu 'servidor cheio'",
    );
    assert.ok(figuras.desconexoes > 0, "quadro pela metade e fechamento");
  });

  await t.step("a memória foi amostrada durante a execução", () => {
    assert.ok(figuras.rssKiB.amostras >= 5, `${figuras.rssKiB.amostras}`);
    assert.ok(figuras.rssKiB.inicial > 0 && figuras.rssKiB.aquecido > 0);
  });

  // Antes, cada PONG era um Uint8Array próprio na fila de saída: 256 KiB de
  // PONGs eram ~52 mil objetos e a memória ia a centenas de MiB. A fila da
  // Conexao agora copia tudo num só buffer.
  await t.step(
    "memória: final ≤ 2 × aquecida + 64 MiB",
    () => conferirMemoria(figuras),
  );
});
