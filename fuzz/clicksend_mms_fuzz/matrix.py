"""The coverage matrix: every row the spec implies, and the oracle that judges it (or why nothing can).

Rows are derived from the spec alone (`rows`): each operation's query and path parameters, every request body
field, every field of its 2xx answers, every link it declares, every rule of the spec's `x-clicksend-rules` (those
JSON Schema cannot state), and every way the security scheme's credential can be wrong or belong to someone else.
`CLAIMS` says, per row, which check judges it and which planted bug (tests/mutants) proves that check, or the reason
it cannot be judged. A row without a claim is a hole:
`uncovered` lists them and a test fails on any, so a parameter or field added to the spec needs a claim here.

Claim keys are `operation kind name`, with the operation exact, `*` (every operation) or `a|b`; the name is
always exact (no field is covered by a wildcard, so a new field is never covered by accident).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
SECURITY = "security"  # the "operation" of the security scheme's rows
# Every way an HTTP Basic credential can fail to be the caller's own: what the scheme alone implies, plus one
# row per test account the spec's x-clicksend-testing names (a credential that is right but must still fail).
BASIC_WAYS = (
    "missing",
    "wrong-key",
    "unknown-user",
    "swapped",
    "not-basic",
    "another-account",
    "key-truncated",
    "key-case",
    "key-altered",
    "key-of-another-account",
)


@dataclass(frozen=True)
class Row:
    operation: str
    kind: str  # query | path | body | response | link | rule | <security scheme>
    name: str

    @property
    def key(self) -> str:
        return f"{self.operation} {self.kind} {self.name}"


@dataclass(frozen=True)
class Claim:
    oracle: str | None  # the check that judges the row
    mutant: str | None = None  # a planted bug (tests/mutants) the oracle catches on this row
    reason: str | None = None  # why the row is not judged beyond its schema (oracle None), or a caveat


# ---- rows --------------------------------------------------------------------------------------------------


def _resolve(spec: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _fields(spec: Mapping[str, Any], schema: Any, prefix: str = "", depth: int = 0) -> Iterator[str]:
    schema = _resolve(spec, schema)
    if not isinstance(schema, dict) or depth > 10:
        return
    for combinator in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(combinator, []):
            yield from _fields(spec, sub, prefix, depth + 1)
    if "items" in schema:
        yield from _fields(spec, schema["items"], prefix + "[]", depth + 1)
    for name, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}.{name}" if prefix else name
        yield path
        yield from _fields(spec, sub, path, depth + 1)


def _operations(spec: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for item in spec.get("paths", {}).values():
        for method in HTTP_METHODS:
            if method in item:
                yield item, item[method]


def rows(spec: Mapping[str, Any]) -> list[Row]:
    """Every row the spec implies, in the spec's order, each once."""
    found: dict[str, Row] = {}

    def add(row: Row) -> None:
        found.setdefault(row.key, row)

    for item, operation in _operations(spec):
        op = operation["operationId"]
        for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = _resolve(spec, parameter)
            add(Row(op, parameter["in"], parameter["name"]))
        body = _resolve(spec, operation.get("requestBody"))
        for media in (body or {}).get("content", {}).values():
            for name in _fields(spec, media.get("schema")):
                add(Row(op, "body", name))
        for status, response in operation.get("responses", {}).items():
            if not str(status).startswith("2"):
                continue
            response = _resolve(spec, response)
            for media in (response.get("content") or {}).values():
                for name in _fields(spec, media.get("schema")):
                    add(Row(op, "response", name))
            for link in response.get("links") or {}:
                add(Row(op, "link", link))
    for rule in spec.get("x-clicksend-rules", {}).get("rules", []):
        add(Row(rule["operation"], "rule", f"{rule['kind']}:{','.join(rule['inputs'])}"))
    for scheme_name, scheme in spec.get("components", {}).get("securitySchemes", {}).items():
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            ways = [
                *BASIC_WAYS,
                *(f"account:{name}" for name in spec.get("x-clicksend-testing", {}).get("accounts", {})),
            ]
        else:
            ways = ["missing", "wrong"]
        for way in ways:
            add(Row(SECURITY, scheme_name, way))
    return list(found.values())


# ---- claims ------------------------------------------------------------------------------------------------

SCHEMA = "response_schema_conformance"
_ENVELOPE = Claim(SCHEMA, "variant-response-msg-as-number")
_PAGE = Claim("paginator_arithmetic", "paginator-total-plus-one")
_RECORD = Claim("records_match_sends", "history-price-doubled")
_SEND_ANSWER = Claim("send_is_recorded", "scheduled-shown-sent")
_PRICE_ANSWER = Claim("price_matches_send", "price-uses-another-clock")
_DECIDED = "a value the API decides (no request field or earlier answer predicts it): judged by its schema only"
_SCHEMA_ONLY = Claim(SCHEMA, None, _DECIDED)
_ISOLATED = Claim("other_account_sees_nothing", "receipt-by-id-any-account")

_PAGE_FIELDS = ("total", "per_page", "current_page", "last_page", "next_page_url", "prev_page_url", "from", "to")
_RECORD_COMPARED = ("to", "subject", "body", "custom_string", "message_price", "message_parts", "schedule", "status")
_RECORD_DECIDED = (
    "direction", "date_added", "date", "from", "from_email", "list_id", "contact_id", "user_id", "subaccount_id",
    "priority", "country", "carrier", "status_code", "status_text", "_media_file_url",
)  # fmt: skip
_RECEIPT_DECIDED = ("message_type", "status_code", "status_text", "error_code", "error_text", "subaccount_id", "digits")
_SEND_MESSAGE = ("status", "message_price", "message_parts", "to", "subject", "body", "schedule", "custom_string")
_SEND_MESSAGE_DECIDED = (
    "from", "country", "carrier", "list_id", "contact_id", "user_id", "subaccount_id", "from_email", "_media_file_url",
)  # fmt: skip
_MESSAGE_INPUT = ("to", "subject", "body", "schedule", "custom_string")
_MESSAGE_INPUT_UNSTORED = ("from", "country", "source", "from_email", "list_id")
_CURRENCY = ("currency_name_short", "currency_prefix_d", "currency_prefix_c", "currency_name_long")


def _claims() -> dict[str, Claim]:
    claims: dict[str, Claim] = {}
    every = "*"
    for name in ("http_code", "response_code", "response_msg", "data"):
        claims[f"{every} response {name}"] = _ENVELOPE
    lists = "get_mms_history|get_mms_receipts"
    for name in _PAGE_FIELDS:
        claims[f"{lists} response data.{name}"] = _PAGE
    claims[f"{lists} response data.data"] = _PAGE
    claims["get_mms_history query page"] = Claim("next_page_continues", "history-offset-repeats-row")
    # Receipts lists with a page after them are rare in one pass; every page's current_page is what it asked.
    claims["get_mms_receipts query page"] = Claim("paginator_arithmetic", "spec-ignores-page-2")
    claims[f"{lists} query limit"] = Claim("paginator_arithmetic", "paginator-last-page-floor")
    claims["get_mms_history query q"] = Claim("history_obeys_query", "spec-ignores-q")
    for name in ("order_by", "date_from", "date_to"):
        claims[f"get_mms_history query {name}"] = Claim("history_obeys_query", f"spec-ignores-{name}")
    # message records: history rows and receipt-by-id
    for prefix, op in (("data.data[].", "get_mms_history"), ("data.", "get_mms_receipt")):
        for name in ("message_id", *_RECORD_COMPARED):
            claims[f"{op} response {prefix}{name}"] = _RECORD
        for name in _RECORD_DECIDED:
            claims[f"{op} response {prefix}{name}"] = _SCHEMA_ONLY
        claims[f"{op} response {prefix}_api_username"] = _ISOLATED
    for name in ("message_type", "error_code", "error_text", "digits"):
        claims[f"get_mms_receipt response data.{name}"] = _SCHEMA_ONLY
    claims["get_mms_receipt response data.timestamp"] = _SCHEMA_ONLY
    claims["get_mms_receipt response data.timestamp_send"] = _SCHEMA_ONLY
    claims["get_mms_receipt path message_id"] = _ISOLATED
    claims["cancel_mms path message_id"] = Claim("cancel_takes_effect", "cancel-refuses-scheduled")
    # receipts list rows
    claims["get_mms_receipts response data.data[].message_id"] = Claim(
        "receipts_only_for_sent", "receipt-for-test-recipient"
    )
    claims["get_mms_receipts response data.data[].timestamp_send"] = Claim(
        "receipts_only_for_sent", "receipt-before-schedule"
    )
    claims["get_mms_receipts response data.data[].timestamp"] = Claim(
        "receipts_read_takes_effect",
        "receipts-read-ignores-date-before",
        "judged on the receipts snapshot taken before each receipts-read, which is no recorded case: not counted",
    )
    claims["get_mms_receipts response data.data[].custom_string"] = Claim(
        "receipts_only_for_sent",
        None,
        "the message's custom_string as send answered it, on every receipt of a message the run knows; and the "
        "boundary probe's own receipt (lifecycle.receipts_read): planted as the spec-derived mutant of the receipt "
        "row's custom_string (tests/mutants/spec_derived.py)",
    )
    for name in _RECEIPT_DECIDED:
        claims[f"get_mms_receipts response data.data[].{name}"] = _SCHEMA_ONLY
    # send and price: the request and the per-message answer
    both = "send_mms|price_mms"
    claims[f"{both} body media_file"] = Claim(
        SCHEMA, None, "a URL ClickSend fetches and converts; never echoed but as _media_file_url, which it decides"
    )
    claims[f"{both} body messages"] = _SEND_ANSWER
    for name in _MESSAGE_INPUT:
        claims[f"send_mms body messages[].{name}"] = _SEND_ANSWER
        claims[f"price_mms body messages[].{name}"] = _PRICE_ANSWER
    claims["send_mms body messages[].to"] = Claim("invalid_recipient_not_success", "invalid-recipient-accepted")
    claims["send_mms body messages[].schedule"] = Claim("send_is_recorded", "scheduled-shown-sent")
    for name in _MESSAGE_INPUT_UNSTORED:
        claims[f"{both} body messages[].{name}"] = Claim(
            SCHEMA, None, "not stored in any field the model predicts (ClickSend rewrites or drops it)"
        )
    # send_model: what the spec alone predicts of each accepted message (judged in send_is_recorded)
    claims["send_mms body messages[].body"] = Claim("send_is_recorded", "send-unicode-limit-swapped")
    claims["send_mms body messages[].country"] = Claim("send_is_recorded", "send-local-number-ignores-country")
    for name in ("total_price", "total_count", "queued_count", "messages"):
        claims[f"send_mms response data.{name}"] = _SEND_ANSWER
        claims[f"price_mms response data.{name}"] = _PRICE_ANSWER
    for op in ("send_mms", "price_mms"):
        claims[f"{op} response data.blocked_count"] = _SCHEMA_ONLY
        claims[f"{op} response data._currency"] = _SCHEMA_ONLY
        for name in _CURRENCY:
            claims[f"{op} response data._currency.{name}"] = _SCHEMA_ONLY
        for name in _SEND_MESSAGE_DECIDED:
            claims[f"{op} response data.messages[].{name}"] = _SCHEMA_ONLY
    for name in ("message_id", *_SEND_MESSAGE):
        claims[f"send_mms response data.messages[].{name}"] = _SEND_ANSWER
        claims[f"price_mms response data.messages[].{name}"] = _PRICE_ANSWER
    claims["send_mms response data.messages[].country"] = Claim("send_is_recorded", "send-local-number-ignores-country")
    # the links send declares
    claims["send_mms link GetReceiptOfFirstMessage"] = Claim("records_match_sends", "receipt-by-id-crashes")
    claims["send_mms link CancelFirstMessage"] = Claim("cancel_takes_effect", "cancel-refuses-scheduled")
    claims["send_mms link HistoryOfFirstMessage"] = _RECORD
    claims["send_mms link CancelAll"] = Claim("cancel_all_takes_effect", "cancel-all-cancels-nothing")
    claims["send_mms link MarkReceiptsRead"] = Claim("receipts_read_takes_effect", "receipts-read-marks-nothing")
    claims["send_mms link Receipts"] = Claim("receipts_only_for_sent", "receipt-for-test-recipient")
    # the other writes
    claims["mark_mms_receipts_read body date_before"] = Claim(
        "receipts_read_takes_effect", "receipts-read-ignores-date-before"
    )
    claims["cancel_all_mms response data.count"] = Claim("cancel_all_takes_effect", "cancel-all-cancels-nothing")
    claims["export_mms_history query filename"] = Claim(
        SCHEMA, None, "the export's file name is the API's to choose; the URL it answers is not fetched"
    )
    claims["export_mms_history response data.url"] = Claim("links_lead_to_own_data", "export-leaks-other-accounts")
    claims["upload_media query convert"] = Claim(
        "positive_data_acceptance", None, "any documented value is accepted; the conversion itself is the API's"
    )
    claims["upload_media body content"] = Claim(
        "positive_data_acceptance", None, "the API decides which bytes are an image"
    )
    claims["upload_media body convert"] = Claim("positive_data_acceptance", None, "as the query parameter")
    for name in ("date_added", "date_delete", "file_name", "upload_id", "user_id"):
        claims[f"upload_media response data.{name}"] = _SCHEMA_ONLY
    claims["upload_media response data._url"] = Claim("links_lead_to_own_data", "upload-url-broken")
    # the rules JSON Schema cannot state (x-clicksend-rules)
    claims["get_mms_history rule not-after:date_from,date_to"] = Claim("spec_rules_hold", "cross-rules-skipped")
    claims["upload_media rule query-or-body:convert"] = Claim("spec_rules_hold", "rule-query-or-body-ignores-body")
    # the security scheme
    auth = f"{SECURITY} basicAuth"
    claims[f"{auth} missing"] = Claim("ignored_auth", "variant-export-ignores-auth")
    claims[f"{auth} wrong-key"] = Claim("ignored_auth", "variant-export-ignores-auth")
    for way in ("unknown-user", "swapped", "not-basic"):
        claims[f"{auth} {way}"] = Claim("credentials_refused", "auth-" + way)
    claims[f"{auth} another-account"] = _ISOLATED
    claims[f"{auth} key-truncated"] = Claim("credentials_refused", "auth-accepts-key-prefix")
    claims[f"{auth} key-case"] = Claim("credentials_refused", "auth-key-case-insensitive")
    claims[f"{auth} key-altered"] = Claim("credentials_refused", "auth-key-last-char-ignored")
    claims[f"{auth} key-of-another-account"] = Claim("credentials_refused", "auth-any-accounts-key")
    for account in ("nocredit", "notactive", "banned"):
        claims[f"{auth} account:{account}"] = Claim("credentials_refused", f"auth-account-{account}")
    return claims


CLAIMS: dict[str, Claim] = _claims()


def _matches(pattern: str, row: Row) -> bool:
    operation, _, rest = pattern.partition(" ")
    if rest != f"{row.kind} {row.name}":
        return False
    return operation == "*" or row.operation in operation.split("|")


def claim_for(row: Row, claims: Mapping[str, Claim] = CLAIMS) -> Claim | None:
    """The row's claim: an exact key first, then the broadest; None when nothing claims it."""
    exact = claims.get(row.key)
    if exact is not None:
        return exact
    for pattern, claim in claims.items():
        if _matches(pattern, row):
            return claim
    return None


def matrix(spec: Mapping[str, Any], claims: Mapping[str, Claim] = CLAIMS) -> list[tuple[Row, Claim | None]]:
    return [(row, claim_for(row, claims)) for row in rows(spec)]


def floored(claim: Claim | None) -> bool:
    """Whether a row is held to a floor of judged cases: it names an oracle that judges its value (a row judged by
    its schema only, with a reason, is judged in every answer whether the field comes back or not)."""
    return claim is not None and claim.oracle is not None and claim.reason is None


def uncovered(spec: Mapping[str, Any], claims: Mapping[str, Claim] = CLAIMS) -> list[Row]:
    """Rows with no claim, or a claim with neither an oracle nor a reason."""
    return [row for row, claim in matrix(spec, claims) if claim is None or (claim.oracle is None and not claim.reason)]


def stale_claims(spec: Mapping[str, Any], claims: Mapping[str, Claim] = CLAIMS) -> list[str]:
    """Claims no row of the spec matches (a field the spec dropped or renamed)."""
    all_rows = rows(spec)
    return [pattern for pattern in claims if not any(_matches(pattern, row) for row in all_rows)]


def markdown(spec: Mapping[str, Any], judged: Mapping[str, int] | None = None) -> str:
    """The matrix as a Markdown table (fuzz/README.md); with `judged`, a column of cases judged per row."""
    header = "| row | oracle | planted bug | note |"
    rule = "|---|---|---|---|"
    if judged is not None:
        header, rule = header + " judged |", rule + "---|"
    lines = [header, rule]
    for row, claim in matrix(spec):
        oracle = claim.oracle if claim and claim.oracle else "—"
        mutant = claim.mutant if claim and claim.mutant else "—"
        note = (claim.reason if claim else "NO CLAIM") or ""
        line = f"| `{row.key}` | `{oracle}` | {mutant} | {note} |"
        if judged is not None:
            line += f" {judged.get(row.key, 0)} |"
        lines.append(line)
    return "\n".join(lines)


def judged_oracles(spec: Mapping[str, Any]) -> Iterable[str]:
    return sorted({claim.oracle for _, claim in matrix(spec) if claim and claim.oracle})


README_BEGIN = "<!-- matrix:begin (generated: python -m clicksend_mms_fuzz.matrix) -->"
README_END = "<!-- matrix:end -->"


def _main(argv: list[str] | None = None) -> int:
    """`python -m clicksend_mms_fuzz.matrix [--write README]`: print the matrix, or rewrite it in a README."""
    import argparse
    from pathlib import Path

    import clicksend_mms_spec

    parser = argparse.ArgumentParser(prog="python -m clicksend_mms_fuzz.matrix")
    parser.add_argument("--write", metavar="README", help="replace the matrix between the markers of this file")
    args = parser.parse_args(argv)
    table = markdown(clicksend_mms_spec.load())
    if not args.write:
        print(table)
        return 0
    path = Path(args.write)
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(README_BEGIN)
    _, _, tail = rest.partition(README_END)
    path.write_text(f"{head}{README_BEGIN}\n{table}\n{README_END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
