"""The maintainer's experiment: add an optional query parameter and a money response field to a copy of the spec,
regenerate into a temporary folder, and every layer picks both up with no hand edit.

Layers checked for the parameter (tests/core/_layers.py): ClickSend, AsyncClickSend, the CLI (each sends it on
the wire), the SDK's input check (refuses a wrong type naming it), the reference, the fuzzer; plus its short
description in the facades' options docstring. For the money field: ClickSend and AsyncClickSend decode it to
``Decimal``, the CLI's --json prints it, the reference and the fuzzer's schema have it.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from overrides.generate import generate
from tests.core._layers import LAYERS
from tests.helpers.spec import ROOT, load_spec

PARAMETER = "subaccount_id"
FIELD = "receipt_cost"
SHORT = "Only receipts of this subaccount"
LONG = "Said in the reference only: subaccounts are numbered by ClickSend."


def changed_spec() -> dict[str, Any]:
    spec = copy.deepcopy(load_spec())  # load_spec is cached: never change the shared copy
    spec["paths"]["/mms/receipts"]["get"]["parameters"].append(
        {
            "name": PARAMETER,
            "in": "query",
            "required": False,
            "description": f"{SHORT}. {LONG}",
            "schema": {"type": "integer", "minimum": 1},
            "example": 7,
        }
    )
    receipt = spec["components"]["schemas"]["MmsReceipt"]["properties"]
    receipt[FIELD] = {"$ref": "#/components/schemas/Money"}
    return spec


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("experiment")
    spec_path = folder / "clicksend-mms.yaml"
    spec_path.write_text(yaml.safe_dump(changed_spec(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = folder / "generated"
    generate(out, spec_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(out), str(ROOT)])}
    command = [sys.executable, "-m", "tests.core._experiment", str(spec_path), PARAMETER, FIELD]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    answer: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    assert answer["parameter"]["generated_from"].startswith(str(out)), answer  # the experiment's client, not ours
    return answer


def test_the_new_query_parameter_reaches_every_layer(experiment: dict[str, Any]) -> None:
    print(f"layers checked for {PARAMETER}: {', '.join(LAYERS)}")
    assert experiment["parameter"]["missing"] == [], experiment["parameter"]["missing"]


def test_the_new_parameter_has_its_short_description_in_the_docstring(experiment: dict[str, Any]) -> None:
    docstring = experiment["parameter"]["docstring"]
    assert f"``{PARAMETER}``: {SHORT}." in docstring and LONG not in docstring, docstring


def test_the_new_money_field_reaches_every_layer(experiment: dict[str, Any]) -> None:
    print(f"layers checked for {FIELD}: {', '.join(experiment['field'])}")
    assert set(experiment["field"]) == {"ClickSend", "AsyncClickSend", "CLI", "reference", "fuzzer"}
    assert {layer: why for layer, why in experiment["field"].items() if why} == {}


def test_the_committed_client_does_not_have_them() -> None:
    """The experiment proves something only if today's client lacks both (else it would pass unchanged)."""
    from clicksend_mms.inputs import INPUTS
    from clicksend_mms.models import MmsReceipt

    assert PARAMETER not in INPUTS["get_mms_receipts"]
    assert FIELD not in MmsReceipt.__annotations__ and not Path(ROOT / "generated").joinpath(FIELD).exists()
