"""The planted bugs: each a small declarative patch of a copy of the sandbox (file, exact old text, new text).

A patch whose old text is not found exactly once makes the harness fail loudly (`PatchDoesNotApply`), so when the
sandbox is restructured each mutant is retargeted, never silently dropped. `kind` is the issue's blind-spot class
(1 paginator, 2 write effects, 3 isolation, 4 rate limits, 5 ClickSend's rules, 6 reach, 7 credentials, 8 the
spec's x-clicksend-rules) or "variant" for the broken sandboxes of tests/contract/_variants.py, planted by wrapping
the app where the CLI builds it.
`expected` names the check(s) meant to catch it; the harness reports whichever check actually caught it first.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

PACKAGE = "clicksend_mms_sandbox"
# The seam through which the ASGI variants are planted: where the sandbox's CLI builds its app.
CLI_SEAM = "    app = create_app(settings)\n"


@dataclass(frozen=True)
class Patch:
    file: str  # relative to the sandbox package
    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: str
    what: str
    expected: tuple[str, ...]
    patches: tuple[Patch, ...]


def _variant(name: str, function: str, what: str, expected: str, *arguments: str) -> Mutant:
    call = ", ".join(("app", *arguments))
    wrapped = f"{CLI_SEAM}    from tests.contract import _variants\n\n    app = _variants.{function}({call})\n"
    return Mutant(name, "variant", what, (expected,), (Patch("cli.py", CLI_SEAM, wrapped),))


_VALID_AUTHORIZATION = repr(b"Basic " + base64.b64encode(b"sandbox:sandbox-key"))

MUTANTS: tuple[Mutant, ...] = (
    # ---- 1. paginator arithmetic ----
    Mutant(
        "paginator-total-plus-one",
        "1",
        "every page's total counts one row that does not exist",
        ("paginator_arithmetic", "next_page_continues"),
        (Patch("wire.py", '        "total": total,\n', '        "total": total + 1,\n'),),
    ),
    Mutant(
        "paginator-from-off-by-one",
        "1",
        "`from` is the offset, not the first row's position",
        ("paginator_arithmetic",),
        (Patch("wire.py", '"from": offset + 1 if rows else None,', '"from": offset if rows else None,'),),
    ),
    Mutant(
        "paginator-last-page-floor",
        "1",
        "last_page rounds down: a partly filled last page is never announced",
        ("paginator_arithmetic",),
        (Patch("wire.py", "last = math.ceil(total / per_page) if", "last = total // per_page if"),),
    ),
    Mutant(
        "history-offset-repeats-row",
        "1",
        "history's OFFSET is one short: page N+1 repeats the last row of page N",
        ("next_page_continues",),
        (
            Patch(
                "store.py",
                'ORDER BY {order} LIMIT :limit OFFSET :offset",\n'
                '            {**params, "limit": limit, "offset": offset},',
                'ORDER BY {order} LIMIT :limit OFFSET :offset",\n'
                '            {**params, "limit": limit, "offset": max(0, offset - 1)},',
            ),
        ),
    ),
    # ---- 2. write effects ----
    Mutant(
        "cancel-no-refund",
        "2",
        "a cancelled message's price is never refunded",
        ("balance_matches_charges",),
        (Patch("store.py", "        if refund:\n", "        if refund and False:\n"),),
    ),
    Mutant(
        "cancel-all-cancels-nothing",
        "2",
        "cancel-all answers the count of scheduled messages but cancels none",
        ("cancel_all_takes_effect",),
        (
            Patch(
                "store.py",
                'count: int = self.conn.execute(f"UPDATE messages SET cancelled_at = :now WHERE {where}", '
                "params).rowcount",
                'count: int = (self.conn.execute(f"SELECT COUNT(*) FROM messages WHERE {where}", params).fetchone()[0]'
                " if message_id is None else"
                ' self.conn.execute(f"UPDATE messages SET cancelled_at = :now WHERE {where}", params).rowcount)',
            ),
        ),
    ),
    Mutant(
        "cancel-refuses-scheduled",
        "2",
        "cancel of a scheduled message answers 404 (and cancels it anyway)",
        ("cancel_takes_effect",),
        (
            Patch(
                "rules.py",
                "tx.cancel(account.username, now, message_id)) == 0:",
                "tx.cancel(account.username, now, message_id)) >= 0:",
            ),
        ),
    ),
    Mutant(
        "cancel-accepts-sent",
        "2",
        "cancel succeeds on a message that was already sent",
        ("cancel_takes_effect", "cancel_all_takes_effect"),
        (
            Patch(
                "message.py",
                'CANCELLABLE_SQL = "cancelled_at IS NULL AND schedule IS NOT NULL AND :now < schedule"',
                'CANCELLABLE_SQL = "cancelled_at IS NULL"',
            ),
        ),
    ),
    Mutant(
        "history-price-doubled",
        "2",
        "history and receipt-by-id show twice the price send charged",
        ("records_match_sends", "send_is_recorded"),
        (
            Patch(
                "wire.py", '"message_price": money(message.price_e4, ', '"message_price": money(message.price_e4 * 2, '
            ),
        ),
    ),
    Mutant(
        "receipts-read-marks-nothing",
        "2",
        "receipts-read answers 200 and marks nothing",
        ("receipts_read_takes_effect",),
        (
            Patch(
                "store.py",
                '"UPDATE messages SET read_at = :now WHERE username',
                '"UPDATE messages SET read_at = :now WHERE 0 AND username',
            ),
        ),
    ),
    Mutant(
        "receipts-read-ignores-date-before",
        "2",
        "receipts-read marks every receipt, also those newer than date_before",
        ("receipts_read_takes_effect",),
        (
            Patch(
                "store.py",
                'bound = "receipt_at <= :now" if before is None or before > now else "receipt_at < :before"',
                'bound = "receipt_at <= :now"',
            ),
        ),
    ),
    # ---- 3. isolation ----
    Mutant(
        "receipt-by-id-any-account",
        "3",
        "receipt-by-id answers any account's message",
        ("other_account_sees_nothing",),
        (
            Patch(
                "store.py",
                'WHERE username = ? AND message_id = ?", (username, message_id)',
                'WHERE message_id = ?", (message_id,)',
            ),
        ),
    ),
    Mutant(
        "cancel-any-account",
        "3",
        "cancel of an id ignores whose message it is",
        ("other_account_sees_nothing",),
        (Patch("store.py", 'where += " AND message_id = :id"', 'where = f"{CANCELLABLE_SQL} AND message_id = :id"'),),
    ),
    Mutant(
        "history-filter-any-account",
        "3",
        "history with a q filter searches every account",
        ("other_account_sees_nothing",),
        (
            Patch(
                "store.py",
                'clauses = ["username = :username"]',
                'clauses = [] if query.filters else ["username = :username"]',
            ),
        ),
    ),
    # ---- 4. rate limits ----
    Mutant(
        "429-without-retry-after",
        "4",
        "a 429 carries no Retry-After",
        ("rate_limit_burst",),
        (Patch("envelope.py", '        "Retry-After": str(retry_after),\n', ""),),
    ),
    Mutant(
        "rate-limit-never-resets",
        "4",
        "the window never resets: still 429 after Retry-After",
        ("rate_limit_burst",),
        (
            Patch(
                "faults.py", "if current != index:\n                count = 0", "if False:\n                count = 0"
            ),
        ),
    ),
    Mutant(
        "rate-limit-three-times-too-high",
        "4",
        "the limit lets three times as many requests through",
        ("rate_limit_burst",),
        (Patch("faults.py", "            if count >= limit:", "            if count >= 3 * limit:"),),
    ),
    # ---- 5. ClickSend's rules ----
    Mutant(
        "invalid-recipient-accepted",
        "5",
        "a `to` that is not a phone number is sent (SUCCESS) and charged as Australian",
        ("invalid_recipient_not_success",),
        (
            Patch(
                "rules.py",
                '        if recipient is None:\n            return "INVALID_RECIPIENT", None',
                '        if recipient is None:\n            recipient = Recipient(raw_to, "AU")',
            ),
        ),
    ),
    Mutant(
        "price-uses-another-clock",
        "5",
        "price judges schedules three years later than send does",
        ("price_matches_send",),
        (
            Patch(
                "rules.py",
                "return self.evaluate(request, account, balance, now).data",
                "return self.evaluate(request, account, balance, now + 3 * 365 * 86400).data",
            ),
        ),
    ),
    Mutant(
        "price-checks-another-accounts-credit",
        "5",
        "price judges credit by the `nocredit` test account instead of the caller's",
        ("price_matches_send",),
        (
            Patch(
                "rules.py",
                "return self.evaluate(request, account, balance, now).data",
                'return self.evaluate(request, self.accounts.get("nocredit") or account, balance, now).data',
            ),
        ),
    ),
    Mutant(
        "scheduled-shown-sent",
        "5",
        "a scheduled message is Queued (then Sent at its time) instead of Scheduled",
        ("send_is_recorded", "records_match_sends"),
        (
            Patch("message.py", "    WHEN schedule IS NOT NULL AND :now < schedule THEN 'Scheduled'\n", ""),
            Patch(
                "message.py",
                '        if self.schedule is not None and now < self.schedule:\n            return "Scheduled"\n',
                "",
            ),
        ),
    ),
    Mutant(
        "receipt-before-schedule",
        "5",
        "a scheduled message is sent at once: its receipt arrives before its time",
        ("scheduled_not_delivered_early", "receipts_only_for_sent"),
        (
            Patch(
                "message.py",
                "sent_at = (float(schedule) if schedule is not None else now) + send_delay",
                "sent_at = now + send_delay",
            ),
        ),
    ),
    Mutant(
        "receipt-for-test-recipient",
        "5",
        "messages to ClickSend's test recipients get delivery receipts",
        ("receipts_only_for_sent",),
        (
            Patch(
                "message.py",
                'return sent_at, (None if outcome == "none" else sent_at + receipt_delay)',
                "return sent_at, sent_at + receipt_delay",
            ),
        ),
    ),
    Mutant(
        "balance-never-debited",
        "5",
        "send charges nothing: the balance never goes down",
        ("balance_matches_charges",),
        (Patch("store.py", "SET balance_e4 = balance_e4 - ?,", "SET balance_e4 = balance_e4 - 0 * ?,"),),
    ),
    # ---- 6. reach: bugs only past validation, on stored messages ----
    Mutant(
        "cancelled-record-crashes",
        "6",
        "rendering a cancelled message fails (500): only reached once a cancel succeeded",
        ("not_a_server_error",),
        (Patch("message.py", '    "Cancelled": (None, None),\n', ""),),
    ),
    Mutant(
        "refund-crashes",
        "6",
        "refunding a cancelled priced message fails (500): only reached by cancelling a scheduled, charged one",
        ("not_a_server_error",),
        (
            Patch(
                "store.py",
                "self.add_to_balance(username, int(refund))",
                "self.add_to_balance(username, int(refund), int(refund))",
            ),
        ),
    ),
    Mutant(
        "receipt-by-id-crashes",
        "6",
        "receipt-by-id of a stored message fails (500): only reached with an id that exists",
        ("not_a_server_error",),
        (
            Patch(
                "rules.py",
                "wire.record(message, message.status(now), price_decimals=6)",
                "wire.record(message, message.status(now), 6, price_decimals=6)",
            ),
        ),
    ),
    # ---- 7. credentials: every way the spec's Basic credential can be wrong (matrix rows security basicAuth) ----
    Mutant(
        "auth-unknown-user",
        "7",
        "an unknown username with a valid API key is let in as the key's owner",
        ("credentials_refused",),
        (
            Patch(
                "auth.py",
                "    account = accounts.get(username)\n",
                "    account = accounts.get(username) or next((a for a in accounts if a.api_key == key), None)\n",
            ),
        ),
    ),
    Mutant(
        "auth-swapped",
        "7",
        "username and API key given in each other's place are accepted",
        ("credentials_refused",),
        (
            Patch(
                "auth.py",
                "    username, key = credentials\n",
                "    username, key = credentials if accounts.get(credentials[0]) else credentials[::-1]\n",
            ),
        ),
    ),
    Mutant(
        "auth-not-basic",
        "7",
        "any scheme is read as Basic (Bearer <base64 pair> lets the caller in)",
        ("credentials_refused",),
        (Patch("auth.py", 'if scheme.lower() != "basic" or not token:', "if not token:"),),
    ),
    Mutant(
        "auth-key-last-char-ignored",
        "7",
        "the key check ignores the key's last character (a length-off-by-one compare): a key one character off works",
        ("credentials_refused",),
        (
            Patch(
                "auth.py",
                "    key_ok = hmac.compare_digest(expected, key.encode())\n",
                "    key_ok = len(key) == len(expected) and hmac.compare_digest(expected[:-1], key.encode()[:-1])\n",
            ),
        ),
    ),
    Mutant(
        "auth-any-accounts-key",
        "7",
        "the key is checked against every account's, not the username's: another account's key lets the caller in",
        ("credentials_refused",),
        (
            Patch(
                "auth.py",
                "    key_ok = hmac.compare_digest(expected, key.encode())\n",
                "    key_ok = any(hmac.compare_digest(a.api_key.encode(), key.encode()) for a in accounts)\n",
            ),
        ),
    ),
    Mutant(
        "auth-account-notactive",
        "7",
        "an inactive account is let in",
        ("credentials_refused",),
        (Patch("auth.py", 'if account.kind == "notactive":', 'if account.kind == "notactive" and False:'),),
    ),
    Mutant(
        "auth-account-banned",
        "7",
        "a suspended account is let in",
        ("credentials_refused",),
        (Patch("auth.py", 'if account.kind == "banned":', 'if account.kind == "banned" and False:'),),
    ),
    Mutant(
        "auth-account-nocredit",
        "7",
        "an account with no credit is priced (and sent) as if it had some",
        ("credentials_refused",),
        (Patch("rules.py", 'elif account.kind == "nocredit":', 'elif account.kind == "nocredit" and False:'),),
    ),
    # ---- 8. links the API hands back (matrix rows: export data.url, upload data._url) ----
    Mutant(
        "export-leaks-other-accounts",
        "8",
        "the export link's CSV holds every account's messages",
        ("links_lead_to_own_data",),
        # The export's own read (one batch of rows by seq). This mutant first patched Store.messages(), which the
        # export stopped using when it began to stream (006c3f4): it had planted nothing since, and the first full
        # table at the default budget showed it as a survivor.
        (
            Patch(
                "store.py",
                'WHERE seq > ? AND seq <= ? AND +username = ? "',
                "WHERE seq > ? AND seq <= ? AND ? != '' \"",
            ),
        ),
    ),
    Mutant(
        "export-link-broken",
        "8",
        "export answers a link whose token is not the stored one (404 when followed)",
        ("links_lead_to_own_data",),
        (Patch("rules.py", "{EXPORTS_PATH}/{link.token}?", "{EXPORTS_PATH}/{link.token[::-1]}?"),),
    ),
    Mutant(
        "upload-url-broken",
        "8",
        "an upload's _url names a file that is not served",
        ("links_lead_to_own_data",),
        (Patch("rules.py", "{FILES_PATH}/{upload.file_name}", "{FILES_PATH}/x{upload.file_name}"),),
    ),
    # ---- 8. the rules JSON Schema cannot state (the spec's x-clicksend-rules; matrix rows `rule`) ----
    Mutant(
        "cross-rules-skipped",
        "8",
        "the x-clicksend-rules are never checked: history with date_from after date_to and an upload without convert "
        "are accepted",
        ("spec_rules_hold",),
        (
            Patch(
                "pipeline.py",
                "        errors = op.cross_rule_errors(params, body)  # the rules JSON Schema cannot state\n",
                "        errors = {}  # the rules JSON Schema cannot state\n",
            ),
        ),
    ),
    Mutant(
        "rule-query-or-body-ignores-body",
        "8",
        "an upload's convert is looked for in the query only: one given in the body is refused as missing",
        ("spec_rules_hold",),
        (
            Patch(
                "spec.py",
                "broken = names[0] not in params and not (isinstance(body, dict) and names[0] in body)",
                "broken = names[0] not in params",
            ),
        ),
    ),
    # ---- the broken variants of tests/contract/_variants.py ----
    _variant(
        "variant-response-msg-as-number",
        "response_msg_as_number",
        "history's response_msg is a number",
        "response_schema_conformance",
    ),
    _variant(
        "variant-500-on-large-limit",
        "server_error_on_large_limit",
        "receipts crash above 50 rows per page",
        "not_a_server_error",
    ),
    _variant(
        "variant-export-ignores-auth",
        "ignored_auth_on_export",
        "export serves missing and wrong credentials",
        "ignored_auth",
        _VALID_AUTHORIZATION,
    ),
    _variant("variant-cancel-not-final", "cancel_not_final", "a cancelled message cancels again", "cancel_is_final"),
    _variant(
        "variant-history-repeats-row", "history_repeats_row", "history page N+1 repeats a row", "next_page_continues"
    ),
    # ---- rules on both sides of their boundary (fuzz/clicksend_mms_fuzz/boundaries.py) ----
    Mutant(
        "credit-exact-balance-refused",
        "5",
        "a send that costs exactly the balance answers INSUFFICIENT_CREDIT (`<=` for `<` in the credit check)",
        ("boundary_probe",),
        (Patch("rules.py", "if balance_e4 - cost < price_e4:", "if balance_e4 - cost <= price_e4:"),),
    ),
    Mutant(
        "credit-cent-overdraft",
        "5",
        "a send one cent short of its price is accepted, and the balance goes negative",
        ("boundary_probe",),
        (Patch("rules.py", "if balance_e4 - cost < price_e4:", "if balance_e4 - cost + 100 < price_e4:"),),
    ),
    Mutant(
        "cancel-after-schedule",
        "5",
        "a scheduled message can still be cancelled for a minute after its time has passed",
        ("boundary_probe",),
        (Patch("message.py", 'AND :now < schedule"', 'AND :now < schedule + 60"'),),
    ),
    Mutant(
        "last-page-links-past-itself",
        "1",
        "the last page still has a next_page_url (`<=` for `<` against last_page)",
        ("boundary_probe", "paginator_arithmetic"),
        (Patch("wire.py", "if current < last else None", "if current <= last else None"),),
    ),
    Mutant(
        "unicode-body-limit-exclusive",
        "5",
        "a unicode body is cut one character short of the spec's limit",
        ("boundary_probe",),
        (Patch("gsm.py", "else self.unicode]", "else self.unicode - 1]"),),
    ),
    Mutant(
        "scheduled-status-lingers",
        "5",
        "a scheduled message still reads Scheduled for a minute after its time (the status, not the lifecycle, late)",
        ("boundary_probe",),
        (
            Patch(
                "message.py",
                "WHEN schedule IS NOT NULL AND :now < schedule THEN 'Scheduled'",
                "WHEN schedule IS NOT NULL AND :now < schedule + 60 THEN 'Scheduled'",
            ),
            Patch(
                "message.py",
                "if self.schedule is not None and now < self.schedule:",
                "if self.schedule is not None and now < self.schedule + 60:",
            ),
        ),
    ),
)
"""Every planted bug; `make mutants` runs the default fuzz against each."""

FAST = (
    "paginator-total-plus-one",
    "price-checks-another-accounts-credit",
    "receipt-by-id-any-account",
    "429-without-retry-after",
    # A variant wraps the sandbox's app in a middleware (tests/contract/_variants.py): the one way in which the
    # sandbox's launcher meets an app that is not its own, which once stopped every variant from starting at all.
    "variant-response-msg-as-number",
)
"""The subset CI runs (five blind-spot classes, each caught within seconds); `make mutants` runs them all."""


# Catalogs beside this one, included when their module exists: tests/mutants/fresh_eyes.py (FRESH_EYES: bugs
# written from the spec and the sandbox without reading fuzz/), in the same Mutant/Patch format.
EXTRA_CATALOGS = {"fresh_eyes": "FRESH_EYES"}


def extra(module: str, attribute: str | None = None) -> tuple[Mutant, ...]:
    """The mutants of `tests.mutants.<module>` (its `attribute`, default: the catalog's known name, else MUTANTS);
    () when the module does not exist."""
    import importlib
    import importlib.util

    name = module if "." in module else f"{__package__}.{module}"
    if importlib.util.find_spec(name) is None:
        return ()
    loaded = importlib.import_module(name)
    found: tuple[Mutant, ...] = tuple(getattr(loaded, attribute or EXTRA_CATALOGS.get(module, "MUTANTS")))
    return found


def spec_derived() -> tuple[Mutant, ...]:
    from .spec_derived import mutants, parameter_mutants

    return mutants() + parameter_mutants()


def every_mutant() -> tuple[Mutant, ...]:
    """What `make mutants` runs: the hand-written ones, the spec-derived ones, and every extra catalog present."""
    extras = tuple(m for module in EXTRA_CATALOGS for m in extra(module))
    return MUTANTS + spec_derived() + extras


def by_name(name: str) -> Mutant:
    for mutant in every_mutant():
        if mutant.name == name:
            return mutant
    raise KeyError(name)
