/**
 * Testes de lib/nats/publicador.ts com um JetStream falso: a confirmação ao
 * cliente espera a saída E o JetStream, sai na ordem, a contrapressão segue
 * o teto, e uma publicação que falha é repetida com o mesmo id até passar —
 * nada é confirmado antes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PublicadorNats, type Publicar } from "../../lib/nats/publicador.ts";
import type { EventoServidor, Registro } from "../../lib/servidor/eventos.ts";
import type { Gravavel } from "../../lib/saida/lotes.ts";

/** Um JetStream falso: cada publicação espera o teste resolvê-la. */
class JetStreamFalso {
  pedidos: { id: string; resolver(): void; rejeitar(e: Error): void }[] = [];
  readonly js: Publicar = {
    publish:
      ((_assunto: string, _dados: Uint8Array, opcoes: { msgID: string }) => {
        const { promise, resolve, reject } = Promise.withResolvers<never>();
        this.pedidos.push({
          id: opcoes.msgID,
          resolver: () =>
            resolve({ stream: "S", seq: 1, duplicate: false } as never),
          rejeitar: reject,
        });
        return promise;
      }) as unknown as Publicar["publish"],
  };
}

/** Um registro cuja saída "grava" quando o teste manda. */
class RegistroFalso implements Registro {
  avisos: [Gravavel, number][] = [];
  registrar(_evento: EventoServidor): void {}
  aoGravar(alvo: Gravavel, numero: number): boolean {
    this.avisos.push([alvo, numero]);
    return true;
  }
  gravarTudo() {
    for (const [alvo, numero] of this.avisos.splice(0)) alvo.gravado(numero);
  }
  get naoGravadas() {
    return 0;
  }
  pronta() {
    return null;
  }
}

function mensagem(numero: number): EventoServidor {
  return {
    tipo: "mensagem",
    instante: 0,
    par: { endereco: "127.0.0.1", porta: 1 },
    sessao: "0".repeat(32),
    legado: false,
    mensagem: {
      numero,
      instante: 0,
      fuso: 0,
      assunto: "a",
      texto: `t${numero}`,
    },
  };
}

const tique = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("confirma só depois da saída e do JetStream, e na ordem", async () => {
  const js = new JetStreamFalso();
  const avisos: string[] = [];
  const publicador = new PublicadorNats({
    js: js.js,
    stream: "S",
    assunto: "s.a",
    avisar: (t) => avisos.push(t),
  });
  const interno = new RegistroFalso();
  const registro = publicador.envolver(interno);
  const confirmados: number[] = [];
  const alvo = { gravado: (n: number) => confirmados.push(n) };
  registro.registrar(mensagem(1));
  registro.aoGravar(alvo, 1);
  registro.registrar(mensagem(2));
  registro.aoGravar(alvo, 2);
  assert.deepEqual(js.pedidos.map((p) => p.id), [
    `${"0".repeat(32)}-1`,
    `${"0".repeat(32)}-2`,
  ]);
  interno.gravarTudo();
  await tique();
  assert.deepEqual(confirmados, [], "a saída gravou, o JetStream ainda não");
  js.pedidos[1]!.resolver(); // a segunda antes da primeira
  await tique();
  assert.deepEqual(confirmados, [], "a #1 segura a #2");
  js.pedidos[0]!.resolver();
  await tique();
  assert.deepEqual(confirmados, [1, 2]);
  assert.equal(publicador.pendentes, 0);
  assert.equal(await publicador.terminar(0), 0);
});

Deno.test("uma falha vira aviso, a mesma mensagem é repetida com o mesmo id, e a volta também é avisada", async () => {
  const js = new JetStreamFalso();
  const avisos: string[] = [];
  const publicador = new PublicadorNats({
    js: js.js,
    stream: "S",
    assunto: "s.a",
    avisar: (t) => avisos.push(t),
  });
  const interno = new RegistroFalso();
  const registro = publicador.envolver(interno);
  const confirmados: number[] = [];
  registro.registrar(mensagem(1));
  registro.aoGravar({ gravado: (n) => confirmados.push(n) }, 1);
  interno.gravarTudo();
  js.pedidos[0]!.rejeitar(new Error("503 no responders"));
  await tique();
  assert.equal(avisos.length, 1);
  assert.match(avisos[0]!, /nada mais é confirmado/);
  assert.ok(publicador.indisponivel);
  // Limitado: a espera inicial é de 100 ms.
  for (let i = 0; i < 50 && js.pedidos.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(js.pedidos.length, 2);
  assert.equal(js.pedidos[1]!.id, js.pedidos[0]!.id);
  assert.deepEqual(confirmados, []);
  js.pedidos[1]!.resolver();
  await tique();
  assert.deepEqual(confirmados, [1]);
  assert.equal(avisos.length, 2);
  assert.match(avisos[1]!, /voltou/);
  assert.ok(!publicador.indisponivel);
  await publicador.terminar(0);
});

Deno.test("acima do teto, pronta() faz as sessões esperarem até metade", async () => {
  const js = new JetStreamFalso();
  const publicador = new PublicadorNats({
    js: js.js,
    stream: "S",
    assunto: "s.a",
    avisar: () => {},
    teto: 4,
  });
  const registro = publicador.envolver(new RegistroFalso());
  for (let n = 1; n <= 3; n++) registro.registrar(mensagem(n));
  assert.equal(registro.pronta(), null);
  registro.registrar(mensagem(4));
  const espera = registro.pronta();
  assert.ok(espera);
  let liberou = false;
  espera.then(() => liberou = true);
  js.pedidos[0]!.resolver();
  await tique();
  assert.ok(!liberou, "3 pendentes: ainda acima da metade");
  js.pedidos[1]!.resolver();
  js.pedidos[2]!.resolver();
  await tique();
  assert.ok(liberou);
  assert.equal(await publicador.terminar(0), 1, "uma ficou sem confirmação");
});
