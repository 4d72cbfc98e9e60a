/**
 * Linha de base (c): um script vazio. `deno run` deste arquivo é o piso de
 * partida de qualquer programa Deno nesta máquina, contra o qual se compara o
 * cliente de uma mensagem só (cenário 5).
 *
 * @module
 */
