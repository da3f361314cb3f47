"""The layer rules hold for every import in the repository, and each rule fails when a violation is planted."""

from __future__ import annotations

import pytest

from tests.helpers.spec import ROOT
from tests.packaging.architecture import read_sources, violations

SOURCES = read_sources(ROOT)


def test_every_import_follows_the_layer_rules() -> None:
    assert violations(SOURCES) == []


def test_every_layer_is_read() -> None:
    folders = {path.split("/", 1)[0] for path in SOURCES}
    assert folders == {"generated", "sdk", "spec", "sandbox", "fuzz"}
    assert "generated/clicksend_mms/api/mms/send_mms.py" in SOURCES
    assert "sdk/clicksend_mms/facade.py" in SOURCES


def _planted(path: str, code: str) -> list[str]:
    sources = dict(SOURCES)
    sources[path] = sources.get(path, "") + "\n" + code + "\n"
    return violations(sources)


@pytest.mark.parametrize(
    ("path", "code", "rule"),
    [
        # generated code imports nothing hand-written but the codec runtime
        ("generated/clicksend_mms/models/currency.py", "from ..facade import ClickSend", "only generated modules"),
        ("generated/clicksend_mms/client.py", "from . import bulk", "only generated modules"),
        ("generated/clicksend_mms/types.py", "import clicksend_mms_spec", "only generated modules"),
        ("generated/clicksend_mms/types.py", "import rich", "depends only on"),
        # the SDK never imports the sandbox (or the fuzzer) at module level
        ("sdk/clicksend_mms/facade.py", "import clicksend_mms_sandbox", "only inside a function"),
        ("sdk/clicksend_mms/cli.py", "from clicksend_mms_sandbox.cli import main", "only inside a function"),
        ("sdk/clicksend_mms/cli.py", "import clicksend_mms_fuzz.plan", "only inside a function"),
        # ... it builds requests through the generated package's public API only
        ("sdk/clicksend_mms/_ops.py", "send_mms._get_kwargs(body=None)", "public names"),
        ("sdk/clicksend_mms/_ops.py", "from .api.mms.send_mms import _get_kwargs", "public names"),
        ("sdk/clicksend_mms/results.py", "from .fast_decode import _first_branch", "public names"),
        # ... and a plain install has what it imports
        ("sdk/clicksend_mms/bulk.py", "from rich.progress import Progress", "client's install has only"),
        ("sdk/clicksend_mms/facade.py", "import typer", "client's install has only"),
        # the sandbox imports the SDK only in its pytest plugin, and never the fuzzer
        ("sandbox/clicksend_mms_sandbox/app.py", "from clicksend_mms import ClickSend", "only in its pytest plugin"),
        (
            "sandbox/clicksend_mms_sandbox/rules.py",
            "def f():\n    import clicksend_mms.models",
            "only in its pytest plugin",
        ),
        ("sandbox/clicksend_mms_sandbox/cli.py", "import clicksend_mms_fuzz", "never imports the fuzzer"),
        # inside the sandbox: routes -> rules -> store -> message, and the modules beside them stay beside
        ("sandbox/clicksend_mms_sandbox/store.py", "from .rules import Rules", "store never imports rules"),
        (
            "sandbox/clicksend_mms_sandbox/writer.py",
            "def f():\n    from . import pipeline",
            "store never imports routes",
        ),
        ("sandbox/clicksend_mms_sandbox/rules.py", "from .pipeline import Call", "rules never imports routes"),
        ("sandbox/clicksend_mms_sandbox/wire.py", "from .docs import facts", "rules never imports routes"),
        (
            "sandbox/clicksend_mms_sandbox/message.py",
            "from .store import Store",
            "the message domain never imports store",
        ),
        ("sandbox/clicksend_mms_sandbox/faults.py", "from . import rules", "beside the sandbox's tiers"),
        ("sandbox/clicksend_mms_sandbox/ledger.py", "from . import store", "has no place in the sandbox's tiers"),
        # fuzz uses only the spec and the sandbox's public API
        ("fuzz/clicksend_mms_fuzz/hooks.py", "from clicksend_mms_sandbox.store import Store", "public API"),
        ("fuzz/clicksend_mms_fuzz/hooks.py", "from clicksend_mms_sandbox import rules", "public API"),
        (
            "fuzz/clicksend_mms_fuzz/target.py",
            "from clicksend_mms.models import SendMmsRequest",
            "never imports the client",
        ),
        ("fuzz/clicksend_mms_fuzz/plan.py", "import clicksend_mms", "never imports the client"),
        # the spec package stands alone
        ("spec/clicksend_mms_spec/__init__.py", "import yaml", "nothing but the standard library"),
        ("spec/clicksend_mms_spec/__init__.py", "import clicksend_mms_sandbox", "nothing but the standard library"),
    ],
)
def test_a_planted_violation_fails(path: str, code: str, rule: str) -> None:
    found = _planted(path, code)
    assert len(found) == 1 and rule in found[0] and found[0].startswith(path), found


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("generated/clicksend_mms/models/currency.py", "from .. import codecs"),
        ("sdk/clicksend_mms/cli.py", "def sandbox():\n    import clicksend_mms_sandbox.cli"),
        (
            "sdk/clicksend_mms/cli.py",
            "import importlib\ndef f():\n    importlib.import_module('clicksend_mms_sandbox.cli')",
        ),
        (
            "sdk/clicksend_mms/facade.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import clicksend_mms_sandbox",
        ),
        ("sdk/clicksend_mms/_ops.py", "send_mms.request_kwargs(body=None)"),
        ("sdk/clicksend_mms/bulk.py", "def progress():\n    from rich.progress import Progress"),
        (
            "sandbox/clicksend_mms_sandbox/pytest_plugin.py",
            "def f():\n    from clicksend_mms import AuthenticatedClient",
        ),
        ("sandbox/clicksend_mms_sandbox/app.py", "import clicksend_mms_spec"),
        ("sandbox/clicksend_mms_sandbox/rules.py", "from .store import Store"),
        ("sandbox/clicksend_mms_sandbox/store.py", "from .message import Message"),
        ("sandbox/clicksend_mms_sandbox/accounts.py", "from .message import Message"),
        ("sandbox/clicksend_mms_sandbox/docs/facts.py", "from .. import rules"),
        ("fuzz/clicksend_mms_fuzz/target.py", "from clicksend_mms_sandbox import create_app, Settings"),
        ("fuzz/clicksend_mms_fuzz/target.py", "import clicksend_mms_spec"),
        ("spec/clicksend_mms_spec/__init__.py", "def load():\n    import yaml"),
    ],
)
def test_what_the_rules_allow_passes(path: str, code: str) -> None:
    assert _planted(path, code) == []


def test_a_dynamic_import_by_name_is_seen() -> None:
    found = _planted(
        "sandbox/clicksend_mms_sandbox/app.py", "import importlib\nimportlib.import_module('clicksend_mms.cli')"
    )
    assert len(found) == 1 and "only in its pytest plugin" in found[0], found
