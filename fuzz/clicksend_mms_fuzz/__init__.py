"""Contract fuzzing for clicksend-mms: `python -m clicksend_mms_fuzz` (what `make fuzz` runs).

fuzz/README.md has the whole picture: the oracles (pagination, effects, isolation, rules, ratelimit, checks), what
they compare answers with (model, records, wire), how requests reach stored messages (reach, formats), what a run
does (plan, sandboxes, target, runenv, guard, baseline, probes, hooks) and what it reports (stats).
"""

from clicksend_mms_sandbox.testing import TEST_RECIPIENTS

# ClickSend's documented test recipients: a send to them succeeds, is never delivered and costs nothing. One list,
# read from the spec (x-clicksend-testing), for the spec's docs, the sandbox and the live spend guard.
__all__ = ["TEST_RECIPIENTS"]
