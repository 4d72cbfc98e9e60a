/**
 * Linha de base (b): o teto do nosso enquadramento. Um receptor TCP em Deno
 * com um analisador mínimo do prefixo de comprimento: pula os corpos sem
 * copiá-los nem decodificá-los, guarda só o número da última MENSAGEM e manda
 * uma CONFIRMACAO cumulativa por leitura. Responde a saudação e CODIGO_SAIDA
 * como o servidor, para que o mesmo gerador o use; não escreve saída nenhuma.
 *
 * Uso: `deno run --allow-net receptor_quadros.ts --tamanho-maximo N`; escreve
 * a porta na saída padrão.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { parseArgs } from "node:util";
import { codificar } from "../../lib/protocolo/codificador.ts";
import { CABECALHO, Tipo, VERSAO } from "../../lib/protocolo/quadros.ts";

/** O mesmo teto de leitura da `Conexao` do projeto. */
const LEITURA = 256 * 1024;
/** Cabeçalho mais o número, o primeiro campo do corpo de MENSAGEM. */
const CABECALHO_E_NUMERO = CABECALHO + 4;

const { values } = parseArgs({
  args: Deno.args,
  options: { "tamanho-maximo": { type: "string", default: "1024" } },
});
const OLA = codificar({
  tipo: Tipo.OLA_SERVIDOR,
  versao: VERSAO,
  tamanhoMaximo: Number(values["tamanho-maximo"]),
  tempoOcioso: 0,
});
const SAIDA = codificar({ tipo: Tipo.DESPEDIDA });

async function escreverTudo(conn: Deno.Conn, bytes: Uint8Array) {
  let escritos = 0;
  while (escritos < bytes.length) {
    escritos += await conn.write(bytes.subarray(escritos));
  }
}

async function atender(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const buffer = new Uint8Array(LEITURA);
  const vista = new DataView(buffer.buffer);
  // Um cabeçalho (e número) partido entre leituras é juntado aqui.
  const cabecalho = new Uint8Array(CABECALHO_E_NUMERO);
  const vistaCabecalho = new DataView(cabecalho.buffer);
  let guardados = 0;
  let falta = 0; // bytes de corpo ainda a pular
  let ultimo = 0;
  let confirmar = false;
  let saudar = false;
  let saiu = false;
  let despediu = false;

  const outro = (tipo: number) => {
    if (tipo === Tipo.OLA_CLIENTE) saudar = true;
    else if (tipo === Tipo.DESPEDIDA) saiu = true;
  };

  const consumir = (n: number) => {
    let i = 0;
    while (i < n) {
      if (falta > 0) {
        const k = Math.min(falta, n - i);
        i += k;
        falta -= k;
        continue;
      }
      if (guardados === 0 && n - i >= CABECALHO_E_NUMERO) {
        // Caminho rápido: cabeçalho e número inteiros nesta leitura.
        const tamanho = vista.getUint32(i);
        const tipo = buffer[i + 4];
        if (tipo === Tipo.MENSAGEM) {
          ultimo = vista.getUint32(i + CABECALHO);
          confirmar = true;
        } else outro(tipo);
        i += CABECALHO;
        falta = tamanho;
        continue;
      }
      const precisa = guardados >= CABECALHO && cabecalho[4] === Tipo.MENSAGEM
        ? CABECALHO_E_NUMERO
        : CABECALHO;
      const k = Math.min(precisa - guardados, n - i);
      cabecalho.set(buffer.subarray(i, i + k), guardados);
      guardados += k;
      i += k;
      if (guardados < precisa) continue;
      const tamanho = vistaCabecalho.getUint32(0);
      const tipo = cabecalho[4];
      if (tipo === Tipo.MENSAGEM && precisa === CABECALHO) continue; // falta o número
      if (tipo === Tipo.MENSAGEM) {
        ultimo = vistaCabecalho.getUint32(CABECALHO);
        confirmar = true;
        falta = tamanho - 4;
      } else {
        outro(tipo);
        falta = tamanho;
      }
      guardados = 0;
    }
  };

  try {
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      if (despediu) continue; // descarta até o par fechar
      consumir(n);
      const partes: Uint8Array[] = [];
      if (saudar) partes.push(OLA);
      if (confirmar) {
        partes.push(codificar({ tipo: Tipo.CONFIRMACAO, numero: ultimo }));
      }
      if (saiu) partes.push(SAIDA);
      saudar = confirmar = false;
      if (partes.length === 1) await escreverTudo(conn, partes[0]);
      else if (partes.length > 1) {
        const junto = new Uint8Array(
          partes.reduce((soma, parte) => soma + parte.length, 0),
        );
        let pos = 0;
        for (const parte of partes) {
          junto.set(parte, pos);
          pos += parte.length;
        }
        await escreverTudo(conn, junto);
      }
      if (saiu) {
        despediu = true;
        await conn.closeWrite();
      }
    }
  } catch {
    // O par foi embora: nada a fazer.
  } finally {
    conn.close();
  }
}

const ouvinte = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`> pronto na porta ${ouvinte.addr.port}`);
for await (const conn of ouvinte) atender(conn);
