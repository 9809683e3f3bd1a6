#!/usr/bin/env python3
"""An example validator: checks the branch's endpoints are listed and approves."""
from common import context, report

ctx = context()
findings = [] if ctx["epic"].strip() else ["the epic is empty"]
report(0.95 if not findings else 0.3, {"feedback": findings or "looks good"})
