"""Every operation the sandbox's routes call: ClickSend's MMS behaviour as the sandbox plays it, and the sandbox's
own account operations. Rules decide; the store only persists (store.py); a message's lifecycle is message.py's.

Operations that touch the store are coroutines: writes go to the store's writer thread and return once committed
(so a 200 is durable); reads that may scan run in a worker thread, so they stall no other connection.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

import anyio.to_thread

from . import wire
from .accounts import Account, AccountExists, Accounts
from .cache import RecordCache
from .export import history_csv, sanitise_filename
from .gsm import BodyLimits
from .ids import Ids
from .media import converted_kind, media_extension_ok
from .message import Message
from .numbers import Recipient, read_recipient
from .pricing import CURRENCY, PRICES_E4, amount_e4, money, to_e4, total_money
from .settings import Settings
from .store import FILTER_FIELDS, ORDER_FIELDS, AddedAccount, ExportLink, Query, Store, Tx, TxJob, Upload

# Where the links the sandbox hands out are served (control.py routes them): outside ClickSend's API, like
# ClickSend's own S3 export links and files URLs.
EXPORTS_PATH = "/_sandbox/exports"
FILES_PATH = "/_sandbox/files"
# The default history view (newest first, unfiltered, a shallow page) is an index range of one page and a kept
# count: cheaper than a thread hop, so it is read on the event loop. Anything else may scan.
INDEXED_ORDER = frozenset({"date_added", "date"})
EXPORT_BATCH = 2000  # rows an export reads and writes at a time
INLINE_MAX_OFFSET = 1000

P = ParamSpec("P")
R = TypeVar("R")


class BadRequest(Exception):
    """The request breaks a rule: a 400 with per-field messages."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields


class NotFound(Exception):
    """Nothing of that id for this account (unknown and another account's look alike): a 404."""


@dataclass(frozen=True)
class SendOutcome:
    data: dict[str, Any]  # the answer's data
    messages: list[Message]  # what a send stores (the accepted ones)
    cost_e4: int


async def _in_thread(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


def opening_e4(account: Account) -> int:
    return to_e4(account.balance)


class Rules:
    def __init__(
        self, store: Store, settings: Settings, accounts: Accounts, body_limits: BodyLimits, records: RecordCache
    ) -> None:
        self.store = store
        self.settings = settings
        self.accounts = accounts
        self.body_limits = body_limits
        self.records = records
        self.ids = Ids(settings.seed)

    # ---- send and price ----

    def evaluate(self, request: dict[str, Any], account: Account, balance_e4: int, now: float) -> SendOutcome:
        """The answer of send/price for a request that passed the spec's schema, and the messages a send stores."""
        media_file: str = request["media_file"]
        media_ok = media_extension_ok(media_file)
        delays = (self.settings.send_delay, self.settings.receipt_delay)
        answers: list[dict[str, Any]] = []
        accepted: list[Message] = []
        cost = 0
        date_added = int(now)
        for requested in request["messages"]:
            message_id = self.ids.uuid()
            status, recipient = self._verdict(requested, media_ok, account, now)
            price_e4 = 0
            if recipient is not None and status == "SUCCESS" and not recipient.is_test_number:
                price_e4 = PRICES_E4[recipient.country or ""]
                if balance_e4 - cost < price_e4:
                    status = "INSUFFICIENT_CREDIT"
            if recipient is None or status != "SUCCESS":
                answers.append(wire.rejected(requested, message_id, status))
                continue
            cost += price_e4
            schedule = _int_or_none(requested.get("schedule"))
            if schedule is not None and schedule <= date_added:
                schedule = None  # a time in the past means "now" [assumption, see README]
            magic = recipient.magic
            outcome = "none" if recipient.is_test_number else (magic.outcome if magic else "delivered")
            sent_at, receipt_at = Message.timeline(now, schedule, delays, outcome)
            message = Message(
                message_id=message_id,
                username=account.username,
                user_id=account.user_id,
                to=recipient.number,
                body=self.body_limits.truncate(requested["body"]),
                subject=requested["subject"],
                sender=requested.get("from", ""),
                country=recipient.country or "",
                custom_string=requested.get("custom_string", ""),
                from_email=requested.get("from_email"),
                list_id=_int_or_none(requested.get("list_id")),
                media_url=media_file,
                price_e4=price_e4,
                parts=0 if recipient.is_test_number else 1,  # one part: an MMS body is truncated, never split
                date_added=date_added,
                schedule=schedule,
                sent_at=sent_at,
                receipt_at=receipt_at,
                outcome=outcome,
            )
            accepted.append(message)
            answers.append(wire.accepted(message, _int_or_none(requested.get("schedule"))))
        data = {
            "total_price": total_money(cost),
            "total_count": len(request["messages"]),
            "queued_count": len(accepted),
            "messages": answers,
            "_currency": CURRENCY,
        }
        return SendOutcome(data, accepted, cost)

    def _verdict(
        self, requested: dict[str, Any], media_ok: bool, account: Account, now: float
    ) -> tuple[str, Recipient | None]:
        """(status, recipient) of one message before credit; checks in ClickSend's apparent order."""
        raw_to = requested.get("to")
        if raw_to is None:
            # Contact lists do not exist in the sandbox; a list_id alone cannot be resolved.
            return ("NOT_ENOUGH_PERMISSION_TO_LIST_ID" if "list_id" in requested else "MISSING_REQUIRED_FIELDS"), None
        recipient = read_recipient(raw_to, requested.get("country"))
        if recipient is None:
            return "INVALID_RECIPIENT", None
        schedule = requested.get("schedule")
        if not requested["subject"].strip():
            status = "SUBJECT_REQUIRED"
        elif not requested["body"].strip():
            status = "EMPTY_MESSAGE"
        elif not media_ok:
            status = "INVALID_MEDIA_FILE"
        elif schedule is not None and schedule > now + self.settings.max_schedule_ahead:
            status = "INVALID_SCHEDULE"
        elif account.kind == "nocredit":
            status = "INSUFFICIENT_CREDIT"
        elif recipient.is_test_number:
            status = "SUCCESS"
        elif recipient.magic is not None and recipient.magic.reject is not None:
            status = recipient.magic.reject
        elif recipient.country is None or recipient.country not in PRICES_E4:
            status = "COUNTRY_NOT_ENABLED"
        else:
            status = "SUCCESS"
        return status, recipient

    def send_job(self, request: dict[str, Any], account: Account, now: float) -> TxJob[SendOutcome]:
        """A send as one write: balance read, messages stored, balance charged, in one transaction (so concurrent
        sends of an account never spend the same credit twice)."""

        def job(tx: Tx) -> SendOutcome:
            outcome = self.evaluate(request, account, tx.balance(account.username), now)
            if outcome.messages:
                tx.add_messages(outcome.messages, account.username, outcome.cost_e4)
            return outcome

        return job

    async def send(self, account: Account, request: dict[str, Any], now: float) -> dict[str, Any]:
        return (await self.store.write(self.send_job(request, account, now))).data

    async def price(self, account: Account, request: dict[str, Any], now: float) -> dict[str, Any]:
        """Answers like send (the same credit check included) and charges and stores nothing."""
        balance = await _in_thread(self.store.balance, account.username)
        return self.evaluate(request, account, balance, now).data

    # ---- history, receipts, cancel ----

    async def history(self, account: Account, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        query = parse_query(params.get("q"), params.get("order_by"), params.get("date_from"), params.get("date_to"))
        current, per_page = params.get("page", 1), params.get("limit", 15)
        offset = (current - 1) * per_page
        args = (account.username, now, query, per_page, offset, self.records.get)
        cheap = query.unfiltered and query.order_field in INDEXED_ORDER and offset <= INLINE_MAX_OFFSET
        page = self.store.history(*args) if cheap else await _in_thread(self.store.history, *args)
        return wire.history_page(page, self.records, current, per_page)

    async def receipts(self, account: Account, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        """Unread receipts only, newest first ([SMS] ClickSend's receipt lists)."""
        current, per_page = params.get("page", 1), params.get("limit", 15)
        store = self.store
        total, messages = await _in_thread(
            store.unread_receipts, account.username, now, per_page, (current - 1) * per_page
        )
        return wire.paginate([wire.receipt(m) for m in messages], total, current, per_page)

    async def receipt(self, account: Account, message_id: str, now: float) -> dict[str, Any]:
        """Receipt-by-id answers the message record, its price with 6 decimals."""
        message = await _in_thread(self.store.message, account.username, message_id)
        if message is None:
            raise NotFound("Message not found.")
        return wire.record(message, message.status(now), price_decimals=6)

    async def mark_read(self, account: Account, date_before: int | None, now: float) -> int:
        return await self.store.write(lambda tx: tx.mark_read(account.username, now, date_before))

    async def cancel(self, account: Account, message_id: str, now: float) -> None:
        """Only a message still waiting for its schedule; refunded."""
        if await self.store.write(lambda tx: tx.cancel(account.username, now, message_id)) == 0:
            raise NotFound("Scheduled MMS not found.")

    async def cancel_all(self, account: Account, now: float) -> int:
        return await self.store.write(lambda tx: tx.cancel(account.username, now, None))

    # ---- export ----

    async def export(self, account: Account, filename: str, origin: str, now: float) -> dict[str, Any]:
        """A link to the account's history as CSV; the unguessable token is its credential, and it expires."""
        link = ExportLink(
            self.ids.token(), account.username, sanitise_filename(filename), now + self.settings.export_ttl
        )
        await self.store.write(lambda tx: tx.add_export(link))
        return {"url": f"{origin}{EXPORTS_PATH}/{link.token}?filename={quote(link.filename)}"}

    async def export_file(self, token: str, now: float) -> tuple[str, AsyncIterator[bytes]]:
        """(file name, CSV) behind an export link: the account's messages when the link is opened, oldest first,
        streamed in batches (each read and written in a worker thread), so memory stays flat however many rows."""
        link = await _in_thread(self.store.export, token)
        if link is None or link.expires_at < now:
            raise NotFound("This link has expired or does not exist.")
        upto = await _in_thread(self.store.last_seq, link.username)

        async def chunks() -> AsyncIterator[bytes]:
            yield history_csv((), now).encode("utf-8")
            after = 0
            while after < upto:
                after, batch = await _in_thread(self._export_batch, link.username, after, upto, now)
                if batch:
                    yield batch

        return link.filename, chunks()

    def _export_batch(self, username: str, after: int, upto: int, now: float) -> tuple[int, bytes]:
        last, messages = self.store.messages_between(username, after, upto, EXPORT_BATCH)
        return last, history_csv(messages, now, header=False).encode("utf-8")

    # ---- uploads ----

    async def upload(
        self, account: Account, body: dict[str, Any], convert: str | None, origin: str, now: float
    ) -> dict[str, Any]:
        """Store a file converted for MMS; its `_url` (an unguessable name) serves it and is a valid media_file."""
        try:
            content = base64.b64decode(body["content"], validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest({"content": "Not valid base64."}) from None
        kind = converted_kind(content)
        if kind is None:
            raise BadRequest({"content": "Unsupported file: upload a jpeg, png, gif or bmp image."})
        extension, content_type = kind
        upload_id = self.ids.uuid()
        date_added = int(now)
        upload = Upload(
            upload_id=upload_id,
            username=account.username,
            user_id=account.user_id,
            file_name=f"{upload_id}.{extension}",
            content_type=content_type,
            content=content,
            date_added=date_added,
            date_delete=date_added + self.settings.upload_ttl,
        )
        await self.store.write(lambda tx: tx.add_upload(upload))
        return {
            "_url": f"{origin}{FILES_PATH}/{upload.file_name}",
            "date_added": upload.date_added,
            "date_delete": upload.date_delete,
            "file_name": upload.file_name,
            "upload_id": upload.upload_id,
            "user_id": upload.user_id,
        }

    async def uploaded_file(self, file_name: str, now: float) -> Upload:
        upload = await _in_thread(self.store.upload, file_name)
        if upload is None or upload.date_delete < now:
            raise NotFound("File not found.")
        return upload

    # ---- the sandbox's accounts (control endpoints) ----

    async def account_view(self, account: Account, balance_e4: int | None = None) -> dict[str, Any]:
        if balance_e4 is None:
            balance_e4 = await _in_thread(self.store.balance, account.username)
        return {
            "username": account.username,
            "user_id": account.user_id,
            "balance": money(balance_e4),
            "opening_balance": money(opening_e4(account)),
        }

    async def set_balance(self, account: Account, amount: Decimal) -> dict[str, Any]:
        e4 = _amount_e4(amount, "balance")
        return await self.account_view(account, await self.store.write(lambda tx: tx.set_balance(account.username, e4)))

    async def top_up(self, account: Account, amount: Decimal) -> dict[str, Any]:
        e4 = _amount_e4(amount, "amount")
        balance = await self.store.write(lambda tx: tx.add_to_balance(account.username, e4))
        return await self.account_view(account, balance)

    async def reset_balance(self, account: Account) -> dict[str, Any]:
        e4 = opening_e4(account)
        return await self.account_view(account, await self.store.write(lambda tx: tx.set_balance(account.username, e4)))

    async def add_account(
        self, username: str, api_key: str, balance: Decimal | None, rate_limit: int | None
    ) -> dict[str, Any]:
        """A normal account, usable at once and kept with --db (found again after a restart). A name that already
        has rows in the store (a configured account's, or one whose data outlived its configuration) cannot be
        claimed: its rows are not the new owner's to read."""
        candidate = Account(username, api_key, rate_limit=rate_limit)
        if balance is not None:
            _amount_e4(balance, "balance")
            candidate = Account(username, api_key, balance=balance, rate_limit=rate_limit)
        try:
            account = self.accounts.add(candidate)
        except AccountExists as exc:
            raise BadRequest({"username": str(exc)}) from None
        kept = AddedAccount(account.username, account.api_key, account.user_id, opening_e4(account), rate_limit)
        try:
            added = await self.store.write(lambda tx: tx.add_account(kept))
        except BaseException:
            self.accounts.remove(account.username)
            raise
        if not added:
            self.accounts.remove(account.username)
            raise BadRequest({"username": f"the name {username!r} has data in this sandbox; choose another"})
        return await self.account_view(account)

    def restore_accounts(self) -> list[Account]:
        """Register the accounts added at run time by an earlier run on this database (at start-up)."""
        restored = []
        for kept in self.store.added_accounts():
            account = self.accounts.restore(
                Account(kept.username, kept.api_key, balance=Decimal(kept.opening_e4).scaleb(-4),
                        user_id=kept.user_id, rate_limit=kept.rate_limit)
            )  # fmt: skip
            if account is not None:
                restored.append(account)
        return restored

    async def reset_account(self, account: Account) -> dict[str, Any]:
        """One account back to how it started: no messages, receipts, exports or uploads, its opening balance."""
        e4 = opening_e4(account)
        await self.store.write(lambda tx: tx.clear_account(account.username, e4))  # seqs are never reused: no cache
        return await self.account_view(account, e4)

    async def reset(self) -> None:
        """Back to how the sandbox started: its configured accounts at their opening balances, and no messages,
        receipts, exports or uploads."""
        initial = self.accounts.reset()
        await self.store.write(lambda tx: tx.clear({a.username: opening_e4(a) for a in initial}))
        self.records.clear()


def _int_or_none(value: Any) -> int | None:
    # JSON Schema's "integer" accepts 5.0; the rules want real ints.
    return None if value is None else int(value)


def _amount_e4(amount: Decimal, name: str) -> int:
    try:
        return amount_e4(amount)
    except ValueError as exc:
        raise BadRequest({name: f"{str(exc).capitalize()}."}) from None


def parse_query(q: str | None, order_by: str | None, date_from: int | None, date_to: int | None) -> Query:
    """A history query. Unknown q/order_by fields are ignored, as ClickSend's docs are silent."""
    filters: list[tuple[str, str]] = []
    if q:
        for item in q.split(","):
            name, _, value = item.partition(":")
            if name.lower() in FILTER_FIELDS:
                filters.append((name.lower(), value))
    order_field, descending = "date_added", True
    if order_by:
        name, _, direction = order_by.partition(":")
        if name.lower() in ORDER_FIELDS:
            order_field, descending = name.lower(), direction.lower() == "desc"
    return Query(filters, order_field, descending, date_from, date_to)
