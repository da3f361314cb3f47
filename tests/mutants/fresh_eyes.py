"""Fresh eyes: realistic server bugs written from the spec (spec/clicksend-mms.yaml) and the sandbox's code alone,
without reading the fuzzer, to measure what a default `make fuzz` misses (issue 19).

Each is a bug a server team could ship that still answers a *well-formed* response: the schema holds, the answer is
wrong. tests/mutants/test_fresh_eyes_probes.py proves each one real with a short probe (the unmutated sandbox answers
as the spec says, the mutant does not). `expected` is empty: they were written without knowing the fuzzer's checks.
"""

from __future__ import annotations

from .catalog import Mutant, Patch


def _fresh(name: str, what: str, *patches: Patch) -> Mutant:
    return Mutant(name, "fresh", what, (), patches)


FRESH_EYES: tuple[Mutant, ...] = (
    # ---- the security scheme: HTTP Basic, username + API key ----
    _fresh(
        "auth-accepts-key-prefix",
        "the key check compares only as many bytes as the caller sent: any prefix of the API key is accepted",
        Patch(
            "auth.py",
            "    key_ok = hmac.compare_digest(expected, key.encode())\n",
            "    key_ok = bool(key) and hmac.compare_digest(expected[: len(key.encode())], key.encode())\n",
        ),
    ),
    _fresh(
        "auth-key-case-insensitive",
        "the API key is compared case-insensitively (upper-cased UUID keys 'normalised'): a wrong key is accepted",
        Patch(
            "auth.py",
            "    key_ok = hmac.compare_digest(expected, key.encode())\n",
            "    key_ok = hmac.compare_digest(expected.lower(), key.encode().lower())\n",
        ),
    ),
    # ---- send ----
    _fresh(
        "send-test-recipient-charged",
        "a message to one of ClickSend's free test recipients is billed whenever its country is priced (the test "
        "exemption forgotten): charged like a real message",
        Patch(
            "rules.py",
            '            if recipient is not None and status == "SUCCESS" and not recipient.is_test_number:\n',
            '            if recipient is not None and status == "SUCCESS" and recipient.country in PRICES_E4:\n',
        ),
    ),
    _fresh(
        "send-credit-check-per-message",
        "the credit check compares each message with the whole balance, not what is left after the earlier ones "
        "of the same send: a send the balance covers once is accepted in full and the balance goes negative",
        Patch(
            "rules.py",
            "                if balance_e4 - cost < price_e4:\n",
            "                if balance_e4 < price_e4:\n",
        ),
    ),
    _fresh(
        "send-queued-count-counts-rejected",
        "queued_count counts every message of the request, the rejected ones too",
        Patch(
            "rules.py", '            "queued_count": len(accepted),\n', '            "queued_count": len(answers),\n'
        ),
    ),
    _fresh(
        "send-local-number-ignores-country",
        "a local-format `to` is always read as Australian: the message's `country` is ignored (wrong number, "
        "wrong country, wrong price)",
        Patch(
            "numbers.py",
            "    local_country = (country or DEFAULT_COUNTRY).upper()\n",
            "    local_country = DEFAULT_COUNTRY\n",
        ),
    ),
    _fresh(
        "send-unicode-limit-swapped",
        "the truncation limits are swapped: a unicode body keeps 1500 characters, a GSM one 500",
        Patch(
            "gsm.py",
            "        return body[: self.gsm7 if is_gsm7(body) else self.unicode]\n",
            "        return body[: self.unicode if is_gsm7(body) else self.gsm7]\n",
        ),
    ),
    _fresh(
        "send-schedule-ignored-by-lifecycle",
        "a scheduled message's send time is counted from the request, not from its schedule: its delivery "
        "receipt appears while it is still Scheduled",
        Patch(
            "message.py",
            "        sent_at = (float(schedule) if schedule is not None else now) + send_delay\n",
            "        sent_at = now + send_delay\n",
        ),
    ),
    # ---- price ----
    _fresh(
        "price-stores-and-charges",
        "price_mms runs the send path: it stores the messages and charges the balance",
        Patch(
            "rules.py",
            "        balance = await _in_thread(self.store.balance, account.username)\n"
            "        return self.evaluate(request, account, balance, now).data\n",
            "        return await self.send(account, request, now)\n",
        ),
    ),
    # ---- history ----
    _fresh(
        "history-date-to-exclusive",
        "date_to is exclusive: a record added exactly at date_to is left out (the spec: at or before)",
        Patch(
            "store.py",
            '            clauses.append("date_added <= :date_to")\n',
            '            clauses.append("date_added < :date_to")\n',
        ),
    ),
    _fresh(
        "history-q-first-filter-only",
        "q with several field:value filters applies only the first one",
        Patch("rules.py", '        for item in q.split(","):\n', '        for item in q.split(",")[:1]:\n'),
    ),
    _fresh(
        "history-order-by-price-inverted",
        "order_by=message_price sorts by the negated price: asc answers the dearest first, desc the cheapest",
        Patch("store.py", '    "message_price": "price_e4",\n', '    "message_price": "-price_e4",\n'),
    ),
    _fresh(
        "history-message-id-filter-crosses-accounts",
        "q=message_id:... looks the id up across every account (a 'unique id' shortcut): another account's record "
        "is listed",
        Patch(
            "store.py",
            "        if query.date_from is not None:\n",
            '        if any(name == "message_id" for name, _ in query.filters):\n'
            '            clauses.remove("username = :username")\n'
            "        if query.date_from is not None:\n",
        ),
    ),
    _fresh(
        "history-page-one-row-extra",
        "the history page reads limit + 1 rows (to know whether there is a next page) and answers them all",
        Patch(
            "store.py",
            "keys = self._keys(conn, where, params, order, limit, offset)",
            "keys = self._keys(conn, where, params, order, limit + 1, offset)",
        ),
    ),
    _fresh(
        "history-status-skips-sent",
        "history's status skips Sent: a message reads Completed as soon as it leaves the queue, before its receipt",
        Patch(
            "message.py",
            "    WHEN receipt_at IS NULL OR :now < receipt_at THEN 'Sent'\n",
            "    WHEN receipt_at IS NULL THEN 'Sent'\n",
        ),
    ),
    # ---- export ----
    _fresh(
        "export-serves-every-account",
        "the CSV behind an export link holds every account's messages, not only the exporting account's",
        Patch(
            "store.py",
            "                (after, upto, username, limit),\n",
            "                (after, upto, limit),\n",
        ),
        Patch("store.py", 'WHERE seq > ? AND seq <= ? AND +username = ? "', 'WHERE seq > ? AND seq <= ? "'),
    ),
    # ---- receipts ----
    _fresh(
        "receipts-failed-reads-delivered",
        "a failed message's receipt reads 201 Delivered (the outcome compared with the wrong case)",
        Patch("wire.py", '    failed = message.outcome == "failed"\n', '    failed = message.outcome == "Failed"\n'),
    ),
    _fresh(
        "receipt-by-id-crosses-accounts",
        "receipt-by-id finds a message by its id alone: another account's record is answered",
        Patch(
            "store.py",
            '                f"SELECT {_MESSAGE_SELECT} FROM messages WHERE username = ? AND message_id = ?", '
            "(username, message_id)\n",
            '                f"SELECT {_MESSAGE_SELECT} FROM messages WHERE message_id = ?", (message_id,)\n',
        ),
    ),
    _fresh(
        "receipts-read-marks-every-account",
        "receipts-read marks every account's receipts read, not only the caller's",
        Patch(
            "store.py",
            "read_at = :now WHERE username = :username AND {_UNREAD",
            "read_at = :now WHERE {_UNREAD",
        ),
    ),
    _fresh(
        "receipts-read-date-before-on-send-time",
        "receipts-read's date_before is compared with the message's send time, not its receipt's",
        Patch(
            "store.py",
            'else "receipt_at < :before"',
            'else "sent_at < :before"',
        ),
    ),
    # ---- cancel, cancel-all ----
    _fresh(
        "cancel-crosses-accounts",
        "cancel finds the message by its id alone: one account cancels another's scheduled message",
        Patch(
            "store.py",
            '            where += " AND message_id = :id"\n',
            '            where = f"{CANCELLABLE_SQL} AND message_id = :id"\n',
        ),
    ),
    _fresh(
        "cancel-after-schedule-passed",
        "a scheduled message stays cancellable after its schedule has passed (already sent, even delivered)",
        Patch(
            "message.py",
            'CANCELLABLE_SQL = "cancelled_at IS NULL AND schedule IS NOT NULL AND :now < schedule"\n',
            'CANCELLABLE_SQL = "cancelled_at IS NULL AND schedule IS NOT NULL"\n',
        ),
    ),
    _fresh(
        "cancel-all-no-refund",
        "cancel-all cancels the scheduled messages but refunds none of them (a single cancel still refunds)",
        Patch("store.py", "        if refund:\n", "        if refund and message_id is not None:\n"),
    ),
    # ---- uploads ----
    _fresh(
        "upload-url-does-not-resolve",
        "an upload's _url names the upload id without the file's extension: the link answers 404 (and is no valid "
        "media_file)",
        Patch(
            "rules.py",
            '            "_url": f"{origin}{FILES_PATH}/{upload.file_name}",\n',
            '            "_url": f"{origin}{FILES_PATH}/{upload.upload_id}",\n',
        ),
    ),
)
