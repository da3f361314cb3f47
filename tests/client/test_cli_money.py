"""Money prints one way in every CLI output (tables, tab-separated rows, totals, --json): ClickSend's four decimals
(cli_money), whichever of its wire forms the amount came in."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import httpx
import pytest
from clicksend_mms import cli
from clicksend_mms.cli import Options, app
from clicksend_mms.cli_money import MONEY_FIELDS, money, money_in_json
from rich.console import Console
from typer.testing import CliRunner

from tests.client.conftest import FAST
from tests.client.fakes import FakeClickSend, envelope, page

# Each amount in a wire form ClickSend uses: a JSON number, an integer 0, six decimals, four, a float's repr.
SENT = [("+61411111111", "2.420000"), ("+61422222222", 0), ("+61433333333", "19.36")]
TOTAL = 72.6
SEND = [
    "--media-file",
    "https://e/a.jpg",
    "--subject",
    "s",
    "--body",
    "b",
    *[a for to, _ in SENT for a in ("--to", to)],
]
# Amount-shaped text: digits, a point, digits (dates and times have none; ids and numbers no point).
AMOUNT = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")


def send_answer(request: httpx.Request) -> httpx.Response:
    messages = [
        {"message_id": f"ID-{i}", "status": "SUCCESS", "to": to, "message_price": price, "message_parts": 1}
        for i, (to, price) in enumerate(SENT)
    ]
    return envelope({"total_price": TOTAL, "total_count": 3, "queued_count": 3, "messages": messages})


def history_answer(request: httpx.Request) -> httpx.Response:
    rows = [{"message_id": f"ID-{i}", "status": "Sent", "to": to, "message_price": p} for i, (to, p) in enumerate(SENT)]
    return envelope(page(rows, 1, 100))


def run(monkeypatch: pytest.MonkeyPatch, terminal: bool, *args: str) -> str:
    fake = FakeClickSend()
    fake.script += [send_answer if args[-1] != "history" and "history" not in args else history_answer]
    screen = io.StringIO()
    errors = io.StringIO()
    monkeypatch.setattr(cli, "out", cli._Console(file=screen, width=200, soft_wrap=True))
    monkeypatch.setattr(cli, "err", Console(file=errors, width=200, soft_wrap=True))
    monkeypatch.setattr(cli, "_is_terminal", lambda: terminal)
    obj = Options(transport=fake.transport(), retry=FAST)
    result = CliRunner().invoke(app, ["--username", "u", "--api-key", "k", *args], obj=obj)
    assert result.exit_code == 0, (result.output, errors.getvalue())
    return screen.getvalue() + errors.getvalue() + result.output


EXPECTED = {money(Decimal(str(price))) for _, price in SENT} | {money(Decimal(str(TOTAL)))}


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "piped"])
@pytest.mark.parametrize(
    "args",
    [["send", *SEND], ["price", *SEND], ["--json", "send", *SEND], ["history"], ["--json", "history"]],
    ids=["send", "price", "send-json", "history", "history-json"],
)
def test_every_amount_prints_with_four_decimals(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, args: list[str]
) -> None:
    text = run(monkeypatch, terminal, *args)
    amounts = set(AMOUNT.findall(text))
    assert amounts, text  # the output shows money at all
    assert all(re.fullmatch(r"\d+\.\d{4}", amount) for amount in amounts), (amounts, text)
    assert amounts <= EXPECTED
    if args[-1] != "history" and "--json" not in args:  # the total, as the rows' amounts are
        assert f"total price {money(Decimal(str(TOTAL)))}" in text


@pytest.mark.parametrize(
    ("wire", "shown"),
    [("72.6", "72.6000"), ("2.420000", "2.4200"), ("0", "0.0000"), ("19.36", "19.3600"), ("0.07255", "0.07255")],
)
def test_money_keeps_four_places_and_never_rounds(wire: str, shown: str) -> None:
    assert money(Decimal(wire)) == shown


def test_the_money_fields_are_the_models_decimals() -> None:
    assert {"message_price", "total_price"} <= MONEY_FIELDS
    sample: Any = {"total_price": 1, "messages": [{"message_price": "2.420000", "to": "+61411111111"}]}
    assert money_in_json(sample) == {
        "total_price": "1.0000",
        "messages": [{"message_price": "2.4200", "to": "+61411111111"}],
    }
