#!/usr/bin/env python3
"""An example product owner: PROCEED when validation raised nothing, else ITERATE."""
from common import context, report

ctx = context()
decision = "PROCEED" if not ctx["feedback"] else "ITERATE"
report(0.9, {"decision": decision, "reason": "validators approved" if decision == "PROCEED" else "open feedback"})
