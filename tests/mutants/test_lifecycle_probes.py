"""The lifecycle probes (clicksend_mms_fuzz.lifecycle) against an in-process sandbox: every side holds on the
unmodified sandbox, and each fresh-eyes bug they were written for fails a side when planted (the same planted copy
test_fresh_eyes_probes.py uses). The in-process sandbox keeps its default delays, which the probes are given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clicksend_mms_fuzz import lifecycle, wire
from clicksend_mms_fuzz.boundaries import Side
from clicksend_mms_sandbox.settings import Settings

from .fresh_eyes import FRESH_EYES
from .harness import check_applies
from .test_fresh_eyes_probes import Api, _probe

DELAYS = (Settings().send_delay, Settings().receipt_delay)


class _InProcess:
    """The probes' caller over the in-process app: API paths through the account's client, control paths at the
    sandbox's origin."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = self.api.origin + path if path.startswith("/_sandbox/") else path
        answer = self.api.one.request(method, url, json=body)
        return answer.status_code, wire.envelope_data(answer.content)


def _all_hold(probe: Any) -> Any:
    def judged(api: Api) -> bool:
        sides: list[Side] = probe(_InProcess(api), *DELAYS)
        assert sides, "no side judged"
        return all(s.ok for s in sides)

    return judged


CAUGHT = {
    "receipts-failed-reads-delivered": lifecycle.magic_recipients,
    "history-status-skips-sent": lifecycle.stages,
}


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_the_probe_holds_on_the_sandbox_and_fails_on_the_bug(name: str, tmp_path: Path) -> None:
    mutant = next(m for m in FRESH_EYES if m.name == name)
    check_applies(mutant)
    probe = _all_hold(CAUGHT[name])
    assert _probe(probe, None, tmp_path), f"{name}: a side fails on the unmodified sandbox"
    assert not _probe(probe, mutant, tmp_path), f"{name}: no side sees the planted bug"


def test_every_magic_recipient_of_the_spec_is_judged_at_send_and_accepted_ones_past_their_receipt(
    tmp_path: Path,
) -> None:
    table = lifecycle._sandbox_table()
    seen: list[Side] = []

    def record(api: Api) -> bool:
        seen.extend(lifecycle.magic_recipients(_InProcess(api), *DELAYS))
        return True

    _probe(record, None, tmp_path)
    accepted = [n for n, entry in table["recipients"].items() if "reject" not in entry]
    assert sorted(s.side for s in seen) == sorted(
        [
            *(f"{n} at send" for n in table["recipients"]),
            *(f"{n} {table['recipients'][n].get('outcome', 'delivered')}" for n in accepted),
        ]
    )
    assert {e.get("outcome", "delivered") for e in table["recipients"].values()} == set(table["outcomes"])
