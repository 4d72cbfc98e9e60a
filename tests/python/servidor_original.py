#!/usr/bin/env python3
"""Emulador do servidor original (servidor.py) para os testes de ponta a ponta.

Faz o que o servidor original faz (ver LEGADO.md): bind, listen(1), aceita um
único cliente e lê com recv(1024), imprimindo cada pedaço como veio, até um
pedaço ser exatamente ``CODIGO_SAIDA``. Nunca envia nada ao cliente.

Diferenças, para servir de teste:

* imprime também ``PORTA <n>`` com a porta de fato usada (aceita ``--porta 0``);
* grava todos os bytes recebidos, exatos, em ``--saida`` e o tamanho de cada
  recv, um por linha, em ``<saida>.recvs`` (para conferir se CODIGO_SAIDA
  chegou sozinho num recv);
* para também quando o cliente fecha (o original ficaria girando em leituras
  vazias) e desiste depois de ``--tempo`` segundos (código 1).

Só usa a biblioteca padrão.
"""

import argparse
import socket
import sys
import time

SAIDA = b"CODIGO_SAIDA"


def dizer(texto):
    print(texto, flush=True)


def restante(prazo):
    """Segundos até o prazo; acabar o tempo é um erro, não uma espera infinita."""
    falta = prazo - time.monotonic()
    if falta <= 0:
        raise socket.timeout("prazo esgotado")
    return falta


def receber(conexao, prazo, saida, recvs):
    while True:
        conexao.settimeout(restante(prazo))
        dados = conexao.recv(1024)
        if not dados:
            return  # o cliente fechou sem CODIGO_SAIDA sozinho num recv
        saida.write(dados)
        saida.flush()
        recvs.write("%d\n" % len(dados))
        recvs.flush()
        sys.stdout.buffer.write(dados + b"\n")  # o print do original
        sys.stdout.buffer.flush()
        if dados == SAIDA:
            return


def main():
    argumentos = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argumentos.add_argument("--host", default=socket.gethostname())
    argumentos.add_argument("--porta", type=int, default=3415)
    argumentos.add_argument("--saida", required=True, help="arquivo dos bytes recebidos")
    argumentos.add_argument("--tempo", type=float, default=30.0,
                            help="segundos até desistir (padrão 30)")
    opcoes = argumentos.parse_args()
    prazo = time.monotonic() + opcoes.tempo

    servidor = socket.socket()
    try:
        servidor.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        servidor.bind((opcoes.host, opcoes.porta))
        servidor.listen(1)
        dizer("Servidor configurado. Aguardando conexao com cliente...")
        dizer("PORTA %d" % servidor.getsockname()[1])
        with open(opcoes.saida, "wb") as saida, \
                open(opcoes.saida + ".recvs", "w") as recvs:
            servidor.settimeout(restante(prazo))
            conexao, (ip, porta) = servidor.accept()
            with conexao:
                dizer("> Cliente %s conectou-se por meio da porta %d" % (ip, porta))
                receber(conexao, prazo, saida, recvs)
    except socket.timeout:
        print("erro: tempo esgotado (%g s)" % opcoes.tempo, file=sys.stderr)
        return 1
    except OSError as erro:
        print("erro: %s" % erro, file=sys.stderr)
        return 1
    finally:
        servidor.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
