"""The maintainer's experiment, the part that runs against a client generated from a changed spec.

``python -m tests.core._experiment SPEC PARAMETER FIELD`` (with the generated package first on PYTHONPATH) prints,
as JSON, for each layer whether it picked up the new optional query parameter PARAMETER of ``get_mms_receipts``
and the new money field FIELD of a receipt row; tests/core/test_regeneration_experiment.py makes the change and
reads the answer.
"""

from __future__ import annotations

import asyncio
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.core import _layers

OPERATION = "get_mms_receipts"


def _receipts_page(field: str) -> dict[str, Any]:
    row = {"message_id": "ID-1", "status_code": "Completed", "timestamp": 1700000000, field: "1.2300"}
    data = {"total": 1, "per_page": 15, "current_page": 1, "last_page": 1, "data": [row]}
    return {"http_code": 200, "response_code": "SUCCESS", "response_msg": "ok", "data": data}


def _answer(field: str) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, json=_receipts_page(field)))


def response_field(spec_path: Path, field: str) -> dict[str, str]:
    """Layer -> "" when it carries the money field as money, else what it did."""
    from clicksend_mms import AsyncClickSend, ClickSend
    from clicksend_mms.cli import Options, app
    from typer.testing import CliRunner

    out: dict[str, str] = {}
    with ClickSend("u", "k", base_url="http://s/v3", transport=_answer(field)) as client:
        value = getattr(client.receipts().data[0], field, None)
    out["ClickSend"] = "" if value == Decimal("1.2300") and isinstance(value, Decimal) else repr(value)

    async def run() -> Any:
        async with AsyncClickSend("u", "k", base_url="http://s/v3", transport=_answer(field)) as client:
            return getattr((await client.receipts()).data[0], field, None)

    value = asyncio.run(run())
    out["AsyncClickSend"] = "" if value == Decimal("1.2300") and isinstance(value, Decimal) else repr(value)
    result = CliRunner().invoke(
        app, ["--username", "u", "--api-key", "k", "--json", "receipts"], obj=Options(transport=_answer(field))
    )
    rows = json.loads(result.stdout) if result.exit_code == 0 else []
    out["CLI"] = "" if rows and rows[0].get(field) == "1.2300" else f"exit {result.exit_code}: {result.output[:300]}"
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    from clicksend_mms_sandbox.docs.facts import sandbox_facts
    from clicksend_mms_sandbox.docs.reference import reference_spec

    shown = reference_spec(spec, sandbox_facts())["components"]["schemas"]["MmsReceipt"]["properties"]
    out["reference"] = "" if field in shown else "not in the reference's MmsReceipt"
    import schemathesis

    raw = schemathesis.openapi.from_path(str(spec_path)).raw_schema
    out["fuzzer"] = "" if field in raw["components"]["schemas"]["MmsReceipt"]["properties"] else "not in its schema"
    return out


def query_parameter(spec_path: Path, parameter: str) -> dict[str, Any]:
    """Layer -> [] when the parameter reaches it (tests/core/_layers.py), plus its help and docstring."""
    from clicksend_mms import inputs

    found = _layers.failures(spec_path)
    name = f"{OPERATION}.{parameter}"
    if name not in found:
        raise SystemExit(f"{name} is not among the inputs the layer probe found: {sorted(found)}")
    docstring = inputs.GetMmsReceiptsOptions.__doc__ or ""
    return {"missing": found[name], "docstring": docstring, "generated_from": inputs.__file__}


def main(spec: str, parameter: str, field: str) -> None:
    path = Path(spec)
    print(json.dumps({"parameter": query_parameter(path, parameter), "field": response_field(path, field)}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
