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
  CABECALHO,
  CODIGO_SAIDA,
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
          limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        });
        assert.deepEqual(decodificarPedacos(d, [bytes]), [quadro]);
      } else {
        const d = new Decodificador({
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
