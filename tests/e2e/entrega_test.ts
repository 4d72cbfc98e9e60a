/**
 * Entrega confiável, de ponta a ponta: uma confirmação quer dizer gravada. O
 * servidor de verdade morto com `kill -9` no meio da carga (saída num arquivo
 * e num cano; 1 e 8 conexões), várias vezes: toda mensagem que um cliente viu
 * confirmada está na saída. A saída que fecha (`| head`) e a que para (um cano
 * que ninguém lê): nada é confirmado sem ser gravado, o cliente diz o que
 * espera dentro de `--tempo-limite`, e o SIGTERM termina no prazo, com o
 * código 7 e a conta do que não foi gravado. E a retomada da versão 2: o
 * servidor diz a quem reconecta o último número que já gravou; um servidor
 * antigo (versão 1) ainda recebe do cliente novo.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  alvo,
  iniciar,
  iniciarServidor,
  opcoesDaTarefa,
  Saida,
} from "../ajudantes.ts";
import { Cliente } from "../../lib/cliente/sessao.ts";
import { CodigoErro } from "../../lib/erros.ts";
import { RetornoCliente, RetornoServidor } from "../../lib/retornos.ts";
import { codificar } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  limitesDoServidor,
  type Quadro,
  Tipo,
  VERSAO,
  VERSAO_1,
} from "../../lib/protocolo/quadros.ts";
import { sortearSessao } from "../../lib/sorteio.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";

const RAIZ = new URL("../../", import.meta.url);
/** Tentativas de cada combinação (saída × conexões) com `kill -9`. */
const TENTATIVAS = 3;
/** Mensagens a caminho, sem confirmação, por cliente. */
const JANELA = 256;

/**
 * Um servidor `--json` cuja saída vai para um arquivo (pelo shell), para um
 * cano lido por este teste, ou para um cano que ninguém lê (`parado`, ou
 * `manual`: quem chama lê como quiser).
 */
async function servidorSob(
  destino: "arquivo" | "cano" | "parado" | "manual",
  arquivo = "",
): Promise<
  { filho: Deno.ChildProcess; porta: number; erros: Saida; saida?: Saida }
> {
  const servidor = [
    Deno.execPath(),
    "run",
    ...opcoesDaTarefa("servidor"),
    new URL("servidor.ts", RAIZ).pathname,
    "--host",
    "127.0.0.1",
    "--porta",
    "0",
    "--json",
  ];
  // No arquivo, `exec`: o PID é o do servidor, e o kill -9 não perde nada
  // que ele já tenha escrito.
  const filho = destino === "arquivo"
    ? new Deno.Command("sh", {
      args: ["-c", 'exec "$@" >> "$ARQUIVO"', "sh", ...servidor],
      env: { ARQUIVO: arquivo, NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).spawn()
    : new Deno.Command(servidor[0]!, {
      args: servidor.slice(1),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  const erros = new Saida(filho.stderr);
  const pronto = await erros.esperar(/na porta (\d+)\. Aguardando/);
  const saida = destino === "cano" ? new Saida(filho.stdout) : undefined;
  return {
    filho,
    porta: Number(pronto[1]),
    erros,
    ...(saida ? { saida } : {}),
  };
}

/**
 * Um cliente que manda mensagens numeradas (`c<i>-<n>`) sem parar, com até
 * `JANELA` a caminho, e anota as que o servidor confirmou.
 */
async function enviarSemParar(
  porta: number,
  i: number,
  confirmadas: Set<string>,
): Promise<void> {
  const cliente = await Cliente.conectar({
    host: "127.0.0.1",
    porta,
    tempoLimite: 5000,
  });
  const aCaminho = new Set<Promise<void>>();
  try {
    for (let n = 1; n <= 1_000_000; n++) {
      const texto = `c${i}-${n}`;
      const entrega = cliente.enviar(cliente.compor("carga", texto)).then(
        () => void confirmadas.add(texto),
        () => {},
      ).finally(() => aCaminho.delete(entrega));
      aCaminho.add(entrega);
      if (aCaminho.size >= JANELA) await Promise.race(aCaminho);
      if (await Promise.race([cliente.fim, Promise.resolve(false)])) break;
    }
  } catch {
    // A conexão caiu: é o que o teste provoca.
  }
  await Promise.allSettled(aCaminho);
  cliente.fechar();
  await cliente.fim;
}

/** Os textos das linhas de mensagem de uma saída `--json`. */
function textosGravados(saida: string): Set<string> {
  const textos = new Set<string>();
  for (const linha of saida.split("\n")) {
    if (!linha.endsWith("}")) continue; // a última pode ter sido cortada
    const objeto = JSON.parse(linha);
    if (objeto.evento === "mensagem") textos.add(objeto.texto);
  }
  return textos;
}

for (const destino of ["arquivo", "cano"] as const) {
  for (const conexoes of [1, 8]) {
    Deno.test({
      name: `kill -9 sob carga (saída num ${destino}, ${conexoes} ${
        conexoes === 1 ? "conexão" : "conexões"
      }): nenhuma mensagem confirmada falta na saída, em ${TENTATIVAS} tentativas`,
      ignore: Deno.build.os !== "linux",
      async fn() {
        const pasta = await Deno.makeTempDir();
        try {
          for (let tentativa = 1; tentativa <= TENTATIVAS; tentativa++) {
            const arquivo = `${pasta}/saida-${tentativa}.jsonl`;
            const servidor = await servidorSob(destino, arquivo);
            const confirmadas = new Set<string>();
            const clientes = Array.from(
              { length: conexoes },
              (_, i) => enviarSemParar(servidor.porta, i, confirmadas),
            );
            // Sob carga: mata quando já houve confirmações (com prazo).
            const alvoConfirmadas = 500 * tentativa;
            const limite = Date.now() + 10_000;
            while (confirmadas.size < alvoConfirmadas) {
              assert.ok(Date.now() < limite, "a carga não andou");
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            servidor.filho.kill("SIGKILL");
            await servidor.filho.status;
            await Promise.all(clientes);
            const gravada = destino === "arquivo"
              ? await Deno.readTextFile(arquivo)
              : (await servidor.saida!.terminou, servidor.saida!.texto);
            const gravados = textosGravados(gravada);
            const faltando = [...confirmadas].filter((t) => !gravados.has(t));
            assert.deepEqual(
              faltando.slice(0, 10),
              [],
              `tentativa ${tentativa}: ${faltando.length} de ${confirmadas.size} confirmadas não estão na saída`,
            );
            assert.ok(confirmadas.size >= alvoConfirmadas);
          }
        } finally {
          await Deno.remove(pasta, { recursive: true });
        }
      },
    });
  }
}

Deno.test("saída que fecha (| head): nada confirmado depois, ERRO aos clientes, código 7", async () => {
  const servidor = await servidorSob("manual");
  const confirmadas = new Set<string>();
  const clientes = Promise.all([
    enviarSemParar(servidor.porta, 0, confirmadas),
    enviarSemParar(servidor.porta, 1, confirmadas),
  ]);
  // Lê as primeiras linhas e fecha o cano, como `head -n 3`.
  const leitor = servidor.filho.stdout.getReader();
  let lidos = 0;
  let linhas = 0;
  while (linhas < 3) {
    const { value } = await leitor.read();
    assert.ok(value, "a saída acabou cedo");
    lidos += value.length;
    linhas += value.filter((b) => b === 0x0a).length;
  }
  await leitor.cancel();
  await clientes;
  const status = await servidor.filho.status;
  assert.equal(status.code, RetornoServidor.SAIDA_FALHOU);
  // Só pode ter sido confirmado o que coube no cano (64 KiB) antes de o
  // leitor fechar; cada linha de mensagem tem mais de 150 bytes.
  assert.ok(
    confirmadas.size * 150 <= lidos + 65_536,
    `${confirmadas.size} confirmadas com ${lidos} bytes lidos`,
  );
});

Deno.test("saída parada (cano que ninguém lê): o cliente relata no prazo; SIGTERM termina no prazo com o código 7", async () => {
  const servidor = await servidorSob("parado");
  try {
    const linhas = Array.from({ length: 4000 }, (_, i) => `linha ${i}`);
    const inicio = Date.now();
    await using cliente = iniciar(
      "cliente",
      [
        ...alvo({ host: "127.0.0.1", porta: servidor.porta }),
        "--linhas",
        "--tempo-limite",
        "1",
      ],
      { entrada: true },
    );
    await cliente.escreverBytes(
      new TextEncoder().encode(linhas.join("\n") + "\n"),
    );
    await cliente.erros.esperar(
      /o servidor não confirmou nada em 1 s \(\d+ mensagens à espera de confirmação/,
    );
    assert.equal(await cliente.status(), RetornoCliente.TEMPO_ESGOTADO);
    assert.ok(Date.now() - inicio < 10_000, "o cliente demorou a relatar");
    const antes = Date.now();
    servidor.filho.kill("SIGTERM");
    const status = await servidor.filho.status;
    assert.equal(status.code, RetornoServidor.SAIDA_FALHOU);
    assert.ok(Date.now() - antes < 8_000, "o SIGTERM demorou demais");
    await servidor.erros.terminou;
    assert.match(
      servidor.erros.texto,
      /servidor: \d+ de \d+ mensagens recebidas não foram gravadas na saída \(a saída parou\); nenhuma delas foi confirmada ao cliente/,
    );
  } finally {
    try {
      servidor.filho.kill("SIGKILL");
    } catch {
      // já terminou
    }
    await servidor.filho.status;
    await servidor.filho.stdout.cancel();
  }
});

/** Um par cru da versão 2: saudação com sessão, mensagens, confirmações. */
async function saudarV2(
  porta: number,
  sessao: string,
): Promise<{ conn: Deno.TcpConn; quadros: () => Promise<Quadro> }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: porta });
  await conn.write(
    codificar({ tipo: Tipo.OLA_CLIENTE, versao: VERSAO, token: "", sessao }),
  );
  const decodificador = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: {
      ...limitesDoServidor(1024),
      [Tipo.OLA_SERVIDOR]: 17,
      [Tipo.CONFIRMACAO]: 4,
    },
  });
  const fila: Quadro[] = [];
  const buffer = new Uint8Array(4096);
  return {
    conn,
    async quadros() {
      while (fila.length === 0) {
        const n = await conn.read(buffer);
        if (n === null) throw new Error("a conexão acabou");
        decodificador.decodificar(buffer.subarray(0, n), (q) => fila.push(q));
      }
      return fila.shift()!;
    },
  };
}

Deno.test("retomada: quem reconecta com a mesma sessão fica sabendo o último número gravado", async () => {
  await using servidor = await iniciarServidor();
  const sessao = sortearSessao();
  const primeira = await saudarV2(servidor.porta, sessao);
  const ola = await primeira.quadros();
  assert.deepEqual(ola, {
    tipo: Tipo.OLA_SERVIDOR,
    versao: VERSAO,
    tamanhoMaximo: 1024,
    tempoOcioso: 300_000,
    ultimoGravado: 0,
  });
  for (let n = 1; n <= 5; n++) {
    await primeira.conn.write(codificar({
      tipo: Tipo.MENSAGEM,
      mensagem: {
        numero: n,
        instante: Date.now(),
        fuso: 0,
        assunto: "a",
        texto: `t${n}`,
      },
    }));
  }
  // Espera a confirmação da 5 (cumulativa) e cai sem despedida.
  let confirmada = 0;
  while (confirmada < 5) {
    const q = await primeira.quadros();
    if (q.tipo === Tipo.CONFIRMACAO) confirmada = q.numero;
  }
  primeira.conn.close();
  // Outra conexão da mesma sessão, e uma de sessão nova.
  const segunda = await saudarV2(servidor.porta, sessao);
  const retomada = await segunda.quadros();
  assert.equal(retomada.tipo, Tipo.OLA_SERVIDOR);
  assert.equal(
    (retomada as { ultimoGravado?: number }).ultimoGravado,
    5,
  );
  // Um número que não passa do último gravado é fora de ordem.
  await segunda.conn.write(codificar({
    tipo: Tipo.MENSAGEM,
    mensagem: {
      numero: 5,
      instante: Date.now(),
      fuso: 0,
      assunto: "",
      texto: "de novo",
    },
  }));
  const recusa = await segunda.quadros();
  assert.equal(recusa.tipo, Tipo.ERRO);
  assert.equal((recusa as { codigo: number }).codigo, CodigoErro.FORA_DE_ORDEM);
  segunda.conn.close();
  const nova = await saudarV2(servidor.porta, sortearSessao());
  assert.equal(
    ((await nova.quadros()) as { ultimoGravado?: number }).ultimoGravado,
    0,
  );
  nova.conn.close();
});

Deno.test("cliente novo com servidor antigo (só versão 1): recusa a 2 com o erro 2, o cliente volta à 1 e entrega", async () => {
  using ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const versoes: number[] = [];
  const antigo = (async () => {
    for (let i = 0; i < 2; i++) {
      const conn = await ouvinte.accept();
      const decodificador = new Decodificador({
        mensagens: MensagemNoLugar,
        limites: limitesDoServidor(1024),
        saudacao: Tipo.OLA_CLIENTE,
      });
      const buffer = new Uint8Array(4096);
      let fim = false;
      while (!fim) {
        const n = await conn.read(buffer);
        if (n === null) break;
        const quadros: Quadro[] = [];
        decodificador.decodificar(
          buffer.subarray(0, n),
          (q) => quadros.push(q),
        );
        for (const q of quadros) {
          if (q.tipo === Tipo.OLA_CLIENTE) {
            versoes.push(q.versao);
            if (q.versao !== VERSAO_1) {
              // O que um servidor da versão 1 responde: erro 2 e fecha.
              await conn.write(codificar({
                tipo: Tipo.ERRO,
                codigo: CodigoErro.VERSAO_INCOMPATIVEL,
                texto:
                  "versão 2 do protocolo não suportada; este servidor fala a versão 1",
              }));
              fim = true;
              break;
            }
            await conn.write(codificar({
              tipo: Tipo.OLA_SERVIDOR,
              versao: VERSAO_1,
              tamanhoMaximo: 1024,
              tempoOcioso: 0,
            }));
          } else if (q.tipo === Tipo.MENSAGEM) {
            await conn.write(
              codificar({ tipo: Tipo.CONFIRMACAO, numero: q.mensagem.numero }),
            );
          } else if (q.tipo === Tipo.DESPEDIDA) {
            await conn.write(codificar({ tipo: Tipo.DESPEDIDA }));
            fim = true;
          }
        }
      }
      conn.close();
    }
  })();
  const porta = (ouvinte.addr as Deno.NetAddr).port;
  await using cliente = iniciar("cliente", [
    ...alvo({ host: "127.0.0.1", porta }),
    "--assunto",
    "oi",
    "--texto",
    "de um cliente novo",
    "--verbose",
  ]);
  assert.equal(await cliente.status(), RetornoCliente.OK);
  assert.equal(cliente.saida.texto, "mensagem #001 entregue\n");
  await antigo;
  assert.deepEqual(versoes, [VERSAO, VERSAO_1]);
});
