"""What the sync and async facades share: settings, the generated client, turning an answer into a result or
into the error to raise."""

from __future__ import annotations

import logging
import ssl
from typing import Any, TypeVar

import httpx
import msgspec

from . import fast_decode
from ._ops import Op
from .client import AuthenticatedClient
from .config import Settings
from .exceptions import (
    ClickSendError,
    NotFoundError,
    TransportError,
    UnexpectedResponseError,
    error_from_response,
    is_error_envelope,
    reached_server,
)
from .recording import RecordTarget, open_recorder
from .retry import Retries, RetryPolicy
from .transport_errors import as_transport_error

T = TypeVar("T")
E = TypeVar("E", bound=ClickSendError)
logger = logging.getLogger("clicksend_mms")
# A library logs, the application decides whether it is shown: without logging configured, nothing is printed.
logger.addHandler(logging.NullHandler())
USER_AGENT = "clicksend-mms-python"


def no_tls_needed() -> ssl.SSLContext:
    """The TLS context of a client whose base URL is plain HTTP (the sandbox): it never speaks TLS to its API, and
    httpx builds the default verifying context eagerly, loading the CA bundle (~20 ms a client). This one verifies
    but trusts no CA, so an https request through ``.http`` fails closed rather than going unchecked."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname are its defaults


class FacadeBase:
    def __init__(
        self,
        username: str | None,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        retry: RetryPolicy | None,
        headers: dict[str, str] | None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
        record: RecordTarget = None,
        sandbox: bool | None = None,
    ) -> None:
        self.settings = Settings.resolve(username, api_key, base_url, timeout, sandbox=sandbox)
        # Opt-in HAR recording (recording.py) wraps whichever transport is used; the client's close writes it.
        self.recorder = open_recorder(record, secrets=(self.settings.api_key,))
        if self.recorder is not None:
            transport = self.recorder.transport(transport)
        self.retry_policy = retry or RetryPolicy()
        httpx_args: dict[str, Any] = {}
        if transport is not None:
            httpx_args["transport"] = transport
        # The generated client holds the credentials (HTTP Basic) and builds the httpx clients.
        self.api = AuthenticatedClient(
            base_url=self.settings.base_url,
            username=self.settings.username,
            api_key=self.settings.api_key,
            timeout=self.settings.timeout,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            verify_ssl=no_tls_needed() if self.settings.base_url.startswith("http://") else True,
            httpx_args=httpx_args,
        )

    def __repr__(self) -> str:
        s = self.settings
        return f"{type(self).__name__}(username={s.username!r}, api_key='***', base_url={s.base_url!r})"

    def _finish(self, op: Op[T], response: httpx.Response) -> T:
        """Decode a 2xx into what ``op`` unwraps from its envelope; raise the typed error for anything else."""
        logger.debug("%s %s -> %s", op.method, op.path, response.status_code)
        if not response.is_success:
            raise self._failed(op, error_from_response(response, secrets=(self.settings.api_key,)))
        # The compiled decoder takes only a body from_dict takes (a success envelope's http_code is the const 200,
        # so never an error envelope) and gives the same model; whatever it declines goes the reference way.
        envelope = fast_decode.decode(op.envelope, response.content)
        if envelope is None:
            envelope = self._reference_decode(op, response)
        return op.unwrap(envelope)

    def _reference_decode(self, op: Op[Any], response: httpx.Response) -> Any:
        """The 2xx body as JSON, then the envelope's from_dict: a JSON error envelope raises its typed error, a
        body the spec does not describe raises UnexpectedResponseError."""
        try:
            # msgspec's plain JSON values are json.loads's (big integers exact, unlike orjson's floats), ~2.5x faster.
            body = msgspec.json.decode(response.content)
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise self._failed(
                op,
                UnexpectedResponseError(
                    f"{op.method} {op.path}: HTTP {response.status_code} body is not JSON",
                    http_code=response.status_code,
                ),
            ) from exc
        if is_error_envelope(body):
            raise self._failed(op, error_from_response(response, secrets=(self.settings.api_key,)))
        try:
            return op.envelope.from_dict(body)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self._failed(
                op,
                UnexpectedResponseError(
                    f"{op.method} {op.path}: HTTP {response.status_code} body does not match the spec: {exc!r}",
                    http_code=response.status_code,
                ),
            ) from exc

    def _transport_error(self, op: Op[Any], exc: httpx.TransportError) -> TransportError:
        url = self.settings.base_url + op.path
        error = as_transport_error(exc, op.method, url, default_target=not self.settings.base_url_configured)
        return self._failed(op, error)

    def _failed(self, op: Op[Any], exc: E) -> E:
        """``exc`` for ``op``; a call that is never repeated and may have reached ClickSend says so and what to do."""
        if op.if_maybe_sent is not None and reached_server(exc):
            exc.flag_may_have_been_sent(op.if_maybe_sent)
        if op.if_not_found is not None and isinstance(exc, NotFoundError):
            exc.advise(op.if_not_found)
        return exc

    def _retries(self, op: Op[Any], policy: RetryPolicy | None = None) -> Retries:
        return Retries(
            policy or self.retry_policy,
            idempotent=op.idempotent,
            read_only=op.method == "GET",  # a GET changes nothing: even its 500 may be repeated
            operation=f"{op.method} {op.path}",
        )
