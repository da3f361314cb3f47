"""Runs inside the official SDK's venv (clicksend-client 6.x; tests/sandbox/foreign_sdks/venvs.py): stdlib and
``clicksend`` only.

A JSON-lines protocol on stdin/stdout, so the parent can interleave this SDK's timing blocks with its own:
  {"cmd": "prepare", "raw": PATH, "out": PATH} -> coerce what ViewMmsHistory rejects, write the copy to "out"
  {"cmd": "decode", "n": N}                    -> seconds for N x ViewMmsHistory.from_json(copy)
  {"cmd": "connect", "host": URL, "username": U, "password": P}
  {"cmd": "get", "n": N}                       -> seconds for N x MmsApi.view_mms_history(limit=100)
"""

from __future__ import annotations

import decimal
import importlib
import importlib.metadata
import json
import sys
import time
from typing import Any


def _coerce(value: Any, err_type: str) -> Any:
    if err_type == "string_type":
        return str(value)
    if err_type in ("int_type", "int_parsing"):
        return int(decimal.Decimal(str(value)))
    raise ValueError(f"no coercion for {err_type}")


def _fix(model: Any, obj: dict[str, Any], where: str, log: dict[str, dict[str, Any]]) -> None:
    """Coerce, in place, each field of ``obj`` that ``model`` rejects; note field, error and example in ``log``."""
    validation_error = importlib.import_module("pydantic").ValidationError
    for _ in range(64):  # bounded: each pass fixes at least one field or raises
        try:
            model.from_dict(obj)
            return
        except validation_error as exc:
            errors = exc.errors()
            for err in errors:
                field = str(err["loc"][0])
                key = field if field in obj else next((k for k in obj if k.lstrip("_") == field.lstrip("_")), field)
                old = obj[key]
                obj[key] = _coerce(old, err["type"])
                entry = log.setdefault(
                    f"{where}.{key}",
                    {"error": err["type"], "message": err["msg"], "examples": [], "count": 0},
                )
                entry["count"] += 1
                if len(entry["examples"]) < 4 and repr(old) not in entry["examples"]:
                    entry["examples"].append(repr(old))
    raise RuntimeError(f"could not coerce {where}")


class Worker:
    def __init__(self) -> None:
        self.models = importlib.import_module("clicksend.models")
        self.text = ""
        self.api: Any = None

    def prepare(self, raw: str, out: str) -> dict[str, Any]:
        with open(raw, "rb") as fh:
            page = json.load(fh)
        log: dict[str, dict[str, Any]] = {}
        for row in page["data"]["data"]:
            _fix(self.models.ViewMmsHistoryDataAllOfDataInner, row, "data.data[]", log)
        rows = page["data"].pop("data")
        _fix(self.models.ViewMmsHistoryData, page["data"], "data", log)
        page["data"]["data"] = rows
        _fix(self.models.ViewMmsHistory, page, "(envelope)", log)
        self.text = json.dumps(page, separators=(",", ":"))
        with open(out, "w") as fh:
            fh.write(self.text)
        parsed = self.models.ViewMmsHistory.from_json(self.text)
        return {
            "coerced": log,
            "rows": len(parsed.data.data),
            "version": importlib.metadata.version("clicksend-client"),
        }

    def decode(self, n: int) -> float:
        from_json = self.models.ViewMmsHistory.from_json
        text = self.text
        start = time.perf_counter()
        for _ in range(n):
            from_json(text)
        return time.perf_counter() - start

    def connect(self, host: str, username: str, password: str) -> None:
        clicksend = importlib.import_module("clicksend")
        config = clicksend.Configuration(host=host, username=username, password=password)
        self.api = clicksend.MmsApi(clicksend.ApiClient(config))
        got = self.api.view_mms_history(limit=100)
        if len(got.data.data) != 100:
            raise RuntimeError(f"expected 100 rows, got {len(got.data.data)}")

    def get(self, n: int) -> float:
        call = self.api.view_mms_history
        start = time.perf_counter()
        for _ in range(n):
            call(limit=100)
        return time.perf_counter() - start


def main() -> None:
    worker = Worker()
    for line in sys.stdin:
        req = json.loads(line)
        try:
            cmd = req["cmd"]
            if cmd == "prepare":
                out: Any = worker.prepare(req["raw"], req["out"])
            elif cmd == "decode":
                out = worker.decode(int(req["n"]))
            elif cmd == "connect":
                worker.connect(req["host"], req["username"], req["password"])
                out = None
            elif cmd == "get":
                out = worker.get(int(req["n"]))
            else:
                raise ValueError(f"unknown command {cmd!r}")
            reply = {"ok": True, "result": out}
        except Exception as exc:  # report any failure to the parent instead of dying silently
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
