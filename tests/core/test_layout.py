"""One import root in two folders: generated/clicksend_mms (generator output) and sdk/clicksend_mms (hand-written).

The wheel merges both folders into one clicksend_mms/, so a file name in both would be overwritten by the other;
in a checkout the first on sys.path would shadow the second. These tests keep the split honest.
"""

from __future__ import annotations

from pathlib import Path

from overrides.generate import CODECS_MODULE, PACKAGE
from tests.helpers.spec import ROOT

GENERATED = ROOT / "generated" / PACKAGE
SDK = ROOT / "sdk" / PACKAGE
RUNTIME = ROOT / "overrides" / "runtime"


def _names(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def overlap(generated: set[str], sdk: set[str]) -> list[str]:
    return sorted(generated & sdk)


def test_no_file_name_in_both_folders() -> None:
    assert overlap(_names(GENERATED), _names(SDK)) == [], "rename the hand-written module: the wheel merges both"


def test_overlap_is_detected() -> None:
    # The check above can fail: a hand-written facade.py next to a generated one is reported.
    assert overlap({"client.py", "facade.py", "api/__init__.py"}, {"facade.py", "__init__.py"}) == ["facade.py"]


def test_only_the_sdk_has_the_root_init() -> None:
    assert (SDK / "__init__.py").is_file()
    assert not (GENERATED / "__init__.py").exists(), "a generated root __init__ would shadow or collide with the SDK's"


def test_only_the_codec_runtime_is_copied_into_generated() -> None:
    assert sorted(p.name for p in RUNTIME.glob("*.py")) == [CODECS_MODULE]
    assert (GENERATED / CODECS_MODULE).is_file()


def test_one_package_resolves_into_both_folders() -> None:
    import clicksend_mms.client
    import clicksend_mms.facade

    assert {Path(p).resolve() for p in clicksend_mms.__path__} >= {SDK, GENERATED}
    assert Path(clicksend_mms.facade.__file__ or "").resolve().parent == SDK
    assert Path(clicksend_mms.client.__file__ or "").resolve().parent == GENERATED
