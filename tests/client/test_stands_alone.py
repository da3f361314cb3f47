"""The repository stands alone: nothing in it cites or needs a file beside the checkout, and the spec (so the
reference page) links to no project home that does not exist."""

from __future__ import annotations

import re
import subprocess

from tests.helpers.spec import ROOT

# What a checkout once leaned on from outside itself: a brief beside it, a folder of examples next to it.
OUTSIDE = re.compile(r"API-BRIEF|\.\./shared\b|parent\s*/\s*\"shared\"")


def tracked_text_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def test_no_file_cites_or_reads_a_file_beside_the_checkout() -> None:
    offenders = []
    this = "tests/client/test_stands_alone.py"
    for name in tracked_text_files():
        if name == this:
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{name}: {match.group(0)}" for match in OUTSIDE.finditer(text)]
    assert offenders == []


def test_the_spec_info_links_nowhere_it_cannot_prove() -> None:
    import clicksend_mms_spec

    info = clicksend_mms_spec.load()["info"]
    # A URL in info is shown on the reference page as the project's home: there is none published yet.
    urls = re.findall(r"https?://[^\s'\"]+", repr({k: v for k, v in info.items() if k != "description"}))
    assert urls == []
