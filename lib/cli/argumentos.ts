/**
 * O analisador de argumentos dos dois programas: um analisador pequeno, puro
 * (sem `Deno.*`, sem arquivos), com as regras do `parseArgs` estrito do Node e
 * mensagens em português. Não sabe nada de ajuda nem de valores: devolve o
 * texto de cada opção, que `valores.ts` valida e os módulos de cada programa
 * transformam em configuração. `tests/cli/argumentos_test.ts` o compara com o
 * `parseArgs` de `node:util` em milhares de listas geradas.
 *
 * @module
 */

/** Erro de uso (opção desconhecida, valor inválido): sai com código 2. */
export class ErroDeUso extends Error {
  constructor(mensagem: string) {
    super(mensagem);
    this.name = "ErroDeUso";
  }
}

/** O que o analisador precisa saber de uma opção de linha de comando. */
export interface Opcao {
  tipo: "string" | "boolean";
  /** A letra da forma curta (`h` para `-h`). */
  curta?: string;
  /** Repetível: os valores se juntam numa lista. */
  multipla?: boolean;
}

export type Opcoes = Record<string, Opcao>;
export type Valores = Record<string, string | boolean | string[] | undefined>;

/**
 * Lê os argumentos conforme `opcoes`, com as regras do `parseArgs` estrito do
 * Node: `--opcao valor`, `--opcao=valor`, `-h`, curtas juntas (`-abc`) e
 * `-xVALOR`; `--` encerra as opções; nenhum argumento posicional; a última
 * repetição vale, salvo nas opções `multipla`, que juntam os valores numa lista.
 * Uma diferença, de propósito: `--texto "-5 graus"` é aceito (veja
 * {@linkcode pareceOpcao}).
 *
 * Não usamos o `parseArgs` de `node:util`: importá-lo inicializa a camada de
 * compatibilidade com o Node do Deno, que custou 6 a 9 ms medidos em cada
 * partida do cliente (um `deno run` vazio leva uns 17 ms nesta máquina).
 *
 * @example
 * ```ts
 * import { analisarArgumentos } from "./argumentos.ts";
 *
 * const valores = analisarArgumentos(["--porta=5000", "-h"], {
 *   porta: { tipo: "string" },
 *   ajuda: { tipo: "boolean", curta: "h" },
 * });
 * // valores: { porta: "5000", ajuda: true }
 * ```
 *
 * @throws {ErroDeUso} com a explicação em português
 */
export function analisarArgumentos(
  args: readonly string[],
  opcoes: Opcoes,
): Valores {
  const valores: Valores = {};
  const fila = [...args];
  for (let arg = fila.shift(); arg !== undefined; arg = fila.shift()) {
    if (arg === "--") {
      // Depois de "--" tudo seria argumento posicional, e não há nenhum.
      if (fila.length > 0) throw argumentoInesperado(fila[0]);
      break;
    }
    if (ehGrupoDeCurtas(arg, opcoes)) {
      fila.unshift(...separarGrupo(arg, opcoes));
      continue;
    }
    const uso = separarUso(arg, fila, opcoes);
    if (uso === undefined) throw argumentoInesperado(arg);
    guardar(valores, uso, conferirUso(uso, opcoes));
  }
  return valores;
}

/** Uma opção como apareceu na linha de comando. */
interface Uso {
  /** O nome longo (o da opção curta, se ela existe). */
  nome: string;
  /** Como o usuário a escreveu (`--porta`, `-h`), para as mensagens. */
  escrita: string;
  valor: string | undefined;
  /** O valor veio no mesmo argumento (`--porta=-1`), não no seguinte. */
  colado: boolean;
}

/** A definição de `nome`, se existe (`toString` e afins não contam). */
function opcaoDe(opcoes: Opcoes, nome: string): Opcao | undefined {
  return Object.hasOwn(opcoes, nome) ? opcoes[nome] : undefined;
}

/** O nome longo da opção curta `letra` (ou a própria letra, se não há). */
function nomeDaCurta(letra: string, opcoes: Opcoes): string {
  return Object.entries(opcoes).find(([, o]) => o.curta === letra)?.[0] ??
    letra;
}

function recebeValor(nome: string, opcoes: Opcoes): boolean {
  return opcaoDe(opcoes, nome)?.tipo === "string";
}

/** `-abc`: várias curtas num argumento (`-xVALOR`, se `-x` recebe valor). */
function ehGrupoDeCurtas(arg: string, opcoes: Opcoes): boolean {
  return arg.length > 2 && arg[0] === "-" && arg[1] !== "-" &&
    !recebeValor(nomeDaCurta(arg[1], opcoes), opcoes);
}

/** `-abc` → `-a -b -c`; uma curta que recebe valor leva o resto: `-abVALOR`. */
function separarGrupo(arg: string, opcoes: Opcoes): string[] {
  const partes: string[] = [];
  for (let i = 1; i < arg.length; i++) {
    if (
      i < arg.length - 1 && recebeValor(nomeDaCurta(arg[i], opcoes), opcoes)
    ) {
      partes.push(`-${arg.slice(i)}`);
      break;
    }
    partes.push(`-${arg[i]}`);
  }
  return partes;
}

/**
 * O uso de opção que `arg` começa, tirando de `fila` o valor que vem no
 * argumento seguinte; `undefined` se `arg` não é uma opção.
 */
function separarUso(
  arg: string,
  fila: string[],
  opcoes: Opcoes,
): Uso | undefined {
  if (arg.length < 2 || arg[0] !== "-") return undefined;
  const seguinte = (nome: string) =>
    recebeValor(nome, opcoes) ? fila.shift() : undefined;
  if (arg[1] !== "-") {
    const nome = nomeDaCurta(arg[1], opcoes);
    return arg.length > 2
      ? { nome, escrita: arg.slice(0, 2), valor: arg.slice(2), colado: true }
      : { nome, escrita: arg, valor: seguinte(nome), colado: false };
  }
  // Como no Node, o "=" logo depois de "--" só separa se houver outro adiante.
  if (!arg.includes("=", 3)) {
    const nome = arg.slice(2);
    return { nome, escrita: arg, valor: seguinte(nome), colado: false };
  }
  const igual = arg.indexOf("=", 2);
  const nome = arg.slice(2, igual);
  return {
    nome,
    escrita: `--${nome}`,
    valor: arg.slice(igual + 1),
    colado: true,
  };
}

/**
 * Confere o uso contra a definição da opção e devolve a definição.
 *
 * @throws {ErroDeUso}
 */
function conferirUso(uso: Uso, opcoes: Opcoes): Opcao {
  const opcao = opcaoDe(opcoes, uso.nome);
  if (opcao === undefined) {
    throw new ErroDeUso(`opção desconhecida: ${uso.escrita}`);
  }
  // A forma longa é a que o usuário reconhece, mesmo se escreveu a curta.
  const longa = `--${uso.nome}`;
  if (opcao.tipo === "boolean") {
    if (uso.valor !== undefined) {
      throw new ErroDeUso(`a opção ${longa} não recebe valor`);
    }
    return opcao;
  }
  if (uso.valor === undefined) {
    throw new ErroDeUso(`a opção ${longa} precisa de um valor`);
  }
  if (!uso.colado && pareceOpcao(uso.valor, opcoes)) {
    throw new ErroDeUso(
      `a opção ${uso.escrita} recebeu "${uso.valor}", que parece outra opção; para um valor começado por "-", use ${longa}=${uso.valor}`,
    );
  }
  return opcao;
}

/**
 * Um valor (no argumento seguinte ao da opção) que parece uma opção e por isso
 * é recusado: começa por `--`, ou por `-` e a letra de uma opção curta deste
 * programa. Qualquer outro começado por `-` é claramente um valor (`-5 graus`,
 * `-1`) e é aceito — o `parseArgs` do Node o recusaria, pedindo `--texto=-5`.
 */
export function pareceOpcao(valor: string, opcoes: Opcoes): boolean {
  if (valor.length < 2 || valor[0] !== "-") return false;
  return valor[1] === "-" ||
    Object.values(opcoes).some((opcao) => opcao.curta === valor[1]);
}

function guardar(valores: Valores, uso: Uso, opcao: Opcao): void {
  const valor = uso.valor ?? true;
  if (!opcao.multipla) {
    valores[uso.nome] = valor;
    return;
  }
  const lista = valores[uso.nome] as (string | boolean)[] | undefined;
  if (lista) lista.push(valor);
  else valores[uso.nome] = [valor] as string[];
}

function argumentoInesperado(arg: string): ErroDeUso {
  return new ErroDeUso(`argumento inesperado: ${arg}`);
}
