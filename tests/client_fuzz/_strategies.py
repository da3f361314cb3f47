"""Values a JSON schema admits, via schemathesis' own generator (it reads 2020-12 schemas as the spec writes them).

hypothesis-jsonschema is not a dependency of the project and stops at draft 7; schemathesis (already a dev
dependency, pinned) ships a 2020-12 generator. Its entry point is internal, so it is wrapped here alone: if a
schemathesis upgrade moves it, this is the one place to change.
"""

from __future__ import annotations

from typing import Any

from clicksend_mms_fuzz.formats import format_strategies
from hypothesis import strategies as st
from schemathesis.generation.jsonschema.builder import build

# jsonschema_rs' draft number for 2020-12 (schemathesis.core.jsonschema.CANONICALIZE_DRAFT_BY_VALIDATOR).
_DRAFT_2020_12 = 20
_FORMATS = format_strategies()


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    return build(schema, draft=_DRAFT_2020_12, formats=_FORMATS)
