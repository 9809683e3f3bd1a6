"""Shared by the example agents: read the context file cfn wrote, run `cfn`, report through it."""
import json
import os
import subprocess


def context():
    with open(os.environ["CFN_CONTEXT_FILE"], encoding="utf-8") as f:
        return json.load(f)


def cfn(*args, check=True):
    """Runs `cfn ARGS...` (the binary the loop names in CFN_BIN) in the agent's worktree.

    Arguments as a list: nothing from the task text ever goes through a shell."""
    program = os.environ.get("CFN_BIN", "cfn")
    return subprocess.run([program, *args], check=check, capture_output=True, text=True)


def report(confidence, payload, status="ok"):
    cfn("agent", "report", "--confidence", str(confidence), "--status", status,
        "--payload", json.dumps(payload))
