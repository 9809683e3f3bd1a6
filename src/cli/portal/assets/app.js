// The portal's page: the worktrees with their live stack state, up/down, and a loop run
// followed live. The token comes once in the URL; it is kept for this tab only and taken out
// of the address bar so it is not bookmarked or shared by accident.
import { el, endpointsCell, servicesCell, runRow, eventItem } from "./views.js";
import { setup, followAgents, agentUpdate, runStatus, startForm } from "./control.js";
import { checksCell, openLogs, onLogMessage, refollowStarted, refollowAll } from "./panes.js";

const params = new URLSearchParams(location.search);
if (params.has("token")) {
  sessionStorage.setItem("cfn-portal-token", params.get("token"));
  history.replaceState(null, "", location.pathname);
}
const token = sessionStorage.getItem("cfn-portal-token") || "";
const rows = new Map(); // project -> { tr, services td, buttons }
let followed = null;
let socket = null;
let retry = 500;

function notice(text) {
  document.getElementById("notice").textContent = text || "";
}

async function api(method, path, body) {
  const init = { method, headers: { Authorization: `Bearer ${token}` } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.error || `HTTP ${res.status}`);
    err.hint = data.hint;
    throw err;
  }
  return data;
}

function drawWorktrees(worktrees) {
  const tbody = document.querySelector("#worktrees tbody");
  const keep = new Set();
  for (const w of worktrees) {
    keep.add(w.project);
    let row = rows.get(w.project);
    if (!row) {
      const tr = el("tr");
      tr.dataset.project = w.project;
      const cells = [el("td"), el("td"), el("td"), el("td"), el("td", null, "services"), el("td"), el("td", null, "checks")];
      tr.append(...cells);
      const up = el("button", "up");
      up.dataset.action = "up";
      const down = el("button", "down");
      down.dataset.action = "down";
      up.addEventListener("click", () => act(w.project, "up", row));
      down.addEventListener("click", () => act(w.project, "down", row));
      cells[5].append(up, down, startForm(w.project, (task) => loadRuns().then(() => follow(task))));
      // Clicking a service opens its logs pane.
      cells[4].addEventListener("click", (e) => {
        const s = e.target.closest("[data-service]");
        if (s) openLogs(send, w.project, s.dataset.service);
      });
      row = { tr, cells, up, down };
      rows.set(w.project, row);
      tbody.append(tr);
      refreshStatus(w.project);
    }
    row.cells[0].textContent = w.main ? `${w.branch} (main)` : w.branch;
    row.cells[1].textContent = String(w.slot);
    row.cells[2].textContent = w.project;
    endpointsCell(row.cells[3], w);
  }
  for (const [project, row] of rows) {
    if (!keep.has(project)) {
      row.tr.remove();
      rows.delete(project);
    }
  }
}

async function refreshStatus(project) {
  try {
    const status = await api("GET", `/api/worktrees/${encodeURIComponent(project)}/status`);
    const row = rows.get(project);
    if (row) {
      servicesCell(row.cells[4], status.services);
      checksCell(row.cells[6], status, (button) => runChecks(project, button));
    }
  } catch (e) {
    notice(`${project}: ${e.message}`);
  }
}

async function act(project, action, row) {
  row.up.disabled = row.down.disabled = true;
  row.cells[4].replaceChildren(el("span", `${action}…`, "state-busy"));
  notice("");
  try {
    await api("POST", `/api/worktrees/${encodeURIComponent(project)}/${action}`, {});
  } catch (e) {
    notice(`${action} ${project}: ${e.message}${e.hint ? ` (${e.hint})` : ""}`);
  } finally {
    row.up.disabled = row.down.disabled = false;
    refreshStatus(project);
  }
}

async function runChecks(project, button) {
  button.disabled = true;
  notice("");
  try {
    await api("POST", `/api/worktrees/${encodeURIComponent(project)}/health`, {});
  } catch (e) {
    notice(`health ${project}: ${e.message}${e.hint ? ` (${e.hint})` : ""}`);
  } finally {
    button.disabled = false;
    refreshStatus(project);
  }
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

async function loadRuns() {
  const { runs } = await api("GET", "/api/tasks");
  const tbody = document.querySelector("#runs tbody");
  tbody.replaceChildren(...runs.map((r) => runRow(r, follow)));
}

function follow(task) {
  followed = task;
  document.getElementById("run-title").textContent = `Run ${task}`;
  document.getElementById("run-events").replaceChildren();
  followAgents(task);
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ subscribe: task }));
}

function onMessage(msg) {
  if (onLogMessage(msg)) return;
  switch (msg.type) {
    case "stack:update": {
      const row = rows.get(msg.project);
      if (row) servicesCell(row.cells[4], msg.services);
      refollowStarted(send, msg.project, msg.services);
      break;
    }
    case "worktree:update":
      drawWorktrees(msg.worktrees);
      loadRuns().catch(() => {});
      break;
    case "loop:progress": {
      if (msg.taskId !== followed) break;
      document.getElementById("run-title").textContent =
        `Run ${msg.taskId}: ${msg.run.status}, ${msg.run.iterations} iterations`;
      runStatus(msg.run.status);
      document.getElementById("run-events").append(...msg.events.map(eventItem));
      break;
    }
    case "agent:update":
      agentUpdate(msg);
      break;
    case "resync":
      loadAll();
      break;
    case "error":
      notice(`${msg.error}${msg.hint ? ` (${msg.hint})` : ""}`);
      break;
  }
}

function connect() {
  const status = document.getElementById("connection");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  socket.addEventListener("open", () => {
    retry = 500;
    status.textContent = "live";
    status.className = "state-up";
    if (followed) socket.send(JSON.stringify({ subscribe: followed }));
    refollowAll(send);
    // What changed while the socket was away is read again.
    loadAll();
  });
  socket.addEventListener("message", (event) => {
    try {
      onMessage(JSON.parse(event.data));
    } catch (e) {
      notice(`bad message from the portal: ${e.message}`);
    }
  });
  socket.addEventListener("close", () => {
    status.textContent = "reconnecting";
    status.className = "state-down";
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
}

// Repositories that do not open (a broken cfn.toml): said, not left out silently.
function drawProblems(problems) {
  const list = document.getElementById("problems");
  list.replaceChildren();
  for (const p of problems) {
    const item = document.createElement("li");
    item.className = "error";
    item.textContent = `${p.repository}: ${p.error}` + (p.hint ? ` — hint: ${p.hint}` : "");
    list.append(item);
  }
}

async function loadAll() {
  try {
    const { worktrees, problems } = await api("GET", "/api/worktrees");
    drawWorktrees(worktrees);
    drawProblems(problems || []);
    for (const project of rows.keys()) refreshStatus(project);
    await loadRuns();
    // Agents' updates missed while away are read again.
    if (followed) followAgents(followed);
    const health = await api("GET", "/api/health/system");
    document.getElementById("system").textContent =
      `cfn ${health.cfn_version} · engine ${health.engine.ok ? health.engine.version : "unreachable"}`;
  } catch (e) {
    notice(`${e.message}${e.hint ? ` (${e.hint})` : ""}`);
  }
}

setup(api, notice);
connect();
