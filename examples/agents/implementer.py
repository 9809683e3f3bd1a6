#!/usr/bin/env python3
"""An example implementer: records what it would build and reports its confidence."""
import os

from common import context, report

ctx = context()
notes = os.path.join(ctx["worktree"], ".cfn", "loop", "implementer-notes.txt")
with open(notes, "a", encoding="utf-8") as f:
    f.write(f"iteration {ctx['iteration']}: {ctx['epic']}\n")
    for line in ctx["feedback"]:
        f.write(f"  addressing: {line}\n")
report(0.9, {"feedback": f"implemented step {ctx['iteration']}", "files": [notes]})
