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

from .catalog import Mutant, Patch
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
    # Caught by the in-run receipts_read_takes_effect only while the run's lifecycle put time between a send and its
    # receipt; on the instant one (sandboxes.py) this probe is what sees it.
    "receipts-read-date-before-on-send-time": lifecycle.receipts_read,
}
# The probes' other sides, each with a bug planted only here: a reject side, the no-receipt outcome, the Queued stage
# and a receipt listed early.
OTHER_SIDES = (
    (
        Mutant(
            "magic-reject-ignored",
            "local",
            "a magic recipient's reject status is not applied: the send succeeds",
            (),
            (Patch("rules.py", "            status = recipient.magic.reject\n", '            status = "SUCCESS"\n'),),
        ),
        lifecycle.magic_recipients,
    ),
    (
        Mutant(
            "no-receipt-outcome-receipted",
            "local",
            "a message whose outcome is no receipt gets one (and reads Completed)",
            (),
            (
                Patch(
                    "message.py",
                    '(None if outcome == "none" else sent_at + receipt_delay)',
                    "sent_at + receipt_delay",
                ),
            ),
        ),
        lifecycle.magic_recipients,
    ),
    (
        Mutant(
            "history-skips-queued",
            "local",
            "history never reads Queued: a message reads Sent from its schedule on",
            (),
            (Patch("message.py", "WHEN :now < sent_at THEN 'Queued'", "WHEN 0 THEN 'Queued'"),),
        ),
        lifecycle.stages,
    ),
    (
        Mutant(
            "receipt-listed-when-sent",
            "local",
            "a receipt is listed as soon as its message is sent, before its receipt time",
            (),
            (
                Patch(
                    "message.py",
                    'AND receipt_at <= :now AND cancelled_at IS NULL"',
                    'AND sent_at <= :now AND cancelled_at IS NULL"',
                ),
            ),
        ),
        lifecycle.stages,
    ),
)


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_the_probe_holds_on_the_sandbox_and_fails_on_the_bug(name: str, tmp_path: Path) -> None:
    mutant = next(m for m in FRESH_EYES if m.name == name)
    check_applies(mutant)
    probe = _all_hold(CAUGHT[name])
    assert _probe(probe, None, tmp_path), f"{name}: a side fails on the unmodified sandbox"
    assert not _probe(probe, mutant, tmp_path), f"{name}: no side sees the planted bug"


@pytest.mark.parametrize(("mutant", "probe"), OTHER_SIDES, ids=lambda item: getattr(item, "name", ""))
def test_the_probes_other_sides_fail_on_their_bugs(mutant: Mutant, probe: Any, tmp_path: Path) -> None:
    check_applies(mutant)
    assert not _probe(_all_hold(probe), mutant, tmp_path), f"{mutant.name}: no side sees the planted bug"


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
