/**
 * Testes de lib/saida/json.ts: o objeto JSON de cada evento, os dois
 * registros (um evento, uma escrita; o JSON vai também às pessoas quando
 * interessa) e a linha de mensagem montada em bytes, idêntica à montada em
 * texto.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { EventoServidor, Registro } from "../../lib/servidor/eventos.ts";
import { codificarMensagem } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";
import {
  codificarBlocoLegado,
  DecodificadorLegado,
  MensagemLegada,
} from "../../lib/protocolo/legado.ts";
import {
  limitesDoServidor,
  type Mensagem,
  type Quadro,
  Tipo,
} from "../../lib/protocolo/quadros.ts";
import { eventoParaJson, RegistroJson } from "../../lib/saida/json.ts";
import { RegistroLegivel } from "../../lib/saida/legivel.ts";
import { SaidaEmLotes } from "../../lib/saida/lotes.ts";
import { EscritorFalso } from "../ajudantes.ts";
import {
  CRU_PERIGOSO,
  eventoMensagem,
  INSTANTE,
  PAR,
  SEM_CORES,
  SESSAO,
} from "./dados.ts";

const ISO_COM_FUSO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$/;

Deno.test("eventoParaJson: campos de uma mensagem, hora do cliente com fuso, legado sem fuso", () => {
  const json = eventoParaJson(eventoMensagem({ texto: "a\nb" }));
  assert.match(json.instante as string, ISO_COM_FUSO);
  assert.equal(
    new Date(json.instante as string).getTime(),
    INSTANTE + 500,
    "o instante ISO aponta para o mesmo momento",
  );
  const { instante: _, ...resto } = json;
  assert.deepEqual(resto, {
    evento: "mensagem",
    par: "127.0.0.1:5000",
    id: `${SESSAO}-7`,
    numero: 7,
    enviada: "2026-11-24T19:27:52.123-03:00",
    assunto: "Backup",
    texto: "a\nb",
    legado: false,
  });
  const legado = eventoParaJson(eventoMensagem({}, true));
  assert.equal(legado.legado, true);
  assert.equal(legado.enviada, "2026-11-24T22:27:52.123");
  assert.equal(
    eventoParaJson(eventoMensagem({ fuso: 330 })).enviada,
    "2026-11-25T03:57:52.123+05:30",
  );
});

Deno.test("eventoParaJson: par formatado e os demais campos de cada evento", () => {
  const semInstante = (evento: EventoServidor) => {
    const { instante, ...resto } = eventoParaJson(evento);
    assert.match(instante as string, ISO_COM_FUSO);
    return resto;
  };
  assert.deepEqual(
    semInstante({
      tipo: "rejeitado",
      instante: INSTANTE,
      par: { endereco: "::1", porta: 9 },
      codigo: 1,
      motivo: "lixo",
    }),
    { evento: "rejeitado", par: "[::1]:9", codigo: 1, motivo: "lixo" },
  );
  assert.deepEqual(
    semInstante({
      tipo: "pronto",
      instante: INSTANTE,
      endereco: "::",
      porta: 3415,
      tamanhoMaximo: 1024,
      maxConexoes: 1000,
    }),
    {
      evento: "pronto",
      endereco: "::",
      porta: 3415,
      tamanhoMaximo: 1024,
      maxConexoes: 1000,
    },
  );
  assert.deepEqual(
    semInstante({
      tipo: "resumo",
      instante: INSTANTE,
      clientes: 2,
      mensagens: 5,
      rejeitadas: 1,
      naoGravadas: 0,
    }),
    {
      evento: "resumo",
      clientes: 2,
      mensagens: 5,
      rejeitadas: 1,
      naoGravadas: 0,
    },
  );
});

Deno.test("RegistroLegivel e RegistroJson: um evento, uma escrita; JSON vai também às pessoas quando interessa", async () => {
  const destinoJson = new EscritorFalso();
  const destinoPessoas = new EscritorFalso();
  const pessoas = new RegistroLegivel(
    new SaidaEmLotes(destinoPessoas),
    SEM_CORES,
  );
  const saidaJson = new SaidaEmLotes(destinoJson);
  const registro: Registro = new RegistroJson(saidaJson, pessoas);
  registro.registrar({
    tipo: "pronto",
    instante: INSTANTE,
    endereco: "127.0.0.1",
    porta: 5000,
    tamanhoMaximo: 1024,
    maxConexoes: 1000,
  });
  registro.registrar(eventoMensagem({ texto: "\x1b]0;HACKED\x07" }));
  assert.equal(registro.pronta(), null);
  await saidaJson.esvaziar();
  const linhas = destinoJson.texto.split("\n");
  assert.equal(linhas.pop(), "");
  assert.equal(linhas.length, 2);
  const [pronto, msg] = linhas.map((l) => JSON.parse(l));
  assert.equal(pronto.evento, "pronto");
  assert.equal(msg.evento, "mensagem");
  assert.equal(msg.texto, "\x1b]0;HACKED\x07");
  assert.doesNotMatch(destinoJson.texto, CRU_PERIGOSO);
  // Às pessoas vai só o "pronto" (a mensagem fica no JSON).
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(
    destinoPessoas.texto,
    "> Servidor configurado em 127.0.0.1 na porta 5000. Aguardando conexões de clientes...\n",
  );
});

/**
 * A linha JSON de cada mensagem, pelos dois caminhos: a `MensagemNoLugar` que
 * o servidor decodifica (montada em bytes) e a cópia comum (montada em texto).
 */
async function linhasPelosDoisCaminhos(
  mensagens: Mensagem[],
  instante: number,
  par = PAR,
): Promise<{ rapido: string; comum: string }> {
  const rapido = new EscritorFalso();
  const comum = new EscritorFalso();
  const saidaRapida = new SaidaEmLotes(rapido);
  const saidaComum = new SaidaEmLotes(comum);
  const registroRapido = new RegistroJson(saidaRapida);
  const registroComum = new RegistroJson(saidaComum);
  const decodificador = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(1 << 20),
    noLugar: true,
  });
  for (const m of mensagens) {
    decodificador.decodificar(codificarMensagem(m), (quadro: Quadro) => {
      assert.equal(quadro.tipo, Tipo.MENSAGEM);
      if (quadro.tipo !== Tipo.MENSAGEM) return;
      assert.ok(quadro.mensagem instanceof MensagemNoLugar);
      const evento = {
        tipo: "mensagem" as const,
        instante,
        par,
        sessao: SESSAO,
        legado: false,
      };
      registroRapido.registrar({ ...evento, mensagem: quadro.mensagem });
      registroComum.registrar({
        ...evento,
        mensagem: quadro.mensagem.copiar(),
      });
    });
  }
  await Promise.all([saidaRapida.esvaziar(), saidaComum.esvaziar()]);
  return { rapido: rapido.texto, comum: comum.texto };
}

Deno.test("RegistroJson: a linha montada em bytes é idêntica à montada em texto", async (t) => {
  const base = { numero: 1, instante: INSTANTE, fuso: -180 };
  const casos: { nome: string; mensagens: Mensagem[]; instante?: number }[] = [
    {
      nome: "ASCII simples, vários números e segundos",
      mensagens: Array.from({ length: 30 }, (_, i) => ({
        ...base,
        numero: [1, 9, 10, 99, 100, 12345, 0xffff_ffff][i % 7],
        instante: INSTANTE + i * 777,
        assunto: `assunto ${i}`,
        texto: "x".repeat(i * 7),
      })),
    },
    {
      nome: "campos vazios",
      mensagens: [{ ...base, assunto: "", texto: "" }],
    },
    {
      nome: "aspas, barra invertida, controles, DEL, acentos, emoji, bidi",
      mensagens: [
        { ...base, assunto: 'di"sse', texto: "c:\\x" },
        { ...base, assunto: "\x1b]0;título\x07", texto: "a\tb\r\nc\x7f" },
        { ...base, assunto: "ação 👋", texto: "\u202eevil\u2028" },
      ],
    },
    {
      nome: "fusos: UTC, leste, oeste com minutos, extremos",
      mensagens: [0, 330, -570, 32767, -32768].map((fuso) => ({
        ...base,
        fuso,
        assunto: "f",
        texto: String(fuso),
      })),
    },
    {
      nome: "instantes: fração de ms, antes de 1970, ano de 6 dígitos",
      mensagens: [1.5, -1, -1000.25, 8e15, -8e15, 0].map((instante) => ({
        ...base,
        instante,
        assunto: "i",
        texto: String(instante),
      })),
    },
    {
      nome: "mesmo segundo com o fuso trocando e frações no meio",
      mensagens: [
        [INSTANTE, -180],
        [INSTANTE + 0.5, 60],
        [INSTANTE + 1, 60],
        [INSTANTE + 2, -180],
        [INSTANTE + 2, 0],
      ].map(([instante, fuso]) => ({
        ...base,
        instante,
        fuso,
        assunto: "s",
        texto: `${instante} ${fuso}`,
      })),
    },
    {
      nome: "recebida antes de 1970",
      mensagens: [{ ...base, assunto: "a", texto: "b" }],
      instante: -123_456,
    },
  ];
  for (const caso of casos) {
    await t.step(caso.nome, async () => {
      const { rapido, comum } = await linhasPelosDoisCaminhos(
        caso.mensagens,
        caso.instante ?? INSTANTE,
      );
      assert.equal(rapido, comum);
      const linhas = rapido.trimEnd().split("\n");
      assert.equal(linhas.length, caso.mensagens.length);
      linhas.forEach((linha, i) => {
        const objeto = JSON.parse(linha);
        assert.equal(objeto.assunto, caso.mensagens[i].assunto);
        assert.equal(objeto.texto, caso.mensagens[i].texto);
        assert.equal(objeto.numero, caso.mensagens[i].numero);
        assert.equal(CRU_PERIGOSO.test(linha), false);
      });
    });
  }
});

Deno.test("RegistroJson: par IPv6 entre colchetes também no caminho em bytes", async () => {
  const { rapido, comum } = await linhasPelosDoisCaminhos(
    [{ numero: 7, instante: INSTANTE, fuso: 0, assunto: "a", texto: "b" }],
    INSTANTE,
    { endereco: "::1", porta: 40000 },
  );
  assert.equal(rapido, comum);
  assert.equal(JSON.parse(rapido).par, "[::1]:40000");
});

Deno.test("RegistroJson: a linha de um bloco do cliente original montada em bytes é idêntica à montada em texto", async (t) => {
  const base = { numero: 1, instante: INSTANTE - 123, fuso: 0 };
  const casos: { nome: string; mensagens: Mensagem[] }[] = [
    {
      nome: "ASCII simples, números e segundos variados",
      mensagens: Array.from({ length: 20 }, (_, i) => ({
        ...base,
        numero: [1, 9, 10, 999, 1000, 0xffff_ffff][i % 6],
        instante: INSTANTE - 123 + Math.floor(i / 3) * 1000,
        assunto: `assunto ${i}`,
        texto: "x".repeat(i * 5),
      })),
    },
    { nome: "campos vazios", mensagens: [{ ...base, assunto: "", texto: "" }] },
    {
      nome: "aspas, barra invertida, controles, DEL, acentos, emoji, bidi",
      mensagens: [
        { ...base, assunto: 'di"sse', texto: "c:\\x" },
        { ...base, assunto: "\x1b]0;título\x07", texto: "a\tb\rc\x7f" },
        { ...base, assunto: "ação 👋", texto: "\u202eevil\u2028" },
      ],
    },
    {
      nome: "anos 1901 e 9999",
      mensagens: [Date.UTC(1, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59)].map(
        (instante) => ({ ...base, instante, assunto: "a", texto: "b" }),
      ),
    },
  ];
  for (const caso of casos) {
    await t.step(caso.nome, async () => {
      const rapido = new EscritorFalso();
      const comum = new EscritorFalso();
      const saidaRapida = new SaidaEmLotes(rapido);
      const saidaComum = new SaidaEmLotes(comum);
      const registroRapido = new RegistroJson(saidaRapida);
      const registroComum = new RegistroJson(saidaComum);
      const decodificador = new DecodificadorLegado(1 << 20, { noLugar: true });
      for (const m of caso.mensagens) {
        decodificador.decodificar(codificarBlocoLegado(m), (mensagem) => {
          assert.ok(mensagem instanceof MensagemLegada);
          const evento = {
            tipo: "mensagem" as const,
            instante: INSTANTE,
            par: PAR,
            sessao: SESSAO,
            legado: true,
          };
          registroRapido.registrar({ ...evento, mensagem });
          registroComum.registrar({ ...evento, mensagem: mensagem.copiar() });
        });
      }
      await Promise.all([saidaRapida.esvaziar(), saidaComum.esvaziar()]);
      assert.equal(rapido.texto, comum.texto);
      const linhas = rapido.texto.trimEnd().split("\n");
      assert.equal(linhas.length, caso.mensagens.length);
      linhas.forEach((linha, i) => {
        const objeto = JSON.parse(linha);
        assert.equal(objeto.legado, true);
        assert.equal(objeto.assunto, caso.mensagens[i].assunto);
        assert.equal(objeto.texto, caso.mensagens[i].texto);
        assert.equal(CRU_PERIGOSO.test(linha), false);
      });
    });
  }
});
