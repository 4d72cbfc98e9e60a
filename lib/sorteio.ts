/**
 * Sessões sorteadas: 128 bits do gerador criptográfico, em 32 dígitos
 * hexadecimais minúsculos, a forma que a saudação da versão 2 leva e que o
 * `id` das mensagens mostra. O cliente sorteia a sua; o servidor sorteia uma
 * para cada conexão que não trouxe sessão (versão 1, cliente original).
 *
 * @module
 */

const HEX = "0123456789abcdef";

/** Uma sessão nova: 16 bytes aleatórios em hexadecimal. */
export function sortearSessao(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let texto = "";
  for (const b of bytes) texto += HEX[b >> 4] + HEX[b & 15];
  return texto;
}
