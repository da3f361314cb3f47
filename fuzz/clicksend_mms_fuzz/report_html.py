"""reports/fuzz-report.html: one fuzz run as a page a person reads, next to the JSON it is made from.

Built from the runner's statistics (reports/fuzz-stats.json: cases per operation and phase, checks, each distinct
failure with its curl) and schemathesis' own JSON report (reports/fuzz-run.json: result, phases, filtered
results, errors, warnings). One self-contained file: inline CSS, no script, nothing fetched, so it opens from
disk, from a CI artifact or as an e-mail attachment. Every value from the run is HTML-escaped (failure messages
quote response bodies, which the fuzzed server controls).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from . import stats as stats_module

REPORT_NAME = "fuzz-report.html"
STATS_NAME = "fuzz-stats.json"
RUN_NAME = "fuzz-run.json"
# The other files of a run, linked from the page when they exist.
SIBLINGS = ("fuzz-run.json", "fuzz-stats.json", "fuzz-junit.xml", "fuzz-failures.har")
# schemathesis' warning kinds in the words its terminal output uses; other kinds show by name.
WARNING_TEXT = {
    "base_url_mismatch": "Base URL may be missing a path: returned only 404 responses",
    "missing_test_data": "Missing test data: repeatedly returned 404 responses",
    "validation_mismatch": "Schema validation mismatch: mostly rejected generated data",
    "low_valid_rate": "Low valid-input rate: accepted few of the requests sent to it",
    "rate_limited": "Rate limited: mostly returned 429 responses",
    "method_not_allowed": "Method Not Allowed: skipped after consistent 405 responses",
    "unsupported_regex": "Unsupported regex patterns",
    "unresolvable_reference": "Unresolvable references: parts of the schema skipped",
}


def write(reports: Path) -> Path:
    """Write reports/fuzz-report.html from the run's JSON files there; returns its path."""
    stats = _load(reports / STATS_NAME) or {}
    run = _load(reports / RUN_NAME)
    links = [name for name in SIBLINGS if (reports / name).exists()]
    path = reports / REPORT_NAME
    path.write_text(render(stats, run, links), encoding="utf-8")
    return path


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# ---- pieces ----


def _table(table_id: str, headers: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    """A table; cells are HTML already (escape before). `classes` gives each column's cell class ("num": right)."""
    kinds = classes or ["", *["num"] * (len(headers) - 1)]
    attr = [f' class="{k}"' if k else "" for k in kinds]
    head = "".join(f'<th{a} scope="col">{h}</th>' for a, h in zip(attr, headers, strict=True))
    body = "".join("<tr>" + "".join(f"<td{a}>{c}</td>" for a, c in zip(attr, r, strict=True)) + "</tr>" for r in rows)
    if not rows:
        body = f'<tr><td colspan="{len(headers)}" class="empty">none</td></tr>'
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _bar(count: int, largest: int) -> str:
    width = 0 if largest <= 0 else max(1, round(100 * count / largest))
    return f'<span class="bar" style="width:{width}%"></span>'


def _failed(count: int) -> str:
    return f'<span class="bad">{count}</span>' if count else "0"


def _card(label: str, value: str, tone: str = "") -> str:
    return f'<div class="card {tone}"><div class="value">{value}</div><div class="label">{escape(label)}</div></div>'


def _operations(stats: dict[str, Any], failures: list[dict[str, Any]]) -> str:
    cases: dict[str, int] = stats.get("cases_by_operation", {})
    follow_ups: dict[str, int] = stats.get("followups_by_operation", {})
    distinct: Counter[str] = Counter(f["operation"] for f in failures)
    occurrences: Counter[str] = Counter()
    for failure in failures:
        occurrences[failure["operation"]] += int(failure.get("count", 1))
    largest = max(cases.values(), default=0)
    rows = [
        [
            f"<code>{escape(op)}</code>",
            f"{n:,}",
            _bar(n, largest),
            f"{follow_ups.get(op, 0):,}",
            _failed(distinct[op]),
            _failed(occurrences[op]),
        ]
        for op, n in sorted({**dict.fromkeys(distinct, 0), **cases}.items())
    ]
    headers = ["Operation", "Cases", "", "Follow-ups", "Distinct failures", "Occurrences"]
    table = _table("operations", headers, rows, ["", "num", "barcell", "num", "num", "num"])
    note = (
        '<p class="note">Cases are generated and judged by the checks; follow-ups are the requests the checks sent '
        "themselves (read-backs, replays, schemathesis' auth probes). "
        f'<span id="counting">{escape(stats_module.counting_note(stats))}</span></p>'
    )
    return table + note


def _checks(stats: dict[str, Any]) -> str:
    run: dict[str, int] = stats.get("checks_run", {})
    failed: dict[str, int] = stats.get("checks_failed", {})
    cases = sum(stats.get("cases_by_operation", {}).values())
    rows = []
    for check in sorted({*run, *failed}):
        runs, fails = run.get(check, 0), failed.get(check, 0)
        rate = f"{100 * fails / runs:.1f}%" if runs else "–"
        not_applicable = stats_module.RUN_CHECKS.get(check) or f"{cases - runs:,}"
        rows.append([f"<code>{escape(check)}</code>", f"{runs:,}", not_applicable, _failed(fails), rate])
    headers = ["Check", "Cases judged", "Not applicable", "Failures", "Failure rate"]
    note = f'<p class="note" id="not-applicable">{escape(stats_module.not_applicable_note(stats))}</p>'
    return _table("checks", headers, rows) + note


def _reach(stats: dict[str, Any]) -> str:
    reach: dict[str, dict[str, int]] = stats.get("reach", {})
    rows = [
        [f"<code>{escape(op)}</code>", f"{r.get('reaching_a_stored_message', 0):,}", f"{r.get('cases', 0):,}"]
        for op, r in reach.items()
    ]
    note = (
        '<p class="note">Cases of the operations that take a message id which named a message stored for their '
        "account (the others rightly answer 404).</p>"
    )
    return note + _table("reach", ["Operation", "Named a stored message", "Cases"], rows)


def _floors(stats: dict[str, Any]) -> str:
    budget = stats.get("budget", {})
    shortfalls = stats.get("floors", [])
    intro = (
        f"<p>Seed {escape(str(budget.get('seed', '?')))}, {escape(str(budget.get('examples', '?')))} examples per "
        f"operation per phase; cap {escape(str(budget.get('cap_seconds', '?')))} s "
        f"({'<strong>hit: the budget was cut</strong>' if budget.get('capped') else 'not hit'}); strict "
        f"{'on' if budget.get('strict') else 'off'}.</p>"
    )
    rows = [
        [
            escape(str(s.get("what"))),
            f"<code>{escape(str(s.get('name')))}</code>",
            str(s.get("judged")),
            str(s.get("floor")),
        ]
        for s in shortfalls
    ]
    if not rows:
        return intro + "<p>Every check and every matrix row with an oracle judged at least its floor.</p>"
    return intro + _table("floors", ["Under floor", "Name", "Judged", "Floor"], rows, ["", "", "num", "num"])


def _matrix(stats: dict[str, Any]) -> str:
    import clicksend_mms_spec

    from . import floors, matrix  # the matrix reads the spec

    judged: dict[str, int] = stats.get("rows_judged", {})
    rows = []
    for row, claim in matrix.matrix(clicksend_mms_spec.load()):
        oracle = claim.oracle if claim and claim.oracle else "—"
        count = judged.get(row.key, 0)
        tone = "" if not matrix.floored(claim) or count >= floors.ROW_FLOOR else ' class="fail"'
        rows.append(
            [
                f"<code>{escape(row.key)}</code>",
                f"<code>{escape(oracle)}</code>",
                escape(claim.mutant or "—") if claim else "—",
                escape((claim.reason or "") if claim else "NO CLAIM"),
                f"<span{tone}>{count:,}</span>",
            ]
        )
    headers = ["Row", "Oracle", "Planted bug", "Note", "Cases judged"]
    return _table("matrix", headers, rows, ["", "", "", "", "num"])


def _burst(stats: dict[str, Any]) -> str:
    burst: dict[str, int] = stats.get("rate_limit") or {}
    if not burst.get("requests"):
        return '<p id="burst">No rate-limit burst in this run (there is none against a live API).</p>'
    return (
        f'<p id="burst">Beside the phases, the rate-limit burst sent <strong>{int(burst["requests"]):,}</strong> '
        f"requests to a second sandbox limited to a few per window; <strong>{int(burst.get('429', 0)):,}</strong> "
        "were answered 429 (the <code>rate_limit_burst</code> check judges them, above).</p>"
    )


def _phases(stats: dict[str, Any], run: dict[str, Any] | None) -> str:
    cases: dict[str, int] = stats.get("cases_by_phase", {})
    status: dict[str, dict[str, Any]] = (run or {}).get("phases", {})
    rows = []
    for phase in [*status, *(p for p in cases if p not in status)]:
        info = status.get(phase, {})
        state = str(info.get("status", "–"))
        tone = {"success": "good", "failure": "bad", "error": "bad"}.get(state, "")
        note = escape(str(info.get("skip_reason") or ""))
        rows.append([escape(phase), f'<span class="{tone}">{escape(state)}</span>', f"{cases.get(phase, 0):,}", note])
    return _table("phases", ["Phase", "Status", "Cases", "Skip reason"], rows, ["", "", "num", ""])


def _failure(index: int, failure: dict[str, Any]) -> str:
    count = int(failure.get("count", 1))
    check, operation = escape(str(failure.get("check", "?"))), escape(str(failure.get("operation", "?")))
    title = f"<code>{check}</code> on <code>{operation}</code>: {escape(str(failure.get('title', '')))}"
    if count > 1:
        title += f" <small>({count} cases)</small>"
    return (
        f'<details class="failure" id="failure-{index}" open><summary>{title}</summary>'
        f"<h4>What happened</h4><pre>{escape(str(failure.get('message', '')))}</pre>"
        f'<h4>Reproduce with</h4><pre class="curl">{escape(str(failure.get("curl", "")))}</pre></details>'
    )


def _filtered(stats: dict[str, Any], run: dict[str, Any] | None) -> str:
    """Each rule of hooks.filter_failure: why, how many failures it dropped, one example (fuzz-stats.json)."""
    filtered = int((run or {}).get("filtered", stats.get("filtered", 0)) or 0)
    rules: list[dict[str, Any]] = stats.get("filtered_rules", [])
    rows = []
    for rule in rules:
        example = rule.get("example")
        shown = f"<code>{escape(stats_module.describe_example(example))}</code>" if example else "–"
        rows.append(
            [
                escape(str(rule.get("rule", "?"))),
                f"<code>{escape(str(rule.get('check', '?')))}</code>",
                f"{int(rule.get('count', 0)):,}",
                escape(str(rule.get("reason", ""))),
                shown,
            ]
        )
    recorded = sum(int(rule.get("count", 0)) for rule in rules)
    unexplained = ""
    if rules and recorded != filtered:
        unexplained = f' <span class="bad">{filtered - recorded:,} of them without a recorded rule.</span>'
    intro = (
        f'<p id="filtered"><strong>{filtered:,}</strong> failure(s) filtered out by the <code>filter_failure</code> '
        "hook: answers ClickSend documents, which a check built for a generic API reports. They are not in the "
        f"tables above; each rule, why, and the first failure it dropped:{unexplained}</p>"
    )
    headers = ["Rule", "Check", "Dropped", "Why", "Example"]
    return intro + _table("filtered-rules", headers, rows, ["", "", "num", "", ""])


def _problems(stats: dict[str, Any], run: dict[str, Any] | None) -> str:
    """Errors and warnings: schemathesis' own report, with the runner's explanation of each warning."""
    if run is None:
        return "<p>schemathesis wrote no JSON report for this run (reports/fuzz-run.json).</p>"
    parts = []
    errors: list[dict[str, Any]] = run.get("errors", [])
    error_rows = [[escape(str(e.get("title", "?"))), f"{int(e.get('count', 1)):,}"] for e in errors]
    parts.append("<h3>Errors</h3>" + _table("errors", ["Error (see the runner's output)", "Count"], error_rows))
    warnings: dict[str, list[str]] = run.get("warnings", {})
    warning_rows = [
        [
            escape(WARNING_TEXT.get(kind, kind.replace("_", " "))),
            ", ".join(f"<code>{escape(str(op))}</code>" for op in ops),
            escape(stats_module.explain_warning(kind, list(ops), stats)),
        ]
        for kind, ops in warnings.items()
        if ops
    ]
    headers = ["Warning", "Operations", "What it means here"]
    parts.append("<h3>Warnings</h3>" + _table("warnings", headers, warning_rows, ["", "", ""]))
    return "".join(parts)


# ---- page ----


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        return iso


def render(stats: dict[str, Any], run: dict[str, Any] | None, links: list[str] | None = None) -> str:
    failures: list[dict[str, Any]] = stats.get("failures", [])
    total = sum(stats.get("cases_by_operation", {}).values())
    exit_code = (run or {}).get("exit_code")
    passed = exit_code == 0 if exit_code is not None else not failures
    errors = sum(int(e.get("count", 1)) for e in (run or {}).get("errors", []))
    warnings = sum(1 for ops in (run or {}).get("warnings", {}).values() if ops)
    filtered = int((run or {}).get("filtered", 0) or 0)
    cards = [
        _card("result", "PASS" if passed else "FAIL", "good" if passed else "bad"),
        _card("cases", f"{total:,}"),
        _card("distinct failures", str(len(failures)), "bad" if failures else ""),
        _card("filtered", f"{filtered:,}"),
        _card("errors", str(errors), "bad" if errors else ""),
        _card("warnings", str(warnings), "warn" if warnings else ""),
    ]
    verdict = ""
    if not passed:
        reasons = [f"{len(failures)} distinct failure(s)" if failures else "", f"{errors} error(s)" if errors else ""]
        why = " and ".join(r for r in reasons if r) or f"schemathesis exited with {exit_code}"
        verdict = f'<p class="verdict bad">Failed: {escape(why)}; details below.</p>'
    facts = []
    if run is not None:
        facts = [
            ("started", _when(str(run.get("started_at", "?")))),
            ("running time", f"{float(run.get('running_time', 0)):.1f} s"),
            ("stopped by", run.get("stop_reason", "?")),
            ("seed", run.get("seed", "?")),
            ("schemathesis", run.get("schemathesis_version", "?")),
            ("exit code", exit_code),
        ]
    fact_html = " ".join(f"<span><b>{escape(k)}</b> {escape(str(v))}</span>" for k, v in facts)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for failure in failures:
        grouped[str(failure.get("operation"))].append(failure)
    ordered = [f for _, items in sorted(grouped.items()) for f in items]
    failure_html = "".join(_failure(i, f) for i, f in enumerate(ordered, 1)) or '<p class="good">No failures.</p>'
    link_html = " · ".join(f'<a href="{escape(name)}">{escape(name)}</a>' for name in links or [])
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>clicksend-mms fuzz report: {"PASS" if passed else "FAIL"}, {total:,} cases</title>
<style>{_CSS}</style>
<link rel="icon" href="data:,">
</head>
<body>
<header><h1>clicksend-mms fuzz report</h1><p class="facts">{fact_html}</p></header>
<section class="cards">{"".join(cards)}</section>
{verdict}
<h2>Cases and failures per operation</h2>
{_operations(stats, failures)}
<h2>Checks</h2>
{_checks(stats)}
<h2>Phases</h2>
{_phases(stats, run)}
{_burst(stats)}
<h2>Reach</h2>
{_reach(stats)}
<h2>Budget and floors</h2>
{_floors(stats)}
<h2>Coverage matrix</h2>
{_matrix(stats)}
<h2>Failures ({len(failures)} distinct)</h2>
{failure_html}
<h2>Filtered results</h2>
{_filtered(stats, run)}
<h2>Errors and warnings</h2>
{_problems(stats, run)}
<footer>The same run as data: {link_html or "none"}. Written by <code>make fuzz</code>
(<code>python -m clicksend_mms_fuzz</code>).</footer>
</body>
</html>
"""


_CSS = """
:root { color-scheme: light; --bad: #b42318; --good: #067647; --warn: #b54708; --line: #d0d5dd; --soft: #f2f4f7; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #101828; margin: 0 auto;
       max-width: 1100px; padding: 24px; }
h1 { margin: 0 0 8px; font-size: 26px; } h2 { margin: 32px 0 10px; font-size: 20px; } h3 { font-size: 16px; }
h4 { margin: 12px 0 4px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #475467; }
code, pre { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 0; color: #475467; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 20px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 110px; }
.card .value { font-size: 24px; font-weight: 700; } .card .label { color: #475467; font-size: 13px; }
.card.good .value, .good { color: var(--good); } .card.bad .value, .bad { color: var(--bad); font-weight: 600; }
.card.warn .value { color: var(--warn); } .verdict { margin: 14px 0 0; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid var(--line); padding: 6px 10px;
  text-align: left; vertical-align: top; } th { background: var(--soft); font-size: 13px; }
td.num, th.num { text-align: right; white-space: nowrap; } td.empty { color: #667085; text-align: left; }
td.barcell { width: 30%; } .bar { display: block; height: 10px; background: #84adff; border-radius: 3px; }
.failure { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 6px; padding: 8px 14px;
  margin: 10px 0; } .failure summary { cursor: pointer; font-weight: 600; }
pre { background: var(--soft); padding: 10px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap;
  word-break: break-word; } pre.curl { background: #101828; color: #f2f4f7; }
footer { margin-top: 40px; color: #475467; font-size: 13px; } .note { color: #475467; font-size: 14px; }
#filtered-rules td:nth-child(4) { width: 40%; } #filtered-rules td:nth-child(5) { width: 30%; word-break: break-word; }
"""
