"""A missing extra's message is a command that works for this install (clicksend_mms_spec.distribution): the
wheel file's path with the extra (the package is on no index yet), the clone for an editable install, the name
once installed from an index."""

from __future__ import annotations

import json
import re
import shlex
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from clicksend_mms_spec import distribution
from clicksend_mms_spec.distribution import pip_install

from tests.helpers.spec import ROOT


def installed_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, direct_url: dict[str, Any] | None) -> None:
    """The distribution as pip leaves it: a dist-info folder, with direct_url.json (PEP 610) unless from an index."""
    info = tmp_path / "clicksend_mms-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: clicksend-mms\nVersion: 0.1.0\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    found = metadata.PathDistribution(info)
    monkeypatch.setattr(metadata, "distribution", lambda name: found)


def test_a_wheel_file_install_names_the_wheel_with_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wheel = tmp_path / "my dist" / "clicksend_mms-0.1.0-py3-none-any.whl"
    installed_with(monkeypatch, tmp_path, {"url": wheel.as_uri(), "archive_info": {"hashes": {}}})
    command = pip_install("cli")
    assert shlex.split(command) == ["pip", "install", f"{wheel}[cli]"]  # quoted: a space, and [ ] for the shell


def test_an_editable_install_names_the_clone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed_with(monkeypatch, tmp_path, {"url": tmp_path.as_uri(), "dir_info": {"editable": True}})
    assert shlex.split(pip_install("sandbox")) == ["pip", "install", "-e", f"{tmp_path}[sandbox]"]


def test_a_url_install_names_the_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = "https://example.com/repo.git"
    installed_with(monkeypatch, tmp_path, {"url": url, "vcs_info": {"vcs": "git", "commit_id": "abc"}})
    assert shlex.split(pip_install("fuzz")) == ["pip", "install", f"clicksend-mms[fuzz] @ git+{url}"]


@pytest.mark.parametrize("direct_url", [None, {}])
def test_an_index_install_names_the_project(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, direct_url: dict[str, Any] | None
) -> None:
    installed_with(monkeypatch, tmp_path, direct_url)
    assert pip_install("cli") == "pip install 'clicksend-mms[cli]'"


def test_no_message_spells_the_index_form_itself() -> None:
    """Every missing-extra message goes through pip_install: a literal `pip install 'clicksend-mms[...]'` in the
    code would be wrong for every install there is today (from a wheel file or a clone)."""
    literal = re.compile(r"pip install '?clicksend-mms\[")
    folders = ["sdk", "sandbox", "fuzz", "spec"]
    offenders = [
        str(path.relative_to(ROOT))
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if path != Path(distribution.__file__) and literal.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
