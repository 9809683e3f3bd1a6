// Drawing the tables. Every piece of data goes in through textContent or an attribute set from
// a checked value, never through innerHTML: names come from repositories and agents.

export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

// A link only for http(s) URLs; anything else is shown as text.
export function link(url, text) {
  if (/^https?:\/\//.test(url)) {
    const a = el("a", text ?? url);
    a.href = url;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }
  return el("span", text ?? url);
}

// One service's state as a word: health when it has a check, else the run state.
export function serviceWord(s) {
  if (s.state === "running" && s.health && s.health !== "none") return s.health;
  return s.state;
}

export function servicesCell(td, services) {
  td.replaceChildren();
  if (!services || services.length === 0) {
    td.append(el("span", "down", "state-down"));
    return;
  }
  for (const s of services) {
    const word = serviceWord(s);
    const span = el("span", `${s.service}: ${word}`, `service state-${word.replace(/[^a-z]/g, "")}`);
    span.dataset.service = s.service;
    span.title = s.status;
    td.append(span);
  }
}

// Each port with its hostname URL through `cfn proxy` beside it (a key without a hostname,
// UDP, has only its port).
export function endpointsCell(td, w) {
  td.replaceChildren();
  for (const e of w.endpoints) {
    td.append(link(e.url, `${e.service} :${e.port}`));
    const h = w.hostnames.find((h) => h.key === e.key);
    if (h) {
      const a = link(h.url);
      a.className = "hostname";
      td.append(" ", a);
    }
    td.append(el("br"));
  }
}

export function runRow(run, onPick) {
  const tr = el("tr");
  tr.dataset.task = run.task_id;
  for (const v of [run.task_id, run.status, run.iterations, run.started_at, (run.epic || "").slice(0, 60)]) {
    tr.append(el("td", v));
  }
  tr.addEventListener("click", () => onPick(run.task_id));
  return tr;
}

export function eventItem(e) {
  return el("li", `${e.at}  #${e.iteration}  ${e.kind}  ${JSON.stringify(e.data)}`);
}
