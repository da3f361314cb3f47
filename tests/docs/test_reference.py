"""The rendered reference: what the page holds (spec, quirk sections, sandbox facts), how the sandbox serves it,
what `make docs` writes, and that the vendored Redoc bundle is the pinned npm package's."""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from clicksend_mms_sandbox import create_app, numbers, testing
from clicksend_mms_sandbox.accounts import KINDS
from clicksend_mms_sandbox.docs import build_site, facts
from clicksend_mms_sandbox.docs.__main__ import main as docs_main
from clicksend_mms_sandbox.docs.page import ASSETS, BUNDLE, LICENCES, render_page
from clicksend_mms_sandbox.docs.reference import QUIRKS_TAG, SANDBOX_TAG, find_quirks, reference_spec
from clicksend_mms_sandbox.served_spec import served_spec
from clicksend_mms_sandbox.transports import SandboxTransport
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.helpers.node_tools import node_modules
from tests.helpers.spec import ROOT, load_spec

_SPEC_SCRIPT = re.compile(r'<script id="spec" type="application/json">(.*?)</script>', re.S)


def _tag(view: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in view["tags"] if t["name"] == name)


def _page_spec(page: str) -> Any:
    match = _SPEC_SCRIPT.search(page)
    assert match is not None, "the page embeds no spec"
    return json.loads(match.group(1))


def test_the_view_is_valid_openapi_and_leaves_the_spec_alone() -> None:
    spec = load_spec()
    before = copy.deepcopy(spec)
    view = reference_spec(spec, facts.sandbox_facts())
    validate(view)
    assert spec == before
    assert view["paths"] == spec["paths"] and view["components"] == spec["components"]
    grouped = [tag for group in view["x-tagGroups"] for tag in group["tags"]]
    assert sorted(grouped) == sorted(t["name"] for t in view["tags"])  # Redoc hides a tag that is in no group


def test_every_quirk_schema_gets_a_section_with_one_row_per_wire_variant() -> None:
    spec = load_spec()
    codecs = {name: s for name, s in spec["components"]["schemas"].items() if "x-codec" in s}
    assert codecs, "the spec has no x-codec schema"
    section = _tag(reference_spec(spec, facts.sandbox_facts()), QUIRKS_TAG)["description"]
    for name, schema in codecs.items():
        body = section.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        assert f"`x-codec: {schema['x-codec']}`" in body
        rows = [line for line in body.splitlines() if re.match(r"\| \d+ \|", line)]
        assert len(rows) == len(schema["anyOf"]), name


def test_values_shown_for_a_quirk_are_from_the_examples_and_valid_for_it() -> None:
    quirks = {q.name: q for q in find_quirks(load_spec())}
    # The seed examples hold money both as a string and as a number: both shapes must be found.
    assert {type(v) for v in quirks["Money"].seen} >= {str, float}
    for quirk in quirks.values():
        validator = Draft202012Validator(quirk.schema)
        for value in quirk.seen:
            assert validator.is_valid(value), f"{quirk.name}: {value!r} is not one of its wire variants"
    assert "MmsMessageRecord.message_price" in quirks["Money"].used_by


def test_the_sandbox_section_is_rendered_from_the_sandbox_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(numbers.MAGIC_RECIPIENTS, "+61400000099", numbers.Magic(outcome="failed"))
    found = facts.sandbox_facts()
    section = _tag(reference_spec(load_spec(), found), SANDBOX_TAG)["description"]
    assert "| `+61400000099` | fails after sending" in section  # a number added to the rules shows up
    for account in found.accounts:
        assert f"| `{account.username}` |" in section and f"`{account.api_key}`" in section
    for number in [*testing.TEST_RECIPIENTS, *numbers.MAGIC_RECIPIENTS]:
        assert f"`{number}`" in section


def test_every_test_account_kind_is_described_by_the_spec() -> None:
    described = load_spec()["x-clicksend-testing"]["accounts"]
    assert set(KINDS) - {"normal"} <= set(described)
    for account in facts.sandbox_facts().accounts:
        expected = described.get(account.kind, facts.NORMAL_BEHAVIOUR)
        assert expected in account.behaviour


def test_the_page_embeds_the_spec_safely() -> None:
    spec = copy.deepcopy(load_spec())
    spec["info"]["description"] = "</script><script>alert(1)</script><!-- & -->"
    page = render_page(spec, "redoc.standalone.js")
    assert _page_spec(page) == spec
    assert page.count("</script>") == 5  # spec, options, shim, bundle, init: nothing closed early
    assert html.escape(spec["info"]["title"]) in page


def test_the_sandbox_serves_the_page_and_its_renderer_without_credentials() -> None:
    # No auth on this client: the page and its bundle are public, like /openapi.json.
    with httpx.Client(transport=SandboxTransport(create_app()), base_url="http://sandbox") as client:
        page = client.get("/docs")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        # The spec as served: its local server entry is where this sandbox was reached.
        served = served_spec(load_spec(), "http://sandbox/v3")
        assert _page_spec(page.text) == reference_spec(served, facts.sandbox_facts())
        src = re.search(r'<script src="([^"]+)"></script>', page.text)
        assert src is not None
        bundle = client.get(urljoin(str(page.url), src.group(1)))
        assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
        assert bundle.content == (ASSETS / BUNDLE).read_bytes()
        assert client.get(urljoin(str(page.url), "openapi.json")).status_code == 200  # the <noscript> note's link
        assert client.get("/docs/other.js").status_code == 404


def test_make_docs_writes_a_folder_that_needs_nothing_else(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "docs"
    assert docs_main([str(out)]) == 0
    assert str(out / "index.html") in capsys.readouterr().out
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<script src="redoc.standalone.js"></script>' in page
    for name in (BUNDLE, *LICENCES):
        assert (out / name).read_bytes() == (ASSETS / name).read_bytes()
    assert json.loads((out / "openapi.json").read_text(encoding="utf-8")) == load_spec()
    assert not re.search(r"""(src|href)=["']https?://""", page), "the page must load nothing remote"
    assert build_site(out, load_spec()) == out / "index.html"  # a second build replaces the first


def test_the_vendored_bundle_is_the_pinned_npm_package() -> None:
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["redoc"]
    installed = node_modules() / "redoc"
    assert json.loads((installed / "package.json").read_text(encoding="utf-8"))["version"] == pinned
    for vendored, source in [
        (BUNDLE, f"bundles/{BUNDLE}"),
        ("redoc.standalone.js.LICENSE.txt", "bundles/redoc.standalone.js.LICENSE.txt"),
        ("redoc.LICENSE", "LICENSE"),
    ]:
        assert (ASSETS / vendored).read_bytes() == (installed / source).read_bytes(), (
            f"run `make docs-vendor` ({vendored})"
        )
