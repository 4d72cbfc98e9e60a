/**
 * Testes de lib/conexao.ts sobre sockets de verdade em loopback (no próprio
 * processo): a primeira escrita já, as seguintes em lote, a cópia do que se
 * envia, o teto da saída pendente, fechar duas vezes, o fim da conexão, o
 * buffer de leitura que cresce sem estragar o pedaço anterior e o
 * encerramento com cortesia.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Conexao, FilaCheia } from "../lib/conexao.ts";
import { eDesconexao } from "../lib/erros.ts";

/** Um par de sockets TCP conectados em 127.0.0.1. */
async function parDeSockets(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  using ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [a, b] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: ouvinte.addr.port }),
    ouvinte.accept(),
  ]);
  return [a, b];
}

/** Envolve um `Deno.Conn` contando as escritas (e seus tamanhos). */
function contandoEscritas(conn: Deno.TcpConn) {
  const escritas: number[] = [];
  const envolto = {
    read: (p: Uint8Array) => conn.read(p),
    write: (p: Uint8Array) => {
      escritas.push(p.length);
      return conn.write(p);
    },
    close: () => conn.close(),
    closeWrite: () => conn.closeWrite(),
    setNoDelay: (v?: boolean) => conn.setNoDelay(v),
  };
  return { conn: envolto as unknown as Deno.Conn, escritas };
}

/** Lê do socket cru até ter `n` bytes ou o fim. */
async function lerBytes(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const tudo = new Uint8Array(n);
  let pos = 0;
  while (pos < n) {
    const lidos = await conn.read(tudo.subarray(pos));
    if (lidos === null) break;
    pos += lidos;
  }
  return tudo.subarray(0, pos);
}

/** Lê do socket cru até o fim; devolve o total de bytes. */
async function lerAteOFim(conn: Deno.Conn): Promise<Uint8Array> {
  const partes: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    partes.push(buffer.slice(0, n));
  }
  const total = new Uint8Array(partes.reduce((s, p) => s + p.length, 0));
  let pos = 0;
  for (const p of partes) {
    total.set(p, pos);
    pos += p.length;
  }
  return total;
}

function padrao(n: number, semente = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + semente) % 251);
}

Deno.test("com a linha livre o primeiro enviar() sai já; o resto do tique vai junto numa escrita", async () => {
  const [a, b] = await parDeSockets();
  const { conn, escritas } = contandoEscritas(a);
  using conexao = new Conexao(conn, { limiteFila: 1 << 20 });
  using _b = b;
  const esperado = padrao(100 * 37);
  conexao.enviar(esperado.subarray(0, 37));
  assert.deepEqual(escritas, [37], "a escrita começa dentro do enviar()");
  for (let i = 1; i < 100; i++) {
    conexao.enviar(esperado.subarray(i * 37, (i + 1) * 37));
  }
  assert.equal(conexao.bytesPendentes, 100 * 37);
  await conexao.esvaziar();
  assert.deepEqual(escritas, [37, 99 * 37]);
  assert.equal(conexao.bytesPendentes, 0);
  assert.deepEqual(await lerBytes(b, esperado.length), esperado);
});

Deno.test("enviar() copia: quem chama pode reaproveitar o buffer, e os buffers reciclados não misturam lotes", async () => {
  const [a, b] = await parDeSockets();
  using conexao = new Conexao(a, { limiteFila: 1 << 20 });
  using _b = b;
  const rascunho = new Uint8Array(300);
  const esperado: Uint8Array[] = [];
  for (let rodada = 0; rodada < 50; rodada++) {
    // Lotes de tamanhos variados, um deles maior que um buffer reciclado.
    const vezes = rodada % 7 === 0 ? 20 : 3;
    for (let i = 0; i < vezes; i++) {
      rascunho.set(padrao(rascunho.length, rodada * 31 + i));
      conexao.enviar(rascunho);
      esperado.push(rascunho.slice());
      rascunho.fill(0); // depois do enviar: não pode chegar ao par
    }
    await conexao.esvaziar();
  }
  const total = esperado.reduce((n, p) => n + p.length, 0);
  const recebido = await lerBytes(b, total);
  let pos = 0;
  for (const parte of esperado) {
    assert.deepEqual(recebido.subarray(pos, pos + parte.length), parte);
    pos += parte.length;
  }
});

Deno.test("o que se enfileira durante uma escrita vai junto na escrita seguinte", async () => {
  const [a, b] = await parDeSockets();
  const { conn, escritas } = contandoEscritas(a);
  using conexao = new Conexao(conn, { limiteFila: 1 << 20 });
  using _b = b;
  conexao.enviar(padrao(10, 1));
  await conexao.esvaziar(); // a 1ª escrita saiu
  assert.equal(conexao.bytesPendentes, 0);
  for (let i = 0; i < 50; i++) conexao.enviar(padrao(10, 2));
  assert.equal(conexao.bytesPendentes, 500);
  await conexao.esvaziar();
  // A linha estava livre: o primeiro sai só; os outros 49 esperam e vão juntos.
  assert.deepEqual(escritas, [10, 10, 490]);
  assert.equal(conexao.bytesPendentes, 0);
  assert.equal((await lerBytes(b, 510)).length, 510);
});

Deno.test("FilaCheia passando do limite; o que já estava na fila continua", async () => {
  const [a, b] = await parDeSockets();
  using conexao = new Conexao(a, { limiteFila: 100 });
  using _b = b;
  conexao.enviar(padrao(60));
  assert.throws(() => conexao.enviar(padrao(50)), (erro: unknown) => {
    assert.ok(erro instanceof FilaCheia);
    assert.equal(erro.name, "FilaCheia");
    assert.equal(
      erro.message,
      "saída pendente de 110 bytes passou do limite",
    );
    return true;
  });
  assert.equal(conexao.bytesPendentes, 60);
  conexao.enviar(padrao(40)); // exatamente no limite: aceito
  assert.equal(conexao.bytesPendentes, 100);
  await conexao.esvaziar();
  assert.equal(conexao.bytesPendentes, 0);
  conexao.enviar(padrao(50)); // a fila escoou: cabe de novo
  await conexao.esvaziar();
  assert.equal((await lerBytes(b, 150)).length, 150);
});

Deno.test("um par que não lê: a fila para no limite em vez de crescer", async () => {
  const [a, b] = await parDeSockets();
  const conexao = new Conexao(a, { limiteFila: 1 << 20 });
  const bloco = new Uint8Array(64 * 1024);
  let lotada: unknown;
  // Os buffers do kernel enchem em alguns MiB; depois a fila cresce até o teto.
  for (let i = 0; i < 4096 && lotada === undefined; i++) {
    try {
      conexao.enviar(bloco);
    } catch (erro) {
      lotada = erro;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.ok(lotada instanceof FilaCheia, "a fila deveria lotar");
  assert.ok(conexao.bytesPendentes <= 1 << 20);
  conexao.fechar(); // com uma escrita em curso
  await conexao.esvaziar();
  assert.equal(conexao.fechada, true);
  assert.equal(conexao.bytesPendentes, 0);
  b.close();
});

Deno.test("fechar() duas vezes é seguro; depois disso ler() dá null e enviar() é ignorado", async () => {
  const [a, b] = await parDeSockets();
  const conexao = new Conexao(a, { limiteFila: 100 });
  assert.equal(conexao.fechada, false);
  conexao.fechar();
  conexao.fechar();
  conexao[Symbol.dispose]();
  assert.equal(conexao.fechada, true);
  assert.equal(await conexao.ler(), null);
  conexao.enviar(padrao(1000)); // acima do limite, mas fechada: nada acontece
  assert.equal(conexao.bytesPendentes, 0);
  await conexao.esvaziar();
  await conexao.fecharEscrita();
  await conexao.encerrarComCortesia();
  // O par vê o fim.
  assert.equal(await b.read(new Uint8Array(8)), null);
  b.close();
});

Deno.test("fechar() com uma leitura em curso faz a leitura dar null", async () => {
  const [a, b] = await parDeSockets();
  const conexao = new Conexao(a, { limiteFila: 100 });
  const leitura = conexao.ler();
  conexao.fechar();
  assert.equal(await leitura, null);
  b.close();
});

Deno.test("ler() devolve os bytes e então null quando o par fecha", async () => {
  const [a, b] = await parDeSockets();
  using conexao = new Conexao(a, { limiteFila: 100 });
  await b.write(new TextEncoder().encode("abc"));
  b.close();
  const recebido: number[] = [];
  for (let p = await conexao.ler(); p !== null; p = await conexao.ler()) {
    recebido.push(...p);
  }
  assert.deepEqual(recebido, [...new TextEncoder().encode("abc")]);
  assert.equal(await conexao.ler(), null);
});

Deno.test("o buffer de leitura cresce em rajadas sem estragar o pedaço anterior", async () => {
  const [a, b] = await parDeSockets();
  using conexao = new Conexao(a, { limiteFila: 100 });
  const total = 2 * 1024 * 1024;
  const dados = padrao(total, 3);
  const escrita = (async () => {
    let pos = 0;
    while (pos < total) pos += await b.write(dados.subarray(pos));
    b.close();
  })();
  const guardados: { pedaco: Uint8Array; copia: Uint8Array }[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let pos = 0;
  let maior = 0;
  let primeiro = 0;
  for (let p = await conexao.ler(); p !== null; p = await conexao.ler()) {
    primeiro ||= p.buffer.byteLength;
    assert.deepEqual(p, dados.subarray(pos, pos + p.length), `em ${pos}`);
    pos += p.length;
    maior = Math.max(maior, p.buffer.byteLength);
    // Um pedaço que encheu um buffer de rajada ainda abaixo do máximo é o
    // último daquele buffer (a próxima leitura usa um maior): guardamos. O
    // pequeno, de 256 bytes, volta a ser usado entre rajadas, como diz
    // `ler()`: o pedaço vale até a próxima leitura.
    if (
      p.length === p.buffer.byteLength && p.length > 256 &&
      p.length < 256 * 1024
    ) {
      guardados.push({ pedaco: p, copia: p.slice() });
    }
    buffers.add(p.buffer);
  }
  await escrita;
  assert.equal(pos, total);
  assert.ok(
    maior > primeiro,
    `o buffer deveria ter crescido numa rajada (de ${primeiro} a ${maior})`,
  );
  assert.ok(maior <= 256 * 1024, `o buffer não passa de 256 KiB: ${maior}`);
  assert.ok(guardados.length > 0);
  // Leituras seguintes usaram outro buffer: os pedaços guardados estão intactos.
  for (const { pedaco, copia } of guardados) assert.deepEqual(pedaco, copia);
});

Deno.test("encerrarComCortesia: o par lê os últimos bytes mesmo tendo mandado coisas que não lemos", async () => {
  const [a, b] = await parDeSockets();
  const conexao = new Conexao(a, { limiteFila: 1 << 20 });
  // O par manda bytes que nunca lemos: fechar direto faria o kernel mandar RST.
  await b.write(padrao(32 * 1024, 5));
  const ultimos = padrao(200 * 1024, 9);
  conexao.enviar(ultimos);
  const leitura = lerAteOFim(b);
  const encerramento = conexao.encerrarComCortesia();
  assert.deepEqual(await leitura, ultimos);
  b.close();
  await encerramento;
  assert.equal(conexao.fechada, true);
});

Deno.test("encerrarComCortesia não espera para sempre um par que não fecha", async () => {
  const [a, b] = await parDeSockets();
  const conexao = new Conexao(a, { limiteFila: 100 });
  conexao.enviar(Uint8Array.of(42));
  const inicio = Date.now();
  await conexao.encerrarComCortesia(); // o par não lê nem fecha
  const decorrido = Date.now() - inicio;
  assert.equal(conexao.fechada, true);
  assert.ok(decorrido >= 900 && decorrido < 5000, `${decorrido} ms`);
  assert.deepEqual(await lerAteOFim(b), Uint8Array.of(42));
  b.close();
});

Deno.test("fecharEscrita: o par vê o fim e ainda pode responder", async () => {
  const [a, b] = await parDeSockets();
  using conexao = new Conexao(a, { limiteFila: 100 });
  using _b = b;
  conexao.enviar(Uint8Array.of(1, 2));
  await conexao.esvaziar();
  await conexao.fecharEscrita();
  assert.deepEqual(await lerAteOFim(b), Uint8Array.of(1, 2));
  await b.write(Uint8Array.of(3));
  assert.deepEqual(await conexao.ler(), Uint8Array.of(3));
  assert.equal(conexao.fechada, false);
});

Deno.test("escrever para um par que fechou: erroEscrita é uma desconexão e a conexão fecha", async () => {
  const [a, b] = await parDeSockets();
  const conexao = new Conexao(a, { limiteFila: 1 << 20 });
  b.close();
  for (let i = 0; i < 100 && !conexao.fechada; i++) {
    conexao.enviar(padrao(1024));
    await conexao.esvaziar();
  }
  assert.equal(conexao.fechada, true);
  assert.ok(
    eDesconexao(conexao.erroEscrita),
    `erroEscrita: ${conexao.erroEscrita}`,
  );
  assert.equal(await conexao.ler(), null);
});

Deno.test("depois de uma rajada, a leitura que espera volta ao buffer pequeno", async () => {
  const [a, b] = await parDeSockets();
  using conexao = new Conexao(a, { limiteFila: 100 });
  const total = 1024 * 1024;
  const escrita = (async () => {
    const dados = padrao(total, 5);
    let pos = 0;
    while (pos < total) pos += await b.write(dados.subarray(pos));
  })();
  let lidos = 0;
  let maior = 0;
  while (lidos < total) {
    const p = await conexao.ler();
    assert.ok(p !== null);
    lidos += p.length;
    maior = Math.max(maior, p.buffer.byteLength);
  }
  await escrita;
  assert.ok(
    maior >= 64 * 1024,
    `a rajada deveria ter crescido o buffer: ${maior}`,
  );
  // O par parou; a próxima leitura (a que fica pendente) usa o buffer pequeno,
  // de 256 bytes: 300 bytes à espera saem em dois pedaços.
  await b.write(new Uint8Array(300));
  assert.equal((await conexao.ler())?.length, 256);
  assert.equal((await conexao.ler())?.length, 44);
  b.close();
  assert.equal(await conexao.ler(), null);
});

/** O bloco e a posição do buffer pequeno de `conexao`, lendo um byte do par. */
async function lugarDe(conexao: Conexao, par: Deno.TcpConn) {
  await par.write(new Uint8Array([1]));
  const pedaco = await conexao.ler();
  assert.equal(pedaco?.length, 1);
  return { bloco: pedaco!.buffer, posicao: pedaco!.byteOffset };
}

Deno.test("o lugar do buffer pequeno de uma conexão fechada só serve a outra depois que a leitura dela terminou", async () => {
  const [a, b] = await parDeSockets();
  const [c, d] = await parDeSockets();
  const [e, f] = await parDeSockets();
  const conexao = new Conexao(a, { limiteFila: 100 });
  const lugar = await lugarDe(conexao, b);
  const leitura = conexao.ler(); // pendente: o runtime pode escrever no lugar
  conexao.fechar();
  using antes = new Conexao(c, { limiteFila: 100 });
  const outro = await lugarDe(antes, d);
  assert.ok(
    outro.bloco !== lugar.bloco || outro.posicao !== lugar.posicao,
    "a leitura em curso ainda podia escrever no lugar",
  );
  assert.equal(await leitura, null);
  // Terminada a leitura, o lugar volta e a próxima conexão o reaproveita.
  using depois = new Conexao(e, { limiteFila: 100 });
  const reaproveitado = await lugarDe(depois, f);
  assert.ok(reaproveitado.bloco === lugar.bloco);
  assert.equal(reaproveitado.posicao, lugar.posicao);
  b.close();
  d.close();
  f.close();
});

Deno.test("conexões abertas leem em lugares separados do bloco compartilhado", async () => {
  const pares = await Promise.all(
    Array.from({ length: 300 }, () => parDeSockets()),
  );
  const conexoes = pares.map(([a]) => new Conexao(a, { limiteFila: 100 }));
  try {
    // Cada par manda um byte diferente; todos chegam juntos, cada um no seu.
    const leituras = conexoes.map((conexao) => conexao.ler());
    await Promise.all(
      pares.map(([, b], i) => b.write(new Uint8Array([i % 256]))),
    );
    const pedacos = await Promise.all(leituras);
    pedacos.forEach((pedaco, i) => assert.deepEqual([...pedaco!], [i % 256]));
    const blocos = new Map<ArrayBufferLike, number>();
    const lugares = new Set(pedacos.map((p) => {
      if (!blocos.has(p!.buffer)) blocos.set(p!.buffer, blocos.size);
      return `${blocos.get(p!.buffer)}:${p!.byteOffset}`;
    }));
    assert.equal(lugares.size, conexoes.length);
    assert.ok(blocos.size >= 2, "300 conexões não cabem num bloco de 256");
  } finally {
    for (const conexao of conexoes) conexao.fechar();
    for (const [, b] of pares) b.close();
  }
});
