"""Shared by the example agents: read the context file cfn wrote, report through `cfn`."""
import json
import os
import subprocess


def context():
    with open(os.environ["CFN_CONTEXT_FILE"], encoding="utf-8") as f:
        return json.load(f)


def report(confidence, payload, status="ok"):
    # Arguments as a list: nothing from the task text ever goes through a shell.
    cfn = os.environ.get("CFN_BIN", "cfn")
    subprocess.run(
        [cfn, "agent", "report", "--confidence", str(confidence), "--status", status,
         "--payload", json.dumps(payload)],
        check=True,
    )
