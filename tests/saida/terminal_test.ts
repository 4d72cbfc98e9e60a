/**
 * Testes de lib/saida/terminal.ts: o escape de tudo o que um terminal interpretaria
 * (CWE-150), os campos recuados que não forjam a moldura de um bloco, o JSON
 * seguro, os endereços, o texto legível de cada evento (sem cores), os dois
 * registros e a escrita em lotes com contrapressão.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { EventoServidor, Registro } from "../../lib/servidor/eventos.ts";
import { codificarMensagem } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";
import {
  limitesDoServidor,
  type Mensagem,
  type Quadro,
  Tipo,
} from "../../lib/protocolo/quadros.ts";
import {
  campoRecuado,
  type Cores,
  coresPara,
  escapar,
  eventoParaJson,
  formatarLegivel,
  formatarPar,
  jsonSeguro,
  RegistroJson,
  RegistroLegivel,
} from "../../lib/saida/terminal.ts";
import { SaidaEmLotes } from "../../lib/saida/lotes.ts";
import { EscritorFalso } from "../ajudantes.ts";

/** 24/11/2026 22:27:52.123 UTC (19:27:52 em Brasília). */
const INSTANTE = Date.UTC(2026, 10, 24, 22, 27, 52, 123);
const PAR = { endereco: "127.0.0.1", porta: 5000 };

const SEM_CORES: Cores = {
  negrito: (t) => t,
  realce: (t) => t,
  fraco: (t) => t,
  erro: (t) => t,
};

/** Cores visíveis no teste: cada estilo vira uma marca. */
const MARCAS: Cores = {
  negrito: (t) => `<n>${t}</n>`,
  realce: (t) => `<r>${t}</r>`,
  fraco: (t) => `<f>${t}</f>`,
  erro: (t) => `<e>${t}</e>`,
};

/** Qualquer caractere que um terminal interpretaria (exceto `\n`). */
const CRU_PERIGOSO =
  // deno-lint-ignore no-control-regex -- procura justamente os controles
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

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

function mensagem(parcial: Partial<Mensagem> = {}): Mensagem {
  return {
    numero: 7,
    instante: INSTANTE,
    fuso: -180,
    assunto: "Backup",
    texto: "concluído",
    ...parcial,
  };
}

function eventoMensagem(
  parcial: Partial<Mensagem> = {},
  legado = false,
  par = PAR,
): Extract<EventoServidor, { tipo: "mensagem" }> {
  return {
    tipo: "mensagem",
    instante: INSTANTE + 500,
    par,
    mensagem: mensagem(parcial),
    legado,
  };
}

Deno.test("escapar mostra cada caractere perigoso visivelmente", async (t) => {
  const casos: [string, string, string][] = [
    ["NUL", "\x00", "\\x00"],
    ["BEL", "\x07", "\\x07"],
    ["BS", "\x08", "\\x08"],
    ["tabulação", "\t", "\\t"],
    ["VT", "\x0b", "\\x0B"],
    ["FF", "\x0c", "\\x0C"],
    ["CR", "\r", "\\r"],
    ["SUB", "\x1a", "\\x1A"],
    ["US", "\x1f", "\\x1F"],
    ["ESC CSI (cor)", "\x1b[31mx", "\\x1B[31mx"],
    ["ESC CSI (limpa a tela)", "\x1b[2J\x1b[H", "\\x1B[2J\\x1B[H"],
    ["ESC OSC (título)", "\x1b]0;HACKED\x07", "\\x1B]0;HACKED\\x07"],
    ["OSC terminado por ST", "\x1b]2;t\x1b\\", "\\x1B]2;t\\x1B\\\\"],
    ["DEL", "\x7f", "\\x7F"],
    ["C1 0x80", "\x80", "\\x80"],
    ["C1 CSI 0x9B", "\x9b2J", "\\x9B2J"],
    ["C1 OSC 0x9D", "\x9d0;t\x9c", "\\x9D0;t\\x9C"],
    ["C1 0x9F", "\x9f", "\\x9F"],
    ["LRE U+202A", "\u202a", "\\u{202A}"],
    ["RLE U+202B", "\u202b", "\\u{202B}"],
    ["PDF U+202C", "\u202c", "\\u{202C}"],
    ["LRO U+202D", "\u202d", "\\u{202D}"],
    ["RLO U+202E", "a\u202eb", "a\\u{202E}b"],
    ["LRI U+2066", "\u2066", "\\u{2066}"],
    ["RLI U+2067", "\u2067", "\\u{2067}"],
    ["FSI U+2068", "\u2068", "\\u{2068}"],
    ["PDI U+2069", "\u2069", "\\u{2069}"],
    ["LRM U+200E", "\u200e", "\\u{200E}"],
    ["RLM U+200F", "\u200f", "\\u{200F}"],
    ["ALM U+061C", "\u061c", "\\u{61C}"],
    ["separador de linha U+2028", "\u2028", "\\u{2028}"],
    ["separador de parágrafo U+2029", "\u2029", "\\u{2029}"],
    ["barra invertida (escape sem ambiguidade)", "\\x1B", "\\\\x1B"],
  ];
  for (const [nome, entrada, esperado] of casos) {
    await t.step(nome, () => {
      const saida = escapar(entrada);
      assert.equal(saida, esperado);
      assert.doesNotMatch(saida, CRU_PERIGOSO);
    });
  }
  await t.step("todos juntos, e de novo (sem estado entre chamadas)", () => {
    const tudo = casos.map(([, entrada]) => entrada).join("|");
    const esperado = casos.map(([, , saida]) => saida).join("|");
    assert.equal(escapar(tudo), esperado);
    assert.equal(escapar(tudo), esperado);
  });
});

Deno.test("escapar não mexe em texto comum, acentos, emoji nem quebra de linha", async (t) => {
  for (
    const texto of [
      "",
      "texto simples",
      "Acentuação çãõé ÀÉÎÕÜ ñ ß",
      "Olá 👋🏽 mundo 🎉 👨‍👩‍👧",
      "日本語 العربية עברית",
      "nbsp\u00a0e ¡¿",
      "linha 1\nlinha 2",
    ]
  ) {
    await t.step(JSON.stringify(texto), () => {
      assert.equal(escapar(texto), texto);
      // Depois de um texto perigoso, o comum continua intacto.
      escapar("\x1b");
      assert.equal(escapar(texto), texto);
    });
  }
});

Deno.test("campoRecuado: cada linha recuada, nenhuma se passa pela moldura do bloco", () => {
  const forjado =
    "um\n---\n> MENSAGEM #999 - 01/01/2000 00:00:00\n> TEXTO:\n\x1b[2Jdois\r\n\tfim";
  const saida = campoRecuado(forjado);
  assert.equal(
    saida,
    "  um\n  ---\n  > MENSAGEM #999 - 01/01/2000 00:00:00\n  > TEXTO:\n  \\x1B[2Jdois\\r\n  \\tfim",
  );
  for (const linha of saida.split("\n")) {
    assert.ok(linha.startsWith("  "), linha);
    assert.ok(!linha.startsWith("---") && !linha.startsWith(">"), linha);
  }
  assert.doesNotMatch(saida, CRU_PERIGOSO);
  assert.equal(campoRecuado(""), "  ");
  assert.equal(campoRecuado("\n"), "  \n  ");
  assert.equal(campoRecuado("uma só"), "  uma só");
  // Separadores Unicode de linha não quebram a linha num terminal: escapados.
  assert.equal(campoRecuado("a\u2028b"), "  a\\u{2028}b");
});

Deno.test("jsonSeguro: uma linha, sem caracteres crus perigosos, e JSON.parse devolve o original", () => {
  const perigos = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i))
    .join("") +
    "\x7f" +
    Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i))
      .join("") +
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e" +
    '\u2066\u2067\u2068\u2069\\"';
  const valor = {
    evento: "mensagem",
    assunto: "\x1b]0;HACKED\x07",
    texto: `${perigos} Olá 👋🏽 ção`,
    numero: 1,
    legado: false,
  };
  const json = jsonSeguro(valor);
  assert.doesNotMatch(json, CRU_PERIGOSO);
  assert.ok(!json.includes("\n"), "uma linha só");
  assert.deepEqual(JSON.parse(json), valor);
  assert.ok(json.includes("Olá 👋🏽 ção"), "texto comum sai como está");
  assert.equal(jsonSeguro("\x1b"), '"\\u001b"');
  assert.equal(jsonSeguro("\x9b"), '"\\u009b"');
  assert.equal(jsonSeguro("\x7f"), '"\\u007f"');
  assert.equal(jsonSeguro("\u202e"), '"\\u202e"');
  assert.equal(jsonSeguro("\u2028"), '"\\u2028"');
  assert.equal(jsonSeguro({ a: [1, "b"] }), '{"a":[1,"b"]}');
});

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
      `> De 127.0.0.1:5000, recebida em ${recebida}\n` +
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
      `> De [::1]:40000 (cliente original), recebida em ${recebida}\n` +
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
      },
      "> Servidor encerrado: 3 clientes atendidos, 0 mensagens recebidas, 2 conexões rejeitadas.\n",
    ],
  ];
  for (const [evento, esperado] of casos) {
    await t.step(`${evento.tipo}: ${esperado.slice(2, 40)}`, () => {
      assert.equal(formatarLegivel(evento, SEM_CORES), esperado);
    });
  }
});

Deno.test("coresPara: nada de ANSI fora de um terminal; no terminal, só sem NO_COLOR", () => {
  const semTerminal = coresPara({ isTerminal: () => false });
  for (const estilo of ["negrito", "realce", "fraco", "erro"] as const) {
    assert.equal(semTerminal[estilo]("x"), "x");
  }
  const terminal = coresPara({ isTerminal: () => true });
  if (Deno.noColor) assert.equal(terminal.negrito("x"), "x");
  else {
    assert.equal(terminal.negrito("x"), "\x1b[1mx\x1b[22m");
    assert.equal(terminal.erro("x"), "\x1b[31mx\x1b[39m");
  }
});

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
    }),
    { evento: "resumo", clientes: 2, mensagens: 5, rejeitadas: 1 },
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
    limites: limitesDoServidor(1 << 20),
    saudacao: undefined,
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
