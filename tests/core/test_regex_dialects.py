"""One regex dialect: every pattern of the spec answers the same in ECMA-262 (node's RegExp, with the ``u`` flag as
JSON Schema validators use it) and in the Python validators here (the SDK's input check, the sandbox's
validator, and the translation both use), on strings built from the characters where the dialects differ."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from clicksend_mms import request_rules
from clicksend_mms.request_check import _compiled
from clicksend_mms_sandbox.spec import EcmaValidator
from clicksend_mms_spec.ecma_regex import UnsupportedPattern, compile_ecma, to_python

from tests.helpers.spec import load_spec

# Where Python's re and ECMA-262 disagree: \s (U+001C-U+001F, U+0085; U+FEFF the other way), \d and \w (Unicode
# digits and letters), $ (before a final newline), . (\r, U+2028, U+2029).
DIFFERING = ["\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\ufeff", "\u00a0", "\u2028", "\u2029", "\r", "\n", "\t"]
DIFFERING += ["\u0660", "\u0967", "\uff11", "\u00e9", "\u00df", "\u0130", "\u212a"]
# Strings each pattern of the spec matches, so a differing character lands next to valid text.
BASES = ["1", "1.50", "0", "AU", "ab", "https://example.com/cat.jpg", "status:Sent", "date_added:desc", "ABC-123"]
BASES += ["R0lGODlhAQABAAAAACw=", "Completed", "2453E085-C1F8-47EC-AD35-B793960B1313", "x"]


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


PATTERNS = sorted(set(_patterns(load_spec())))


def _probes() -> list[str]:
    out = list(BASES)
    for base in BASES:
        for char in DIFFERING:
            out += [base + char, char + base, base[:1] + char + base[1:], base + char + "\n"]
    return out


PROBES = _probes()


def _ecma(patterns: list[str], probes: list[str]) -> dict[str, list[bool]]:
    """Each pattern's RegExp.test over the probes, by node."""
    script = (
        "const [patterns, probes] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const out = {}; for (const p of patterns) {"
        " const r = new RegExp(p, 'u'); out[p] = probes.map(s => r.test(s)); }"
        "process.stdout.write(JSON.stringify(out));"
    )
    done = subprocess.run(
        ["node", "-e", script], input=json.dumps([patterns, probes]), capture_output=True, text=True, check=True
    )
    result: dict[str, list[bool]] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def ecma() -> dict[str, list[bool]]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    return _ecma(PATTERNS, PROBES)


def test_the_spec_has_patterns_and_the_probes_reach_both_answers(ecma: dict[str, list[bool]]) -> None:
    assert len(PATTERNS) >= 8
    for pattern, answers in ecma.items():
        assert any(answers) and not all(answers), f"{pattern}: the probes never match, or always: they test nothing"


@pytest.mark.node
@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_translation_matches_what_ecma_matches(pattern: str, ecma: dict[str, list[bool]]) -> None:
    compiled = compile_ecma(pattern)
    differ = [p for p, want in zip(PROBES, ecma[pattern], strict=True) if bool(compiled.search(p)) != want]
    assert differ == [], f"{pattern} (as {to_python(pattern)}) differs from ECMA-262 on {differ[:5]}"


@pytest.mark.node
@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_sandbox_validates_with_ecma_semantics(pattern: str, ecma: dict[str, list[bool]]) -> None:
    validator = EcmaValidator({"type": "string", "pattern": pattern})
    differ = [p for p, want in zip(PROBES, ecma[pattern], strict=True) if validator.is_valid(p) != want]
    assert differ == [], f"the sandbox judges {pattern} unlike ECMA-262 on {differ[:5]}"


@pytest.mark.node
def test_the_sdk_check_uses_ecma_semantics(ecma: dict[str, list[bool]]) -> None:
    emitted = set(_patterns([request_rules.SCHEMAS, request_rules.PARAMETERS]))
    assert emitted, "the SDK checks no pattern"
    by_python = {to_python(p): p for p in PATTERNS}
    for python in emitted:
        pattern = by_python[python]  # every emitted pattern is a translated spec pattern
        compiled = _compiled(python)
        differ = [p for p, want in zip(PROBES, ecma[pattern], strict=True) if bool(compiled.search(p)) != want]
        assert differ == [], f"the SDK judges {pattern} unlike ECMA-262 on {differ[:5]}"


@pytest.mark.node
def test_python_re_as_is_would_fail_this(ecma: dict[str, list[bool]]) -> None:
    """The planted bug: the spec's patterns given to Python's re untranslated (what jsonschema does by default)."""
    import re

    differing = [p for p in PATTERNS if any(bool(re.search(p, s)) != w for s, w in zip(PROBES, ecma[p], strict=True))]
    media_file = load_spec()["components"]["schemas"]["SendMmsRequest"]["properties"]["media_file"]["pattern"]
    assert media_file in differing and len(differing) > len(PATTERNS) / 2, differing


@pytest.mark.parametrize("construct", [r"\b", r"[\D]", r"\1", r"(?<n>a)", r"(?<=a)b", r"\u{1F600}", r"\p{L}"])
def test_a_construct_the_translation_cannot_vouch_for_is_refused(construct: str) -> None:
    with pytest.raises(UnsupportedPattern):
        to_python(f"^a{construct}$")
