#!/usr/bin/env python3
"""An example implementer: records what it would build in the worktree and reports its confidence.

With --migration it also implements the epic as a schema change on the branch's own database:
it writes the next migration into the worktree's `migrations/` folder (a table named after the
epic, with a row saying who wrote it) and applies it with `cfn migrate up`. Only this branch's
database changes; every other branch keeps its own."""
import os
import re
import sys

from common import cfn, context, report

ctx = context()
notes = os.path.join(ctx["worktree"], ".cfn", "loop", "implementer-notes.txt")
with open(notes, "a", encoding="utf-8") as f:
    f.write(f"iteration {ctx['iteration']}: {ctx['epic']}\n")
    for line in ctx["feedback"]:
        f.write(f"  addressing: {line}\n")
files = [notes]

if "--migration" in sys.argv[1:]:
    folder = os.path.join(ctx["worktree"], "migrations")
    os.makedirs(folder, exist_ok=True)
    # The table name comes from the epic but keeps only [a-z0-9_]; the row's text is quoted.
    table = re.sub(r"[^a-z0-9]+", "_", ctx["epic"].lower()).strip("_")[:40] or "feature"
    existing = [f for f in os.listdir(folder) if re.match(r"^\d+_.*\.up\.sql$", f)]
    if not any(f.split("_", 1)[1] == f"{table}.up.sql" for f in existing):
        version = max((int(f.split("_", 1)[0]) for f in existing), default=0) + 1
        note = f"written by {ctx['agent_id']} in iteration {ctx['iteration']}".replace("'", "''")
        base = os.path.join(folder, f"{version:04d}_{table}")
        with open(base + ".up.sql", "w", encoding="utf-8") as f:
            f.write(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, note TEXT NOT NULL);\n"
                    f"INSERT INTO {table} (id, note) VALUES (1, '{note}');\n")
        with open(base + ".down.sql", "w", encoding="utf-8") as f:
            f.write(f"DROP TABLE {table};\n")
        files += [base + ".up.sql", base + ".down.sql"]
    # The migration is this agent's own work: it trusts it (`--yes`) to apply it to this
    # branch's database only.
    applied = cfn("migrate", "up", "--yes", check=False)
    if applied.returncode != 0:
        report(0.0, {"feedback": f"cfn migrate up failed: {applied.stderr.strip()}", "files": files},
               status="failed")
        sys.exit(0)

report(0.9, {"feedback": f"implemented step {ctx['iteration']}", "files": files})
