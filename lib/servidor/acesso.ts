/**
 * Controle de acesso do servidor: listas de endereços permitidos e negados
 * (CIDR, IPv4 e IPv6, com `ipaddr.js`), comparação do token em tempo
 * constante. O limite de quem erra o token está em tentativas.ts.
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";
import ipaddr from "ipaddr.js";

type Faixa = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Lê `10.0.0.0/8`, `::1/128` ou um endereço só (vira /32 ou /128). Uma faixa
 * IPv4 escrita como IPv6 mapeado (`::ffff:10.0.0.0/104`) vira a faixa IPv4
 * (`10.0.0.0/8`): os endereços dos clientes chegam como IPv4 (`recusar`), e
 * ela nunca casaria.
 *
 * @throws {RangeError} faixa ilegível, ou mapeada com menos de 96 bits
 */
export function lerFaixa(texto: string): Faixa {
  let faixa: Faixa;
  try {
    if (texto.includes("/")) {
      faixa = ipaddr.parseCIDR(texto);
    } else {
      const endereco = ipaddr.parse(texto);
      faixa = [endereco, endereco.kind() === "ipv4" ? 32 : 128];
    }
  } catch {
    throw new RangeError(
      `faixa de endereços inválida: "${texto}" (use por exemplo 192.168.0.0/16 ou fd00::/8)`,
    );
  }
  const [base, bits] = faixa;
  if (base.kind() === "ipv6" && (base as ipaddr.IPv6).isIPv4MappedAddress()) {
    if (bits < 96) {
      throw new RangeError(
        `faixa IPv4 escrita como IPv6 com menos de 96 bits: "${texto}" (escreva a faixa IPv4, por exemplo 10.0.0.0/8)`,
      );
    }
    return [(base as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return faixa;
}

/** Decide quem pode conectar. `--negar` prevalece sobre `--permitir`. */
export class ListaDeAcesso {
  readonly #permitir: Faixa[];
  readonly #negar: Faixa[];

  constructor(permitir: readonly string[], negar: readonly string[]) {
    this.#permitir = permitir.map(lerFaixa);
    this.#negar = negar.map(lerFaixa);
  }

  /** Há alguma regra? Sem regras, todos entram. */
  get ativa(): boolean {
    return this.#permitir.length > 0 || this.#negar.length > 0;
  }

  /** `undefined` se pode entrar; senão o motivo da recusa. */
  recusar(endereco: string): string | undefined {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      // `process` converte ::ffff:1.2.3.4 (IPv4 num socket IPv6) em 1.2.3.4.
      ip = ipaddr.process(endereco);
    } catch {
      return `endereço ilegível: ${endereco}`;
    }
    const casa = (faixas: Faixa[]) =>
      faixas.find(([base, bits]) =>
        ip.kind() === base.kind() && ip.match(base, bits)
      );
    const negada = casa(this.#negar);
    if (negada) return `endereço negado por --negar ${negada[0]}/${negada[1]}`;
    if (this.#permitir.length > 0 && !casa(this.#permitir)) {
      return "endereço fora das faixas de --permitir";
    }
    return undefined;
  }
}

/**
 * Compara dois tokens em tempo constante: compara os resumos SHA-256, de
 * tamanho fixo, com `timingSafeEqual`; assim nem o conteúdo nem o tamanho do
 * token certo vazam pelo tempo da resposta.
 */
export function tokensIguais(a: string, b: string): boolean {
  const resumo = (t: string) => createHash("sha256").update(t, "utf8").digest();
  return timingSafeEqual(resumo(a), resumo(b));
}
