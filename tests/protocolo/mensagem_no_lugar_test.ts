/**
 * Testes de lib/protocolo/mensagem_no_lugar.ts: a mensagem decodificada no
 * lugar é reaproveitada, e `copiar()` dá uma independente.
 *
 * @module
 */

import assert from "node:assert/strict";
import { codificarMensagem } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";
import {
  limitesDoServidor,
  type Mensagem,
  TAMANHO_MAXIMO_PADRAO,
  Tipo,
} from "../../lib/protocolo/quadros.ts";
import { mensagem } from "../dados.ts";

Deno.test("Decodificador noLugar reaproveita a MensagemNoLugar; copiar() dá uma Mensagem independente", () => {
  const decodificador = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
    noLugar: true,
  });
  const vistas: Mensagem[] = [];
  const copias: Mensagem[] = [];
  const bytes = new Uint8Array([
    ...codificarMensagem(mensagem({ numero: 1, texto: "um" })),
    ...codificarMensagem(mensagem({ numero: 2, texto: "dois" })),
  ]);
  decodificador.decodificar(bytes, (q) => {
    if (q.tipo !== Tipo.MENSAGEM) return;
    assert.ok(q.mensagem instanceof MensagemNoLugar);
    vistas.push(q.mensagem);
    copias.push(q.mensagem.copiar());
  });
  assert.equal(vistas[0], vistas[1], "a mesma vista, reaproveitada");
  bytes.fill(0); // o buffer de leitura seria reaproveitado
  assert.deepEqual(copias.map((c) => c.texto), ["um", "dois"]);
  assert.deepEqual(copias[0], mensagem({ numero: 1, texto: "um" }));
});
