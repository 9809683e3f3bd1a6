// Per worktree: its last health-check run and pending migrations; per service: a logs pane that
// follows the service's output over the socket. Data goes in as text only (views.js).
import { el } from "./views.js";

// Lines a pane keeps; older ones scroll away.
const KEPT_LINES = 500;
const panes = new Map(); // "project\u0000service" -> { box, pre, state, ended }

const key = (project, service) => `${project}\u0000${service}`;

// The checks cell: the last health run (or none yet), the migrations, and a button to run the
// checks now.
export function checksCell(td, status, runChecks) {
  td.replaceChildren();
  const h = status.health;
  if (h) {
    const failed = h.checks.filter((c) => !c.ok).map((c) => c.name);
    const word =
      h.checks.length === 0
        ? "no health checks"
        : h.ok
          ? `health ok (${h.checks.length})`
          : `health failed: ${failed.join(", ")}`;
    const span = el("span", word, `health ${h.ok ? "state-healthy" : "state-failed"}`);
    span.title = `${h.at}\n${h.checks.map((c) => `${c.name}: ${c.message}`).join("\n")}`;
    td.append(span);
  } else {
    td.append(el("span", "health not run", "health"));
  }
  td.append(el("br"));
  const m = status.migrations || {};
  const text = m.error
    ? "migrations: unreadable"
    : m.available === 0
      ? "no migrations"
      : `migrations: ${m.pending} pending of ${m.available}`;
  const ms = el("span", text, `migrations ${m.error || m.pending > 0 || m.changed > 0 ? "state-starting" : ""}`);
  if (m.error) ms.title = m.error;
  td.append(ms, el("br"));
  const run = el("button", "health");
  run.dataset.action = "health";
  run.addEventListener("click", () => runChecks(run));
  td.append(run);
}

// Opens (or brings back) the pane of one service and asks the socket to follow it.
export function openLogs(send, project, service) {
  let pane = panes.get(key(project, service));
  if (!pane) {
    const box = el("div", null, "log-pane");
    box.dataset.project = project;
    box.dataset.service = service;
    const state = el("span", "following", "state-up");
    const close = el("button", "close");
    close.addEventListener("click", () => {
      send({ type: "logs:stop", project, service });
      box.remove();
      panes.delete(key(project, service));
    });
    const head = el("div", null, "log-head");
    head.append(el("strong", `${service}`), ` · ${project} · `, state, " ", close);
    const pre = el("pre");
    box.append(head, pre);
    document.getElementById("logs").append(box);
    pane = { box, pre, state, ended: false };
    panes.set(key(project, service), pane);
  }
  pane.ended = false;
  pane.state.textContent = "following";
  pane.state.className = "state-up";
  send({ type: "logs:follow", project, service, tail: 100 });
}

function append(pane, lines) {
  if (lines.length === 0) return;
  const text = pane.pre.textContent + lines.join("\n") + "\n";
  const all = text.split("\n");
  pane.pre.textContent = all.length > KEPT_LINES ? all.slice(-KEPT_LINES - 1).join("\n") : text;
  pane.pre.scrollTop = pane.pre.scrollHeight;
}

// `log:lines` and `log:end`: true when the message was one of them.
export function onLogMessage(msg) {
  if (msg.type !== "log:lines" && msg.type !== "log:end") return false;
  const pane = panes.get(key(msg.project, msg.service));
  if (!pane) return true;
  if (msg.dropped > 0) append(pane, [`… ${msg.dropped} lines skipped (the page read too slowly)`]);
  append(pane, msg.lines || []);
  if (msg.type === "log:end") {
    pane.ended = true;
    pane.state.textContent = "stopped";
    pane.state.className = "state-down";
  }
  return true;
}

// A followed service that stopped and runs again is followed again (its new output only).
export function refollowStarted(send, project, services) {
  for (const s of services || []) {
    const pane = panes.get(key(project, s.service));
    if (pane && pane.ended && s.state === "running") {
      pane.ended = false;
      pane.state.textContent = "following";
      pane.state.className = "state-up";
      send({ type: "logs:follow", project, service: s.service, tail: 0 });
    }
  }
}

// After the socket reconnects: every open pane follows again.
export function refollowAll(send) {
  for (const pane of panes.values()) {
    send({ type: "logs:follow", project: pane.box.dataset.project, service: pane.box.dataset.service, tail: 0 });
  }
}
