/**
 * Linha de base (g): o `nats.js` (`@nats-io/jetstream`, o mesmo cliente que
 * o servidor usa com `--nats`) publicando direto no JetStream as mesmas
 * mensagens que o servidor publica no cenário 12 — a linha de `--json` de
 * uma mensagem de 100 bytes, com `Nats-Msg-Id` único — por N conexões, cada
 * uma com até `--janela` publicações sem confirmação, até o prazo; no fim,
 * espera todas as confirmações.
 *
 * Uso: `deno run --allow-net publicador_jetstream.ts --url nats://... --stream
 * S --assunto A --conexoes 8 --tamanho 100 --duracao MS`; escreve o
 * resultado como uma linha JSON. Cria o stream (cobrindo o prefixo do
 * assunto, `PREFIXO.>`) se ele falta.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    stream: { type: "string" },
    assunto: { type: "string" },
    conexoes: { type: "string", default: "8" },
    tamanho: { type: "string", default: "100" },
    janela: { type: "string", default: "1024" },
    duracao: { type: "string", default: "1000" },
  },
});
const tamanho = Number(values.tamanho);
const janela = Number(values.janela);
const sessao = crypto.randomUUID().replaceAll("-", "");

/** A linha de `--json` de uma mensagem com `tamanho` bytes de assunto + texto. */
function linha(numero: number): Uint8Array {
  const agora = new Date().toISOString();
  return new TextEncoder().encode(
    `{"evento":"mensagem","instante":"${agora}","par":"127.0.0.1:40000","id":"${sessao}-${numero}","numero":${numero},"enviada":"${agora}","assunto":"${
      "a".repeat(10)
    }","texto":"${"x".repeat(tamanho - 10)}","legado":false}`,
  );
}

async function publicar(indice: number, limite: number): Promise<number> {
  const nc = await connect({ servers: values.url! });
  const js = jetstream(nc);
  let enviadas = 0;
  let confirmadas = 0;
  let emVoo = 0;
  let acordar: (() => void) | undefined;
  try {
    // Limitado pelo relógio.
    while (performance.now() < limite) {
      if (emVoo >= janela) {
        await new Promise<void>((resolve) => acordar = resolve);
        continue;
      }
      const numero = indice * 1e9 + ++enviadas;
      emVoo++;
      js.publish(values.assunto!, linha(numero), {
        msgID: `${sessao}-${numero}`,
        expect: { streamName: values.stream! },
      }).then(() => {
        confirmadas++;
        emVoo--;
        acordar?.();
        acordar = undefined;
      }, (erro) => {
        console.error(`publicação falhou: ${erro.message}`);
        Deno.exit(1);
      });
    }
    // Limitado pelo prazo de cada publicação.
    while (emVoo > 0) {
      await new Promise<void>((resolve) => acordar = resolve);
    }
    return confirmadas;
  } finally {
    await nc.close();
  }
}

// O stream, se falta (o da primeira execução serve às seguintes).
{
  const nc = await connect({ servers: values.url! });
  const jsm = await jetstreamManager(nc);
  const existe = await jsm.streams.info(values.stream!).then(
    () => true,
    () => false,
  );
  if (!existe) {
    await jsm.streams.add({
      name: values.stream!,
      subjects: [values.assunto!.replace(/\.[^.]+$/, ".>")],
      duplicate_window: 15 * 60e9,
    });
  }
  await nc.close();
}

const inicio = performance.now();
const limite = inicio + Number(values.duracao);
const porConexao = await Promise.all(
  Array.from(
    { length: Number(values.conexoes) },
    (_, i) => publicar(i, limite),
  ),
);
const mensagens = porConexao.reduce((a, b) => a + b, 0);
console.log(JSON.stringify({
  modo: "jetstream",
  conexoes: porConexao.length,
  mensagens,
  ms: performance.now() - inicio,
}));
