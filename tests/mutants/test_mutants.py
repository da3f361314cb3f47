"""The mutation harness as tests: every planted bug still applies to the sandbox (CI), a fast subset is caught by
the default fuzz (CI), and the whole table is caught (`pytest -m mutants`, what `make mutants` prints)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from clicksend_mms_fuzz.checks import CHECKS

from .catalog import FAST, MUTANTS, Mutant, Patch, by_name, every_mutant, extra
from .harness import PatchDoesNotApply, check_applies, plant, run

pytestmark = pytest.mark.slow  # minutes on a busy machine: handed out first under xdist (tests/conftest.py)

# The fast subset's case budget (examples per operation): each is caught within it; the burst is judged after the
# other phases, so it needs a short run rather than the default one.
FAST_EXAMPLES = 3


@pytest.mark.parametrize("mutant", every_mutant(), ids=lambda m: m.name)
def test_every_mutant_still_applies(mutant: Mutant) -> None:
    check_applies(mutant)


def test_a_patch_that_no_longer_applies_fails_loudly(tmp_path: Path) -> None:
    stale = Mutant("stale", "1", "targets code that moved", (), (Patch("rules.py", "no such text anywhere", "x"),))
    with pytest.raises(PatchDoesNotApply, match=re.escape("stale: clicksend_mms_sandbox/rules.py holds 0 copies")):
        plant(stale, tmp_path)


def test_a_run_that_breaks_before_judging_is_an_error_not_a_catch() -> None:
    """A planted sandbox that never serves: the table gets an error row for it (neither caught nor a crash of the
    whole table, which is how a broken variant once ended a full run at mutant 41 of 120)."""
    broken = Mutant(
        "never-serves",
        "local",
        "the sandbox exits at start",
        (),
        (Patch("cli.py", "    sock = listen(", "    sock = 1 / 0 or listen("),),
    )
    outcome = run(broken, examples=FAST_EXAMPLES)
    assert not outcome.caught
    assert outcome.errors and "no statistics" in outcome.errors[0], outcome


def test_catalog_covers_every_blind_spot_and_every_custom_check() -> None:
    kinds = Counter(m.kind for m in MUTANTS)
    assert len(MUTANTS) >= 15
    assert all(kinds[kind] >= 2 for kind in "123456"), kinds
    assert kinds["variant"] == 5
    assert kinds["7"] >= 6, "every way a credential can be wrong (matrix: security rows)"
    expected = {check for m in every_mutant() for check in m.expected}
    assert {check.__name__ for check in CHECKS} <= expected, "a custom check that no mutant proves"


# The rate-limit burst is judged after whatever phases ran, against its own sandbox: the examples phase is enough to
# reach it, where the whole short run took 20-26 s.
FAST_PHASES = {"429-without-retry-after": ("examples",)}


@pytest.mark.parametrize("name", FAST)
def test_fast_subset_is_caught(name: str) -> None:
    outcome = run(by_name(name), examples=FAST_EXAMPLES, phases=FAST_PHASES.get(name))
    assert outcome.caught, f"{name} survived ({outcome.cases} cases)"


@pytest.mark.mutants
@pytest.mark.parametrize("mutant", every_mutant(), ids=lambda m: m.name)
def test_mutant_is_caught_by_the_default_fuzz(mutant: Mutant) -> None:
    outcome = run(mutant)
    assert outcome.caught, f"{mutant.name} survived the default fuzz ({outcome.cases} cases, {outcome.seconds:.0f}s)"


def test_every_mutant_name_is_unique() -> None:
    names = Counter(m.name for m in every_mutant())
    assert [n for n, c in names.items() if c > 1] == []


def test_an_extra_catalog_is_included_when_it_exists() -> None:
    assert extra("no_such_catalog") == ()
    assert extra("catalog", "MUTANTS") == MUTANTS  # any module of this package, by the same mechanism
