/**
 * O núcleo da passagem, em AssemblyScript (compilado para WebAssembly por
 * `deno task nucleo`; o binário fica em ../binario.ts): o laço mais quente do
 * servidor. Percorre os quadros MENSAGEM de uma leitura e escreve, para cada
 * um, a linha do log (JSON ou bloco legível) a partir de dez pedaços prontos,
 * conferindo tudo o que o `Decodificador` e a sessão confeririam. Para no
 * primeiro quadro que não sabe levar (outro tipo, qualquer byte a escapar,
 * número fora de ordem, outro segundo): quem chamou (../../passagem.ts)
 * resolve esse e chama de novo. Sem alocação: a memória é fixa e dividida
 * em regiões (veja `REGIAO_*`). SIMD de 16 bytes para varrer e copiar.
 */

/** Tipo do quadro MENSAGEM (lib/protocolo/quadros.ts). */
const MENSAGEM: u8 = 0x03;
/** Parte fixa do corpo de MENSAGEM. */
const FIXO: u32 = 16;
/** O maior |instante| aceito (lib/protocolo/quadros.ts, `INSTANTE_MAXIMO`). */
const INSTANTE_MAXIMO: f64 = 8.64e15 - 32768.0 * 60000.0;

/** Por que `passar` parou. */
const FIM: i32 = 0; // acabaram os quadros inteiros da entrada
const CHAVE: i32 = 1; // o quadro é de outro segundo: pedaços novos
const CHEIA: i32 = 2; // a região de saída não tem espaço para a linha
const OUTRO: i32 = 3; // o quadro vai pelo caminho comum

/** Pedaços: 10 espaços de `TAMANHO_PEDACO` bytes, com o comprimento em `comprimentos`. */
const PEDACOS = 10;
const TAMANHO_PEDACO: usize = 1024;
export const REGIAO_PEDACOS: usize = 65536;
export const REGIAO_ENTRADA: usize = REGIAO_PEDACOS +
  <usize>PEDACOS * TAMANHO_PEDACO;
export const CAPACIDADE_ENTRADA: usize = 262144;
/** 64 bytes de folga depois de cada região: a cópia em blocos de 16 passa do fim. */
export const REGIAO_SAIDA: usize = REGIAO_ENTRADA + CAPACIDADE_ENTRADA + 64;
export const CAPACIDADE_SAIDA: usize = 1048576;

const comprimentos = new StaticArray<u32>(PEDACOS);
let somaDosPedacos: u32 = 0;

// Parâmetros da chamada.
let limite: u32 = 0;
let ultimo: u32 = 0;
let chave: f64 = NaN;
let fusoDaChave: i32 = 0;
let json: bool = true;
let largura: u32 = 1;

// Resultados da última chamada.
let posicao: usize = 0;
let fimDaSaida: usize = 0;
let mensagens: u32 = 0;
let instanteParado: f64 = 0;
let fusoParado: i32 = 0;

/** O comprimento do pedaço `i` (o conteúdo já está na região dele). */
export function pedaco(i: i32, comprimento: u32): void {
  somaDosPedacos += comprimento - unchecked(comprimentos[i]);
  unchecked((comprimentos[i] = comprimento));
}

/**
 * Os parâmetros da próxima chamada: maior corpo aceito, último número da
 * conexão, a chave do segundo dos pedaços e o formato (JSON: segundo UTC
 * e fuso, e os milissegundos na linha; legível: segundo no fuso do cliente;
 * `largura` dígitos no mínimo para o primeiro número).
 */
export function configurar(
  limiteDoCorpo: u32,
  ultimoNumero: u32,
  chaveDoSegundo: f64,
  fuso: i32,
  formatoJson: bool,
  larguraDoNumero: u32,
): void {
  limite = limiteDoCorpo;
  ultimo = ultimoNumero;
  chave = chaveDoSegundo;
  fusoDaChave = fuso;
  json = formatoJson;
  largura = larguraDoNumero;
}

/** Pedaços novos (os de outro segundo): a chave deles. */
export function trocarChave(chaveDoSegundo: f64, fuso: i32): void {
  chave = chaveDoSegundo;
  fusoDaChave = fuso;
}

/** A chave do segundo de um instante, no formato configurado. */
export function chaveDe(instante: f64, fuso: i32): f64 {
  return json
    ? Math.floor(instante / 1000.0)
    : Math.floor((instante + <f64>fuso * 60000.0) / 1000.0);
}

export function posicaoFinal(): usize {
  return posicao;
}
export function saidaFinal(): usize {
  return fimDaSaida;
}
export function mensagensPassadas(): u32 {
  return mensagens;
}
export function ultimoPassado(): u32 {
  return ultimo;
}
export function instanteDoQuadro(): f64 {
  return instanteParado;
}
export function fusoDoQuadro(): i32 {
  return fusoParado;
}

/** Copia `n` bytes em blocos de 16 (escreve até 15 além do fim: há folga). */
// @ts-ignore: decorador do AssemblyScript
@inline function copiar(destino: usize, origem: usize, n: usize): usize {
  for (let i: usize = 0; i < n; i += 16) {
    v128.store(destino + i, v128.load(origem + i));
  }
  return destino + n;
}

// @ts-ignore: decorador do AssemblyScript
@inline function poePedaco(p: usize, i: i32): usize {
  return copiar(p, REGIAO_PEDACOS + <usize>i * TAMANHO_PEDACO,
    unchecked(comprimentos[i]),
  );
}

/** "00" a "99": dois dígitos por vez, metade das divisões. */
const PARES: usize = memory.data<u8>([
  0x30,0x30,0x30,0x31,0x30,0x32,0x30,0x33,0x30,0x34,0x30,0x35,0x30,0x36,0x30,0x37,0x30,0x38,0x30,0x39,0x31,0x30,0x31,0x31,0x31,0x32,0x31,0x33,0x31,0x34,0x31,0x35,0x31,0x36,0x31,0x37,0x31,0x38,0x31,0x39,0x32,0x30,0x32,0x31,0x32,0x32,0x32,0x33,0x32,0x34,0x32,0x35,0x32,0x36,0x32,0x37,0x32,0x38,0x32,0x39,0x33,0x30,0x33,0x31,0x33,0x32,0x33,0x33,0x33,0x34,0x33,0x35,0x33,0x36,0x33,0x37,0x33,0x38,0x33,0x39,0x34,0x30,0x34,0x31,0x34,0x32,0x34,0x33,0x34,0x34,0x34,0x35,0x34,0x36,0x34,0x37,0x34,0x38,0x34,0x39,0x35,0x30,0x35,0x31,0x35,0x32,0x35,0x33,0x35,0x34,0x35,0x35,0x35,0x36,0x35,0x37,0x35,0x38,0x35,0x39,0x36,0x30,0x36,0x31,0x36,0x32,0x36,0x33,0x36,0x34,0x36,0x35,0x36,0x36,0x36,0x37,0x36,0x38,0x36,0x39,0x37,0x30,0x37,0x31,0x37,0x32,0x37,0x33,0x37,0x34,0x37,0x35,0x37,0x36,0x37,0x37,0x37,0x38,0x37,0x39,0x38,0x30,0x38,0x31,0x38,0x32,0x38,0x33,0x38,0x34,0x38,0x35,0x38,0x36,0x38,0x37,0x38,0x38,0x38,0x39,0x39,0x30,0x39,0x31,0x39,0x32,0x39,0x33,0x39,0x34,0x39,0x35,0x39,0x36,0x39,0x37,0x39,0x38,0x39,0x39,
]);

/** Quantos dígitos decimais `n` tem. */
// @ts-ignore: decorador do AssemblyScript
@inline function digitosDe(n: u32): u32 {
  return n < 100000
    ? n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : n < 10000 ? 4 : 5
    : n < 10000000
    ? (n < 1000000 ? 6 : 7)
    : n < 100000000
    ? 8
    : n < 1000000000
    ? 9
    : 10;
}

/** `n` em decimal, com ao menos `minimo` dígitos. */
function poeInteiro(p: usize, n: u32, minimo: u32): usize {
  let digitos = digitosDe(n);
  if (digitos < minimo) digitos = minimo;
  let q = p + digitos;
  while (n >= 100) {
    const par = n % 100;
    n /= 100;
    q -= 2;
    store<u16>(q, load<u16>(PARES + (<usize>par << 1)));
  }
  if (n >= 10) {
    q -= 2;
    store<u16>(q, load<u16>(PARES + (<usize>n << 1)));
  } else {
    q--;
    store<u8>(q, 0x30 + n);
  }
  while (q > p) {
    q--;
    store<u8>(q, 0x30);
  }
  return p + digitos;
}

/**
 * Copia `[de, ate)` para `p` e confere que nada ali precisa de escape: só
 * ASCII imprimível (0x20–0x7e), sem `"` nem `\` (`nadaAEscapar` de
 * lib/protocolo/varredura.ts). Devolve a nova posição, ou 0 se precisa.
 */
function copiarSemEscape(de: usize, ate: usize, p: usize): usize {
  const espaco = i8x16.splat(0x20);
  const til = i8x16.splat(0x7e);
  const aspas = i8x16.splat(0x22);
  const barra = i8x16.splat(0x5c);
  let alerta = i8x16.splat(0);
  let i = de;
  for (; i + 16 <= ate; i += 16) {
    const v = v128.load(i);
    v128.store(p + (i - de), v);
    alerta = v128.or(
      alerta,
      v128.or(
        v128.or(i8x16.lt_u(v, espaco), i8x16.gt_u(v, til)),
        v128.or(i8x16.eq(v, aspas), i8x16.eq(v, barra)),
      ),
    );
  }
  const resto = ate - i;
  if (resto > 0) {
    // Os últimos bytes num bloco só; as pistas além do fim não contam.
    const v = v128.load(i);
    v128.store(p + (i - de), v);
    const ruim = v128.or(
      v128.or(i8x16.lt_u(v, espaco), i8x16.gt_u(v, til)),
      v128.or(i8x16.eq(v, aspas), i8x16.eq(v, barra)),
    );
    const pistas = i8x16.lt_u(
      v128(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      i8x16.splat(<i8>resto),
    );
    alerta = v128.or(alerta, v128.and(ruim, pistas));
  }
  return v128.any_true(alerta) ? 0 : p + (ate - de);
}

/**
 * Passa os quadros de `[inicio, fim)` (na região de entrada) para linhas a
 * partir de `saida` (na região de saída), até o primeiro que não souber
 * levar. Os resultados ficam para `posicaoFinal`, `saidaFinal`,
 * `mensagensPassadas`, `ultimoPassado` e, se parou por `CHAVE`,
 * `instanteDoQuadro`/`fusoDoQuadro`. Devolve o motivo da parada.
 */
export function passar(inicio: usize, fim: usize, saida: usize): i32 {
  const fimDaRegiao = REGIAO_SAIDA + CAPACIDADE_SAIDA;
  // Pedaços, os dois números (10 dígitos cada) e os milissegundos.
  const fixos = <usize>somaDosPedacos + 23;
  let pos = inicio;
  let p = saida;
  let n: u32 = 0;
  let motivo = FIM;
  while (pos + 5 <= fim) {
    const tamanho = bswap<u32>(load<u32>(pos));
    if (load<u8>(pos + 4) != MENSAGEM || tamanho > limite || tamanho < FIXO) {
      motivo = OUTRO;
      break;
    }
    const c = pos + 5;
    const f = c + <usize>tamanho;
    if (f > fim) break; // incompleto: FIM
    const numero = bswap<u32>(load<u32>(c));
    const instante = reinterpret<f64>(bswap<u64>(load<u64>(c + 4)));
    const fuso = <i32>(<i16>bswap<u16>(load<u16>(c + 12)));
    const fimDoAssunto = c + FIXO + <usize>bswap<u16>(load<u16>(c + 14));
    if (
      fimDoAssunto > f || !(Math.abs(instante) <= INSTANTE_MAXIMO) ||
      numero <= ultimo
    ) {
      motivo = OUTRO;
      break;
    }
    let segundo: f64;
    if (json) {
      segundo = Math.floor(instante / 1000.0);
      if (
        segundo != chave || fuso != fusoDaChave ||
        instante != Math.floor(instante)
      ) {
        motivo = CHAVE;
        instanteParado = instante;
        fusoParado = fuso;
        break;
      }
    } else {
      segundo = Math.floor((instante + <f64>fuso * 60000.0) / 1000.0);
      if (segundo != chave) {
        motivo = CHAVE;
        instanteParado = instante;
        fusoParado = fuso;
        break;
      }
    }
    if (p + fixos + <usize>tamanho > fimDaRegiao) {
      motivo = CHEIA;
      break;
    }
    let q = poePedaco(p, 0);
    q = poePedaco(q, 1);
    q = poeInteiro(q, numero, largura);
    q = poePedaco(q, 2);
    q = poePedaco(q, 3);
    q = poePedaco(q, 4);
    q = poePedaco(q, 5);
    q = poeInteiro(q, numero, 1);
    q = poePedaco(q, 6);
    if (json) {
      const ms = <u32>(instante - segundo * 1000.0);
      store<u8>(q, 0x30 + ms / 100);
      store<u16>(q + 1, load<u16>(PARES + (<usize>(ms % 100) << 1)));
      q += 3;
    }
    q = poePedaco(q, 7);
    q = copiarSemEscape(c + FIXO, fimDoAssunto, q);
    if (q == 0) {
      motivo = OUTRO;
      break;
    }
    q = poePedaco(q, 8);
    q = copiarSemEscape(fimDoAssunto, f, q);
    if (q == 0) {
      motivo = OUTRO;
      break;
    }
    p = poePedaco(q, 9);
    ultimo = numero;
    n++;
    pos = f;
  }
  posicao = pos;
  fimDaSaida = p;
  mensagens = n;
  return motivo;
}
