"""Client-side fuzzing: schema-valid response bodies for every operation and documented status, fed to the
generated client's `_parse_response`, must come out as normalized Python types and round-trip via `to_dict`.

Bounded (a fixed number of examples, derandomized) so it is a CI test, not an open-ended search.
"""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from clicksend_mms import Client
from hypothesis import HealthCheck, Phase, given, settings

from . import _gaps, _oracle
from ._spec import api_module, iter_responses
from ._strategies import from_schema

pytestmark = pytest.mark.slow  # minutes on a busy machine: handed out first under xdist (tests/conftest.py)

RESPONSES = sorted(iter_responses())
EXAMPLES = 60
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # a fixed seed: the same bodies on every run, so a failure is reproducible in CI
    database=None,
    # No shrinking: these bodies are large and the oracle names the failing path and values already.
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_CLIENT = Client(base_url="http://127.0.0.1:9", raise_on_unexpected_status=True)


def _validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(
    ("operation_id", "tag", "status", "schema"),
    RESPONSES,
    ids=[f"{op}-{status}" for op, _, status, _ in RESPONSES],
)
def test_parse_and_round_trip(operation_id: str, tag: str, status: str, schema: dict[str, Any]) -> None:
    module = api_module(operation_id, tag)
    validator = _validator(schema)

    @SETTINGS
    @given(body=from_schema(_gaps.for_generation(schema)))
    def run(body: Any) -> None:
        response = httpx.Response(int(status), json=body)
        parsed = module._parse_response(client=_CLIENT, response=response)
        assert parsed is not None, f"{operation_id} {status}: documented status not parsed"
        # 1. normalized types, same meaning as the wire value
        _oracle.check(schema, body, parsed)
        # 2. to_dict writes a wire form the spec accepts ...
        wire = parsed.to_dict()
        errors = sorted(validator.iter_errors(wire), key=str)
        assert not errors, f"to_dict() output violates the spec: {errors[0].message} at {list(errors[0].path)}"
        # 3. ... which decodes to the same value.
        assert type(parsed).from_dict(wire) == parsed

    run()


def test_every_operation_is_covered() -> None:
    operations = {op for op, *_ in RESPONSES}
    assert len(operations) == 10, sorted(operations)
