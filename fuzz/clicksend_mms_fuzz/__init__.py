"""Contract fuzzing for clicksend-mms: `python -m clicksend_mms_fuzz` (what `make fuzz` runs).

fuzz/README.md has the whole picture: the oracles (pagination, effects, isolation, rules, ratelimit, checks), what
they compare answers with (model, records, wire), how requests reach stored messages (reach, formats), what a run
does (plan, sandboxes, target, runenv, guard, baseline, probes, hooks) and what it reports (stats, report_html).

ClickSend's test recipients (free, never delivered) come from ``clicksend_mms_sandbox.testing``, which reads them
from the spec (x-clicksend-testing). This package imports nothing at import time, so `python -m clicksend_mms_fuzz`
can say which extra to install when the sandbox or schemathesis is missing.
"""
