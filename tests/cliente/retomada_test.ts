/**
 * A sessão que reconecta (lib/cliente/retomada.ts) contra um servidor de
 * mentira, roteirizado conexão por conexão com o codec: o que acontece com as
 * mensagens à espera quando a conexão cai na despedida, e quando o limite de
 * tamanho muda entre uma conexão e a seguinte.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SessaoRetomavel } from "../../lib/cliente/retomada.ts";
import type { FalhaDoCliente } from "../../lib/cliente/falhas.ts";
import { CodigoErro } from "../../lib/erros.ts";
import { codificar } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  limitesDoServidor,
  type Quadro,
  Tipo,
  VERSAO,
} from "../../lib/protocolo/quadros.ts";
import { MensagemNoLugar } from "../../lib/protocolo/mensagem_no_lugar.ts";
import { agendamentosVivos } from "../../lib/temporizador.ts";

/** Uma conexão do servidor de mentira: quadros inteiros, um por vez. */
class Par {
  readonly #conn: Deno.Conn;
  readonly #decodificador = new Decodificador({
    mensagens: MensagemNoLugar,
    limites: limitesDoServidor(1 << 16),
    saudacao: Tipo.OLA_CLIENTE,
  });
  readonly #quadros: Quadro[] = [];
  readonly #buffer = new Uint8Array(65536);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** O próximo quadro, ou `null` no fim da conexão. */
  async ler(): Promise<Quadro | null> {
    while (this.#quadros.length === 0) {
      const n = await this.#conn.read(this.#buffer).catch(() => null);
      if (n === null) return null;
      this.#decodificador.decodificar(
        this.#buffer.subarray(0, n),
        (quadro) => this.#quadros.push(quadro),
      );
    }
    return this.#quadros.shift()!;
  }

  /** Lê até um quadro do tipo dado (falha no fim da conexão). */
  async esperar<T extends Quadro["tipo"]>(
    tipo: T,
  ): Promise<Extract<Quadro, { tipo: T }>> {
    for (let i = 0; i < 1000; i++) {
      const quadro = await this.ler();
      assert.ok(quadro, `a conexão acabou antes do quadro ${tipo}`);
      if (quadro.tipo === tipo) return quadro as Extract<Quadro, { tipo: T }>;
    }
    throw new Error("quadros demais");
  }

  async enviar(quadro: Quadro): Promise<void> {
    const bytes = codificar(quadro);
    let escritos = 0;
    while (escritos < bytes.length) {
      escritos += await this.#conn.write(bytes.subarray(escritos));
    }
  }

  async ola(tamanhoMaximo: number, ultimoGravado = 0): Promise<void> {
    const ola = await this.esperar(Tipo.OLA_CLIENTE);
    assert.equal(ola.versao, VERSAO);
    await this.enviar({
      tipo: Tipo.OLA_SERVIDOR,
      versao: VERSAO,
      tamanhoMaximo,
      tempoOcioso: 0,
      ultimoGravado,
    });
  }

  fechar(): void {
    try {
      this.#conn.close();
    } catch {
      // já fechada
    }
  }
}

/**
 * Um servidor que atende cada conexão com o roteiro da vez; devolve a porta
 * e uma promessa de todos os roteiros terminados.
 */
function servidorDeMentira(roteiros: ((par: Par) => Promise<void>)[]) {
  const ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pares: Par[] = [];
  const atendidas: Promise<void>[] = [];
  const aceitando = (async () => {
    for (const roteiro of roteiros) {
      const par = new Par(await ouvinte.accept());
      pares.push(par);
      atendidas.push(roteiro(par).finally(() => par.fechar()));
    }
  })();
  return {
    porta: (ouvinte.addr as Deno.NetAddr).port,
    /** Espera os roteiros por até `ms`, fecha tudo e relata o que falhou. */
    async terminar(ms = 2000) {
      await emAte(aceitando.then(() => Promise.all(atendidas)), ms);
      ouvinte.close();
      for (const par of pares) par.fechar();
      const [aceitas, ...resultados] = await Promise.allSettled([
        aceitando,
        ...atendidas,
      ]);
      assert.equal(
        aceitas.status,
        "fulfilled",
        `o cliente abriu ${pares.length} de ${roteiros.length} conexões`,
      );
      for (const resultado of resultados) {
        if (resultado.status === "rejected") throw resultado.reason;
      }
    },
  };
}

function opcoes(porta: number) {
  return { host: "127.0.0.1", porta, tempoLimite: 3000 };
}

/** Resolve com o resultado, ou "pendente" se não assentou em `ms`. */
async function emAte<T>(promessa: Promise<T>, ms: number) {
  let prazo: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promessa.then(
        (valor) => ({ ok: true as const, valor }),
        (erro: FalhaDoCliente) => ({ ok: false as const, erro }),
      ),
      new Promise<"pendente">((resolve) => {
        prazo = setTimeout(() => resolve("pendente"), ms);
      }),
    ]);
  } finally {
    clearTimeout(prazo);
  }
}

Deno.test("retomada: conexão que acaba na despedida com mensagem sem confirmação reconecta e reenvia", async () => {
  const servidor = servidorDeMentira([
    async (par) => {
      await par.ola(100);
      await par.esperar(Tipo.MENSAGEM);
      await par.esperar(Tipo.DESPEDIDA);
      // Cai (FIN) sem confirmar nem responder.
    },
    async (par) => {
      await par.ola(100);
      const { mensagem } = await par.esperar(Tipo.MENSAGEM);
      assert.equal(mensagem.numero, 1);
      await par.enviar({ tipo: Tipo.CONFIRMACAO, numero: 1 });
      await par.esperar(Tipo.DESPEDIDA);
      await par.enviar({ tipo: Tipo.DESPEDIDA });
    },
  ]);
  const sessao = await SessaoRetomavel.conectar(opcoes(servidor.porta), {
    aposDespedida: true,
  });
  const entrega = sessao.enviar(sessao.compor("a", "b"));
  const saida = await emAte(sessao.sair(), 5000);
  const entregue = await emAte(entrega, 100);
  await servidor.terminar();
  assert.equal(agendamentosVivos(), 0, "um prazo ficou para trás");
  assert.deepEqual(saida, { ok: true, valor: null });
  assert.deepEqual(entregue, { ok: true, valor: undefined });
});

Deno.test("retomada: excesso conhece o limite do servidor também enquanto reconecta", async () => {
  const { promise: reconectando, resolve } = Promise.withResolvers<void>();
  let excessoDuranteReconexao = -1;
  const servidor = servidorDeMentira([
    async (par) => {
      await par.ola(10);
      // Cai logo depois da saudação.
    },
    async (par) => {
      await par.ola(10);
      await par.esperar(Tipo.DESPEDIDA);
      await par.enviar({ tipo: Tipo.DESPEDIDA });
    },
  ]);
  const sessao: SessaoRetomavel = await SessaoRetomavel.conectar(
    opcoes(servidor.porta),
    {
      aposDespedida: true,
      avisar: (texto) => {
        if (!texto.includes("reconectando")) return;
        excessoDuranteReconexao = sessao.excesso("", "x".repeat(15));
        resolve();
      },
    },
  );
  await reconectando;
  assert.equal(await sessao.sair(), null);
  await servidor.terminar();
  assert.equal(agendamentosVivos(), 0, "um prazo ficou para trás");
  assert.equal(excessoDuranteReconexao, 5);
});

Deno.test("retomada: mensagem que não cabe no limite do servidor depois da reconexão é recusada, e as seguintes chegam", async () => {
  const servidor = servidorDeMentira([
    async (par) => {
      await par.ola(100);
      await par.esperar(Tipo.MENSAGEM); // #1, 50 bytes: cai sem confirmar
    },
    async (par) => {
      await par.ola(10); // reiniciado com um limite menor
      const { mensagem } = await par.esperar(Tipo.MENSAGEM);
      assert.equal(mensagem.numero, 2);
      await par.enviar({ tipo: Tipo.CONFIRMACAO, numero: 2 });
      await par.esperar(Tipo.DESPEDIDA);
      await par.enviar({ tipo: Tipo.DESPEDIDA });
    },
  ]);
  const sessao = await SessaoRetomavel.conectar(opcoes(servidor.porta), {
    aposDespedida: true,
  });
  const grande = sessao.enviar(sessao.compor("", "x".repeat(50)));
  const pequena = sessao.enviar(sessao.compor("", "y"));
  const [primeira, segunda] = await Promise.all([
    emAte(grande, 5000),
    emAte(pequena, 5000),
  ]);
  assert.ok(primeira !== "pendente" && !primeira.ok, "a grande assentou");
  assert.match(primeira.erro.message, /#001 não entregue/);
  assert.deepEqual(segunda, { ok: true, valor: undefined });
  assert.equal(await sessao.sair(), null);
  await servidor.terminar();
  assert.equal(agendamentosVivos(), 0, "um prazo ficou para trás");
});

Deno.test("retomada: com tudo confirmado, um fim passageiro na despedida não é falha", async () => {
  const servidor = servidorDeMentira([
    async (par) => {
      await par.ola(100);
      await par.esperar(Tipo.MENSAGEM);
      await par.enviar({ tipo: Tipo.CONFIRMACAO, numero: 1 });
      await par.esperar(Tipo.DESPEDIDA);
      // A saída do servidor falhou depois de gravar tudo o que confirmou.
      await par.enviar({
        tipo: Tipo.ERRO,
        codigo: CodigoErro.GRAVACAO_FALHOU,
        texto: "a saída falhou",
      });
    },
  ]);
  const sessao = await SessaoRetomavel.conectar(opcoes(servidor.porta), {
    aposDespedida: true,
  });
  await sessao.enviar(sessao.compor("a", "b"));
  const saida = await emAte(sessao.sair(), 5000);
  await servidor.terminar();
  assert.equal(agendamentosVivos(), 0, "um prazo ficou para trás");
  assert.deepEqual(saida, { ok: true, valor: null });
});
