"""The contract suite through schemathesis' pytest integration, in-process against the sandbox's ASGI app.

Same spec, same schemathesis.toml (checks, expected statuses, hooks) as `make fuzz`, but a fixed seed and few
examples per operation, so it is a CI test; `make fuzz` goes deeper. No coverage phase here: the pytest plugin
builds its ~600 cases while collecting, in every xdist worker (10-20 s each); the runner's short runs in CI
(test_reproducible, the browser's fuzz report, the README's quick fuzz) run that phase instead.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from ._harness import load_schema, sandbox_app

APP = sandbox_app()
PHASES = ("examples", "fuzzing", "stateful")
schema = load_schema(APP, max_examples=15, phases=PHASES)


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_operation_honours_the_contract(case):  # type: ignore[no-untyped-def]
    case.call_and_validate()


# Stateful: send -> get receipt / cancel, following the spec's OpenAPI links. Its own sandbox: a state machine
# replays steps while it shrinks, and rows the parametrized tests left behind would make replays diverge.
StatefulContract = load_schema(sandbox_app(), max_examples=15, phases=PHASES).as_state_machine()
TestStatefulContract = StatefulContract.TestCase
TestStatefulContract.settings = settings(
    max_examples=15,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
