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
/**
 * O título do cliente original que a passagem dele aceita: o fim
 * ` - dd/mm/aaaa HH:MM:SS` já conferido pelo decodificador, e as linhas
 * fixas até o assunto (`\n\n> ASSUNTO:\n`): `TITULO_E_ROTULO` bytes.
 */
export const REGIAO_TITULO: usize = REGIAO_PEDACOS +
  <usize>PEDACOS * TAMANHO_PEDACO;
export const REGIAO_ENTRADA: usize = REGIAO_TITULO + 64;
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
  0x30, 0x30, 0x30, 0x31, 0x30, 0x32, 0x30, 0x33, 0x30, 0x34,
  0x30, 0x35, 0x30, 0x36, 0x30, 0x37, 0x30, 0x38, 0x30, 0x39,
  0x31, 0x30, 0x31, 0x31, 0x31, 0x32, 0x31, 0x33, 0x31, 0x34,
  0x31, 0x35, 0x31, 0x36, 0x31, 0x37, 0x31, 0x38, 0x31, 0x39,
  0x32, 0x30, 0x32, 0x31, 0x32, 0x32, 0x32, 0x33, 0x32, 0x34,
  0x32, 0x35, 0x32, 0x36, 0x32, 0x37, 0x32, 0x38, 0x32, 0x39,
  0x33, 0x30, 0x33, 0x31, 0x33, 0x32, 0x33, 0x33, 0x33, 0x34,
  0x33, 0x35, 0x33, 0x36, 0x33, 0x37, 0x33, 0x38, 0x33, 0x39,
  0x34, 0x30, 0x34, 0x31, 0x34, 0x32, 0x34, 0x33, 0x34, 0x34,
  0x34, 0x35, 0x34, 0x36, 0x34, 0x37, 0x34, 0x38, 0x34, 0x39,
  0x35, 0x30, 0x35, 0x31, 0x35, 0x32, 0x35, 0x33, 0x35, 0x34,
  0x35, 0x35, 0x35, 0x36, 0x35, 0x37, 0x35, 0x38, 0x35, 0x39,
  0x36, 0x30, 0x36, 0x31, 0x36, 0x32, 0x36, 0x33, 0x36, 0x34,
  0x36, 0x35, 0x36, 0x36, 0x36, 0x37, 0x36, 0x38, 0x36, 0x39,
  0x37, 0x30, 0x37, 0x31, 0x37, 0x32, 0x37, 0x33, 0x37, 0x34,
  0x37, 0x35, 0x37, 0x36, 0x37, 0x37, 0x37, 0x38, 0x37, 0x39,
  0x38, 0x30, 0x38, 0x31, 0x38, 0x32, 0x38, 0x33, 0x38, 0x34,
  0x38, 0x35, 0x38, 0x36, 0x38, 0x37, 0x38, 0x38, 0x38, 0x39,
  0x39, 0x30, 0x39, 0x31, 0x39, 0x32, 0x39, 0x33, 0x39, 0x34,
  0x39, 0x35, 0x39, 0x36, 0x39, 0x37, 0x39, 0x38, 0x39, 0x39,
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
 * As pistas de `v` que precisariam de escape: fora do ASCII imprimível
 * (0x20–0x7e), `"` ou `\` (`nadaAEscapar` de lib/protocolo/varredura.ts).
 */
// @ts-ignore: decorador do AssemblyScript
@inline function aEscapar(v: v128): v128 {
  return v128.or(
    v128.or(i8x16.lt_u(v, i8x16.splat(0x20)), i8x16.gt_u(v, i8x16.splat(0x7e))),
    v128.or(i8x16.eq(v, i8x16.splat(0x22)), i8x16.eq(v, i8x16.splat(0x5c))),
  );
}

/**
 * Copia `[de, ate)` para `p` e confere que nada ali precisa de escape: só
 * ASCII imprimível (0x20–0x7e), sem `"` nem `\` (`nadaAEscapar` de
 * lib/protocolo/varredura.ts). Devolve a nova posição, ou 0 se precisa.
 */
function copiarSemEscape(de: usize, ate: usize, p: usize): usize {
  let alerta = i8x16.splat(0);
  let i = de;
  for (; i + 16 <= ate; i += 16) {
    const v = v128.load(i);
    v128.store(p + (i - de), v);
    alerta = v128.or(alerta, aEscapar(v));
  }
  const resto = ate - i;
  if (resto > 0) {
    // Os últimos bytes num bloco só; as pistas além do fim não contam.
    const v = v128.load(i);
    v128.store(p + (i - de), v);
    const ruim = aEscapar(v);
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

// O bloco do cliente original (lib/protocolo/legado.ts), em palavras
// little-endian: "\n---\n> MENSAGEM #" (17 bytes), "\n> TEXTO" + ":\n" depois
// do "\n" do assunto, e "---\n" depois do "\n" do texto.
const ABERTURA_E_PREFIXO = v128(
  0x0a, 0x2d, 0x2d, 0x2d, 0x0a, 0x3e, 0x20, 0x4d,
  0x45, 0x4e, 0x53, 0x41, 0x47, 0x45, 0x4d, 0x20,
);
const CERQUILHA: u8 = 0x23;
const ROTULO_TEXTO: u64 = 0x4f54584554203e0a; // "\n> TEXTO"
const FIM_ROTULO_TEXTO: u16 = 0x0a3a; // ":\n"
const FECHAMENTO: u32 = 0x0a2d2d2d; // "---\n"
/** O fim do título (22 bytes), o "\n" dele e "\n> ASSUNTO:\n". */
const TITULO_E_ROTULO: usize = 35;
const NL: u8 = 0x0a;

/**
 * O `\n` que fecha a linha que começa em `de`, antes de `fim`; `0` se ela não
 * acaba antes de `fim` (bloco incompleto), `1` se algum byte antes dele
 * precisaria de escape (o caminho comum leva o bloco).
 */
function fimDaLinha(de: usize, fim: usize): usize {
  const nl = i8x16.splat(NL);
  for (let i = de; i < fim; i += 16) {
    const v = v128.load(i);
    // As pistas além de `fim` (lixo da região) não contam.
    let pistas: u32 = 0xffff;
    if (fim - i < 16) pistas = (<u32>1 << <u32>(fim - i)) - 1;
    const quebras = i8x16.bitmask(i8x16.eq(v, nl)) & pistas;
    let ruins = i8x16.bitmask(aEscapar(v)) & pistas;
    if (quebras != 0) {
      const k = ctz(quebras);
      ruins &= (<u32>1 << k) - 1;
      return ruins != 0 ? 1 : i + <usize>k;
    }
    if (ruins != 0) return 1;
  }
  return 0;
}

/**
 * Como `passar`, para os blocos do cliente original a partir de `inicio`
 * (na fronteira entre blocos): cada bloco inteiro e no formato, com o fim do
 * título igual ao da `REGIAO_TITULO` e assunto e texto sem nada a escapar, em
 * no máximo `limite` bytes juntos, vira a linha JSON. Para no primeiro que
 * não sabe levar (`OUTRO`: o `DecodificadorLegado` o lê ou recusa) ou no
 * incompleto (`FIM`). O número não precisa crescer.
 */
export function passarLegado(inicio: usize, fim: usize, saida: usize): i32 {
  const fimDaRegiao = REGIAO_SAIDA + CAPACIDADE_SAIDA;
  const fixos = <usize>somaDosPedacos + 23;
  const titulo0 = v128.load(REGIAO_TITULO);
  const titulo1 = v128.load(REGIAO_TITULO + 16);
  const titulo2 = load<u64>(REGIAO_TITULO + TITULO_E_ROTULO - 8);
  let pos = inicio;
  let p = saida;
  let n: u32 = 0;
  let motivo = FIM;
  while (pos < fim) {
    if (load<u8>(pos) != NL) {
      motivo = OUTRO; // CODIGO_SAIDA ou lixo
      break;
    }
    if (pos + 17 > fim) break;
    if (
      !i8x16.all_true(i8x16.eq(v128.load(pos), ABERTURA_E_PREFIXO)) ||
      load<u8>(pos + 16) != CERQUILHA
    ) {
      motivo = OUTRO;
      break;
    }
    // O número: de 3 a 10 dígitos (mais, raros, pelo caminho comum).
    const d0 = pos + 17;
    let t = d0;
    let numero: u64 = 0;
    while (t < fim) {
      const c = <u32>load<u8>(t) - 0x30;
      if (c > 9) break;
      numero = numero * 10 + <u64>c;
      t++;
      if (t - d0 > 10) break;
    }
    if (t == fim) break;
    const digitos = t - d0;
    if (digitos < 3 || digitos > 10 || numero > 0xffffffff) {
      motivo = OUTRO;
      break;
    }
    if (t + TITULO_E_ROTULO > fim) break;
    if (
      !i8x16.all_true(i8x16.eq(v128.load(t), titulo0)) ||
      !i8x16.all_true(i8x16.eq(v128.load(t + 16), titulo1)) ||
      load<u64>(t + TITULO_E_ROTULO - 8) != titulo2
    ) {
      motivo = OUTRO; // outro segundo, ou título fora do formato
      break;
    }
    const assunto = t + TITULO_E_ROTULO;
    const a = fimDaLinha(assunto, fim);
    if (a == 0) break;
    if (a == 1) {
      motivo = OUTRO;
      break;
    }
    if (a + 11 > fim) break;
    if (
      load<u64>(a + 1) != ROTULO_TEXTO || load<u16>(a + 9) != FIM_ROTULO_TEXTO
    ) {
      motivo = OUTRO;
      break;
    }
    const texto = a + 11;
    const b = fimDaLinha(texto, fim);
    if (b == 0) break;
    if (b == 1) {
      motivo = OUTRO;
      break;
    }
    if (b + 5 > fim) break;
    if (load<u32>(b + 1) != FECHAMENTO) {
      motivo = OUTRO;
      break;
    }
    const campos = (a - assunto) + (b - texto);
    if (campos > <usize>limite) {
      motivo = OUTRO; // o decodificador recusa
      break;
    }
    if (p + fixos + campos > fimDaRegiao) {
      motivo = CHEIA;
      break;
    }
    const num = <u32>numero;
    let q = poePedaco(p, 0);
    q = poePedaco(q, 1);
    q = poeInteiro(q, num, 1);
    q = poePedaco(q, 2);
    q = poePedaco(q, 3);
    q = poePedaco(q, 4);
    q = poePedaco(q, 5);
    q = poeInteiro(q, num, 1);
    q = poePedaco(q, 6);
    // A hora do título não tem milissegundos.
    store<u8>(q, 0x30);
    store<u8>(q + 1, 0x30);
    store<u8>(q + 2, 0x30);
    q = poePedaco(q + 3, 7);
    q = copiar(q, assunto, a - assunto);
    q = poePedaco(q, 8);
    q = copiar(q, texto, b - texto);
    p = poePedaco(q, 9);
    n++;
    pos = b + 5;
  }
  posicao = pos;
  fimDaSaida = p;
  mensagens = n;
  return motivo;
}
