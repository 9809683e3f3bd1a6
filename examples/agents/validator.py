#!/usr/bin/env python3
"""An example validator: runs the branch's health checks (`cfn health`) and approves only
when every one passes and the epic says what to build."""
import json

from common import cfn, context, report

ctx = context()
findings = [] if ctx["epic"].strip() else ["the epic is empty"]
health = cfn("health", "--json", check=False)
try:
    results = json.loads(health.stdout or "[]")
except json.JSONDecodeError:
    results = None
if results is None:
    findings.append(f"cfn health printed no result (exit {health.returncode}): {health.stderr.strip()}")
else:
    findings += [f"health check {r.get('name')} failed: {r.get('message')}"
                 for r in results if not r.get("ok")]
    if health.returncode != 0 and not findings:
        findings.append(f"cfn health exited {health.returncode}")
report(0.95 if not findings else 0.3,
       {"feedback": findings or f"{len(results)} health checks pass", "health": results})
