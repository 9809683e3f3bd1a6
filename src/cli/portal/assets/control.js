// Acting on loop runs from the page: the followed run's agents as a table that updates live
// (agent:update), a kill button per running agent, adding an agent profile, the decision a run
// waits for, and a "start run" form per worktree. Errors are shown with their hint, as up/down's.
import { el } from "./views.js";

let api = null;
let notice = null;
let task = null;
const agents = new Map(); // `${iteration}/${id}` -> agent

export function setup(apiCall, showNotice) {
  api = apiCall;
  notice = showNotice;
  document.getElementById("spawn").addEventListener("submit", (event) => {
    event.preventDefault();
    const profile = document.getElementById("spawn-profile").value.trim();
    if (task && profile) act(() => api("POST", "/api/agents/spawn", { taskId: task, profile }), `added ${profile}`);
  });
  document.getElementById("decide").addEventListener("submit", (event) => {
    event.preventDefault();
    const decision = document.getElementById("decide-decision").value;
    const reason = document.getElementById("decide-reason").value;
    if (task) act(() => api("POST", `/api/tasks/${encodeURIComponent(task)}/decision`, { decision, reason }), `decided ${decision}`);
  });
}

async function act(call, done) {
  notice("");
  try {
    await call();
    notice(done);
  } catch (e) {
    notice(`${e.message}${e.hint ? ` (${e.hint})` : ""}`);
  }
}

// Follows `taskId`: its agents are read once, then kept up to date by agent:update.
export async function followAgents(taskId) {
  task = taskId;
  agents.clear();
  document.getElementById("run-controls").hidden = false;
  draw();
  try {
    const { agents: list } = await api("GET", `/api/agents/${encodeURIComponent(taskId)}`);
    if (task !== taskId) return;
    for (const a of list) agents.set(`${a.iteration}/${a.id}`, a);
    draw();
  } catch (e) {
    notice(`${e.message}${e.hint ? ` (${e.hint})` : ""}`);
  }
}

export function agentUpdate(msg) {
  if (msg.taskId !== task) return;
  agents.set(`${msg.agent.iteration}/${msg.agent.id}`, msg.agent);
  draw();
}

// Whether the followed run waits for a person's decision: the form shows only then.
export function runStatus(status) {
  document.getElementById("decide").hidden = status !== "waiting";
}

function draw() {
  const tbody = document.querySelector("#agents tbody");
  tbody.replaceChildren();
  for (const a of agents.values()) {
    const tr = el("tr");
    tr.dataset.agent = a.id;
    tr.dataset.iteration = String(a.iteration);
    const state = a.by ? `${a.state} by ${a.by}` : a.state;
    for (const v of [a.iteration, a.id, a.role, a.kind, a.provider || "", a.confidence ?? "", a.started_at, a.finished_at || ""]) {
      tr.append(el("td", v));
    }
    tr.insertBefore(el("td", state, `state-${a.state.replace(/[^a-z]/g, "")}`), tr.children[4]);
    const actions = el("td");
    if (a.state === "running") {
      const kill = el("button", "kill");
      kill.dataset.action = "kill";
      const id = a.id;
      kill.addEventListener("click", () =>
        act(() => api("DELETE", `/api/agents/${encodeURIComponent(id)}?taskId=${encodeURIComponent(task)}`), `killed ${id}`));
      actions.append(kill);
    }
    tr.append(actions);
    tbody.append(tr);
  }
}

// The "start run" form of one worktree, in its actions cell.
export function startForm(project, onStarted) {
  const form = el("form", null, "start-run");
  const epic = el("input");
  epic.placeholder = "epic";
  epic.name = "epic";
  const go = el("button", "start run");
  go.type = "submit";
  form.append(epic, go);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!epic.value.trim()) return;
    act(async () => {
      const { taskId } = await api("POST", "/api/tasks/create", { project, epic: epic.value });
      epic.value = "";
      onStarted(taskId);
    }, `started a run for ${project}`);
  });
  return form;
}
