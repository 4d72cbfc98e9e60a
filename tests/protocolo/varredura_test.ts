/**
 * Testes de lib/protocolo/varredura.ts: `nadaAEscapar` diz o mesmo que olhar
 * byte a byte, para todo byte, em toda posição e todo alinhamento, direto e
 * pela `MensagemNoLugar.semEscape`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import { nadaAEscapar } from "../../lib/protocolo/varredura.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";
import {
  limitesDoServidor,
  TAMANHO_MAXIMO_PADRAO,
  Tipo,
} from "../../lib/protocolo/quadros.ts";
import { utf8 } from "../bytes.ts";
import { corpoMensagem, quadroCru } from "./exemplos.ts";

/** A referência: olhar byte a byte. */
const deveEscapar = (b: number) =>
  b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c;

Deno.test("nadaAEscapar: o mesmo que olhar byte a byte, para todo byte, em toda posição, todo tamanho e todo alinhamento, sem olhar fora do trecho", () => {
  const grande = new Uint8Array(64);
  let casos = 0;
  // Vistas com deslocamento no buffer e inícios diferentes mudam o alinhamento
  // das palavras de 4 bytes; fora do trecho só há bytes a escapar (`"`).
  for (let deslocamento = 0; deslocamento < 4; deslocamento++) {
    const vista = grande.subarray(deslocamento);
    for (let inicio = 0; inicio < 4; inicio++) {
      for (let tamanho = 0; tamanho <= 11; tamanho++) {
        const fim = inicio + tamanho;
        vista.fill(0x22);
        vista.fill(0x61, inicio, fim);
        if (nadaAEscapar(vista, inicio, fim) !== true) {
          assert.fail(`trecho limpo de ${tamanho} bytes em ${inicio}`);
        }
        for (let posicao = inicio; posicao < fim; posicao++) {
          for (let b = 0; b < 256; b++) {
            vista[posicao] = b;
            casos++;
            if (nadaAEscapar(vista, inicio, fim) !== !deveEscapar(b)) {
              assert.fail(
                `byte 0x${
                  b.toString(16)
                } em ${posicao} de [${inicio}, ${fim}), deslocamento ${deslocamento}`,
              );
            }
          }
          vista[posicao] = 0x61;
        }
      }
    }
  }
  assert.equal(casos, 4 * 4 * 66 * 256);
});

Deno.test("nadaAEscapar: trocar de buffer entre chamadas não confunde a vista guardada", () => {
  const limpo = utf8.encode("abcdefgh");
  const sujo = utf8.encode('abcd"fgh');
  for (let i = 0; i < 3; i++) {
    assert.equal(nadaAEscapar(limpo, 0, limpo.length), true);
    assert.equal(nadaAEscapar(sujo, 0, sujo.length), false);
    assert.equal(nadaAEscapar(sujo, 0, 4), true);
  }
});

Deno.test("MensagemNoLugar.semEscape: falso exatamente quando um byte é controle, DEL, aspas, barra invertida ou não ASCII, em qualquer posição e alinhamento", () => {
  const decodificador = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
    noLugar: true,
  });
  // Um prefixo antes do quadro muda o alinhamento do corpo no buffer.
  for (let prefixo = 0; prefixo < 4; prefixo++) {
    for (let b = 0; b < 0x80; b++) {
      for (let posicao = 0; posicao < 11; posicao++) {
        const conteudo = utf8.encode("abcdefghijk");
        conteudo[posicao] = b;
        const assunto = conteudo.subarray(0, 3);
        const texto = conteudo.subarray(3);
        const quadro = quadroCru(
          Tipo.MENSAGEM,
          corpoMensagem({ assunto, texto }),
        );
        const buffer = new Uint8Array(prefixo + quadro.length);
        buffer.set(quadro, prefixo);
        let visto: boolean | undefined;
        decodificador.decodificar(buffer.subarray(prefixo), (q) => {
          if (q.tipo !== Tipo.MENSAGEM) return;
          assert.ok(q.mensagem instanceof MensagemNoLugar);
          visto = q.mensagem.semEscape;
          assert.equal(q.mensagem.assunto, String.fromCharCode(...assunto));
          assert.equal(q.mensagem.texto, String.fromCharCode(...texto));
        });
        assert.equal(
          visto,
          !deveEscapar(b),
          `byte 0x${b.toString(16)} em ${posicao}`,
        );
      }
    }
  }
  // Não ASCII válido (2, 3 e 4 bytes): precisa de escape, e o texto é decodificado.
  for (const texto of ["é", "ação", "€", "👋", "\u2028"]) {
    let visto: boolean | undefined;
    decodificador.decodificar(
      quadroCru(Tipo.MENSAGEM, corpoMensagem({ texto: utf8.encode(texto) })),
      (q) => {
        if (q.tipo !== Tipo.MENSAGEM) return;
        assert.ok(q.mensagem instanceof MensagemNoLugar);
        visto = q.mensagem.semEscape;
        assert.equal(q.mensagem.texto, texto);
      },
    );
    assert.equal(visto, false, texto);
  }
});
