"""The exit codes of ``clicksend-mms`` (every command, ``conformance`` included), in one place.

User mistakes and API errors never print a traceback.

| code | meaning                                                                                           |
|------|---------------------------------------------------------------------------------------------------|
| 0    | success                                                                                           |
| 1    | other API error (unexpected status, undecodable answer); `conformance`: the traffic breaks the spec |
| 2    | usage: a bad option or argument (click's), or a --messages / HAR file whose content is not one    |
| 3    | configuration: no credentials, bad base URL, a missing extra, a spec that cannot be read          |
| 4    | authentication failed or forbidden (401 / 403)                                                    |
| 5    | not found (404)                                                                                   |
| 6    | invalid request: refused before sending, or ClickSend's 400/413                                   |
| 7    | rate limited (429, after retries)                                                                 |
| 8    | server error (5xx, after retries)                                                                 |
| 9    | no answer: could not connect (nothing sent), or timed out / dropped (a send may have gone through) |
| 10   | send/price succeeded but some messages were rejected                                              |
| 11   | local file: cannot read or write a file, or would replace one (export without --force)            |
| 12   | `conformance` checked nothing: no entry of the HAR is an operation of the spec                    |
| 13   | `send --resume`: history cannot settle some in-flight messages yet; nothing more was sent          |
| 130  | `send` interrupted by Ctrl-C (SIGINT): the account (sent / may have been sent / not sent) printed  |
| 143  | `send` stopped by SIGTERM: the account printed, as for Ctrl-C                                      |
| 141  | the reader of the output went away (`| head`): 128 + SIGPIPE, as for a Unix tool killed by it     |
"""

from __future__ import annotations

OK = 0
API = 1
USAGE = 2
CONFIG = 3
AUTH = 4
NOT_FOUND = 5
VALIDATION = 6
RATE_LIMITED = 7
SERVER = 8
TRANSPORT = 9
REJECTED = 10
LOCAL_FILE = 11
NOTHING_CHECKED = 12
UNKNOWN_FATE = 13
INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a Ctrl-C'd command
TERMINATED = 143  # 128 + SIGTERM
BROKEN_PIPE = 141
