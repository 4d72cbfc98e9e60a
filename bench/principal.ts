/**
 * O banco de medidas (`deno task bench`): inicia o `servidor.ts` de verdade,
 * com as permissões da tarefa `servidor` do deno.json e a saída `--json`
 * indo direto para um arquivo; mede com o gerador (bench/gerador.ts, em
 * processos à parte) os cinco cenários da issue de desempenho (6) e os da
 * issue 18 (6 a 10: CPU por mensagem ao lado do nats-server, saída para
 * pessoas, TLS, conexões curtas, texto do cliente original), o da issue 16
 * (11: o painel web com espectadores) e o da issue 17 (12: JetStream), cada
 * um intercalado com as linhas de base medidas na mesma rodada
 * (bench/linha_de_base/), e o da issue 13 (13: reconexão depois de um
 * reinício do servidor, sem base); e escreve `bench/resultados/AAAA-MM-DD.md` e
 * `.json`. Tudo o que inicia, para pelo PID. Cada cenário mora em
 * bench/cenarios/; este módulo lê as opções, percorre os cenários e escreve
 * o relatório.
 *
 * Uso: `deno task bench [--rapido] [--perfil] [--saida PASTA]`.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { parseArgs } from "node:util";
import { linhaDeFalha } from "./cenarios/cenario.ts";
import type { Cenario } from "./cenarios/cenario.ts";
import { grandes } from "./cenarios/grandes.ts";
import { latencia } from "./cenarios/latencia.ts";
import { ociosos } from "./cenarios/ociosos.ts";
import { partida } from "./cenarios/partida.ts";
import { vazao1, vazao8 } from "./cenarios/vazao.ts";
import { nats } from "./cenarios/nats.ts";
import { legivel } from "./cenarios/legivel.ts";
import { tls } from "./cenarios/tls.ts";
import { curtas } from "./cenarios/curtas.ts";
import { legado } from "./cenarios/legado.ts";
import { painel } from "./cenarios/painel.ts";
import { jetstream } from "./cenarios/jetstream.ts";
import { reconexao } from "./cenarios/reconexao.ts";
import {
  COMPLETO,
  type Config,
  GRANDE,
  LIMITE_GRANDE,
  PEQUENA,
  RAPIDO,
} from "./configuracao.ts";
import { numero } from "./estatistica.ts";
import { PASTA_EM_MEMORIA, pastaTemporaria } from "./medicao.ts";
import { perfilar } from "./perfilar.ts";
import { caminho, opcoesDaTarefa, pararTodos } from "./processos.ts";
import {
  dataLocal,
  escrever,
  lerCodigo,
  lerMaquina,
  type Linha,
  type Relatorio,
} from "./relatorio.ts";

const USO = `banco de medidas do Sockets de Rede

Uso: deno task bench [--rapido] [--perfil] [--cenarios 1,3] [--saida PASTA]

  --rapido   tudo pequeno, em menos de um minuto (teste de fumaça; sem alvos)
  --cenarios só os cenários listados (números de 1 a 13, separados por vírgula)
  --perfil   também grava um perfil de CPU do servidor no cenário 1
             (8 conexões) e resume as funções com mais tempo próprio
  --saida    pasta dos resultados (padrão: bench/resultados)
`;

/** Os cenários, na ordem em que rodam e aparecem na tabela. */
const CENARIOS: readonly Cenario[] = [
  vazao1,
  vazao8,
  grandes,
  latencia,
  ociosos,
  partida,
  nats,
  legivel,
  tls,
  curtas,
  legado,
  painel,
  jetstream,
  reconexao,
];

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      rapido: { type: "boolean", default: false },
      perfil: { type: "boolean", default: false },
      cenarios: { type: "string" },
      saida: { type: "string" },
      ajuda: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.ajuda) {
    console.log(USO);
    return 0;
  }
  const config: Config = {
    rapido: values.rapido,
    perfil: values.perfil,
    ...(values.rapido ? RAPIDO : COMPLETO),
  };
  const pastaSaida = values.saida ?? caminho("bench/resultados");
  const inicio = performance.now();
  const codigo = await lerCodigo();
  const escolhidos = values.cenarios === undefined
    ? undefined
    : new Set(values.cenarios.split(",").map(Number));
  const temp = await pastaTemporaria();
  const aoInterromper = () => {
    console.error("\nbench: interrompido; parando os processos iniciados...");
    pararTodos().finally(() => {
      Deno.removeSync(temp, { recursive: true });
      Deno.exit(130);
    });
  };
  Deno.addSignalListener("SIGINT", aoInterromper);

  const linhas: Linha[] = [];
  const notas: string[] = [];
  const resultados: Record<string, unknown> = {};
  let falhas = 0;
  let perfil: string | undefined;
  /** Roda um cenário; uma falha vira uma linha da tabela e não para os outros. */
  const rodar = async (cenario: Cenario) => {
    if (escolhidos && !escolhidos.has(cenario.numero)) return;
    const titulo = cenario.titulo(config);
    console.log(`${titulo}...`);
    try {
      const medida = await cenario.executar(config, temp);
      resultados[cenario.chave] = medida.resultado;
      if (medida.notas) notas.push(...medida.notas);
      linhas.push(medida.linha);
    } catch (erro) {
      falhas++;
      console.error(`  falhou: ${(erro as Error).message}`);
      resultados[cenario.chave] = { erro: (erro as Error).message };
      linhas.push(linhaDeFalha(titulo, erro));
    }
  };

  try {
    const maquina = await lerMaquina();
    console.log(
      `bench ${
        config.rapido ? "rápido" : "completo"
      }: ${maquina.cpu}, ${maquina.nucleos} núcleos, Linux ${maquina.kernel}, Deno ${maquina.deno}`,
    );
    for (const cenario of CENARIOS) {
      await rodar(cenario);
      // O perfil pega a carga do cenário 1 com 8 conexões, logo depois dele
      // (escolhido ou não).
      if (cenario === vazao8 && config.perfil) {
        console.log("perfil de CPU do servidor (8 conexões)...");
        try {
          perfil = await perfilar(
            config,
            temp,
            `${pastaSaida}/${dataLocal()}-servidor.cpuprofile`,
          );
          console.log(perfil);
        } catch (erro) {
          falhas++;
          console.error(`  falhou: ${(erro as Error).message}`);
        }
      }
    }
  } finally {
    await pararTodos();
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    Deno.removeSignalListener("SIGINT", aoInterromper);
  }

  if (config.rapido) {
    for (const linha of linhas) if (linha.atende !== null) linha.atende = null;
  }
  notas.push(...notasDoMetodo(config, temp));
  if (config.rapido) {
    notas.unshift(
      "Modo rápido: execuções curtas e poucos clientes; serve só para ver que tudo funciona, não para comparar com os alvos.",
    );
  }

  const relatorio: Relatorio = {
    data: dataLocal(),
    modo: config.rapido ? "rapido" : "completo",
    cenariosEscolhidos: escolhidos && [...escolhidos].sort((a, b) => a - b),
    duracaoTotalS: (performance.now() - inicio) / 1000,
    maquina: await lerMaquina(),
    codigo,
    parametros: {
      ...(config.rapido ? RAPIDO : COMPLETO),
      mensagemPequena: PEQUENA,
      mensagemGrande: GRANDE,
      tamanhoMaximoGrande: LIMITE_GRANDE,
      permissoesServidor: opcoesDaTarefa("servidor"),
      permissoesCliente: opcoesDaTarefa("cliente"),
    },
    linhas,
    notas,
    perfil,
    cenarios: resultados,
  };
  const arquivos = await escrever(relatorio, pastaSaida);
  console.log(`\nresultados: ${arquivos.join(", ")}`);
  console.log(
    `duração total: ${numero(relatorio.duracaoTotalS, 1)} s${
      falhas ? `; ${falhas} cenário(s) falharam` : ""
    }`,
  );
  return falhas > 0 ? 1 : 0;
}

/** As notas que explicam o método, depois das notas dos cenários. */
function notasDoMetodo(config: Config, temp: string): string[] {
  return [
    `O servidor é o \`servidor.ts\` de verdade, iniciado com \`deno run\` e as permissões da tarefa \`servidor\` do deno.json, com \`--json\` e a saída padrão indo direto para um arquivo (redirecionada pelo \`sh\`, sem passar pelo banco) em ${
      temp.startsWith(PASTA_EM_MEMORIA)
        ? `${PASTA_EM_MEMORIA} (tmpfs: mede o servidor, não a devolução de páginas sujas ao disco virtual, que disputa os mesmos núcleos)`
        : "uma pasta temporária"
    }. Depois de cada execução, o banco confere com \`grep -c\` que cada mensagem confirmada foi escrita no arquivo, e o esvazia.`,
    "O gerador de carga (bench/gerador.ts) roda num processo `deno` próprio. Vazão: cada conexão codifica um lote de ~256 KiB de quadros com `codificarMensagem` (lib/protocolo/codificador.ts) e só renumera o lote a cada escrita pela `Conexao` (lib/conexao.ts); até 4 MiB por conexão ficam sem confirmação; as confirmações cumulativas são lidas com o `Decodificador`. O tempo vai do início do envio até a última confirmação.",
    "MB/s conta os quadros inteiros no fio (cabeçalho de 5 bytes + 16 fixos + assunto + texto; 121 bytes para a mensagem de 100 bytes), em 10⁶ bytes por segundo.",
    "Linhas de base, na mesma rodada e intercaladas com o servidor: (a) receptor TCP cru que lê e descarta (bench/linha_de_base/receptor_cru.ts; o gerador manda os mesmos bytes sem saudação e espera o receptor ler tudo); (b) analisador mínimo do prefixo de comprimento com uma confirmação por leitura (receptor_quadros.ts); (c) `deno run` de um script vazio (vazio.ts); (d) pingue-pongue TCP cru (pingue.ts). As bases (a) e (b) também são limitadas pelo próprio gerador e pela cópia no loopback do kernel: são pisos do teto verdadeiro.",
    `Latência: \`Cliente.enviar\` (lib/cliente/sessao.ts) e espera a confirmação, uma por vez, depois de um aquecimento; a base é a mesma ida e volta (121 bytes vão, 9 voltam) em TCP cru. ${config.execucoesLatencia} execuções de cada lado, intercaladas: o p99 desta máquina varia ±30% entre execuções.`,
    `Ociosos: \`Cliente.conectar\` (saudação completa) de todos os clientes num processo, com \`ulimit -n\` elevado no servidor e no gerador; RSS é o VmRSS de /proc/PID/status do servidor antes (depois de um cliente de aquecimento), logo depois de todos conectados e, com eles parados, depois que o heap assenta; a diferença para a de antes é dividida pelo número de clientes. O alvo julga a assentada: enquanto as conexões chegam, o V8 aumenta a geração nova (o semiespaço) de ~2,5 MiB para 41–50 MiB com 10.000 conexões (o teto, ~52 MiB, com 15.000), um custo fixo que, dividido por 10.000, eram 4–5 KiB "por conexão", variando de uma execução para outra; ~30 s depois, parado, o redutor de memória do V8 a devolve. O banco lê a RSS a cada segundo até ela cair 16 MiB abaixo do pico, mais duas leituras (no máximo ${
      numero(config.esperaAssentarMs / 1000)
    } s). Medir em duas metades não serviria: a geração nova ainda cresce na segunda. Conferido à parte que a assentada não esconde um custo por conexão: com 19.800 clientes ela fica em 5,2–5,3 KiB por conexão, contra 6,0 com 10.000 (as 9.800 a mais custaram ~4,5 KiB cada; o resto ainda é fixo), medidos antes do bloco compartilhado de leitura de lib/conexao.ts (que levou a de 10.000 a 5,6). As rajadas começam do heap assentado, e a geração nova que volta a crescer durante elas entra em parte no marginal da segunda metade (um limite de cima).`,
    "Cliente de uma mensagem: `cliente.ts --assunto x --texto y` com as permissões da tarefa `cliente`, do início do processo ao fim, cronometrado por este processo; o pico de memória vem de `/usr/bin/time -f %M` (quando existe).",
    "CPU por mensagem (bench/cpu.ts): o tempo de CPU do processo medido — o `deno` do servidor em si (o `sh` que o inicia faz `exec`, então o PID é o dele), o nats-server ou a linha de base —, somando todos os fios: o primeiro campo de `/proc/PID/task/*/schedstat` (ns), diferença por fio entre uma leitura logo antes de iniciar o gerador e outra depois da conferência da saída (escrever a saída entra na conta); se utime + stime de `/proc/PID/stat` (tiques de `getconf CLK_TCK`, que incluem fios já terminados) passar disso em mais de dois tiques, vale o stat. Dividido pelas mensagens (ou sessões) da execução. O gerador roda noutro processo e não entra.",
    `Cenários 6 a 10: ${config.rodadasLadoALado} execução(ões) intercaladas de cada lado${
      config.aquecerLadoALado ? ", depois de uma de aquecimento," : ""
    } no mesmo servidor ou em servidores iniciados na mesma rodada. (6) o nosso servidor com \`--json\` e a carga do cenário 1 com 8 conexões contra o \`nats-server\` do pacote Debian (127.0.0.1, porta efêmera), que recebe de bench/linha_de_base/publicador_nats.ts, em 8 conexões, \`CONNECT {"verbose":false,"pedantic":false}\` e lotes de ~256 KiB de \`PUB bench.nats 100\` com 100 bytes cada, sem esperar nada, e no fim \`PING\` até o \`PONG\` (tudo processado); sem assinantes, o nats-server só lê e descarta; e, na mesma rodada, o gravador cru (bench/linha_de_base/gravador_cru.ts), que recebe a mesma carga do gerador sem saudação nem confirmações e, para cada quadro, grava numa saída em arquivo da mesma pasta uma linha do tamanho da linha \`--json\` do servidor, em escritas síncronas de até 1024 linhas: o piso de ler o socket e gravar as linhas, sem protocolo nem formatação. (7) o servidor no modo padrão, para pessoas, com a saída num arquivo, contra o mesmo com \`--json\`, mesma carga. (8) o servidor com \`--tls-cert\`/\`--tls-chave\` (CA e certificado ECDSA P-256 descartáveis, gerados pelo \`openssl\` na pasta temporária; o gerador conecta com \`Deno.connectTls\` confiando só nessa CA) contra o mesmo sem TLS; as sessões TLS curtas são as do cenário 9, cada uma com um handshake completo (sem retomada). (9) 64 clientes num processo, cada um repetindo conectar → OLA_CLIENTE → OLA_SERVIDOR → uma MENSAGEM → CONFIRMACAO → DESPEDIDA → fim, com o codec direto (sem o \`Cliente\`); a base (bench/linha_de_base/aceitador.ts) aceita, lê um quadro pelo prefixo de comprimento, responde 9 bytes e fecha. (10) o gerador manda por 8 conexões os blocos de texto do cliente original (\`codificarBlocoLegado\`) e CODIGO_SAIDA, e fecha cada uma logo depois, como o cliente.py; sem confirmação, o tempo vai até o arquivo \`--json\` do servidor ter a linha de cada mensagem (o gerador conta as linhas de mensagem enquanto chegam); a base é o caminho do protocolo no mesmo servidor.`,
  ];
}

if (import.meta.main) Deno.exit(await main(Deno.args));
