/**
 * Fumaça do banco de desempenho: `deno task bench --rapido` roda de ponta a
 * ponta (servidor de verdade, gerador, linhas de base) e escreve a tabela e o
 * JSON. Sem alvos: números de desempenho não se conferem em teste.
 */

import assert from "node:assert/strict";

Deno.test("o banco de desempenho em modo rápido roda e escreve seus resultados", async () => {
  const pasta = await Deno.makeTempDir();
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "bench", "--rapido", "--saida", pasta],
      cwd: new URL("../../", import.meta.url),
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const arquivos = [...Deno.readDirSync(pasta)].map((a) => a.name).sort();
    const tabela = arquivos.find((a) => a.endsWith(".md"));
    assert.ok(tabela, `${arquivos}`);
    assert.ok(arquivos.some((a) => a.endsWith(".json")), `${arquivos}`);
    const texto = await Deno.readTextFile(`${pasta}/${tabela}`);
    for (
      const cenario of [
        "1. Vazão",
        "2. Mensagens de 64 KiB",
        "3. Latência",
        "ociosos",
        "5. Cliente de uma mensagem",
        "6. CPU por mensagem ao lado do nats-server",
        "7. Saída para pessoas",
        "8. TLS",
        "9. Conexões curtas",
        "10. Texto do cliente original",
        "11. Painel",
        "13. Reconexão",
        "CPU/msg",
      ]
    ) {
      assert.ok(texto.includes(cenario), cenario);
    }
  } finally {
    await Deno.remove(pasta, { recursive: true });
  }
});
