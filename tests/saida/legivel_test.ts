/**
 * Testes de lib/saida/legivel.ts: os endereços e o texto legível de cada
 * evento, exato, com e sem cores.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { EventoServidor } from "../../lib/servidor/eventos.ts";
import {
  formatarLegivel,
  formatarPar,
  RegistroLegivel,
} from "../../lib/saida/legivel.ts";
import type { Cores } from "../../lib/saida/cores.ts";
import { SaidaEmLotes } from "../../lib/saida/lotes.ts";
import { codificarMensagem } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  codificarBlocoLegado,
  DecodificadorLegado,
  type MensagemLegada,
} from "../../lib/protocolo/legado.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";
import {
  limitesDoServidor,
  type Mensagem,
  type Quadro,
  Tipo,
} from "../../lib/protocolo/quadros.ts";
import { EscritorFalso } from "../ajudantes.ts";
import {
  CRU_PERIGOSO,
  eventoMensagem,
  INSTANTE,
  MARCAS,
  PAR,
  SEM_CORES,
  SESSAO,
} from "./dados.ts";

function dois(n: number): string {
  return String(n).padStart(2, "0");
}

/** Referência independente da hora local, pelos getters locais de Date. */
function horaLocal(instante: number): string {
  const d = new Date(instante);
  return `${dois(d.getDate())}/${dois(d.getMonth() + 1)}/${d.getFullYear()} ${
    dois(d.getHours())
  }:${dois(d.getMinutes())}:${dois(d.getSeconds())}`;
}

Deno.test("formatarPar: IPv4 como endereço:porta, IPv6 entre colchetes", () => {
  assert.equal(
    formatarPar({ endereco: "127.0.0.1", porta: 5000 }),
    "127.0.0.1:5000",
  );
  assert.equal(
    formatarPar({ endereco: "192.168.0.10", porta: 0 }),
    "192.168.0.10:0",
  );
  assert.equal(formatarPar({ endereco: "::1", porta: 5000 }), "[::1]:5000");
  assert.equal(formatarPar({ endereco: "::", porta: 3415 }), "[::]:3415");
  assert.equal(
    formatarPar({ endereco: "2001:db8::1", porta: 65535 }),
    "[2001:db8::1]:65535",
  );
  assert.equal(
    formatarPar({ endereco: "::ffff:127.0.0.1", porta: 1 }),
    "[::ffff:127.0.0.1]:1",
  );
});

Deno.test("formatarLegivel: o bloco de uma mensagem, exato, sem cores", () => {
  const recebida = horaLocal(INSTANTE + 500);
  assert.equal(
    formatarLegivel(
      eventoMensagem({ texto: "linha 1\nlinha 2" }),
      SEM_CORES,
    ),
    "\n---\n" +
      "> MENSAGEM #007 - 24/11/2026 19:27:52\n" +
      `> De 127.0.0.1:5000, recebida em ${recebida} [01234567-7]\n` +
      "\n> ASSUNTO:\n  Backup\n" +
      "\n> TEXTO:\n  linha 1\n  linha 2\n---\n",
  );
  // Cliente original, IPv6, e controles escapados no assunto.
  assert.equal(
    formatarLegivel(
      eventoMensagem({ assunto: "\x1b[41mX", numero: 1234 }, true, {
        endereco: "::1",
        porta: 40000,
      }),
      SEM_CORES,
    ),
    "\n---\n" +
      "> MENSAGEM #1234 - 24/11/2026 19:27:52\n" +
      `> De [::1]:40000 (cliente original), recebida em ${recebida} [01234567-1234]\n` +
      "\n> ASSUNTO:\n  \\x1B[41mX\n" +
      "\n> TEXTO:\n  concluído\n---\n",
  );
});

Deno.test("formatarLegivel: cores no título, no remetente e na hora; nunca no texto do cliente", () => {
  const bloco = formatarLegivel(eventoMensagem(), MARCAS);
  assert.ok(bloco.includes("> <n>MENSAGEM #007 - 24/11/2026 19:27:52</n>\n"));
  assert.ok(bloco.includes("> De <r>127.0.0.1:5000</r>, recebida em <f>"));
  assert.ok(bloco.includes("> ASSUNTO:\n<n>  Backup</n>\n"));
  assert.ok(bloco.includes("> TEXTO:\n  concluído\n---\n"));
  assert.equal(
    formatarLegivel({ tipo: "erro", instante: INSTANTE, texto: "x" }, MARCAS),
    "<e>> Erro: x</e>\n",
  );
});

Deno.test("formatarLegivel: uma linha por evento, singular e plural", async (t) => {
  const v6 = { endereco: "::1", porta: 40000 };
  const casos: [EventoServidor, string][] = [
    [
      {
        tipo: "pronto",
        instante: INSTANTE,
        endereco: "127.0.0.1",
        porta: 5000,
        tamanhoMaximo: 1024,
        maxConexoes: 1000,
      },
      "> Servidor configurado em 127.0.0.1 na porta 5000. Aguardando conexões de clientes...\n",
    ],
    [
      { tipo: "conectou", instante: INSTANTE, par: PAR },
      "> Cliente 127.0.0.1 conectou-se por meio da porta 5000\n",
    ],
    [
      { tipo: "saiu", instante: INSTANTE, par: PAR, mensagens: 1 },
      "> Cliente 127.0.0.1:5000 saiu (CODIGO_SAIDA) depois de 1 mensagem.\n",
    ],
    [
      { tipo: "saiu", instante: INSTANTE, par: v6, mensagens: 2 },
      "> Cliente [::1]:40000 saiu (CODIGO_SAIDA) depois de 2 mensagens.\n",
    ],
    [
      {
        tipo: "desconectou",
        instante: INSTANTE,
        par: PAR,
        mensagens: 0,
        motivo: "conexão fechada pelo cliente",
      },
      "> Cliente 127.0.0.1:5000 desconectou-se sem CODIGO_SAIDA (conexão fechada pelo cliente) depois de 0 mensagens.\n",
    ],
    [
      {
        tipo: "rejeitado",
        instante: INSTANTE,
        par: PAR,
        codigo: 6,
        motivo: "tipo \x1b[2J",
      },
      "> Cliente 127.0.0.1:5000 rejeitado: tipo \\x1B[2J (código 6).\n",
    ],
    [
      { tipo: "erro", instante: INSTANTE, texto: "falha\x07" },
      "> Erro: falha\\x07\n",
    ],
    [
      { tipo: "encerrando", instante: INSTANTE, sinal: "SIGTERM", clientes: 1 },
      "> Sinal SIGTERM recebido: encerrando; avisando 1 cliente com CODIGO_SAIDA...\n",
    ],
    [
      {
        tipo: "resumo",
        instante: INSTANTE,
        clientes: 1,
        mensagens: 1,
        rejeitadas: 1,
        naoGravadas: 0,
      },
      "> Servidor encerrado: 1 cliente atendido, 1 mensagem recebida, 1 conexão rejeitada.\n",
    ],
    [
      {
        tipo: "resumo",
        instante: INSTANTE,
        clientes: 3,
        mensagens: 0,
        rejeitadas: 2,
        naoGravadas: 0,
      },
      "> Servidor encerrado: 3 clientes atendidos, 0 mensagens recebidas, 2 conexões rejeitadas.\n",
    ],
    [
      {
        tipo: "resumo",
        instante: INSTANTE,
        clientes: 2,
        mensagens: 9,
        rejeitadas: 0,
        naoGravadas: 3,
      },
      "> Servidor encerrado: 2 clientes atendidos, 9 mensagens recebidas, 0 conexões rejeitadas; 3 recebidas e não gravadas (nunca confirmadas).\n",
    ],
  ];
  for (const [evento, esperado] of casos) {
    await t.step(`${evento.tipo}: ${esperado.slice(2, 40)}`, () => {
      assert.equal(formatarLegivel(evento, SEM_CORES), esperado);
    });
  }
});

/** As cores ANSI do terminal, como em lib/saida/cores.ts. */
const ANSI: Cores = {
  negrito: (t) => `\x1b[1m${t}\x1b[22m`,
  realce: (t) => `\x1b[36m${t}\x1b[39m`,
  fraco: (t) => `\x1b[2m${t}\x1b[22m`,
  erro: (t) => `\x1b[31m${t}\x1b[39m`,
};

/**
 * Os blocos de cada mensagem pelos dois caminhos: a mensagem com os bytes
 * recebidos (`MensagemNoLugar` do protocolo ou `MensagemLegada` do cliente
 * original), que o registro monta em bytes quando pode, e a cópia comum,
 * formatada em texto.
 */
async function blocosPelosDoisCaminhos(
  mensagens: Mensagem[],
  cores: Cores,
  legado: boolean,
  instante: number,
  par = PAR,
): Promise<{ rapido: string; comum: string }> {
  const rapido = new EscritorFalso();
  const saidaRapida = new SaidaEmLotes(rapido);
  const registroRapido = new RegistroLegivel(saidaRapida, cores);
  let comum = "";
  const evento = {
    tipo: "mensagem" as const,
    instante,
    par,
    sessao: SESSAO,
    legado,
  };
  const registrar = (mensagem: Mensagem) => {
    assert.ok("bytesTexto" in mensagem);
    registroRapido.registrar({ ...evento, mensagem });
    const copia = (mensagem as MensagemNoLugar | MensagemLegada).copiar();
    comum += formatarLegivel({ ...evento, mensagem: copia }, cores);
  };
  if (legado) {
    const decodificador = new DecodificadorLegado(1 << 20, { noLugar: true });
    for (const m of mensagens) {
      decodificador.decodificar(codificarBlocoLegado(m), registrar);
    }
  } else {
    const decodificador = new Decodificador({
      mensagens: MensagemNoLugar,
      limites: limitesDoServidor(1 << 20),
      noLugar: true,
    });
    for (const m of mensagens) {
      decodificador.decodificar(codificarMensagem(m), (quadro: Quadro) => {
        if (quadro.tipo === Tipo.MENSAGEM) registrar(quadro.mensagem);
      });
    }
  }
  await saidaRapida.esvaziar();
  return { rapido: rapido.texto, comum };
}

Deno.test("RegistroLegivel: o bloco montado em bytes é idêntico ao montado em texto", async (t) => {
  const base = { numero: 1, instante: INSTANTE, fuso: -180 };
  const casos: { nome: string; mensagens: Mensagem[]; instante?: number }[] = [
    {
      nome: "ASCII simples, números de 1 a 10 dígitos, segundos variados",
      mensagens: Array.from({ length: 30 }, (_, i) => ({
        ...base,
        numero: [1, 9, 10, 99, 100, 999, 1000, 12345, 0xffff_ffff][i % 9],
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
        { ...base, assunto: "\x1b]0;título\x07", texto: "a\tb\rc\x7f" },
        { ...base, assunto: "ação 👋", texto: "\u202eevil\u2028 \u2066x" },
        { ...base, assunto: "ok", texto: "só ASCII? quase" },
      ],
    },
    {
      nome: "fusos do cliente: UTC, leste, oeste com minutos, extremos",
      mensagens: [0, 60, 330, 345, -570, -180, 840, -720, 32767, -32768].map(
        (fuso) => ({ ...base, fuso, assunto: "f", texto: String(fuso) }),
      ),
    },
    {
      nome: "mesmo segundo com o fuso trocando",
      mensagens: [
        [INSTANTE, -180],
        [INSTANTE + 1, 60],
        [INSTANTE + 2, -180],
        [INSTANTE + 999, 0],
        [INSTANTE + 1000, 0],
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
  const comQuebras: Mensagem[] = [
    { ...base, assunto: "a\nb", texto: "linha 1\nlinha 2\n" },
    { ...base, assunto: "x", texto: "\n\n" },
  ];
  for (
    const [nomeCores, cores] of [
      ["sem cores", SEM_CORES],
      ["cores ANSI", ANSI],
      ["marcas", MARCAS],
    ] as const
  ) {
    for (const caso of casos) {
      for (const legado of [false, true]) {
        await t.step(
          `${caso.nome}, ${nomeCores}${legado ? ", cliente original" : ""}`,
          async () => {
            // O cliente original só manda a hora de parede, em segundos.
            const mensagens = legado
              ? caso.mensagens.map((m) => ({
                ...m,
                instante: Math.floor(m.instante / 1000) * 1000,
                fuso: 0,
              }))
              : caso.mensagens;
            const { rapido, comum } = await blocosPelosDoisCaminhos(
              mensagens,
              cores,
              legado,
              caso.instante ?? INSTANTE + 500,
            );
            assert.equal(rapido, comum);
            if (cores !== ANSI) assert.doesNotMatch(rapido, CRU_PERIGOSO);
          },
        );
      }
    }
    await t.step(`quebras de linha recuadas, ${nomeCores}`, async () => {
      const { rapido, comum } = await blocosPelosDoisCaminhos(
        comQuebras,
        cores,
        false,
        INSTANTE,
      );
      assert.equal(rapido, comum);
      assert.ok(rapido.includes("  linha 1\n  linha 2\n  \n---\n"));
    });
    await t.step(`par IPv6, ${nomeCores}`, async () => {
      const { rapido, comum } = await blocosPelosDoisCaminhos(
        [{ ...base, assunto: "a", texto: "b" }],
        cores,
        false,
        INSTANTE,
        { endereco: "::1", porta: 40000 },
      );
      assert.equal(rapido, comum);
      assert.ok(rapido.includes("[::1]:40000"));
    });
  }
});

Deno.test("RegistroLegivel: cores que mexem no texto (não só moldura) vão pelo caminho em texto", async () => {
  const estranhas: Cores = { ...SEM_CORES, realce: (t) => t.toUpperCase() };
  const { rapido, comum } = await blocosPelosDoisCaminhos(
    [{ numero: 1, instante: INSTANTE, fuso: 0, assunto: "a", texto: "b" }],
    estranhas,
    false,
    INSTANTE,
    { endereco: "::ffff:a", porta: 1 },
  );
  assert.equal(rapido, comum);
  assert.ok(rapido.includes("[::FFFF:A]:1"));
});
