"""`clicksend-mms conformance`: table, --json, --strict, --suggest, exit codes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from clicksend_mms.cli import app
from typer.testing import CliRunner

from tests.conformance.har import catalogue_entries, entry, write_har
from tests.conformance.test_planted import PLANTED

runner = CliRunner()


def _planted(tmp_path: Path, *names: str) -> Path:
    return write_har(tmp_path / "planted.har", [PLANTED[name][0] for name in names])


def test_clean_traffic_exits_0_with_a_table(tmp_path: Path) -> None:
    har = write_har(tmp_path / "catalogue.har", [e for _, e in catalogue_entries()])
    result = runner.invoke(app, ["conformance", str(har), "--strict"])
    assert result.exit_code == 0, result.output
    assert "1. Schema violations: 0" in result.stdout
    assert "conforms to the spec (strict)" in result.stdout


def test_violations_exit_1_undeclared_things_only_with_strict(tmp_path: Path) -> None:
    listed = _planted(tmp_path, "unknown field", "new status value", "undeclared 418")
    assert runner.invoke(app, ["conformance", str(listed)]).exit_code == 0
    assert runner.invoke(app, ["conformance", str(listed), "--strict"]).exit_code == 1
    failing = _planted(tmp_path, "integer message_id")
    result = runner.invoke(app, ["conformance", str(failing)])
    assert result.exit_code == 1
    assert "data.messages[].message_id" in result.stdout and "123456" in result.stdout
    assert "does not conform" in result.stdout


def test_json_report_has_every_category(tmp_path: Path) -> None:
    har = _planted(tmp_path, *PLANTED)
    result = runner.invoke(app, ["conformance", str(har), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["summary"]["entries"] == len(PLANTED)
    assert [f["field"] for f in report["violation"]] == ["data.messages[].message_id"]
    assert [f["field"] for f in report["undeclared_field"]] == ["data.messages[].is_shared_system_number"]
    assert [(f["codec"], f["field"]) for f in report["unknown_variant"]] == [("money", "data.messages[].message_price")]
    assert sorted((f["seen"] for f in report["undeclared_value"]), key=str) == sorted(
        [418, "QUEUED", "QUEUED_FOR_REVIEW", "Queued:Carrier"], key=str
    )
    assert report["violation"][0]["first"] == {"entry": "planted.har#4", "field": "data.messages[0].message_id"}
    # the global --json works too
    assert json.loads(runner.invoke(app, ["--json", "conformance", str(har)]).stdout) == report


def test_suggest_prints_yaml_on_stdout_and_the_report_on_stderr(tmp_path: Path) -> None:
    har = _planted(tmp_path, "unknown field", "integer message_id")
    result = runner.invoke(app, ["conformance", str(har), "--suggest"])
    assert result.exit_code == 1
    patch = yaml.safe_load(result.stdout)
    assert list(patch["components"]["schemas"]["MmsMessageResult"]["properties"]) == ["is_shared_system_number"]
    assert "Schema violations: 1" in result.stderr
    with_json = json.loads(runner.invoke(app, ["conformance", str(har), "--suggest", "--json"]).stdout)
    assert yaml.safe_load(with_json["suggestion"]) == patch


def test_bad_inputs_get_a_clear_error_and_no_traceback(tmp_path: Path) -> None:
    not_har = tmp_path / "notes.txt"
    not_har.write_text("hello")
    result = runner.invoke(app, ["conformance", str(not_har)])
    assert (result.exit_code, result.exception.__class__) == (2, SystemExit)
    assert "notes.txt: not JSON" in result.stderr
    missing = runner.invoke(app, ["conformance", str(tmp_path / "nope.har")])  # a local file error, like `upload`'s
    assert missing.exit_code == 11 and "nope.har: cannot read it" in missing.stderr
    assert runner.invoke(app, ["conformance", str(tmp_path)]).exit_code == 11  # a folder
    bad_spec = tmp_path / "spec.yaml"
    bad_spec.write_text("just: text\n")
    har = _planted(tmp_path, "unknown field")
    result = runner.invoke(app, ["conformance", str(har), "--spec", str(bad_spec)])
    assert result.exit_code == 3 and "not an OpenAPI document" in result.stderr


def test_a_patched_spec_given_with_spec_declares_what_was_seen(tmp_path: Path) -> None:
    from clicksend_mms.conformance.spec import default_spec
    from clicksend_mms.conformance.suggest import apply_merge_patch

    har = _planted(tmp_path, "unknown field", "new status value", "undeclared 418")
    patch = yaml.safe_load(runner.invoke(app, ["conformance", str(har), "--suggest"]).stdout)
    patched = tmp_path / "patched.yaml"
    patched.write_text(yaml.safe_dump(apply_merge_patch(default_spec().document, patch)))
    result = runner.invoke(app, ["conformance", str(har), "--strict", "--spec", str(patched)])
    assert result.exit_code == 0, result.stdout


def test_the_table_shows_the_commonest_findings_and_says_how_many_more(tmp_path: Path) -> None:
    from clicksend_mms.conformance.render import MAX_ROWS

    from tests.conformance.har import entry, url_for
    from tests.conformance.test_planted import HISTORY_ANSWER

    odd = [f"{url_for('get_mms_history')}?k{i}=1" for i in range(MAX_ROWS + 5)]
    common = [f"{url_for('get_mms_history')}?often=1"] * 3
    har = write_har(tmp_path / "many.har", [entry("GET", url, response=HISTORY_ANSWER) for url in odd + common])
    result = runner.invoke(app, ["conformance", str(har)])
    assert result.exit_code == 0
    assert "... and 6 more (--json lists them all)" in result.stdout
    assert "often" in result.stdout  # counted 3 times: never the one left out
    report = json.loads(runner.invoke(app, ["conformance", str(har), "--json"]).stdout)
    assert len(report["undeclared_field"]) == MAX_ROWS + 6


@pytest.mark.parametrize(
    "entries",
    [[], [entry("GET", "https://example.com/index.html", response_text="<html>")]],
    ids=["empty", "another API"],
)
def test_nothing_checked_is_not_a_pass(tmp_path: Path, entries: list[dict[str, object]]) -> None:
    har = write_har(tmp_path / "t.har", entries)
    for strict in ([], ["--strict"]):
        result = runner.invoke(app, ["conformance", str(har), *strict])
        assert result.exit_code == 12, result.output
        assert "Nothing was checked" in result.stdout and "conforms" not in result.stdout
    report = json.loads(runner.invoke(app, ["conformance", str(har), "--json"]).stdout)
    assert report["exit_code"] == 12 and report["summary"]["checked"] == 0
