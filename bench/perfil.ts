/**
 * Resume um perfil de CPU do V8 (`deno run --cpu-prof`): as funções em que o
 * processo passou mais tempo próprio (sem contar as que elas chamam). O banco
 * de medidas usa isto com `--perfil`; também roda sozinho:
 * `deno run --allow-read bench/perfil.ts ARQUIVO.cpuprofile [N]`.
 *
 * @module
 */
// deno-lint-ignore-file no-console

/** Um nó da árvore de chamadas do `.cpuprofile`. */
interface No {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
  };
}

/** O formato do `.cpuprofile` (o do Chrome DevTools), no que importa aqui. */
interface PerfilV8 {
  nodes: No[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Uma função e seu tempo próprio. */
export interface Funcao {
  funcao: string;
  /** Arquivo e linha (a partir de 1), sem o caminho da raiz. */
  local: string;
  propriaMs: number;
  /** Fração do tempo ocupado (sem `(idle)`), de 0 a 100. */
  porcento: number;
}

export interface ResumoPerfil {
  totalMs: number;
  ociosoMs: number;
  funcoes: Funcao[];
}

/** Encurta URLs de arquivo para caminhos relativos à raiz do repositório. */
function localDe(no: No, raiz: string): string {
  const { url, lineNumber } = no.callFrame;
  if (!url) return "";
  const curto = url.startsWith(raiz) ? url.slice(raiz.length) : url;
  return `${curto}:${lineNumber + 1}`;
}

/** As `n` funções com mais tempo próprio, somadas por nome e local. */
export function resumirPerfil(
  perfil: PerfilV8,
  n = 15,
  raiz = new URL("../", import.meta.url).href,
): ResumoPerfil {
  const porId = new Map(perfil.nodes.map((no) => [no.id, no]));
  const amostras = new Map<number, number>();
  for (const id of perfil.samples) {
    amostras.set(id, (amostras.get(id) ?? 0) + 1);
  }
  const totalMs = (perfil.endTime - perfil.startTime) / 1000;
  const porAmostra = perfil.samples.length > 0
    ? totalMs / perfil.samples.length
    : 0;
  const somas = new Map<string, Funcao>();
  let ociosoMs = 0;
  for (const [id, quantas] of amostras) {
    const no = porId.get(id);
    if (!no) continue;
    const ms = quantas * porAmostra;
    const funcao = no.callFrame.functionName || "(anônima)";
    if (funcao === "(idle)") {
      ociosoMs += ms;
      continue;
    }
    const local = localDe(no, raiz);
    const chave = `${funcao}\u0000${local}`;
    const soma = somas.get(chave) ??
      { funcao, local, propriaMs: 0, porcento: 0 };
    soma.propriaMs += ms;
    somas.set(chave, soma);
  }
  const ocupadoMs = totalMs - ociosoMs;
  const funcoes = [...somas.values()]
    .sort((a, b) => b.propriaMs - a.propriaMs)
    .slice(0, n)
    .map((f) => ({
      ...f,
      porcento: ocupadoMs > 0 ? (100 * f.propriaMs) / ocupadoMs : 0,
    }));
  return { totalMs, ociosoMs, funcoes };
}

/** Lê um `.cpuprofile` e o resume. */
export async function resumirArquivo(
  arquivo: string,
  n = 15,
): Promise<ResumoPerfil> {
  const perfil = JSON.parse(await Deno.readTextFile(arquivo)) as PerfilV8;
  return resumirPerfil(perfil, n);
}

/** O resumo como tabela Markdown. */
export function tabelaDoPerfil(resumo: ResumoPerfil): string {
  const linhas = [
    `Tempo total ${resumo.totalMs.toFixed(0)} ms, ocioso ${
      resumo.ociosoMs.toFixed(0)
    } ms; porcentagens sobre o tempo ocupado.`,
    "",
    "| função | local | tempo próprio (ms) | % |",
    "|---|---|--:|--:|",
    ...resumo.funcoes.map((f) =>
      `| \`${f.funcao.replaceAll("|", "\\|")}\` | ${f.local || "—"} | ${
        f.propriaMs.toFixed(1)
      } | ${f.porcento.toFixed(1)} |`
    ),
  ];
  return linhas.join("\n");
}

if (import.meta.main) {
  const [arquivo, n] = Deno.args;
  if (!arquivo) {
    console.error("uso: perfil.ts ARQUIVO.cpuprofile [N]");
    Deno.exit(2);
  }
  console.log(tabelaDoPerfil(await resumirArquivo(arquivo, Number(n ?? 15))));
}
