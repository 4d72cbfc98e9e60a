/**
 * O perfil de CPU do servidor (`deno task bench --perfil`): roda o servidor
 * com `--cpu-prof` sob a carga do cenário 1 com 8 conexões, copia o
 * `.cpuprofile` para a pasta dos resultados e o resume com bench/perfil.ts.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import type { Config } from "./configuracao.ts";
import { conferirSaida, gerar, iniciarServidor } from "./medicao.ts";
import { resumirArquivo, tabelaDoPerfil } from "./perfil.ts";

export /**
 * Um perfil de CPU do servidor durante uma execução do cenário 1; o
 * `.cpuprofile` é copiado para `destino` (abre no Chrome DevTools) e o resumo
 * volta como tabela Markdown.
 */
async function perfilar(
  config: Config,
  temp: string,
  destino: string,
): Promise<string> {
  const pasta = `${temp}/perfil`;
  const arquivo = `${temp}/perfil.jsonl`;
  const { processo, porta } = await iniciarServidor([], arquivo, {
    perfil: pasta,
  });
  try {
    for (const duracao of [config.aquecimentoMs, config.duracaoMs]) {
      const r = await gerar([
        "vazao",
        "--porta",
        String(porta),
        "--conexoes",
        "8",
        "--duracao",
        String(duracao),
      ], duracao + 120_000);
      await conferirSaida(arquivo, r.mensagens as number, 8);
    }
  } finally {
    await processo.parar(); // o perfil é gravado na saída normal
  }
  const gravados = [...Deno.readDirSync(pasta)].filter((e) =>
    e.name.endsWith(".cpuprofile")
  );
  if (gravados.length === 0) throw new Error("o servidor não gravou o perfil");
  await Deno.mkdir(destino.slice(0, destino.lastIndexOf("/")), {
    recursive: true,
  });
  await Deno.copyFile(`${pasta}/${gravados[0].name}`, destino);
  const resumo = await resumirArquivo(destino, 20);
  console.log(`  perfil completo em ${destino}`);
  return tabelaDoPerfil(resumo);
}
