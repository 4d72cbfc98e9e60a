/**
 * Injeção de terminal (CWE-150) num pseudo-terminal de verdade: o servidor
 * roda dentro do tmux (um servidor tmux só deste teste, em socket próprio),
 * recebe uma mensagem com troca de título (OSC), fundo vermelho e movimentos
 * de cursor, e o terminal não muda: título, cores e tela ficam como estavam,
 * e o texto aparece escapado. Uma janela de controle prova que o mesmo tmux
 * interpretaria essas sequências se elas chegassem cruas.
 *
 * @module
 */

import assert from "node:assert/strict";
import { opcoesDaTarefa } from "../ajudantes.ts";
import { temTmux, Tmux } from "./tmux.ts";
import { Cliente } from "../../lib/cliente/sessao.ts";

const RAIZ = new URL("../../", import.meta.url);

const TMUX = temTmux();
if (!TMUX) {
  // deno-lint-ignore no-console -- explica por que o teste foi pulado
  console.error(
    "tmux_test: tmux não encontrado; teste do pseudo-terminal pulado (o .ci/run o instala: apt-get install tmux)",
  );
}

/** Os parâmetros de toda sequência SGR (`ESC [ ... m`) da tela capturada. */
function parametrosSgr(tela: string): string[] {
  // deno-lint-ignore no-control-regex -- procura justamente as sequências
  return [...tela.matchAll(/\x1b\[([0-9;:]*)m/g)].flatMap((m) =>
    m[1].split(/[;:]/)
  );
}

Deno.test({
  name:
    "num terminal de verdade (tmux), escapes numa mensagem não mudam título, cores nem tela",
  ignore: !TMUX,
  async fn() {
    const tmux = new Tmux();
    try {
      await tmux.rodar(
        "new-session",
        "-d",
        "-s",
        "sdr",
        "-n",
        "servidor",
        "-x",
        "200",
        "-y",
        "50",
        Deno.execPath(),
        "run",
        ...opcoesDaTarefa("servidor"),
        new URL("servidor.ts", RAIZ).pathname,
        "--host",
        "127.0.0.1",
        "--porta",
        "0",
        ";",
        "set-option",
        "-t",
        "sdr",
        "remain-on-exit",
        "on",
      );
      const pronto = await tmux.esperar(
        "sdr:servidor",
        /na porta (\d+)\. Aguardando/,
      );
      const porta = Number(pronto[1]);
      const tituloAntes = await tmux.titulo("sdr:servidor");

      // Controle: as mesmas sequências, cruas, mudam este tmux.
      await tmux.rodar(
        "new-window",
        "-d",
        "-t",
        "sdr",
        "-n",
        "controle",
        "sh",
        "-c",
        "printf '\\033]0;CONTROLE\\007\\033[41mVERMELHO\\033[0m\\n'; exec cat",
      );
      await tmux.esperar("sdr:controle", /VERMELHO/);
      assert.equal(await tmux.titulo("sdr:controle"), "CONTROLE");
      assert.ok(
        parametrosSgr(await tmux.tela("sdr:controle", true)).includes("41"),
        "o controle deveria ter fundo vermelho",
      );

      const cliente = await Cliente.conectar({
        host: "127.0.0.1",
        porta,
        tempoLimite: 5000,
      });
      await cliente.enviar(
        cliente.compor(
          "\x1b]0;HACKED\x07\x1b[41mASSUNTO-VERMELHO",
          "\x1b[2J\x1b[Hcursor no topo\x1b[41mTEXTO-VERMELHO\x9b2J\u202eevil",
        ),
      );
      assert.equal(await cliente.sair(), null);
      await tmux.esperar("sdr:servidor", /saiu \(CODIGO_SAIDA\)/);

      const tela = await tmux.tela("sdr:servidor");
      // O título não mudou.
      const tituloDepois = await tmux.titulo("sdr:servidor");
      assert.equal(tituloDepois, tituloAntes);
      assert.ok(!tituloDepois.includes("HACKED"));
      // O texto aparece escapado, visível.
      assert.ok(
        tela.includes("\\x1B]0;HACKED\\x07\\x1B[41mASSUNTO-VERMELHO"),
        tela,
      );
      assert.ok(
        tela.includes(
          "\\x1B[2J\\x1B[Hcursor no topo\\x1B[41mTEXTO-VERMELHO\\x9B2J\\u{202E}evil",
        ),
        tela,
      );
      // A tela não foi limpa nem o cursor levado ao topo: a linha de pronto
      // continua na primeira linha.
      assert.match(tela, /^> Servidor configurado em 127\.0\.0\.1 na porta/);
      // Nenhum fundo vermelho (nem outra cor de fundo) veio da mensagem.
      const sgr = parametrosSgr(await tmux.tela("sdr:servidor", true));
      assert.ok(!sgr.includes("41"), `SGR na tela: ${sgr.join(",")}`);
      assert.ok(!sgr.includes("48"), `SGR na tela: ${sgr.join(",")}`);
    } finally {
      await tmux.encerrar();
    }
  },
});
