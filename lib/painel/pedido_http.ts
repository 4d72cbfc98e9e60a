/**
 * A análise de um pedido HTTP/1.1 do painel, pura (bytes → pedido ou código
 * de erro), estrita de propósito: só a forma `/caminho` do alvo, linhas
 * terminadas em CRLF, nada de dobras nem de `transfer-encoding`, um
 * `content-length` só. O que um navegador ou um `curl` mandam passa; o resto
 * recebe o código HTTP que o explica. Quem lê a conexão é `http.ts`.
 *
 * @module
 */

/** O fim do cabeçalho: uma linha vazia. */
export const FIM_DO_CABECALHO = Uint8Array.of(13, 10, 13, 10);

/** Um pedido lido. */
export interface Pedido {
  metodo: string;
  /** O alvo como veio (`/eventos?desde=3`). */
  alvo: string;
  cabecalhos: Headers;
  /** Bytes de corpo anunciados (`content-length`; 0 sem ele). */
  tamanhoDoCorpo: number;
  corpo: Uint8Array<ArrayBuffer>;
}

const LINHA_DO_PEDIDO = /^([A-Z]{1,16}) (\/[!-~]*) HTTP\/(\d)\.(\d)$/;
// O valor vai inteiro e é aparado depois (`trim`): `[ \t]*(.*?)[ \t]*$` leva
// tempo quadrático num valor com muitos espaços no meio (~100 ms em 16 KiB,
// com o laço de eventos parado).
const CAMPO = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):(.*)$/;

/**
 * Analisa o cabeçalho (sem o `\r\n\r\n` do fim). Devolve o pedido sem corpo
 * (o corpo, de `tamanhoDoCorpo` bytes, vem depois) ou o código do erro: 400
 * (malformado), 413 (corpo acima de `corpoMaximo`), 501 (`transfer-encoding`)
 * ou 505 (outra versão que não 1.x).
 */
export function analisarPedido(
  bytes: Uint8Array,
  corpoMaximo: number,
): Pedido | number {
  const texto = emTexto(bytes);
  if (texto === undefined) return 400;
  const [primeira, ...campos] = texto.split("\r\n");
  const linha = LINHA_DO_PEDIDO.exec(primeira!);
  if (!linha) return 400;
  if (linha[3] !== "1") return 505;
  const cabecalhos = lerCampos(campos);
  if (cabecalhos === undefined) return 400;
  if (cabecalhos.has("transfer-encoding")) return 501;
  const tamanho = tamanhoDoCorpo(cabecalhos.get("content-length"));
  if (tamanho === undefined) return 400;
  if (tamanho > corpoMaximo) return 413;
  return {
    metodo: linha[1]!,
    alvo: linha[2]!,
    cabecalhos,
    tamanhoDoCorpo: tamanho,
    corpo: new Uint8Array(0),
  };
}

/**
 * O texto (um caractere por byte), se não há controles além de tabulação e
 * CRLF (um CR ou LF sozinho não vale: é onde pedidos ambíguos se escondem).
 * Bytes acima de 127 passam: um cookie de outro programa no mesmo host (os
 * cookies não se separam por porta) pode tê-los, e barrar o pedido trancaria
 * o navegador fora do painel; a linha do pedido continua só ASCII.
 */
function emTexto(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 13) {
      if (bytes[i + 1] !== 10) return undefined;
      i++;
    } else if (b === 10 || b === 127 || (b < 32 && b !== 9)) return undefined;
  }
  return String.fromCharCode(...bytes);
}

/** Os campos do cabeçalho, ou `undefined` se algum está malformado. */
function lerCampos(linhas: string[]): Headers | undefined {
  const cabecalhos = new Headers();
  for (const linha of linhas) {
    const campo = CAMPO.exec(linha);
    if (!campo) return undefined; // inclui as dobras (linha que começa com espaço)
    const nome = campo[1];
    // Depois de `emTexto`, os únicos brancos possíveis são espaço e tabulação.
    const valor = campo[2]!.trim();
    if (nome!.toLowerCase() === "content-length" && cabecalhos.has(nome!)) {
      return undefined;
    }
    cabecalhos.append(nome!, valor!);
  }
  return cabecalhos;
}

/** O `content-length` (0 sem ele), ou `undefined` se não é um número. */
function tamanhoDoCorpo(valor: string | null): number | undefined {
  if (valor === null) return 0;
  return /^\d{1,9}$/.test(valor) ? Number(valor) : undefined;
}
