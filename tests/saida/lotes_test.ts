/**
 * Testes de lib/saida/lotes.ts: o acumulador de bytes e a escrita em lotes (uma
 * escrita por vez, o que chega no meio vai junto na próxima, escritas
 * parciais completadas, contrapressão acima do limite, destino fechado).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Acumulador,
  LIMITE_PENDENTE,
  SaidaEmLotes,
} from "../../lib/saida/lotes.ts";
import { EscritorFalso } from "../ajudantes.ts";

Deno.test("SaidaEmLotes junta muitas escritas do mesmo tique numa só", async () => {
  const destino = new EscritorFalso();
  const saida = new SaidaEmLotes(destino);
  const esperado: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const linha = `linha ${i} ção 👋\n`;
    esperado.push(linha);
    saida.escrever(linha);
  }
  await saida.esvaziar();
  assert.equal(destino.escritas.length, 1);
  assert.equal(destino.texto, esperado.join(""));
});

Deno.test("SaidaEmLotes: o que chega durante uma escrita vai todo na próxima", async () => {
  const destino = new EscritorFalso();
  destino.segurar = true;
  const saida = new SaidaEmLotes(destino);
  saida.escrever("primeira\n");
  await destino.segurando(); // a escrita começou
  assert.equal(destino.escritas.length, 0);
  for (let i = 0; i < 1000; i++) saida.escrever(`${i}\n`);
  destino.soltar();
  await saida.esvaziar();
  assert.equal(destino.escritas.length, 2);
  assert.equal(
    destino.texto,
    "primeira\n" + Array.from({ length: 1000 }, (_, i) => `${i}\n`).join(""),
  );
});

Deno.test("SaidaEmLotes completa escritas parciais sem partir caracteres", async () => {
  const destino = new EscritorFalso();
  destino.maximo = 3;
  const saida = new SaidaEmLotes(destino);
  const texto = "Olá 👋🏽 ção — fim\n".repeat(20);
  saida.escrever(texto);
  await saida.esvaziar();
  assert.equal(destino.texto, texto);
  assert.ok(destino.escritas.every((b) => b.length <= 3));
});

Deno.test("SaidaEmLotes.pronta: promessa acima do limite pendente, resolvida quando o destino escoa", async () => {
  const destino = new EscritorFalso();
  const saida = new SaidaEmLotes(destino);
  saida.escrever("pouco\n");
  assert.equal(saida.pronta(), null);
  await saida.esvaziar();

  destino.segurar = true;
  saida.escrever("x".repeat(LIMITE_PENDENTE + 10));
  const espera = saida.pronta();
  assert.ok(espera instanceof Promise, "acima do limite: esperar");
  let resolvida = false;
  espera.then(() => resolvida = true);
  await destino.segurando();
  assert.equal(resolvida, false, "não resolve com o destino parado");
  destino.soltar();
  await espera;
  assert.equal(resolvida, true);
  assert.equal(saida.pronta(), null);
  await saida.esvaziar();
  assert.equal(destino.texto, "pouco\n" + "x".repeat(LIMITE_PENDENTE + 10));
});

Deno.test("SaidaEmLotes: destino fechado (| head) não trava quem espera e o erro aparece em esvaziar", async () => {
  const destino = new EscritorFalso();
  destino.segurar = true;
  const saida = new SaidaEmLotes(destino);
  saida.escrever("y".repeat(2 * LIMITE_PENDENTE));
  const espera = saida.pronta();
  assert.ok(espera);
  destino.falhar = new Deno.errors.BrokenPipe("cano quebrado");
  destino.soltar(); // a escrita em curso termina; a próxima falha
  saida.escrever("mais\n");
  await espera;
  await assert.rejects(saida.esvaziar(), Deno.errors.BrokenPipe);
  assert.equal(saida.pronta(), null);
});

Deno.test("Acumulador cresce por dobra guardando o que já tinha e escreve UTF-8 inteiro", () => {
  const a = new Acumulador(4);
  a.texto("ab");
  a.texto("ção 👋");
  a.texto("");
  assert.ok(a.bytes.length >= a.usados);
  assert.equal(a.bytes.length & (a.bytes.length - 1), 0, "potência de 2");
  assert.equal(
    new TextDecoder().decode(a.bytes.subarray(0, a.usados)),
    "abção 👋",
  );
  a.garantir(1000);
  assert.ok(a.bytes.length >= a.usados + 1000);
  assert.equal(
    new TextDecoder().decode(a.bytes.subarray(0, a.usados)),
    "abção 👋",
    "crescer não perde bytes",
  );
});

Deno.test("SaidaEmLotes: bytes montados direto no lote (escreverMontado) saem no mesmo lote que o texto", async () => {
  const destino = new EscritorFalso();
  const saida = new SaidaEmLotes(destino);
  saida.escrever("a");
  saida.escreverMontado(2, {
    montar(bytes, p) {
      bytes[p++] = 0x62;
      bytes[p++] = 0x0a;
      return p;
    },
  });
  saida.escrever("c\n");
  await saida.esvaziar();
  assert.equal(destino.texto, "ab\nc\n");
  assert.equal(destino.escritas.length, 1);
});

Deno.test("SaidaEmLotes reaproveita os dois buffers: um fluxo contínuo não aloca", async () => {
  const destino = new EscritorFalso();
  const saida = new SaidaEmLotes(destino);
  const vistos = new Set<Uint8Array>();
  for (let i = 0; i < 50; i++) {
    saida.escrever(`linha ${i}\n`);
    saida.escreverMontado(0, {
      montar(bytes, p) {
        vistos.add(bytes); // o buffer do lote em curso
        return p;
      },
    });
    await saida.esvaziar();
  }
  assert.ok(vistos.size <= 2, `${vistos.size} buffers diferentes`);
  assert.equal(destino.escritas.length, 50);
});

/** Um destino que também escreve de forma síncrona, e conta cada tipo. */
class EscritorSincrono extends EscritorFalso {
  sincronas = 0;
  assincronas = 0;

  override write(bytes: Uint8Array): Promise<number> {
    this.assincronas++;
    return super.write(bytes);
  }

  writeSync(bytes: Uint8Array): number {
    if (this.falhar) throw this.falhar;
    this.sincronas++;
    const n = Math.min(bytes.length, this.maximo);
    this.escritas.push(bytes.slice(0, n));
    return n;
  }
}

Deno.test("SaidaEmLotes com sincronaAte: lote pequeno por writeSync, grande pela escrita assíncrona, tudo na ordem", async () => {
  const destino = new EscritorSincrono();
  destino.maximo = 1000; // escritas parciais também nos dois caminhos
  const saida = new SaidaEmLotes(destino, {
    sincronaAte: 64 * 1024,
  });
  saida.escrever("pequeno\n");
  await saida.esvaziar();
  assert.equal(destino.sincronas, 1);
  assert.equal(destino.assincronas, 0);
  const grande = "g".repeat(64 * 1024 + 1);
  saida.escrever(grande);
  await saida.esvaziar();
  assert.ok(destino.assincronas > 0, "lote grande vai por write");
  assert.equal(destino.sincronas, 1);
  assert.equal(destino.texto, "pequeno\n" + grande);
});

Deno.test("SaidaEmLotes sem sincronaAte nunca usa writeSync", async () => {
  const destino = new EscritorSincrono();
  const saida = new SaidaEmLotes(destino);
  saida.escrever("a\n");
  await saida.esvaziar();
  assert.equal(destino.sincronas, 0);
  assert.equal(destino.assincronas, 1);
});

Deno.test("eArquivoComum: a saída padrão de um processo é arquivo comum só quando redirecionada para um arquivo", async () => {
  const pasta = await Deno.makeTempDir();
  try {
    const programa = `${pasta}/sonda.ts`;
    await Deno.writeTextFile(
      programa,
      `import { eArquivoComum } from ${
        JSON.stringify(
          new URL("../../lib/saida/lotes.ts", import.meta.url).href,
        )
      };\nDeno.stderr.writeSync(new TextEncoder().encode(String(await eArquivoComum(1))));\n`,
    );
    const sondar = async (redirecao: string) => {
      const saida = await new Deno.Command("sh", {
        args: [
          "-c",
          `"$0" run --no-prompt "$1" ${redirecao}`,
          Deno.execPath(),
          programa,
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(saida.success, new TextDecoder().decode(saida.stderr));
      return new TextDecoder().decode(saida.stderr);
    };
    assert.equal(await sondar(`> "${pasta}/saida.jsonl"`), "true");
    assert.equal(await sondar("| cat"), "false");
    assert.equal(await sondar("> /dev/null"), "false");
  } finally {
    await Deno.remove(pasta, { recursive: true });
  }
});

Deno.test("SaidaEmLotes.escreverJa: depois do lote, na ordem, com os avisos dele; só por writeSync", async () => {
  const destino = new EscritorSincrono();
  const saida = new SaidaEmLotes(destino, { sincronaAte: Infinity });
  const gravados: number[] = [];
  saida.escrever("antes\n");
  saida.contarMensagem();
  saida.aoGravar({ gravado: (n) => gravados.push(n) }, 1);
  assert.equal(saida.escreverJa(new TextEncoder().encode("já\n"), 2), true);
  assert.deepEqual(gravados, [1], "o aviso do lote sai com a escrita");
  assert.equal(destino.texto, "antes\njá\n");
  assert.equal(destino.assincronas, 0);
  assert.equal(saida.naoGravadas, 0);
  saida.escrever("depois\n");
  await saida.esvaziar();
  assert.equal(destino.texto, "antes\njá\ndepois\n");

  const semSincrona = new SaidaEmLotes(new EscritorSincrono());
  assert.equal(semSincrona.escreverJa(new Uint8Array([0x61]), 1), false);
});

Deno.test("SaidaEmLotes.escreverJa: não passa à frente de um lote sendo escrito noutra thread", async () => {
  const destino = new EscritorSincrono();
  destino.segurar = true;
  const saida = new SaidaEmLotes(destino, { sincronaAte: 4 });
  saida.escrever("lote grande\n"); // maior que sincronaAte: assíncrono
  await destino.segurando();
  assert.equal(saida.escreverJa(new Uint8Array([0x61]), 1), false);
  destino.soltar();
  await saida.esvaziar();
  assert.equal(saida.escreverJa(new Uint8Array([0x61]), 1), true);
  assert.equal(destino.texto, "lote grande\na");
});

Deno.test("SaidaEmLotes.escreverJa: a falha do writeSync é a falha da saída, sem aviso de gravado", () => {
  const destino = new EscritorSincrono();
  destino.falhar = new Error("disco cheio");
  const saida = new SaidaEmLotes(destino, { sincronaAte: Infinity });
  const falhas: unknown[] = [];
  saida.quandoFalhar((erro) => falhas.push(erro));
  const gravados: number[] = [];
  saida.escrever("no lote\n");
  saida.aoGravar({ gravado: (n) => gravados.push(n) }, 1);
  assert.equal(saida.escreverJa(new Uint8Array([0x61]), 1), true);
  assert.equal(falhas.length, 1);
  assert.deepEqual(gravados, [], "nada do que falhou é dado por gravado");
  assert.equal(saida.naoGravadas, 1, "a mensagem conta como não gravada");
  saida.escreverJa(new Uint8Array([0x62]), 2); // depois da falha: descartada
  assert.equal(saida.naoGravadas, 3);
  assert.equal(saida.aoGravar({ gravado: () => {} }, 2), false);
});
