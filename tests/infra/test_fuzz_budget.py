"""The budgeted fuzz config (tests/helpers/fuzz_budget.py): the clock gone, every budget a case count, and a loud
failure when schemathesis.toml changes shape instead of a run that is quietly bound by the clock again."""

from __future__ import annotations

import tomllib

import pytest
from clicksend_mms_fuzz import config_file

from tests.helpers.fuzz_budget import budgeted_config

SHIPPED = config_file.path().read_text(encoding="utf-8")


def _budgets(config: dict[str, object]) -> list[object]:
    operations = config.get("operations", [])
    assert isinstance(operations, list)
    per_operation = [o["generation"]["max-examples"] for o in operations if "max-examples" in o.get("generation", {})]
    generation = config["generation"]
    assert isinstance(generation, dict)
    return [generation["max-examples"], *per_operation]


def test_the_shipped_config_is_clock_bound_and_the_budgeted_one_is_not() -> None:
    shipped = tomllib.loads(SHIPPED)
    assert "max-time" in shipped  # what makes `make fuzz` machine-dependent (and this helper necessary)
    budgeted = tomllib.loads(budgeted_config(SHIPPED, 7))
    assert "max-time" not in budgeted
    assert set(_budgets(budgeted)) == {7} and len(_budgets(budgeted)) == len(_budgets(shipped))
    assert {k: v for k, v in budgeted.items() if k not in ("generation", "operations")} == {
        k: v for k, v in shipped.items() if k not in ("generation", "operations", "max-time")
    }


def test_phases_can_be_narrowed() -> None:
    phases = tomllib.loads(budgeted_config(SHIPPED, 3, phases=("examples", "fuzzing")))["phases"]
    assert {name for name, phase in phases.items() if phase["enabled"]} == {"examples", "fuzzing"}
    assert phases["stateful"]["max-steps"] == tomllib.loads(SHIPPED)["phases"]["stateful"]["max-steps"]


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        (SHIPPED.replace("max-examples", "max-cases"), None),  # no budget left to set
        (SHIPPED + "\nmax-time = 5\n", None),  # a second clock
        (SHIPPED, ("examples", "no-such-phase")),
    ],
    ids=["no-budget", "two-clocks", "unknown-phase"],
)
def test_a_config_of_another_shape_fails_loudly(text: str, phases: tuple[str, ...] | None) -> None:
    with pytest.raises(AssertionError, match=r"schemathesis\.toml changed shape"):
        budgeted_config(text, 5, phases)
