"""The fast, seeded subset of the interruption trials (the full run: `make interrupt-trials`, 50 per mode)."""

from __future__ import annotations

import pytest

from tests.interrupt import trials


@pytest.mark.slow
def test_every_mode_sends_each_message_exactly_once() -> None:
    done = trials.run(list(trials.MODES), trials=2, seed=20, count_range=(200, 1200))
    problems = [f"trial {t.number} ({t.mode}): {p}" for t in done for p in t.problems]
    assert not problems, "\n".join(problems) + "\n" + trials.table(done)
    assert {t.mode for t in done} == set(trials.MODES)
