"""The budgeted fuzz config (tests/helpers/fuzz_budget.py): no clock, every budget a case count, and a loud
failure when schemathesis.toml changes shape instead of a run that is quietly bound by the clock again."""

from __future__ import annotations

import tomllib

import pytest
from clicksend_mms_fuzz import config_file

from tests.helpers.fuzz_budget import budgeted_config

SHIPPED = config_file.path().read_text(encoding="utf-8")


def _budgets(config: object) -> list[object]:
    """Every `max-examples` in the config, wherever it stands (run-wide, per phase, per operation)."""
    if isinstance(config, dict):
        own = [config["max-examples"]] if "max-examples" in config else []
        return own + [b for key, value in config.items() if key != "max-examples" for b in _budgets(value)]
    if isinstance(config, list):
        return [b for item in config for b in _budgets(item)]
    return []


def _without_budgets(config: object) -> object:
    if isinstance(config, dict):
        return {key: _without_budgets(value) for key, value in config.items() if key != "max-examples"}
    if isinstance(config, list):
        return [_without_budgets(item) for item in config]
    return config


def test_the_shipped_config_is_a_case_budget_and_the_copy_only_resizes_it() -> None:
    shipped = tomllib.loads(SHIPPED)
    assert "max-time" not in shipped  # a clock would make `make fuzz` machine-dependent (the runner caps time itself)
    budgeted = tomllib.loads(budgeted_config(SHIPPED, 7))
    assert set(_budgets(budgeted)) == {7} and len(_budgets(budgeted)) == len(_budgets(shipped)) > 1
    assert _without_budgets(budgeted) == _without_budgets(shipped)


def test_phases_can_be_narrowed() -> None:
    phases = tomllib.loads(budgeted_config(SHIPPED, 3, phases=("examples", "fuzzing")))["phases"]
    assert {name for name, phase in phases.items() if phase["enabled"]} == {"examples", "fuzzing"}
    assert phases["stateful"]["max-steps"] == tomllib.loads(SHIPPED)["phases"]["stateful"]["max-steps"]


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        (SHIPPED.replace("max-examples", "max-cases"), None),  # no budget left to set
        (SHIPPED + "\nmax-time = 5\n", None),  # a clock
        (SHIPPED, ("examples", "no-such-phase")),
    ],
    ids=["no-budget", "a-clock", "unknown-phase"],
)
def test_a_config_of_another_shape_fails_loudly(text: str, phases: tuple[str, ...] | None) -> None:
    with pytest.raises(AssertionError, match=r"schemathesis\.toml changed shape"):
        budgeted_config(text, 5, phases)
