/**
 * Testes de lib/saida/legivel.ts: os endereços e o texto legível de cada
 * evento, exato, com e sem cores.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { EventoServidor } from "../../lib/servidor/eventos.ts";
import { formatarLegivel, formatarPar } from "../../lib/saida/legivel.ts";
import { eventoMensagem, INSTANTE, MARCAS, PAR, SEM_CORES } from "./dados.ts";

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
