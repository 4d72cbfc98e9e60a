/**
 * Testes de lib/protocolo/decodificador.ts: todos os pontos de corte de um
 * fluxo, um byte por vez, vistas com deslocamento, a saudação obrigatória e os
 * quadros anteriores a um erro entregues antes dele.
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
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";
import {
  CABECALHO,
  CODIGO_SAIDA,
  limitesDoCliente,
  limitesDoServidor,
  type Quadro,
  TAMANHO_MAXIMO_PADRAO,
  Tipo,
  VERSAO_1,
} from "../../lib/protocolo/quadros.ts";
import { deHex, juntar, utf8 } from "../bytes.ts";
import { mensagem } from "../dados.ts";
import {
  ASSUNTO_GRANDE,
  cabecalho,
  corpoMensagem,
  decodificarPedacos,
  FLUXO,
  FLUXO_PEQUENO,
  lancaErro,
  quadroCru,
  QUADROS,
  QUADROS_PEQUENOS,
  TEXTO_GRANDE,
  TODOS,
} from "./exemplos.ts";

Deno.test("quem aceita MENSAGEM diz quem a lê; o cliente, que não aceita, não carrega a MensagemNoLugar", () => {
  assert.throws(
    () => new Decodificador({ limites: limitesDoServidor(1024) }),
    (erro: unknown) =>
      erro instanceof TypeError && /opcoes\.mensagens/.test(erro.message),
  );
  const cliente = new Decodificador({ limites: limitesDoCliente() });
  assert.throws(
    () => cliente.limites = limitesDoServidor(1024),
    (erro: unknown) => erro instanceof TypeError,
  );
  const quadros: Quadro[] = [];
  cliente.decodificar(
    codificar({ tipo: Tipo.CONFIRMACAO, numero: 7 }),
    (q) => quadros.push(q),
  );
  assert.deepEqual(quadros, [{ tipo: Tipo.CONFIRMACAO, numero: 7 }]);
});

Deno.test("fimDoPedaco: verdadeiro só no último quadro completo de cada pedaço", () => {
  const um = codificar({
    tipo: Tipo.MENSAGEM,
    mensagem: mensagem({ numero: 1 }),
  });
  const dois = codificar({
    tipo: Tipo.MENSAGEM,
    mensagem: mensagem({ numero: 2 }),
  });
  const ping = codificar({ tipo: Tipo.PING });
  const vistos: string[] = [];
  const d = new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS });
  const anotar = (pedacos: Uint8Array[]) => {
    for (const pedaco of pedacos) {
      d.decodificar(pedaco, (q) => vistos.push(`${q.tipo}:${d.fimDoPedaco}`));
    }
  };
  anotar([juntar(um, dois)]); // dois quadros num pedaço
  anotar([juntar(um, dois.subarray(0, 7))]); // o 2º fica incompleto
  anotar([dois.subarray(7)]); // ... e se completa no fim do pedaço
  anotar([ping.subarray(0, 3), juntar(ping.subarray(3), um.subarray(0, 2))]);
  anotar([juntar(um.subarray(2), ping)]); // corpo completado, PING no fim
  assert.deepEqual(vistos, [
    "3:false",
    "3:true",
    "3:false", // há bytes do próximo quadro depois dele
    "3:true",
    "7:false", // PING de cabeçalho partido, com bytes depois
    "3:false",
    "7:true",
  ]);
});

Deno.test("todo ponto de corte em dois pedaços dá os mesmos quadros", () => {
  for (let corte = 0; corte <= FLUXO.length; corte++) {
    const d = new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS });
    const quadros = decodificarPedacos(d, [
      FLUXO.subarray(0, corte),
      FLUXO.subarray(corte),
    ]);
    assert.deepEqual(quadros, QUADROS, `corte em ${corte}`);
    assert.equal(d.incompleto, false);
  }
});

Deno.test("todo par de pontos de corte (três pedaços) dá os mesmos quadros", () => {
  const n = FLUXO_PEQUENO.length;
  for (let a = 0; a <= n; a++) {
    for (let b = a; b <= n; b++) {
      const d = new Decodificador({
        mensagens: MensagemNoLugar,
        limites: TODOS,
      });
      const quadros = decodificarPedacos(d, [
        FLUXO_PEQUENO.subarray(0, a),
        FLUXO_PEQUENO.subarray(a, b),
        FLUXO_PEQUENO.subarray(b),
      ]);
      if (quadros.length !== QUADROS_PEQUENOS.length) {
        assert.fail(`cortes em ${a} e ${b}: ${quadros.length} quadros`);
      }
      assert.deepEqual(quadros, QUADROS_PEQUENOS, `cortes em ${a} e ${b}`);
    }
  }
});

Deno.test("todo ponto de corte vale também com saudação obrigatória", () => {
  // O fluxo do cliente para o servidor: saudação, mensagens, ping, saída.
  const doCliente: Quadro[] = [
    { tipo: Tipo.OLA_CLIENTE, versao: VERSAO_1, token: "" },
    { tipo: Tipo.MENSAGEM, mensagem: mensagem() },
    { tipo: Tipo.PING },
    {
      tipo: Tipo.MENSAGEM,
      mensagem: mensagem({
        numero: 2,
        assunto: ASSUNTO_GRANDE,
        texto: TEXTO_GRANDE,
      }),
    },
    { tipo: Tipo.DESPEDIDA },
  ];
  const fluxo = juntar(...doCliente.map(codificar));
  for (let corte = 0; corte <= fluxo.length; corte++) {
    const d = new Decodificador({
      mensagens: MensagemNoLugar,
      limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
      saudacao: Tipo.OLA_CLIENTE,
    });
    const quadros = decodificarPedacos(d, [
      fluxo.subarray(0, corte),
      fluxo.subarray(corte),
    ]);
    assert.deepEqual(quadros, doCliente, `corte em ${corte}`);
  }
});

Deno.test("um byte por vez dá os mesmos quadros", () => {
  const d = new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS });
  const quadros: Quadro[] = [];
  for (let i = 0; i < FLUXO.length; i++) {
    d.decodificar(FLUXO.subarray(i, i + 1), (q) => quadros.push(q));
  }
  assert.deepEqual(quadros, QUADROS);
  assert.equal(d.incompleto, false);
});

Deno.test("um byte por vez em cópias próprias (buffers distintos)", () => {
  const d = new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS });
  const quadros: Quadro[] = [];
  for (const byte of FLUXO) {
    d.decodificar(Uint8Array.of(byte), (q) => quadros.push(q));
  }
  assert.deepEqual(quadros, QUADROS);
});

Deno.test("muitos quadros num só pedaço saem todos, na ordem", () => {
  const quadros: Quadro[] = [];
  for (let i = 1; i <= 500; i++) {
    quadros.push({
      tipo: Tipo.MENSAGEM,
      mensagem: mensagem({ numero: i, texto: `texto ${i} ✓` }),
    });
    if (i % 7 === 0) quadros.push({ tipo: Tipo.PING });
    if (i % 11 === 0) quadros.push({ tipo: Tipo.CONFIRMACAO, numero: i });
  }
  quadros.push({ tipo: Tipo.DESPEDIDA });
  const fluxo = juntar(...quadros.map(codificar));
  const d = new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS });
  assert.deepEqual(decodificarPedacos(d, [fluxo]), quadros);
  assert.equal(d.incompleto, false);
});

Deno.test("pedaço que é uma vista com deslocamento no buffer é lido no lugar certo", () => {
  // O DataView tem de usar o byteOffset do pedaço, não o início do buffer.
  const buffer = new Uint8Array(FLUXO.length + 10).fill(0xee);
  buffer.set(FLUXO, 3);
  const vista = buffer.subarray(3, 3 + FLUXO.length);
  assert.deepEqual(
    decodificarPedacos(
      new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS }),
      [vista],
    ),
    QUADROS,
  );
});

Deno.test("quadros entregues não dependem do pedaço depois de lido", () => {
  // O caminho rápido lê o corpo no lugar; o quadro tem de sobreviver ao
  // reaproveitamento do buffer de leitura.
  const pedaco = FLUXO.slice();
  const quadros = decodificarPedacos(
    new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS }),
    [
      pedaco,
    ],
  );
  pedaco.fill(0);
  assert.deepEqual(quadros, QUADROS);
});

Deno.test("incompleto indica bytes guardados de um quadro pela metade", () => {
  const d = new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS });
  const bytes = codificar({ tipo: Tipo.CONFIRMACAO, numero: 9 });
  assert.equal(d.incompleto, false);
  d.decodificar(bytes.subarray(0, 2), () => {});
  assert.equal(d.incompleto, true, "meio cabeçalho");
  d.decodificar(bytes.subarray(2, 7), () => {});
  assert.equal(d.incompleto, true, "cabeçalho inteiro, corpo pela metade");
  const quadros: Quadro[] = [];
  d.decodificar(bytes.subarray(7), (q) => quadros.push(q));
  assert.equal(d.incompleto, false);
  assert.deepEqual(quadros, [{ tipo: Tipo.CONFIRMACAO, numero: 9 }]);
});

Deno.test("pedaço vazio não muda nada", () => {
  const d = new Decodificador({ mensagens: MensagemNoLugar, limites: TODOS });
  assert.deepEqual(decodificarPedacos(d, [new Uint8Array(0)]), []);
  assert.equal(d.incompleto, false);
});

Deno.test("trocar os limites vale a partir do próximo cabeçalho", () => {
  const d = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(4),
  });
  const grande = codificar({
    tipo: Tipo.MENSAGEM,
    mensagem: mensagem({ assunto: "", texto: "12345" }),
  });
  lancaErro(() => d.decodificar(grande, () => {}), CodigoErro.MENSAGEM_GRANDE);
  const outro = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(4),
  });
  outro.limites = limitesDoServidor(5);
  assert.equal(decodificarPedacos(outro, [grande]).length, 1);
});

Deno.test("antes da saudação obrigatória", async (t) => {
  const novo = () =>
    new Decodificador({
      mensagens: MensagemNoLugar,
      limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
      saudacao: Tipo.OLA_CLIENTE,
    });
  const ascii = (texto: string) => utf8.encode(texto);
  const casos: { nome: string; bytes: Uint8Array; codigo: CodigoErro }[] = [
    {
      nome: "MENSAGEM válida é FORA_DE_ORDEM",
      bytes: codificarMensagem(mensagem()),
      codigo: CodigoErro.FORA_DE_ORDEM,
    },
    {
      nome: "PING é FORA_DE_ORDEM",
      bytes: codificar({ tipo: Tipo.PING }),
      codigo: CodigoErro.FORA_DE_ORDEM,
    },
    {
      nome: "DESPEDIDA é FORA_DE_ORDEM",
      bytes: codificar({ tipo: Tipo.DESPEDIDA }),
      codigo: CodigoErro.FORA_DE_ORDEM,
    },
    {
      nome: "ERRO é FORA_DE_ORDEM",
      bytes: codificar({ tipo: Tipo.ERRO, codigo: 1, texto: "x" }),
      codigo: CodigoErro.FORA_DE_ORDEM,
    },
    {
      nome: "MENSAGEM grande demais é PROTOCOLO_DESCONHECIDO",
      bytes: cabecalho(Tipo.MENSAGEM, 0xffffffff),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "tipo de outro sentido (CONFIRMACAO) é PROTOCOLO_DESCONHECIDO",
      bytes: codificar({ tipo: Tipo.CONFIRMACAO, numero: 1 }),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "HTTP (GET / HTTP/1.1)",
      bytes: ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "início de ClientHello TLS (16 03 01)",
      bytes: deHex("16 03 01 02 00 01 00 01 fc 03 03"),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "SSH (SSH-2.0-OpenSSH)",
      bytes: ascii("SSH-2.0-OpenSSH_9.6\r\n"),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "bloco do cliente original (é detectado antes, mas não passa aqui)",
      bytes: ascii("\n---\n> MENSAGEM #001 - 24/11/2026 19:27:52\n"),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "CODIGO_SAIDA cru",
      bytes: ascii(CODIGO_SAIDA),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
    {
      nome: "cinco zeros (comprimento 0, tipo 0)",
      bytes: new Uint8Array(5),
      codigo: CodigoErro.PROTOCOLO_DESCONHECIDO,
    },
  ];
  for (const { nome, bytes, codigo } of casos) {
    await t.step(nome, () => {
      const quadros: Quadro[] = [];
      lancaErro(
        () => novo().decodificar(bytes, (q) => quadros.push(q)),
        codigo,
      );
      assert.deepEqual(quadros, []);
    });
    await t.step(`${nome}, um byte por vez: decide no quinto byte`, () => {
      const d = novo();
      for (let i = 0; i < CABECALHO - 1; i++) {
        d.decodificar(bytes.subarray(i, i + 1), () => {});
      }
      lancaErro(
        () => d.decodificar(bytes.subarray(CABECALHO - 1), () => {}),
        codigo,
      );
    });
  }
  await t.step("depois da saudação, os outros tipos passam", () => {
    const fluxo = juntar(
      codificar({ tipo: Tipo.OLA_CLIENTE, versao: VERSAO_1, token: "" }),
      codificar({ tipo: Tipo.PING }),
      codificarMensagem(mensagem()),
    );
    assert.deepEqual(
      decodificarPedacos(novo(), [fluxo]).map((q) => q.tipo),
      [Tipo.OLA_CLIENTE, Tipo.PING, Tipo.MENSAGEM],
    );
  });
  await t.step("o cliente pode exigir OLA_SERVIDOR", () => {
    const d = new Decodificador({
      limites: limitesDoCliente(),
      saudacao: Tipo.OLA_SERVIDOR,
    });
    lancaErro(
      () =>
        d.decodificar(
          codificar({ tipo: Tipo.CONFIRMACAO, numero: 1 }),
          () => {},
        ),
      CodigoErro.FORA_DE_ORDEM,
    );
    const ok = new Decodificador({
      limites: limitesDoCliente(),
      saudacao: Tipo.OLA_SERVIDOR,
    });
    const ola: Quadro = {
      tipo: Tipo.OLA_SERVIDOR,
      versao: VERSAO_1,
      tamanhoMaximo: 1024,
      tempoOcioso: 0,
    };
    assert.deepEqual(decodificarPedacos(ok, [codificar(ola)]), [ola]);
  });
});

Deno.test("quadros antes de um quadro ruim no mesmo pedaço são entregues antes do erro", async (t) => {
  const bons: Quadro[] = [
    { tipo: Tipo.OLA_CLIENTE, versao: VERSAO_1, token: "" },
    { tipo: Tipo.MENSAGEM, mensagem: mensagem() },
    { tipo: Tipo.PING },
  ];
  const prefixo = juntar(...bons.map(codificar));
  const ruins: { nome: string; bytes: Uint8Array; codigo: CodigoErro }[] = [
    {
      nome: "tipo desconhecido",
      bytes: quadroCru(0x42, []),
      codigo: CodigoErro.TIPO_DESCONHECIDO,
    },
    {
      nome: "mensagem grande demais",
      bytes: cabecalho(Tipo.MENSAGEM, 0xffffffff),
      codigo: CodigoErro.MENSAGEM_GRANDE,
    },
    {
      nome: "DESPEDIDA errada",
      bytes: quadroCru(Tipo.DESPEDIDA, utf8.encode("CODIGO_SAIDX")),
      codigo: CodigoErro.QUADRO_MALFORMADO,
    },
    {
      nome: "UTF-8 inválido",
      bytes: quadroCru(Tipo.MENSAGEM, corpoMensagem({ texto: deHex("ff") })),
      codigo: CodigoErro.UTF8_INVALIDO,
    },
  ];
  for (const ruim of ruins) {
    await t.step(`${ruim.nome}, tudo num pedaço`, () => {
      const d = new Decodificador({
        mensagens: MensagemNoLugar,
        limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        saudacao: Tipo.OLA_CLIENTE,
      });
      const quadros: Quadro[] = [];
      lancaErro(
        () =>
          d.decodificar(juntar(prefixo, ruim.bytes), (q) => quadros.push(q)),
        ruim.codigo,
      );
      assert.deepEqual(quadros, bons);
    });
    await t.step(`${ruim.nome}, quadro ruim atravessando pedaços`, () => {
      const d = new Decodificador({
        mensagens: MensagemNoLugar,
        limites: limitesDoServidor(TAMANHO_MAXIMO_PADRAO),
        saudacao: Tipo.OLA_CLIENTE,
      });
      const quadros: Quadro[] = [];
      const fluxo = juntar(prefixo, ruim.bytes);
      const corte = prefixo.length + 2; // meio cabeçalho do quadro ruim
      d.decodificar(fluxo.subarray(0, corte), (q) => quadros.push(q));
      assert.deepEqual(quadros, bons);
      lancaErro(
        () => d.decodificar(fluxo.subarray(corte), (q) => quadros.push(q)),
        ruim.codigo,
      );
      assert.deepEqual(quadros, bons);
    });
  }
});

Deno.test("no lugar: quadros grandes que atravessam pedaços chegam inteiros, dividem um buffer, e a vista larga os bytes no fim de cada pedaço", () => {
  const d = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(70_000),
    noLugar: true,
  });
  const originais = [21_000, 20_000, 45_000, 3].map((n, i) =>
    mensagem({ numero: i + 1, texto: String.fromCharCode(0x61 + i).repeat(n) })
  );
  const fluxo = juntar(...originais.map(codificarMensagem));
  const textos: string[] = [];
  const buffers: ArrayBufferLike[] = [];
  let vista: { bytesTexto: Uint8Array; bytesAssunto: Uint8Array } | undefined;
  for (let i = 0; i < fluxo.length; i += 15_000) {
    d.decodificar(fluxo.subarray(i, i + 15_000), (quadro) => {
      assert.ok(
        quadro.tipo === Tipo.MENSAGEM &&
          quadro.mensagem instanceof MensagemNoLugar,
      );
      vista = quadro.mensagem;
      textos.push(quadro.mensagem.texto);
      buffers.push(quadro.mensagem.bytesTexto.buffer);
    });
    // A vista só vale dentro de aoQuadro: fora dele, não prende nada.
    assert.equal(vista?.bytesTexto.length ?? 0, 0);
    assert.equal(vista?.bytesAssunto.length ?? 0, 0);
  }
  assert.deepEqual(textos, originais.map((m) => m.texto));
  // O 2º começa no pedaço em que o 1º termina e cabe no corpo dele; o 3º,
  // maior que o dobro, ganha outro; o 4º cabe inteiro no último pedaço.
  assert.equal(buffers[1], buffers[0]);
  assert.notEqual(buffers[2], buffers[0]);
  assert.equal(buffers[3], fluxo.buffer);
});
