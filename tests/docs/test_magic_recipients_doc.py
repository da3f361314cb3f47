"""sandbox/README.md's table of magic recipients shows the spec's `x-clicksend-sandbox` exactly: every number, and
each rejected one with its status (the spec is their one home; the table is a view of it)."""

from __future__ import annotations

import re
from pathlib import Path

import clicksend_mms_spec

README = Path(__file__).resolve().parents[2] / "sandbox" / "README.md"


def test_the_readme_table_lists_the_specs_magic_recipients() -> None:
    recipients = clicksend_mms_spec.load()["x-clicksend-sandbox"]["recipients"]
    text = README.read_text(encoding="utf-8")
    section = text.split("### Sandbox magic recipients", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\+\d+)` \| (.*) \|$", section, flags=re.MULTILINE))
    assert set(rows) == set(recipients)
    for number, entry in recipients.items():
        rejected = entry.get("reject")
        assert (f"`{rejected}`" in rows[number]) if rejected else ("rejected" not in rows[number]), number
