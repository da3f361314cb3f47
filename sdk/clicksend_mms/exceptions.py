"""Typed errors for every way a ClickSend call can fail, built from whatever the wire answered.

``clicksend_mms.errors`` is the generator's module (``UnexpectedStatus``); these are the ones the
high-level facade raises. One hierarchy, so ``except ClickSendError`` catches them all:

    ClickSendError
    ├── APIError                 any non-2xx envelope (base for the HTTP ones below)
    │   ├── ValidationError      400 / 413 / 422, ``data`` holds ClickSend's per-field messages
    │   ├── AuthenticationError  401
    │   ├── ForbiddenError       403
    │   ├── NotFoundError        404 (unknown record, unknown path *and* wrong method)
    │   ├── RateLimitedError     429, ``retry_after`` seconds from Retry-After / ratelimit-reset
    │   └── ServerError          5xx
    ├── TransportError           no HTTP answer (connect refused, timeout, connection dropped);
    │                            ``request_sent`` says whether the request may have reached the server
    ├── UnexpectedResponseError  a 2xx whose body does not decode (not JSON, missing fields)
    ├── InvalidRequestError      the input breaks the spec's request rules: refused before anything was sent
    ├── ConfigurationError       missing credentials, bad base URL
    │   └── RecordingError       the recording (``record=``) cannot be read or written, or is not HAR
    └── LocalFileError           a file on this machine cannot be read or written (``upload(path)``,
                                 ``download(url, path)``); also an OSError, ``.path`` names it

A send or upload that failed after the request may have reached ClickSend (5xx, undecodable answer, read
timeout, dropped connection) has ``may_have_been_sent=True`` and its text says what to do before trying again.

Per-message send statuses (INVALID_RECIPIENT...) are *results*, not errors: see ``clicksend_mms.rejected``.
Nothing here keeps the request (its Authorization header) or echoes credentials.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from .request_check import Problem

_RATE_LIMIT_CODES = frozenset({"TOO_MANY_REQUESTS", "HTTP_TOO_MANY_REQUESTS"})
# ratelimit-reset above this is an absolute unix time, below it a number of seconds (both styles exist).
_EPOCH_THRESHOLD = 1_000_000_000
_REDACTED = "***"
# How much of ClickSend's per-field ``data`` goes into an error's text (all of it stays in ``.data``).
_DATA_LINES = 20
_DATA_CHARS = 300


class ClickSendError(Exception):
    """Base of every error the facade raises. ``http_code`` is None when no HTTP answer came back."""

    http_code: int | None = None
    response_code: str | None = None
    response_msg: str | None = None
    data: Any = None
    # True when a send or upload failed after the request may have reached ClickSend (see flag_may_have_been_sent).
    may_have_been_sent: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def flag_may_have_been_sent(self, advice: str) -> None:
        """Mark the error of a non-repeatable call whose request may have arrived, and say what to do."""
        if self.may_have_been_sent:
            return
        self.may_have_been_sent = True
        self.advise(advice)

    def advise(self, advice: str) -> None:
        """Add what to do about it, a line after what happened."""
        self.message = f"{self.message}\n{advice}"
        self.args = (self.message,)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class APIError(ClickSendError):
    """ClickSend answered with an error envelope ``{http_code, response_code, response_msg, data}``."""

    # What to do about it, where ClickSend's own words do not say (a line after them in the text).
    advice: str | None = None

    def __init__(
        self,
        *,
        http_code: int,
        response_code: str | None,
        response_msg: str | None,
        data: Any = None,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.http_code = http_code
        self.response_code = response_code
        self.response_msg = response_msg
        self.data = data
        self.method = method
        self.path = path
        self.retry_after = retry_after
        where = f" on {method} {path}" if method and path else ""
        text = f"HTTP {http_code} {response_code or '-'}{where}: {response_msg or '(no message)'}"
        super().__init__("\n  ".join([text, *describe_data(data)]))
        if self.advice:
            self.advise(self.advice)

    def __repr__(self) -> str:
        extra = f", retry_after={self.retry_after!r}" if self.retry_after is not None else ""
        return (
            f"{type(self).__name__}(http_code={self.http_code!r}, response_code={self.response_code!r}, "
            f"response_msg={self.response_msg!r}{extra})"
        )


class ValidationError(APIError):
    """400 / 413 / 422: the request was malformed; ``data`` may map fields to messages."""


class AuthenticationError(APIError):
    """401: wrong username / API key, or an inactive account."""

    advice = (
        "Check the username and API key (ClickSend(username, api_key), CLICKSEND_USERNAME and CLICKSEND_API_KEY, "
        "or the CLI's --username and --api-key): the key is the API key from ClickSend's dashboard, not the "
        "account password. A swapped pair, and an inactive account, are refused the same way."
    )


class ForbiddenError(APIError):
    """403: suspended account, or a resource of another account."""


class NotFoundError(APIError):
    """404: unknown record, unknown path, or wrong method (ClickSend answers all three alike)."""


class RateLimitedError(APIError):
    """429: slow down; ``retry_after`` is how many seconds ClickSend asked for (None if it did not say)."""


class ServerError(APIError):
    """5xx: ClickSend (or a proxy in front of it) failed."""


class TransportError(ClickSendError):
    """No HTTP answer. ``request_sent`` is False only when the failure proves nothing reached the server."""

    def __init__(self, message: str, *, request_sent: bool, method: str | None = None, path: str | None = None):
        self.request_sent = request_sent
        self.method = method
        self.path = path
        super().__init__(message)


class InvalidRequestError(ClickSendError, ValueError):
    """The input breaks the spec's request rules (unknown key, missing field, wrong type, limit): nothing was sent.

    ``problems`` lists every problem (``.location`` like ``messages[3].subject``, ``.index``, ``.key``,
    ``.message``); ``data`` maps each location to its message, like ClickSend's own 400 ``data``.
    """

    shown = 50  # problems written into the text; all of them stay in ``problems``

    def __init__(self, problems: Sequence[Problem], *, advice: str | None = None) -> None:
        self.problems = list(problems)
        self.data = {problem.location: problem.message for problem in self.problems}
        count = len(self.problems)
        lines = [
            f"Nothing was sent: {count} problem{'s' if count != 1 else ''} in the request (checked against "
            "the API spec before sending):"
        ]
        lines += [f"  {problem}" for problem in self.problems[: self.shown]]
        if count > self.shown:
            lines.append(f"  ... and {count - self.shown} more (all of them in .problems)")
        if advice:
            lines.append(advice)
        super().__init__("\n".join(lines))


class UnexpectedResponseError(ClickSendError):
    """A success status whose body the generated models cannot decode."""

    def __init__(self, message: str, *, http_code: int) -> None:
        self.http_code = http_code
        super().__init__(message)


def _class_for(status: int, response_code: str | None) -> type[APIError]:
    if status == 429 or response_code in _RATE_LIMIT_CODES:
        return RateLimitedError
    by_status: dict[int, type[APIError]] = {
        400: ValidationError,
        401: AuthenticationError,
        403: ForbiddenError,
        404: NotFoundError,
        413: ValidationError,
        422: ValidationError,
    }
    if status in by_status:
        return by_status[status]
    return ServerError if status >= 500 else APIError


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date), else ``ratelimit-reset``; None if neither."""
    now = time.time() if now is None else now
    raw = headers.get("retry-after")
    if raw is not None:
        try:
            return max(0.0, float(raw))
        except ValueError:
            try:
                return max(0.0, email.utils.parsedate_to_datetime(raw).timestamp() - now)
            except (TypeError, ValueError, IndexError):
                pass
    raw = headers.get("ratelimit-reset") or headers.get("x-ratelimit-reset")
    if raw is not None:
        try:
            value = float(raw)
        except ValueError:
            return None
        return max(0.0, value - now) if value > _EPOCH_THRESHOLD else max(0.0, value)
    return None


def _scrub(value: Any, secrets: tuple[str, ...]) -> Any:
    """Replace any secret that a server might echo back (it should not, but errors end up in logs)."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, _REDACTED)
        return value
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    return value


def error_from_response(response: httpx.Response, *, secrets: Iterable[str] = ()) -> APIError:
    """Build the typed error for a non-2xx answer, whatever its body: JSON envelope, odd envelope, HTML, empty.

    The HTTP status decides the class; the envelope only fills the fields (ClickSend has answered a 400 with
    the integer ``response_code`` 400 and a 429 with ``HTTP_TOO_MANY_REQUESTS``).
    """
    hidden = tuple(s for s in secrets if s)
    body: Any
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        body = None
    status = response.status_code
    if isinstance(body, dict):
        raw_code = body.get("response_code")
        response_code = None if raw_code is None else str(raw_code)
        raw_msg = body.get("response_msg")
        response_msg = None if raw_msg is None else str(raw_msg)
        data = body.get("data")
        envelope_status = body.get("http_code")
        # A 2xx carrying an error envelope is still an error: trust the envelope's code then.
        if status < 400 and isinstance(envelope_status, int) and envelope_status >= 400:
            status = envelope_status
    else:
        response_code = None
        text = response.text.strip() if response.content else ""
        response_msg = text[:200] or response.reason_phrase or None
        data = None
    cls = _class_for(status, response_code)
    return cls(
        http_code=status,
        response_code=_scrub(response_code, hidden),
        response_msg=_scrub(response_msg, hidden),
        data=_scrub(data, hidden),
        method=response.request.method if _has_request(response) else None,
        path=response.request.url.path if _has_request(response) else None,
        retry_after=parse_retry_after(response.headers) if cls is RateLimitedError else None,
    )


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request  # noqa: B018 - httpx raises RuntimeError when a Response was built without one
    except RuntimeError:
        return False
    return True


def describe_data(data: Any) -> list[str]:
    """ClickSend's per-field ``data`` as lines of plain text: ``field: message``, lists joined, long values cut."""
    if data is None or data == [] or data == {} or data == "":
        return []
    if isinstance(data, Mapping):
        lines = [f"{key}: {_plain(value)}" for key, value in data.items()]
    elif isinstance(data, list):
        lines = [_plain(item) for item in data]
    else:
        lines = [_plain(data)]
    if len(lines) > _DATA_LINES:
        lines = [*lines[:_DATA_LINES], f"... and {len(lines) - _DATA_LINES} more (all of them in .data)"]
    return lines


def _plain(value: Any) -> str:
    if isinstance(value, list):
        text = "; ".join(_plain(item) for item in value)
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= _DATA_CHARS else text[: _DATA_CHARS - 1] + "…"


def reached_server(exc: ClickSendError) -> bool:
    """True when the failed request may have been processed: a 5xx, an undecodable 2xx, or a transport error
    after the request may have been written. A 4xx (429 included) is a refusal: nothing was done."""
    if isinstance(exc, TransportError):
        return exc.request_sent
    return isinstance(exc, ServerError | UnexpectedResponseError)


def is_error_envelope(body: Any) -> bool:
    """True for a 2xx whose JSON envelope says it is an error (``http_code`` >= 400)."""
    return isinstance(body, dict) and isinstance(body.get("http_code"), int) and body["http_code"] >= 400


class ConfigurationError(ClickSendError):
    """Missing or invalid settings (no credentials, bad base URL): fix the configuration, not the call."""


class RecordingError(ConfigurationError):
    """The HAR file given as ``record=`` (or ``--record``) cannot be read or written, or holds something else."""


class LocalFileError(ClickSendError, OSError):
    """A file on this machine could not be read or written (or would be replaced without --force in the CLI);
    nothing was sent. Also an OSError (``errno``, ``strerror`` and ``filename`` from the failure), so code that
    caught the OSError of a missing file keeps working; ``path`` is the file."""

    def __init__(self, message: str, *, path: object = None, cause: OSError | None = None) -> None:
        super().__init__(message)
        self.path = path
        if cause is not None:
            self.errno, self.strerror, self.filename = cause.errno, cause.strerror, cause.filename
