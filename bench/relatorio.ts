/**
 * O relatório do banco de medidas: a máquina (CPU, núcleos, kernel, versões),
 * a tabela Markdown "cenário, figura, linha de base, razão" com os alvos, e o
 * JSON completo com cada execução. Escreve em `bench/resultados/`.
 *
 * @module
 */

import { rodar } from "./processos.ts";

/** A máquina onde as medidas foram tomadas. */
export interface Maquina {
  cpu: string;
  nucleos: number;
  kernel: string;
  deno: string;
  v8: string;
  typescript: string;
}

/** O código medido: o commit e se lib/ ou os pontos de entrada têm alterações. */
export interface Codigo {
  commit: string;
  alterado: boolean;
}

/** O commit atual e se o código do servidor e do cliente difere dele. */
export async function lerCodigo(): Promise<Codigo> {
  const commit = await rodar("git", ["rev-parse", "--short", "HEAD"])
    .catch(() => "desconhecido");
  const mudancas = await rodar("git", [
    "status",
    "--porcelain",
    "--",
    "lib",
    "servidor.ts",
    "cliente.ts",
  ]).catch(() => "");
  return { commit, alterado: mudancas !== "" };
}

/** Uma linha da tabela. */
export interface Linha {
  cenario: string;
  figura: string;
  base: string;
  razao: string;
  alvo: string;
  /** `true`/`false` para um alvo, `null` quando a linha não tem alvo. */
  atende: boolean | null;
}

/** Tudo o que vai para o relatório. */
export interface Relatorio {
  data: string;
  modo: "completo" | "rapido";
  /** Só estes cenários rodaram (`--cenarios`); ausente = todos. */
  cenariosEscolhidos?: number[] | undefined;
  duracaoTotalS: number;
  maquina: Maquina;
  codigo: Codigo;
  parametros: Record<string, unknown>;
  linhas: Linha[];
  notas: string[];
  perfil?: string | undefined;
  cenarios: Record<string, unknown>;
}

/** CPU (de /proc/cpuinfo), núcleos, kernel (`uname -r`) e versões do Deno. */
export async function lerMaquina(): Promise<Maquina> {
  let cpu = "desconhecida";
  let nucleos = navigator.hardwareConcurrency;
  try {
    // Por `cat`: o Deno só deixa ler /proc com --allow-all.
    const info = await rodar("cat", ["/proc/cpuinfo"]);
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpu;
    nucleos = (info.match(/^processor\s*:/gm) ?? []).length || nucleos;
  } catch {
    // Sem /proc: fica o que o navigator diz.
  }
  const kernel = await rodar("uname", ["-r"]).catch(() => "desconhecido");
  return {
    cpu,
    nucleos,
    kernel,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
  };
}

/** A data local `AAAA-MM-DD`. */
export function dataLocal(agora = new Date()): string {
  const dois = (n: number) => String(n).padStart(2, "0");
  return `${agora.getFullYear()}-${dois(agora.getMonth() + 1)}-${
    dois(agora.getDate())
  }`;
}

function celula(texto: string): string {
  return texto.replaceAll("|", "\\|").replaceAll("\n", "<br>");
}

/** O relatório em Markdown. */
export function markdown(relatorio: Relatorio): string {
  const { maquina } = relatorio;
  const atende = (linha: Linha) =>
    linha.atende === null ? "—" : linha.atende ? "sim" : "**não**";
  const partes = [
    `# Desempenho — ${relatorio.data}${
      relatorio.modo === "rapido" ? " (modo rápido: só um teste de fumaça)" : ""
    }`,
    "",
    `Máquina: ${maquina.cpu}, ${maquina.nucleos} núcleos, Linux ${maquina.kernel}; ` +
    `Deno ${maquina.deno} (V8 ${maquina.v8}, TypeScript ${maquina.typescript}). ` +
    `Duração total: ${relatorio.duracaoTotalS.toFixed(0)} s. ` +
    `Código medido: commit ${relatorio.codigo.commit}${
      relatorio.codigo.alterado
        ? ", com alterações locais em lib/ ou nos pontos de entrada"
        : ""
    }.`,
    "",
    "Cada figura é a mediana das execuções, com o mínimo e o máximo entre parênteses; " +
    "as linhas de base foram medidas na mesma rodada, intercaladas com o servidor.",
    "",
    "| cenário | figura | linha de base | razão | alvo | atende |",
    "|---|---|---|---|---|---|",
    ...relatorio.linhas.map((l) =>
      `| ${celula(l.cenario)} | ${celula(l.figura)} | ${celula(l.base)} | ${
        celula(l.razao)
      } | ${celula(l.alvo)} | ${atende(l)} |`
    ),
    "",
    "## Como foi medido",
    "",
    ...relatorio.notas.map((nota) => `- ${nota}`),
    "",
    "## Parâmetros",
    "",
    "```json",
    JSON.stringify(relatorio.parametros, null, 2),
    "```",
  ];
  if (relatorio.perfil) {
    partes.push("", "## Perfil do servidor (cenário 1, 8 conexões)", "");
    partes.push(relatorio.perfil);
  }
  partes.push("");
  return partes.join("\n");
}

/**
 * Escreve `AAAA-MM-DD[-rapido][-cenarios-1-3].md` e `.json` em `pasta`;
 * devolve os caminhos. Uma rodada parcial não sobrescreve a completa do dia.
 */
export async function escrever(
  relatorio: Relatorio,
  pasta: string,
): Promise<string[]> {
  await Deno.mkdir(pasta, { recursive: true });
  const parcial = relatorio.cenariosEscolhidos
    ? `-cenarios-${relatorio.cenariosEscolhidos.join("-")}`
    : "";
  const base = `${pasta}/${relatorio.data}${
    relatorio.modo === "rapido" ? "-rapido" : ""
  }${parcial}`;
  await Deno.writeTextFile(`${base}.md`, markdown(relatorio));
  await Deno.writeTextFile(
    `${base}.json`,
    JSON.stringify(relatorio, null, 2) + "\n",
  );
  return [`${base}.md`, `${base}.json`];
}
