/**
 * A página do painel: recebe as mensagens por Server-Sent Events (`/eventos`)
 * e as põe no topo da lista, sempre como texto (`textContent`, nunca HTML).
 * O navegador reconecta sozinho com `Last-Event-ID`; o servidor manda só o
 * que faltou, e ids já vistos são ignorados mesmo assim. Filtro, pausa,
 * contadores e o gráfico da taxa (SVG) também ficam aqui.
 *
 * @module
 */

import { segmentar } from "./escape.js";

/** Itens na lista, no máximo; os mais antigos saem. */
const MAXIMO_NA_PAGINA = 2000;

/**
 * @typedef {{ seq: number, id: string, instante: string, par: string, numero: number,
 *   enviada: string, assunto: string, texto: string, legado: boolean }} Mensagem
 */

/** @param {string} id */
function elemento(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`falta o elemento #${id}`);
  return e;
}

const lista = elemento("mensagens");
const vazio = elemento("vazio");
const aviso = elemento("aviso");
const conexao = elemento("conexao");
const filtro = /** @type {HTMLInputElement} */ (elemento("filtro"));
const pausar = elemento("pausar");
const grande = elemento("grande");
const modelo = /** @type {HTMLTemplateElement} */ (elemento("modelo"));

/** O maior id já mostrado (ou guardado durante a pausa). */
let ultimoId = 0;
/** A execução do servidor; se muda, a lista recomeça. */
let instancia = "";
let pausado = false;
/** @type {Mensagem[]} */
let retidas = [];

/**
 * Põe `texto` em `destino` como nós de texto, com os escapes em destaque.
 * @param {Element} destino
 * @param {string} texto
 */
function porTexto(destino, texto) {
  destino.replaceChildren();
  for (const [pedaco, escape] of segmentar(texto)) {
    if (escape) {
      const marca = document.createElement("span");
      marca.className = "escape";
      marca.textContent = pedaco;
      destino.append(marca);
    } else destino.append(document.createTextNode(pedaco));
  }
}

/**
 * `2026-11-24T19:27:52.123-03:00` → `24/11 19:27:52 −03:00` (a hora de quem
 * escreveu o instante, com o fuso dele).
 * @param {string} iso
 */
function hora(iso) {
  const m = /^(-?\d+)-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?(.*)$/.exec(iso);
  if (!m) return iso;
  const fuso = m[5] === "" ? "" : ` ${m[5] === "Z" ? "UTC" : m[5]}`;
  return `${m[3]}/${m[2]} ${m[4]}${fuso}`;
}

/**
 * O id da mensagem curto, como no terminal: `9f1c2a3b…-17` → `[9f1c2a3b-17]`
 * (os 8 primeiros dígitos da sessão e o número).
 * @param {string} id
 */
function idCurto(id) {
  const traco = id.lastIndexOf("-");
  return traco < 0
    ? `[${id}]`
    : `[${id.slice(0, Math.min(8, traco))}${id.slice(traco)}]`;
}

/** @param {Element} li */
function casaFiltro(li) {
  const busca = filtro.value.trim().toLocaleLowerCase();
  return busca === "" ||
    (li.getAttribute("data-busca") ?? "").includes(busca);
}

/** @param {Mensagem} m */
function montar(m) {
  const li = /** @type {HTMLElement} */ (
    /** @type {DocumentFragment} */ (modelo.content.cloneNode(true))
      .firstElementChild
  );
  li.dataset.id = String(m.seq);
  li.setAttribute(
    "data-busca",
    `${m.assunto}\n${m.texto}\n${m.par}\n${m.id}`.toLocaleLowerCase(),
  );
  const parte = (/** @type {string} */ classe) => {
    const e = li.querySelector(`.${classe}`);
    if (!e) throw new Error(`o modelo não tem .${classe}`);
    return e;
  };
  parte("numero").textContent = String(m.numero);
  porTexto(parte("assunto"), m.assunto);
  porTexto(parte("texto"), m.texto);
  parte("par").textContent = m.par;
  /** @type {HTMLElement} */ (parte("legado")).hidden = !m.legado;
  parte("enviada").textContent = hora(m.enviada);
  parte("enviada").setAttribute("datetime", m.enviada);
  parte("recebida").textContent = hora(m.instante);
  parte("recebida").setAttribute("datetime", m.instante);
  parte("id").textContent = idCurto(String(m.id ?? ""));
  parte("id").setAttribute("title", `id ${m.id}`);
  li.hidden = !casaFiltro(li);
  return li;
}

/** @param {Mensagem[]} mensagens da mais antiga à mais nova */
function mostrar(mensagens) {
  if (mensagens.length === 0) return;
  const novas = document.createDocumentFragment();
  for (let i = mensagens.length - 1; i >= 0; i--) {
    novas.append(montar(mensagens[i]));
  }
  lista.prepend(novas);
  while (lista.childElementCount > MAXIMO_NA_PAGINA) {
    lista.lastElementChild?.remove();
  }
  vazio.hidden = true;
}

/** @param {Mensagem} m */
function chegou(m) {
  if (m.seq <= ultimoId) return; // já vista: nunca duas vezes
  ultimoId = m.seq;
  if (pausado) {
    retidas.push(m);
    pausar.textContent = `Continuar (${retidas.length} novas)`;
  } else mostrar([m]);
}

/** @param {number[]} serie */
function desenhar(serie) {
  const maximo = Math.max(1, ...serie);
  const passo = serie.length > 1 ? 300 / (serie.length - 1) : 300;
  const pontos = serie.map((n, i) =>
    `${(i * passo).toFixed(1)},${(58 - (n / maximo) * 56).toFixed(1)}`
  );
  elemento("grafico-linha").setAttribute("points", pontos.join(" "));
  elemento("grafico-area").setAttribute(
    "points",
    `0,60 ${pontos.join(" ")} 300,60`,
  );
}

// Uma mensagem fora do formato não derruba o resto da página.
/** @param {string} dados */
function lerJson(dados) {
  try {
    return JSON.parse(dados);
  } catch {
    return undefined;
  }
}

const fonte = new EventSource("/eventos");
fonte.addEventListener("open", () => {
  conexao.textContent = "ao vivo";
  conexao.classList.add("ao-vivo");
});
fonte.addEventListener("error", () => {
  conexao.textContent = "reconectando…";
  conexao.classList.remove("ao-vivo");
});
fonte.addEventListener("sessao", (e) => {
  const sessao = lerJson(/** @type {MessageEvent} */ (e).data);
  if (!sessao) return;
  if (instancia !== "" && sessao.instancia !== instancia) {
    // O servidor reiniciou: os ids recomeçaram.
    lista.replaceChildren();
    retidas = [];
    ultimoId = 0;
  }
  instancia = sessao.instancia;
  aviso.hidden = !sessao.lacuna;
  aviso.textContent = sessao.lacuna
    ? "Algumas mensagens enquanto a conexão caiu já saíram da memória do servidor."
    : "";
});
fonte.addEventListener("mensagem", (e) => {
  const m = lerJson(/** @type {MessageEvent} */ (e).data);
  if (m) chegou(m);
});
fonte.addEventListener("estado", (e) => {
  const estado = lerJson(/** @type {MessageEvent} */ (e).data);
  if (!estado) return;
  elemento("conectados").textContent = String(estado.conectados);
  elemento("por-minuto").textContent = String(estado.porMinuto);
  desenhar(estado.serie);
});

filtro.addEventListener("input", () => {
  for (const li of lista.children) {
    /** @type {HTMLElement} */ (li).hidden = !casaFiltro(li);
  }
});

pausar.addEventListener("click", () => {
  pausado = !pausado;
  pausar.setAttribute("aria-pressed", String(pausado));
  if (pausado) {
    pausar.textContent = "Continuar";
    return;
  }
  pausar.textContent = "Pausar";
  mostrar(retidas);
  retidas = [];
});

/** @param {boolean} ligada */
function letraGrande(ligada) {
  document.body.classList.toggle("grande", ligada);
  grande.setAttribute("aria-pressed", String(ligada));
  try {
    localStorage.setItem("painel-grande", ligada ? "1" : "");
  } catch {
    // sem armazenamento: vale só nesta aba
  }
}
grande.addEventListener(
  "click",
  () => letraGrande(!document.body.classList.contains("grande")),
);
let grandeSalva = "";
try {
  grandeSalva = localStorage.getItem("painel-grande") ?? "";
} catch {
  // sem armazenamento
}
letraGrande(
  new URLSearchParams(location.search).has("grande") || grandeSalva === "1",
);
