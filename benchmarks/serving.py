"""Section 3: requests/s and p50/p99 of GET /mms/history and POST /mms/send: our sandbox (at /v3, as ClickSend)
against the floor (bare Starlette replaying the sandbox's own answers) and Prism (which serves the spec's paths at
the root)."""

from __future__ import annotations

import contextlib
import json
import pathlib
import time

import httpx

from . import load
from .context import Context, Figure
from .page import SEND_REQUEST
from .servers import (
    CACHE,
    Server,
    basic_auth,
    ensure_prism,
    prism_server,
    sandbox_missing,
    sandbox_server,
    seed_history,
)
from .starlette_floor import starlette_floor
from .stats import summarize

SECTION = "sandbox"
CONCURRENCIES = (1, 32)
SANDBOX = "clicksend_mms_sandbox"
SANDBOX_MEMORY = "clicksend_mms_sandbox (in memory)"
PRISM = "Prism 5.14.2"
FLOOR = "bare Starlette (floor)"


def _targets(server: Server) -> dict[str, load.Target]:
    auth = (("Authorization", basic_auth()),)
    body = json.dumps(SEND_REQUEST).encode()
    return {
        "GET /mms/history": load.Target(server.base_url + "/mms/history", headers=auth),
        "POST /mms/send": load.Target(
            server.base_url + "/mms/send", "POST", body, (*auth, ("Content-Type", "application/json"))
        ),
    }


def _check(server: Server) -> dict[str, int]:
    """One request per endpoint before loading it: status and body size (the load tools count non-2xx too)."""
    sizes: dict[str, int] = {}
    for name, t in _targets(server).items():
        r = httpx.request(t.method, t.url, content=t.body or None, headers=dict(t.headers), timeout=10)
        if r.status_code != 200:
            raise RuntimeError(f"{server.name} {name}: HTTP {r.status_code} {r.text[:300]}")
        sizes[name] = len(r.content)
    return sizes


def _captured(sandbox: Server) -> tuple[pathlib.Path, pathlib.Path]:
    """The sandbox's answers to the two benchmark requests, as files the floor replays byte for byte."""
    files = []
    for name, t in _targets(sandbox).items():
        r = httpx.request(t.method, t.url, content=t.body or None, headers=dict(t.headers), timeout=10)
        r.raise_for_status()
        path = CACHE / "run" / f"floor-{name.split()[0].lower()}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(r.content)
        files.append(path)
    return files[0], files[1]


def run(ctx: Context) -> None:
    ctx.note(
        SECTION,
        "GET /mms/history is ClickSend's default page (15 rows) for both: Prism answers its 15-row example whatever "
        "the limit, and the sandbox holds 100 messages",
    )
    ctx.note(SECTION, "sandbox: console script, SQLite file (WAL, synchronous=FULL), --rate-limit 0 (else 429s)")
    ctx.note(SECTION, "sandbox (in memory): the same without --db, its default")
    tool = "wrk" if load.wrk_path() else "asyncio load generator (wrk not installed)"
    ctx.note(SECTION, f"load tool: {tool}")
    why = sandbox_missing()
    if why:
        ctx.skip(SECTION, why)
        return
    with contextlib.ExitStack() as stack:
        sb = stack.enter_context(sandbox_server())
        seed_history(sb)
        servers: dict[str, Server] = {SANDBOX: sb}
        servers[SANDBOX_MEMORY] = stack.enter_context(sandbox_server(durable=False))
        seed_history(servers[SANDBOX_MEMORY])
        servers[FLOOR] = stack.enter_context(starlette_floor(*_captured(sb)))
        ctx.data["sandbox_pid"] = sb.pid
        why = ensure_prism(ctx.notes.setdefault(SECTION, []))
        if why:
            ctx.note(SECTION, f"Prism rows skipped: {why}")
        else:
            servers[PRISM] = stack.enter_context(prism_server())
        for name, server in servers.items():
            sizes = _check(server)
            ctx.note(SECTION, f"{name}: " + ", ".join(f"{k} answers {v} bytes" for k, v in sizes.items()))
        _measure(ctx, servers)


def _measure(ctx: Context, servers: dict[str, Server]) -> None:
    seconds = 1.0 if ctx.quick else 3.0
    rounds = 1 if ctx.quick else 3
    deadline = time.monotonic() + (120 if ctx.quick else 330)
    for endpoint in ("GET /mms/history", "POST /mms/send"):
        for c in CONCURRENCIES:
            results: dict[str, list[load.LoadResult]] = {name: [] for name in servers}
            for _ in range(rounds):  # round-robin across servers, so noise hits them alike
                for name, server in servers.items():
                    results[name].append(load.run(_targets(server)[endpoint], c, seconds))
                if time.monotonic() > deadline:
                    break
            _record(ctx, endpoint, c, results)
        # Profile a miss right after its endpoint's loads, before later sends grow the sandbox's tables.
        sandbox = servers.get(SANDBOX)
        if sandbox is not None and ctx.profile:
            _profile(ctx, sandbox, endpoint)


def _record(ctx: Context, endpoint: str, c: int, results: dict[str, list[load.LoadResult]]) -> None:
    rps = {name: [r.rps for r in runs] for name, runs in results.items()}
    for name, runs in results.items():
        p99 = summarize([r.p99_ms for r in runs])
        p50 = summarize([r.p50_ms for r in runs])
        errors = sum(r.errors for r in runs)
        extra = {
            "p50_ms": p50.as_dict(),
            "p99_ms": p99.as_dict(),
            "errors": errors,
            "tool": runs[0].tool,
            "requests": sum(r.requests for r in runs),
        }
        # Ratios against Prism, per round (round-robin, so noise hits both alike); 1.0 for Prism itself.
        vs = summarize([a / b for a, b in zip(rps[name], rps[PRISM], strict=False)]) if PRISM in rps else None
        fig = Figure(
            SECTION,
            f"{endpoint} c={c}: {name}",
            "req/s",
            summarize(rps[name]),
            vs.median if vs else None,
            "x Prism req/s" if vs else "",
            extra=extra,
        )
        if FLOOR in rps and name != FLOOR:  # what share of the bare-framework ceiling this server reaches
            fig.extra["vs_floor"] = summarize([a / b for a, b in zip(rps[name], rps[FLOOR], strict=False)]).as_dict()
        if errors:
            fig.extra["warning"] = f"{errors} non-2xx/socket errors during load"
        if name == SANDBOX:
            if endpoint == "GET /mms/history" and c == 32:
                floor = fig.extra.get("vs_floor", {}).get("median")
                if vs is not None and floor is not None:
                    fig.extra["vs_prism"] = vs.as_dict()
                    fig.target = ">= 2x Prism, >= 0.5x floor, p99 < 20 ms"
                    fig.passed = vs.median >= 2.0 and floor >= 0.5 and p99.median < 20.0 and not errors
                else:
                    fig.target, fig.passed = "p99 < 20 ms (Prism or floor missing)", p99.median < 20.0 and not errors
            elif endpoint == "POST /mms/send":
                fig.target, fig.passed = "p99 < 50 ms", p99.median < 50.0 and not errors
        elif name == SANDBOX_MEMORY and endpoint == "POST /mms/send" and c == 1 and vs is not None:
            fig.target, fig.passed = ">= 1.5x Prism", vs.median >= 1.5 and not errors
        ctx.add(fig)


def _profile(ctx: Context, sandbox: Server, endpoint: str) -> None:
    from .profiling import pyspy_top

    missed = [f for f in ctx.figures if f.section == SECTION and f.passed is False and f.name.startswith(endpoint)]
    for _fig in missed[:1]:
        target = _targets(sandbox)[endpoint]
        seconds = 2.0 if ctx.quick else 5.0

        def drive(t: load.Target = target, s: float = seconds) -> load.LoadResult:
            return load.run(t, 32, s)

        ctx.profiles[f"sandbox {endpoint} c=32 (py-spy on the server)"] = pyspy_top(sandbox.pid, seconds + 1, drive)
