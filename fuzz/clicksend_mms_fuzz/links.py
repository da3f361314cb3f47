"""``links_lead_to_own_data``: the URLs the API hands back can be followed, and lead to the caller's data only.

- export (`data.url`): the link answers 200 with a CSV whose header names `message_id`; every message in it is
  one of this account's (never the other account's canary, never a message the run knows to be another's); against
  a fresh sandbox, where the model knows every message of the account, exactly those messages;
- upload (`data._url`): the link answers 200 with an image (the converted file is served as `image/*`).
The link is fetched as given (its token is its credential: no Authorization header is sent with it). Sampled.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from schemathesis import CheckContext, Response

from . import model, runenv, wire
from .probes import PASSED, SKIP, AnyCase, Api, operation_id

EXPORT = "export_mms_history"
UPLOAD = "upload_media"
SAMPLE = (10, 4)  # Model.sampled: the first N links of each kind, then one in K (one GET each: cheap)


def export_problems(status: int, content: bytes, user: str, known: model.Model, complete: bool) -> list[str]:
    if status != 200:
        return [f"the export link answered {status}"]
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8", errors="replace"))))
    if rows and "message_id" not in rows[0]:
        return ["the export's CSV has no message_id column"]
    ids = [str(row.get("message_id", "")) for row in rows]
    foreign = [i for i in ids if known.owner_of.get(i) not in (None, user) or i == known.canary_id]
    if foreign:
        return [f"the export holds message {foreign[0]} of another account ({len(foreign)} such)"]
    if complete:
        own = set(known.account(user).messages)
        if set(ids) != own or len(ids) != len(own):
            missing, extra = len(own - set(ids)), len(set(ids) - own)
            return [
                f"the export holds {len(ids)} message(s); the account has {len(own)} "
                f"({missing} missing, {extra} unknown)"
            ]
    return []


def upload_problems(status: int, headers: Any, content: bytes) -> list[str]:
    if status != 200:
        return [f"the upload's _url answered {status}"]
    kind = wire.header(headers, "content-type") or ""
    if not kind.startswith("image/") or not content:
        return [f"the upload's _url served {len(content)} byte(s) of {kind or 'no content type'}, not an image"]
    return []


def links_lead_to_own_data(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    run = runenv.current()
    operation = operation_id(case)
    if operation not in (EXPORT, UPLOAD) or response.status_code != 200 or run.account is None:
        return SKIP
    authorization = response.request.headers.get("Authorization")
    user = wire.basic_user(authorization if isinstance(authorization, str) else None)
    data = wire.envelope_data(response.content)
    url = data.get("url" if operation == EXPORT else "_url") if isinstance(data, dict) else None
    known = model.of(case)
    if user != run.account.username or not isinstance(url, str) or not known.sampled(f"links:{operation}", *SAMPLE):
        return SKIP
    api = Api.of(case, response)
    fetched = api.fetch(url)
    if fetched is None:
        raise AssertionError(f"The link {operation} answered could not be fetched: {url}")
    status, headers, content = fetched
    if operation == EXPORT:
        complete = run.sandbox and known.account(user).complete
        problems = export_problems(status, content, user, known, complete)
    else:
        problems = upload_problems(status, headers, content)
    if problems:
        raise AssertionError(
            f"The link {operation} answered does not lead to this account's data: " + "; ".join(problems)
        )
    return PASSED
