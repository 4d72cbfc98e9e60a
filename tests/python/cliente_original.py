#!/usr/bin/env python3
"""Emulador do cliente original (cliente.py) para os testes de ponta a ponta.

Envia pela rede exatamente o que o cliente original envia (ver LEGADO.md), mas
sem menu: cada linha da entrada padrão, no formato ``assunto<TAB>texto``, vira
uma mensagem, com título ``MENSAGEM #NNN - dd/mm/aaaa HH:MM:SS`` (contador a
partir de 001, data e hora locais no momento em que a linha foi lida). No fim
da entrada envia os 12 bytes ``CODIGO_SAIDA`` e fecha a conexão.

``--modo`` escolhe como CODIGO_SAIDA chega ao servidor:

* ``normal``: num ``sendall`` próprio, depois de uma pausa, para chegar sozinho;
* ``colado``: no mesmo ``sendall`` do último bloco (por isso, neste modo, cada
  bloco só sai quando a linha seguinte ou o fim da entrada chega);
* ``partido``: ``CODIGO_`` e, depois de uma pausa, ``SAIDA``.

Usa TCP_NODELAY para que as pausas de fato separem os envios; os bytes são os
mesmos do original. Só escreve algo (na saída de erro) quando falha.
Só usa a biblioteca padrão.
"""

import argparse
import socket
import sys
import time

SAIDA = b"CODIGO_SAIDA"
PAUSA = 0.2  # segundos: o bastante para o servidor já ter lido o que veio antes


def bloco(numero, assunto, texto):
    """Os bytes de uma mensagem, como no str.format do original."""
    titulo = "MENSAGEM #%03d - %s" % (numero, time.strftime("%d/%m/%Y %H:%M:%S"))
    return (
        b"\n---\n> " + titulo.encode("ascii") + b"\n\n> ASSUNTO:\n" + assunto
        + b"\n\n> TEXTO:\n" + texto + b"\n---\n"
    )


def ler_mensagens(entrada):
    """Gera (assunto, texto) em bytes, uma linha por vez, como chegam."""
    for numero_linha, linha in enumerate(entrada, 1):
        if linha.endswith(b"\n"):
            linha = linha[:-1]  # o terminal só tira o \n; um \r fica
        if b"\t" not in linha:
            raise ValueError("linha %d sem TAB entre assunto e texto" % numero_linha)
        assunto, texto = linha.split(b"\t", 1)
        yield assunto, texto


def enviar(conexao, modo, entrada):
    pendente = None  # no modo colado, o bloco que espera para sair com CODIGO_SAIDA
    for numero, (assunto, texto) in enumerate(ler_mensagens(entrada), 1):
        dados = bloco(numero, assunto, texto)
        if modo == "colado":
            if pendente is not None:
                conexao.sendall(pendente)
            pendente = dados
        else:
            conexao.sendall(dados)
    if modo == "colado":
        conexao.sendall((pendente or b"") + SAIDA)
    elif modo == "partido":
        time.sleep(PAUSA)
        conexao.sendall(b"CODIGO_")
        time.sleep(PAUSA)
        conexao.sendall(b"SAIDA")
    else:
        time.sleep(PAUSA)
        conexao.sendall(SAIDA)


def main():
    argumentos = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argumentos.add_argument("--host", default=socket.gethostname())
    argumentos.add_argument("--porta", type=int, default=3415)
    argumentos.add_argument(
        "--modo", choices=("normal", "colado", "partido"), default="normal"
    )
    opcoes = argumentos.parse_args()
    try:
        conexao = socket.create_connection((opcoes.host, opcoes.porta), timeout=30)
    except OSError as erro:
        print("erro: não foi possível conectar a %s:%d: %s"
              % (opcoes.host, opcoes.porta, erro), file=sys.stderr)
        return 1
    try:
        conexao.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conexao.settimeout(None)  # a entrada pode demorar; o envio não expira
        enviar(conexao, opcoes.modo, sys.stdin.buffer)
    except ValueError as erro:
        print("erro: %s" % erro, file=sys.stderr)
        return 2
    except OSError as erro:
        print("erro: conexão perdida: %s" % erro, file=sys.stderr)
        return 1
    finally:
        conexao.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
