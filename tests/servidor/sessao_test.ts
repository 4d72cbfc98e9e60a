/**
 * A sessão do servidor (lib/servidor/sessao.ts) com uma saída parada: um
 * `Registro` de mentira que nunca grava nem dá espaço. A recusa de quem
 * ficou ocioso não pode esperar a saída para sempre: o cliente fica sabendo,
 * a conexão fecha e a vaga volta, num prazo.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Servidor } from "../../lib/servidor/servidor.ts";
import type { EventoServidor, Registro } from "../../lib/servidor/eventos.ts";
import type { Gravavel } from "../../lib/saida/lotes.ts";
import { codificar } from "../../lib/protocolo/codificador.ts";
import { Decodificador } from "../../lib/protocolo/decodificador.ts";
import {
  limitesDoCliente,
  type Quadro,
  Tipo,
  VERSAO_1,
} from "../../lib/protocolo/quadros.ts";
import { CodigoErro } from "../../lib/erros.ts";

/** A saída parada: nada é gravado; com `cheia`, também não há espaço. */
class SaidaParada implements Registro {
  readonly eventos: EventoServidor[] = [];
  readonly #cheia: boolean;
  constructor(cheia: boolean) {
    this.#cheia = cheia;
  }
  registrar(evento: EventoServidor): void {
    this.eventos.push(evento);
  }
  aoGravar(_alvo: Gravavel, _numero: number): boolean {
    return true; // aceito, e nunca avisado
  }
  get naoGravadas(): number {
    return this.eventos.filter((e) => e.tipo === "mensagem").length;
  }
  pronta(): Promise<void> | null {
    return this.#cheia ? new Promise(() => {}) : null;
  }
}

/** Lê quadros até o fim da conexão (ou o prazo); devolve-os e se acabou. */
async function lerAteOFim(conn: Deno.Conn, ms: number) {
  const quadros: Quadro[] = [];
  const decodificador = new Decodificador({ limites: limitesDoCliente() });
  const buffer = new Uint8Array(4096);
  const limite = Date.now() + ms;
  let prazo: ReturnType<typeof setTimeout> | undefined;
  const estouro = new Promise<"prazo">((resolve) => {
    prazo = setTimeout(() => resolve("prazo"), ms);
  });
  try {
    while (Date.now() < limite) {
      const n = await Promise.race([
        conn.read(buffer).catch(() => null),
        estouro,
      ]);
      if (n === "prazo") return { quadros, fim: false };
      if (n === null) return { quadros, fim: true };
      decodificador.decodificar(
        buffer.subarray(0, n),
        (quadro) => quadros.push(quadro),
      );
    }
    return { quadros, fim: false };
  } finally {
    clearTimeout(prazo);
  }
}

for (const cheia of [false, true]) {
  Deno.test(
    `sessão: recusa por ociosidade com a saída parada${
      cheia ? " e cheia" : ""
    } avisa e fecha num prazo`,
    async () => {
      const registro = new SaidaParada(cheia);
      const servidor = await Servidor.ligar({
        host: "127.0.0.1",
        porta: 0,
        tamanhoMaximo: 1024,
        tempoOcioso: 200,
        prazo: 500,
        registro,
        maxConexoes: 10,
        limiteFila: 1 << 20,
        graca: 100,
      });
      const servindo = servidor.servir();
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: servidor.endereco.port,
      });
      try {
        await conn.write(codificar({
          tipo: Tipo.OLA_CLIENTE,
          versao: VERSAO_1,
          token: "",
        }));
        await conn.write(codificar({
          tipo: Tipo.MENSAGEM,
          mensagem: {
            numero: 1,
            instante: Date.now(),
            fuso: 0,
            assunto: "a",
            texto: "b",
          },
        }));
        const { quadros, fim } = await lerAteOFim(conn, 4000);
        const tipos = quadros.map((q) => q.tipo);
        assert.deepEqual(tipos, [Tipo.OLA_SERVIDOR, Tipo.ERRO]);
        const erro = quadros[1] as Extract<Quadro, { tipo: typeof Tipo.ERRO }>;
        assert.equal(erro.codigo, CodigoErro.OCIOSO);
        assert.match(erro.texto, /#1 .*não foi gravada/);
        assert.ok(fim, "a conexão não fechou no prazo");
        // A vaga volta: a sessão terminou, mesmo com a saída parada.
        for (let i = 0; i < 40 && servidor.conectados > 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(servidor.conectados, 0);
      } finally {
        conn.close();
        await servidor.encerrar("teste");
        await servindo;
      }
    },
  );
}
