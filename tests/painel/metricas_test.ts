/**
 * `/metricas` (`lib/painel/metricas.ts`): o texto passa no `promtool check
 * metrics` de verdade (pacote Debian `prometheus`).
 */

import assert from "node:assert/strict";
import { renderizarMetricas } from "../../lib/painel/metricas.ts";
import { conferirComPromtool } from "./promtool.ts";

Deno.test("métricas: formato aceito pelo promtool, rejeições por motivo", async () => {
  const texto = renderizarMetricas({
    mensagens: 12,
    bytes: 3456,
    clientesAtendidos: 3,
    rejeitadas: new Map([["servidor_cheio", 2], ["fora_de_ordem", 1]]),
    clientesConectados: 1,
    espectadores: 4,
    espectadoresDesligados: 2,
    naoGravadas: 7,
    saidaPendente: 0,
    painelPendente: 120,
    memoriaResidente: 50_000_000,
    memoriaHeap: 9_000_000,
  });
  assert.match(texto, /^sockets_mensagens_recebidas_total 12$/m);
  assert.match(
    texto,
    /^sockets_conexoes_rejeitadas_total\{motivo="servidor_cheio"\} 2$/m,
  );
  assert.match(
    texto,
    /^sockets_conexoes_rejeitadas_total\{motivo="nao_autorizado"\} 0$/m,
  );
  assert.match(texto, /^sockets_espectadores 4$/m);
  assert.match(texto, /^sockets_espectadores_desligados_total 2$/m);
  assert.match(texto, /^sockets_mensagens_nao_gravadas 7$/m);
  await conferirComPromtool(texto);
});
