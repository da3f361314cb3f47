"""Requests the oracles send themselves: follow-ups of a case (read back, replay as the other account, the next
page), sent to the run's target (a URL, or the in-process app of the pytest integration) as a chosen account.

A follow-up of a case is recorded in the case's scenario, so a failure shows it with its own curl reproduction;
a follow-up that writes is recorded in the model too, like every request of the fuzzer itself.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from schemathesis import Case, CheckContext, Response
from schemathesis.core import NOT_SET
from schemathesis.transport.requests import REQUESTS_TRANSPORT

from . import model, timing, wire
from .runenv import Credentials

AnyCase = Case[Any]
# What a check returns: schemathesis counts a truthy return as "not applicable" (skipped), None as "ran, passed";
# so the summary's per-check counts are the cases each check really judged.
SKIP = True
PASSED = None
# Sandbox control endpoints (not ClickSend's API) live at the server's root, whatever the API's base path.
SANDBOX_ACCOUNT_PATH = "/_sandbox/account"
SANDBOX_CLOCK_PATH = "/_sandbox/clock"
_sessions = threading.local()


def operation_id(case: AnyCase) -> str:
    raw: dict[str, Any] = case.operation.definition.raw
    return str(raw.get("operationId", ""))


def _session() -> requests.Session:
    # Keep-alive across follow-ups: a new connection per request would cost as much as the request.
    session: requests.Session | None = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = requests.Session()
    return session


def base_url_of(case: AnyCase, response: Response | None = None) -> str:
    """Where the request under test went, minus the operation's path (URL and ASGI targets alike)."""
    if response is None:
        return str(case.operation.schema.get_base_url()).rstrip("/")
    parts = urlsplit(str(response.request.url))
    formatted = case.formatted_path
    path = parts.path
    prefix = path[: len(path) - len(formatted)] if formatted and path.endswith(formatted) else ""
    return f"{parts.scheme}://{parts.netloc}{prefix}"


class Api:
    """The run's target, reachable from a check or a hook."""

    def __init__(self, schema: Any, base_url: str, app: Any | None, state: model.Model | None = None) -> None:
        self.schema = schema
        self.base_url = base_url
        self.app = app
        self.model = state if state is not None else model.Model()  # a throwaway one for a side target

    @classmethod
    def of(cls, case: AnyCase, response: Response | None = None) -> Api:
        return cls(case.operation.schema, base_url_of(case, response), case.operation.app, model.of(case))

    def case(
        self,
        operation: str,
        *,
        path_parameters: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: Any = NOT_SET,
    ) -> AnyCase:
        op = self.schema.find_operation_by_id(operation)
        probe: AnyCase = op.Case(path_parameters=path_parameters, query=query, body=body)
        return probe

    def send(
        self, probe: AnyCase, account: Credentials, authorization: str | None = None
    ) -> tuple[Response, float, float]:
        """Send `probe` as `account` (not recorded in any scenario); (response, started, answered).

        `authorization`: the header to send instead of `account`'s Basic credentials (a credential that must fail).
        """
        probe.headers["Authorization"] = authorization or wire.basic_auth(account.username, account.api_key)
        kwargs: dict[str, Any] = {"base_url": self.base_url}
        if self.app is not None:
            kwargs["app"] = self.app
            transport = self.schema.transport
        else:  # a URL target, even when the spec was loaded from an in-process app (the burst sandbox)
            kwargs["session"] = _session()
            transport = REQUESTS_TRANSPORT
        started = time.time()
        response: Response = transport.send(probe, **kwargs)
        answered = time.time()
        timing.add("follow_up_requests", answered - started)
        self.model.observe(account.username, operation_id(probe), probe, response, started, answered)
        return response, started, answered

    def fetch(self, url: str) -> tuple[int, Any, bytes] | None:
        """GET a URL the API handed back (an export or upload link), without credentials: (status, headers,
        content), or None when it cannot be reached. Not a schemathesis case: the spec does not describe it."""
        return _fetch_with(self, url)

    def control(self, path: str, account: Credentials) -> Any:
        """`data` of a sandbox control endpoint (GET), or None when the target has none (live ClickSend)."""
        headers = {"Authorization": wire.basic_auth(account.username, account.api_key)}
        parts = urlsplit(self.base_url)
        url = f"{parts.scheme}://{parts.netloc}{path}"
        try:
            if self.app is not None:
                from schemathesis.python import asgi

                with asgi.get_client(self.app) as client:
                    answer = client.get(url, headers=headers)
            else:
                answer = _session().get(url, headers=headers, timeout=10)
        except requests.RequestException:
            return None
        return wire.envelope_data(answer.content) if answer.status_code == 200 else None


def _fetch_with(api: Api, url: str) -> tuple[int, Any, bytes] | None:
    try:
        if api.app is not None:  # an in-process target: its links point into the same app
            from schemathesis.python import asgi

            with asgi.get_client(api.app) as client:
                answer = client.get(url)
            return answer.status_code, answer.headers, answer.content
        got = _session().get(url, timeout=10, allow_redirects=False)
        return got.status_code, got.headers, got.content
    except requests.RequestException:
        return None


def follow_up(
    ctx: CheckContext,
    parent: AnyCase,
    api: Api,
    probe: AnyCase,
    account: Credentials,
    authorization: str | None = None,
) -> Response:
    """Send `probe` as `account` (or with `authorization`), recorded as a child of `parent` (its own curl)."""
    ctx.internals.record_case(parent_id=parent.id, case=probe)
    response, _, _ = api.send(probe, account, authorization)
    ctx.internals.record_response(case_id=probe.id, response=response)
    return response
