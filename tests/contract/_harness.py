"""Load the spec against an in-process ASGI app with schemathesis.toml's checks, bounded for CI."""

from __future__ import annotations

from typing import Any

import schemathesis
from clicksend_mms_fuzz import config_file
from clicksend_mms_fuzz.sandboxes import RECEIPT_DELAY, SANDBOX_BALANCE, SEND_DELAY
from clicksend_mms_fuzz.stats import RunStats
from clicksend_mms_sandbox import Settings, create_app
from clicksend_mms_sandbox.settings import parse_account_spec
from clicksend_mms_sandbox.testing import DEFAULT
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from tests.helpers.spec import operations

CONFIG_PATH = config_file.path()
# Not a real host: requests go to the app in-process. Overrides the spec's server (whose base path is /v3).
BASE_URL = "http://sandbox.local"


def sandbox_app() -> Any:
    """The sandbox `make fuzz` starts, in process: no rate limit (the suite sends far more than a real account's
    6000/min in bursts), a balance no run spends, and the run's lifecycle (sandboxes.py: instant); its second
    funded account is the one the isolation oracle replays with."""
    account = parse_account_spec(f"{DEFAULT.username}:{DEFAULT.api_key}:{SANDBOX_BALANCE}")
    settings = Settings(rate_limit=0, send_delay=SEND_DELAY, receipt_delay=RECEIPT_DELAY)
    return create_app(settings.with_accounts([account]))


def load_config() -> SchemathesisConfig:
    config = SchemathesisConfig.from_path(CONFIG_PATH)
    # A CI test is a case budget (max-examples): never let a max-time make fuzzing/stateful repeat until it is spent.
    config.max_time = None
    return config


def operation_ids() -> list[str]:
    """Every operation's id, in the spec's order."""
    return [op.operation_id for op in operations()]


def load_schema(
    app: Any, *, max_examples: int, phases: tuple[str, ...] | None = None, operations: tuple[str, ...] | None = None
) -> Any:
    """The spec served by `app`, every operation or only `operations` (ids): a test about one route need not pay for
    the others (the send body's coverage cases, a 2,049-character URL and 1,001 messages, cost seconds)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=load_config())
    if operations is not None:
        # exclude() the rest rather than include() these: include filters are alternatives, and the config's own
        # include (its per-operation sections) already matches every operation.
        every = set(operation_ids())
        assert set(operations) <= every, f"no such operation: {set(operations) - every}"
        schema = schema.exclude(operation_id=sorted(every - set(operations)))
    # Settings go on the schema's own project config: that is the one the engine and the pytest plugin read.
    project = schema.config
    project.update(base_url=BASE_URL, workers=1)
    project.generation.update(max_examples=max_examples)
    # `make fuzz` writes reports/; a CI test must not overwrite them (and the pytest plugin's writers need allure).
    for report in (project.reports.junit, project.reports.har, project.reports.json, project.reports.vcr):
        report.enabled = False
    if phases is not None:
        for name in ("examples", "coverage", "fuzzing", "stateful"):
            project.phases.get_by_name(name=name).enabled = name in phases
    return schema


def run_engine(
    app: Any, *, max_examples: int, phases: tuple[str, ...] | None = None, operations: tuple[str, ...] | None = None
) -> RunStats:
    """Run the fuzz (every check; every phase and operation unless narrowed) in-process against `app`; return what
    it counted."""
    stats = RunStats()
    schema = load_schema(app, max_examples=max_examples, phases=phases, operations=operations)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            stats.add_scenario(str(event.phase), event.recorder)
        elif isinstance(event, events.FatalError):
            raise RuntimeError(f"schemathesis could not run: {event.exception}") from event.exception
    return stats
