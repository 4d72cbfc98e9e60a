/**
 * Testes de lib/protocolo/quadros.ts: as constantes do formato, os limites de
 * cada lado e a medida de uma mensagem que o decodificador aplica.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CodigoErro } from "../../lib/erros.ts";
import {
  codificar,
  codificarMensagem,
} from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  ASSUNTO_MAXIMO,
  CABECALHO,
  CODIGO_SAIDA,
  excessoDaMensagem,
  FIXO_MENSAGEM,
  limitesDoCliente,
  limitesDoServidor,
  TAMANHO_MAXIMO_PADRAO,
  tamanhoDaMensagem,
  Tipo,
  VERSAO,
  VERSAO_1,
} from "../../lib/protocolo/quadros.ts";
import { mensagem } from "../dados.ts";
import { decodificarPedacos, EXEMPLOS, lancaErro } from "./exemplos.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";

Deno.test("os limites de cada lado aceitam os quadros que esse lado recebe", async (t) => {
  // Só o cliente manda OLA_CLIENTE e MENSAGEM; só o servidor manda
  // OLA_SERVIDOR e CONFIRMACAO; os demais vão nos dois sentidos.
  const soDoCliente: number[] = [Tipo.OLA_CLIENTE, Tipo.MENSAGEM];
  const soDoServidor: number[] = [Tipo.OLA_SERVIDOR, Tipo.CONFIRMACAO];
  for (const { nome, quadro } of EXEMPLOS) {
    await t.step(nome, () => {
      const bytes = codificar(quadro);
      const paraServidor = !soDoServidor.includes(quadro.tipo);
      const paraCliente = !soDoCliente.includes(quadro.tipo);
      if (paraServidor) {
        const d = new Decodificador({
          mensagens: MensagemNoLugar,
          limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        });
        assert.deepEqual(decodificarPedacos(d, [bytes]), [quadro]);
      } else {
        const d = new Decodificador({
          mensagens: MensagemNoLugar,
          limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        });
        lancaErro(
          () => decodificarPedacos(d, [bytes]),
          CodigoErro.TIPO_DESCONHECIDO,
        );
      }
      if (paraCliente) {
        const d = new Decodificador({ limites: limitesDoCliente() });
        assert.deepEqual(decodificarPedacos(d, [bytes]), [quadro]);
      } else {
        const d = new Decodificador({ limites: limitesDoCliente() });
        lancaErro(
          () => decodificarPedacos(d, [bytes]),
          CodigoErro.TIPO_DESCONHECIDO,
        );
      }
    });
  }
});

Deno.test("constantes do protocolo", () => {
  assert.equal(VERSAO, 2);
  assert.equal(VERSAO_1, 1);
  assert.equal(CODIGO_SAIDA, "CODIGO_SAIDA");
  assert.equal(CABECALHO, 5);
  assert.equal(FIXO_MENSAGEM, 16);
  assert.equal(TAMANHO_MAXIMO_PADRAO, 1024);
});

Deno.test("o limite medido por tamanhoDaMensagem é o que o decodificador aplica, mesmo com surrogates sozinhos", () => {
  // Um surrogate sozinho vira U+FFFD (3 bytes) ao codificar; a conta prévia
  // tem de dar o mesmo número, senão o cliente mandaria o que o servidor recusa.
  const assunto = "\ud800";
  const texto = "a".repeat(TAMANHO_MAXIMO_PADRAO - 3);
  assert.equal(tamanhoDaMensagem(assunto, texto), TAMANHO_MAXIMO_PADRAO);
  const d = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
  });
  const quadros = decodificarPedacos(d, [
    codificarMensagem(mensagem({ assunto, texto })),
  ]);
  assert.equal(quadros.length, 1);
  const q = quadros[0];
  assert.ok(q.tipo === Tipo.MENSAGEM);
  assert.equal(q.mensagem.assunto, "\ufffd");
});

Deno.test("excessoDaMensagem conta o limite do servidor e o do campo assunto (u16)", () => {
  const grande = "a".repeat(ASSUNTO_MAXIMO + 10);
  assert.equal(excessoDaMensagem("oi", "x", 1024), 0);
  assert.equal(excessoDaMensagem("oi", "x".repeat(1030), 1024), 8);
  // Com um limite de 200000, um assunto de 65545 bytes cabe no total, não no u16.
  assert.equal(excessoDaMensagem(grande, "", 200_000), 10);
  assert.equal(excessoDaMensagem("a".repeat(ASSUNTO_MAXIMO), "", 200_000), 0);
  // Os dois passam: vale o maior.
  assert.equal(excessoDaMensagem(grande, "", 100), ASSUNTO_MAXIMO + 10 - 100);
  // Em bytes, não em unidades: "ç" tem 2.
  assert.equal(
    excessoDaMensagem("ç".repeat(32768), "", 200_000),
    65536 - ASSUNTO_MAXIMO,
  );
});
