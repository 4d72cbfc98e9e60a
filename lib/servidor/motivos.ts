/**
 * Por que a leitura de um cliente falhou, numa frase em português que diz ao
 * operador o que fazer: os alertas e erros de TLS (em inglês, do runtime)
 * viram a causa provável — o cliente não confia na CA deste servidor, o
 * cliente não fala TLS —; o resto fica como o sistema disse. A sessão do
 * servidor (sessao.ts) põe a frase no evento "desconectou". Pura: só texto.
 *
 * @module
 */

/** Causas conhecidas: o padrão no texto do erro e a frase para o operador. */
const CAUSAS: readonly [RegExp, string][] = [
  [
    /UnknownCA|unknown ca/i,
    "TLS: o cliente não confia no certificado deste servidor (CA desconhecida); dê a ele a CA que o emitiu, com --ca",
  ],
  [
    /BadCertificate|CertificateUnknown|bad certificate/i,
    "TLS: o cliente recusou o certificado deste servidor (nome que não confere ou certificado inválido); confira o nome em --host do cliente e o certificado de --tls-cert",
  ],
  [
    /CertificateExpired|certificate expired/i,
    "TLS: o cliente recusou o certificado deste servidor porque expirou; renove o de --tls-cert",
  ],
  [
    /corrupt message|InvalidContentType/i,
    "TLS: o cliente não fala TLS (conectou sem --tls?); este servidor só aceita TLS",
  ],
  [
    /received fatal alert: (\w+)/i,
    "TLS: o cliente abortou o handshake (alerta $1); confira a versão do TLS e os certificados dos dois lados",
  ],
  [
    /peer is incompatible|no shared|handshake/i,
    "TLS: o handshake com o cliente falhou; confira a versão do TLS e os certificados dos dois lados",
  ],
];

/**
 * A frase do motivo de uma leitura que deu erro.
 *
 * @example
 * ```ts
 * import { motivoDeLeitura } from "./motivos.ts";
 *
 * motivoDeLeitura(new Error("received fatal alert: UnknownCA"));
 * // "TLS: o cliente não confia no certificado deste servidor (CA desconhecida); ..."
 * ```
 */
export function motivoDeLeitura(erro: unknown): string {
  const texto = (erro as Error)?.message ?? String(erro);
  for (const [padrao, frase] of CAUSAS) {
    const achado = padrao.exec(texto);
    if (achado) return frase.replace("$1", achado[1] ?? "");
  }
  return `erro de leitura: ${texto}`;
}
