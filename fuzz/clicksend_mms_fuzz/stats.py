"""Per-operation and per-check statistics of a `schemathesis run`, and the summary the runner prints from them.

schemathesis' own reports give totals (JSON) or every interaction (HAR/JUnit), not "how many cases did each
operation get, and how often did each check run": a small CLI event handler (registered from the hooks module)
counts them from the scenario recorders and writes one JSON document that `__main__` prints.
"""

from __future__ import annotations

import functools
import json
import os
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATS_ENV = "CLICKSEND_FUZZ_STATS"
DEFAULT_STATS_PATH = Path("reports/fuzz-stats.json")
# Header values never written to a report: the Basic credentials (username + API key) of the run.
REDACTED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
REDACTED = "[Filtered]"


@dataclass
class FailureRecord:
    operation: str
    check: str
    title: str
    message: str
    curl: str
    count: int = 1


@dataclass
class RunStats:
    cases_by_operation: Counter[str] = field(default_factory=Counter)
    cases_by_phase: Counter[str] = field(default_factory=Counter)
    # Requests checks sent on their own (read-backs, replays, schemathesis' auth probes), by operation.
    followups_by_operation: Counter[str] = field(default_factory=Counter)
    # Generated cases answered 2xx, by operation (what explains schemathesis' "only 404" warnings).
    ok_by_operation: Counter[str] = field(default_factory=Counter)
    checks_run: Counter[str] = field(default_factory=Counter)
    checks_failed: Counter[str] = field(default_factory=Counter)
    failures: dict[tuple[str, str, str], FailureRecord] = field(default_factory=dict)
    # Failures `filter_failure` dropped: schemathesis' total, and per rule why and an example (filtered.py).
    filtered: int = 0
    filtered_rules: list[dict[str, Any]] = field(default_factory=list)
    # Requests no check judged (schemathesis' "skipped"): follow-ups, and generated cases (none expected).
    unjudged: Counter[str] = field(default_factory=Counter)
    # Generated cases schemathesis judged without its *_conformance checks (not a well-formed request for the
    # operation: a method it lacks, a Content-Type it does not take), by the kind of case.
    narrow_cases: Counter[str] = field(default_factory=Counter)
    narrow_checks: set[str] = field(default_factory=set)  # schemathesis' checks that did judge those
    # Errors that stopped part of the run (a crashing hook or check, a schema problem): "label: title".
    errors: list[str] = field(default_factory=list)
    # HAR entries of the failing interactions only (schemathesis' own HAR holds every request: ~17 MB per run).
    har_entries: list[dict[str, Any]] = field(default_factory=list)
    # Filled at the end of a run from the model and schemathesis' own collector.
    reach: dict[str, dict[str, int]] = field(default_factory=dict)
    rate_limit: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    rows: Any = None  # coverage.RowCounter, created on the first scenario (it reads the spec)

    def add_scenario(self, phase: str, recorder: Any) -> None:
        for case_id, node in recorder.cases.items():
            label = node.value.operation.label
            judged_by = [check.name for check in recorder.checks.get(case_id, [])]
            if node.parent_id is not None and node.transition is None:  # sent by a check, not generated
                self.followups_by_operation[label] += 1
                self.unjudged["follow_ups"] += not judged_by
                # A follow-up's fields were judged by the checks that sent it, which ran on its parent.
                parent_checks = {check.name for check in recorder.checks.get(node.parent_id, [])}
                interaction = recorder.interactions.get(node.value.id)
                self._count_rows(node, interaction.response if interaction is not None else None, parent_checks)
                continue
            self.cases_by_operation[label] += 1
            self.cases_by_phase[phase] += 1
            self.unjudged["cases"] += not judged_by
            if judged_by and not any(name.endswith("_conformance") for name in judged_by):
                self.narrow_cases[_case_kind(node.value)] += 1
                self.narrow_checks.update(set(judged_by) - _custom_checks())
            interaction = recorder.interactions.get(node.value.id)
            response = interaction.response if interaction is not None else None
            if response is not None:
                self.ok_by_operation[label] += 200 <= response.status_code < 300
            self._count_rows(node, response, set(judged_by))
        self.filtered += sum(recorder.filtered_failures.values())
        for case_id, nodes in recorder.checks.items():
            case_node = recorder.cases.get(case_id)
            label = case_node.value.operation.label if case_node is not None else "?"
            for check in nodes:
                self.checks_run[check.name] += 1
                info = check.failure_info
                if info is None:
                    continue
                self.checks_failed[check.name] += 1
                key = (info.failure.operation or label, check.name, info.failure.title)
                if key in self.failures:
                    self.failures[key].count += 1
                else:
                    interaction = recorder.interactions.get(case_id)
                    if interaction is not None:
                        self.har_entries.append(har_entry(interaction, f"{check.name}: {info.failure.title}"))
                    self.failures[key] = FailureRecord(
                        operation=key[0],
                        check=check.name,
                        title=info.failure.title,
                        message=str(info.failure.message),
                        curl=info.code_sample,
                    )

    def _count_rows(self, node: Any, response: Any, judged_by: set[str]) -> None:
        from . import coverage  # reads the spec: only in the schemathesis process

        if self.rows is None:
            self.rows = coverage.RowCounter()
        operation = str(node.value.operation.definition.raw.get("operationId", ""))
        transition = getattr(node.transition, "id", None)
        payload = getattr(response, "content", None)
        status = getattr(response, "status_code", None)
        self.rows.add(operation, node.value, payload, status, transition, judged_by)

    def add_run_failures(self, failures: list[Any]) -> None:
        """Failures of class checks' `after_run` (the rate-limit burst): not tied to any case."""
        for failure in failures:
            title = str(failure.title)
            check = title.split("`")[1] if title.count("`") >= 2 else title
            self.checks_failed[check] += 1
            key = ("(run)", check, title)
            if key not in self.failures:
                self.failures[key] = FailureRecord("(run)", check, title, str(failure.message), "")

    def finish(self, warnings: dict[str, list[str]] | None = None) -> None:
        """Add what is known only at the end: reach, the burst, the filter's rules, schemathesis' warnings."""
        from . import filtered, model, ratelimit

        self.filtered_rules = filtered.summary()

        tried: Counter[str] = Counter()
        reached: Counter[str] = Counter()
        for state in model.all_models():
            tried.update(state.reach_tried)
            reached.update(state.reach)
        self.reach = {op: {"cases": tried[op], "reaching_a_stored_message": reached[op]} for op in sorted(tried)}
        self.rate_limit = dict(ratelimit.COUNTS)
        if self.rate_limit.get("requests"):
            self.checks_run["rate_limit_burst"] += 1
        self.warnings = {kind: labels for kind, labels in (warnings or {}).items() if labels}

    def to_json(self) -> dict[str, Any]:
        return {
            "cases_by_operation": dict(sorted(self.cases_by_operation.items())),
            "cases_by_phase": dict(self.cases_by_phase),
            "followups_by_operation": dict(sorted(self.followups_by_operation.items())),
            "ok_by_operation": dict(sorted(self.ok_by_operation.items())),
            "checks_run": dict(sorted(self.checks_run.items())),
            "checks_failed": dict(sorted(self.checks_failed.items())),
            "filtered": self.filtered,
            "filtered_rules": self.filtered_rules,
            "unjudged": {"follow_ups": self.unjudged["follow_ups"], "cases": self.unjudged["cases"]},
            "narrow_cases": dict(self.narrow_cases.most_common()),
            "narrow_checks": sorted(self.narrow_checks),
            "errors": self.errors,
            "reach": self.reach,
            "rate_limit": self.rate_limit,
            "warnings": self.warnings,
            "rows_judged": dict(self.rows.to_json()) if self.rows is not None else {},
            "timing": _timing(),
            "case_digest": _case_digest(),
            "failures": [vars(f) for f in self.failures.values()],
        }


def _case_digest() -> dict[str, dict[str, Any]]:
    from . import casedigest

    return casedigest.summary()


def _timing() -> dict[str, float]:
    from . import timing

    return timing.snapshot()


@functools.cache
def _custom_checks() -> frozenset[str]:
    from . import checks  # the schemathesis process has it loaded already; the runner never needs it

    return frozenset(check.__name__ for check in checks.CHECKS)


def _case_kind(case: Any) -> str:
    """ "Unspecified HTTP method", "Malformed Content-Type"...: schemathesis' description of a case, up to its colon."""
    description = getattr(getattr(getattr(case.meta, "phase", None), "data", None), "description", None)
    return str(description).split(":")[0] if description else "other"


def _har_headers(headers: Any) -> list[dict[str, str]]:
    pairs: list[dict[str, str]] = []
    for name, values in dict(headers or {}).items():
        for value in values if isinstance(values, list) else [values]:
            shown = REDACTED if name.lower() in REDACTED_HEADERS else str(value)
            pairs.append({"name": name, "value": shown})
    return pairs


def _text(payload: bytes | None) -> str:
    return (payload or b"").decode("utf-8", errors="replace")


def har_entry(interaction: Any, comment: str) -> dict[str, Any]:
    """One HAR 1.2 entry for a recorded interaction, credentials redacted."""
    request, response = interaction.request, interaction.response
    entry: dict[str, Any] = {
        "comment": comment,
        "startedDateTime": "1970-01-01T00:00:00Z",
        "time": 0,
        "request": {
            "method": request.method,
            "url": request.uri,
            "httpVersion": "HTTP/1.1",
            "headers": _har_headers(request.headers),
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": len(request.body or b""),
            "postData": {"mimeType": "application/json", "text": _text(request.body)},
        },
        "response": {
            "status": 0,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "cookies": [],
            "content": {"size": 0, "mimeType": "", "text": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
    }
    if response is not None:
        entry["time"] = entry["timings"]["wait"] = round(response.elapsed * 1000, 3)
        entry["response"].update(
            status=response.status_code,
            statusText=response.message,
            headers=_har_headers(response.headers),
            content={"size": len(response.content), "mimeType": "application/json", "text": _text(response.content)},
            bodySize=len(response.content),
        )
    return entry


def write_har(entries: list[dict[str, Any]], path: Path) -> None:
    document = {
        "log": {"version": "1.2", "creator": {"name": "clicksend_mms_fuzz", "version": "1"}, "entries": entries}
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def stats_path() -> Path:
    return Path(os.environ.get(STATS_ENV, str(DEFAULT_STATS_PATH)))


def register_cli_handler() -> None:
    """Add the collecting handler to `schemathesis run` (imports the CLI: only call from the hooks module)."""
    from schemathesis import cli
    from schemathesis.engine import events

    class _StatsHandler(cli.EventHandler):  # type: ignore[type-arg]  # the context type is internal to schemathesis
        def __init__(self, *args: Any, **params: Any) -> None:
            self.stats = RunStats()

        def handle_event(self, ctx: Any, event: Any) -> None:
            if isinstance(event, events.ScenarioFinished):
                self.stats.add_scenario(str(getattr(event.phase, "value", event.phase)), event.recorder)
            elif isinstance(event, events.EngineFinished):
                self.stats.add_run_failures(list(event.failures or []))
            elif isinstance(event, events.NonFatalError):
                self.stats.errors.append(f"{event.label}: {event.info.title}: {event.info.message}"[:500])

        def shutdown(self, ctx: Any) -> None:
            warnings = getattr(ctx, "warnings", None)
            self.stats.finish(warnings.as_labels() if warnings is not None else None)
            path = stats_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(self.stats.to_json(), indent=2) + "\n", encoding="utf-8")
            write_har(self.stats.har_entries, path.with_name("fuzz-failures.har"))

    if not any(getattr(h, "__name__", "") == "_StatsHandler" for h in _registered()):
        cli.handler()(_StatsHandler)


def _registered() -> list[type]:
    from schemathesis.cli.ext.handlers import CUSTOM_HANDLERS

    return list(CUSTOM_HANDLERS)


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# Why a schemathesis warning does or does not mean what it says, for the warnings this API raises.
_ID_OPERATIONS = ("GET /mms/receipts/{message_id}", "PUT /mms/{message_id}/cancel")
_WARNING_NOTES = {
    "base_url_mismatch": (
        "misleading here: {ok} other operation(s) answered 2xx at the same base URL, so no path is missing. These "
        "take a message id; in the scenario behind the warning every positive case named an id the account does "
        "not have, and 404 NOT_FOUND is the right answer (their reach, above, counts the cases that met one)."
    ),
    "missing_test_data": (
        "expected: these take a message id, and in the scenario behind the warning no positive case named one the "
        "account has (404 NOT_FOUND is right); their reach, above, counts the cases that did."
    ),
    "validation_mismatch": (
        "expected for POST /uploads: the spec can say 'base64', not 'an image', and the API refuses any file that "
        "is no jpeg, png, gif or bmp with 400."
    ),
}


def explain_warning(kind: str, labels: list[str], data: dict[str, Any]) -> str:
    ok = [op for op, count in data.get("ok_by_operation", {}).items() if count and op not in labels]
    if kind in ("base_url_mismatch", "missing_test_data") and set(labels) <= set(_ID_OPERATIONS) and ok:
        return _WARNING_NOTES[kind].format(ok=len(ok))
    if kind == "validation_mismatch" and labels == ["POST /uploads"]:
        return _WARNING_NOTES[kind]
    return "not explained: look into it"


def _wrapped(text: str, indent: str = "  ") -> list[str]:
    # Continuation lines indented one level deeper than a first line that starts at the margin.
    return textwrap.wrap(
        text, width=116, initial_indent=indent, subsequent_indent=indent or "  ", break_on_hyphens=False
    )


# Checks that judge something else than the generated cases (their "n/a" is not the cases they skipped): what they
# judge instead.
RUN_CHECKS = {"rate_limit_burst": "the run, once", "boundary_probe": "each side of each boundary"}


def counting_note(data: dict[str, Any]) -> str:
    """How the summary's counts relate to schemathesis' own "Test cases: N generated, N passed, M skipped" line."""
    cases = sum(data.get("cases_by_operation", {}).values())
    follow_ups = sum(data.get("followups_by_operation", {}).values())
    unjudged: dict[str, int] = data.get("unjudged", {})
    skipped = unjudged.get("follow_ups", 0) + unjudged.get("cases", 0)
    text = (
        f'schemathesis\' own "Test cases" line counts every request it recorded: {cases + follow_ups:,} "generated" '
        f'= {cases:,} cases + {follow_ups:,} follow-ups; its {skipped:,} "skipped" are the requests no check judged'
    )
    if unjudged.get("cases"):
        return text + f" ({unjudged.get('follow_ups', 0):,} follow-ups and {unjudged['cases']:,} generated cases)."
    return text + " (follow-ups: a check judges what its own requests answered, schemathesis does not)."


def not_applicable_note(data: dict[str, Any]) -> str:
    """Why a check judged fewer cases than there are."""
    text = (
        "A check judges only the cases it applies to: each custom oracle the operations and answers it is about "
        "(paginator_arithmetic: pages of history and receipts); rate_limit_burst judges the run once, boundary_probe "
        "each side of each boundary (after the cases)."
    )
    narrow: dict[str, int] = data.get("narrow_cases", {})
    if narrow:
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in narrow.items())
        judges = ", ".join(data.get("narrow_checks", [])) or "no check"
        text += (
            f" {sum(narrow.values()):,} coverage cases are no well-formed request for their operation ({kinds}): "
            f"schemathesis judges those with {judges} only (and each custom oracle that applies)."
        )
    return text


def filtered_lines(data: dict[str, Any]) -> list[str]:
    """Every failure filter_failure dropped, by rule: why, how many, one example."""
    total = int(data.get("filtered", 0))
    rules: list[dict[str, Any]] = data.get("filtered_rules", [])
    lines = _wrapped(
        f'Filtered: {total} failure(s) dropped by hooks.filter_failure (schemathesis\' "Filtered: {total}"): answers '
        "ClickSend documents, not failures of the API" + (":" if total else "."),
        indent="",
    )
    for rule in rules:
        if not rule["count"]:
            continue
        lines.append(f"  {rule['rule']} ({rule['check']}): {rule['count']}")
        lines += _wrapped(f"why: {rule['reason']}", indent="      ")
        example = rule.get("example")
        if example:
            lines += _wrapped(f"e.g. {describe_example(example)}", indent="      ")
    recorded = sum(int(rule["count"]) for rule in rules)
    if rules and recorded != total:
        lines.append(f"  {total - recorded} more without a recorded rule: look into it")
    return lines


def describe_example(example: dict[str, Any]) -> str:
    where = ", ".join(part for part in (example.get("phase"), example.get("case")) if part)
    return f"{example['request']} ({where}) answered {example['status']} {example['response']}"


def heading(title: str, count: int, noun: str) -> str:
    """``Warnings: none``, or ``Warnings (2 kinds):`` above the list (never a bare ``Warnings: 2:``)."""
    if not count:
        return f"{title}: none"
    return f"{title} ({count} {noun}{'s' if count != 1 else ''}):"


def matrix_lines(data: dict[str, Any]) -> list[str]:
    """The coverage matrix in two lines: its size, and the least judged rows held to a floor."""
    size: dict[str, int] = data.get("matrix_rows", {})
    if not size:
        return []
    judged: dict[str, int] = data.get("rows_judged", {})
    floor = data.get("row_floor", 0)
    held = sorted(((key, judged.get(key, 0)) for key in data.get("floored_rows", [])), key=lambda item: item[1])
    fewest = ", ".join(f"{key} {count}" for key, count in held[:3])
    return _wrapped(
        f"Coverage matrix: {size['rows']} rows from the spec; {size['floored']} judged by an oracle of their value "
        f"(floor {floor} cases each; fewest: {fewest}); {size['schema_or_reason']} by their schema only or not at "
        "all, each with its reason (fuzz/README.md, and the HTML report with cases judged per row)."
    )


def render(data: dict[str, Any]) -> str:
    """The human summary: cases per operation, phase and check, reach, what was filtered or warned about, then each
    distinct failure with its curl."""
    lines = ["", "== clicksend-mms fuzz summary =="]
    by_op: dict[str, int] = data["cases_by_operation"]
    followups: dict[str, int] = data.get("followups_by_operation", {})
    total, total_followups = sum(by_op.values()), sum(followups.values())
    lines += _wrapped(
        f"Cases per operation: {total:,} generated cases, which the checks below judge, and {total_followups:,} "
        "follow-ups, requests the checks sent themselves (read-backs, replays, schemathesis' auth probes):",
        indent="",
    )
    width = max((len(op) for op in {*by_op, *followups}), default=10)
    lines.append(f"  {'':<{width}}  {'cases':>7}  {'follow-ups':>10}")
    for op in sorted({*by_op, *followups}):
        lines.append(f"  {op:<{width}}  {by_op.get(op, 0):>7}  {followups.get(op, 0):>10}")
    phases = [f"{p} {n}" for p, n in data["cases_by_phase"].items()]
    lines.append(f"Cases per phase: {', '.join(phases)} (= {total:,})")
    burst = data.get("rate_limit") or {}
    if burst.get("requests"):
        lines.append(
            f"Beside them, the rate-limit burst: {burst['requests']} requests to the second sandbox "
            f"({burst.get('429', 0)} answered 429)"
        )
    lines += _wrapped(counting_note(data))
    lines.append(f"Checks (each of the {total:,} cases is judged by a check, or the check does not apply to it):")
    failed: dict[str, int] = data["checks_failed"]
    judged: dict[str, int] = data["checks_run"]
    names = sorted({*judged, *failed})
    width = max((len(c) for c in names), default=10)
    check_floors: dict[str, int] = data.get("check_floors", {})
    lines.append(f"  {'':<{width}}  {'judged':>7}  {'n/a':>7}  {'failed':>6}" + ("  floor" if check_floors else ""))
    for name in names:
        runs = judged.get(name, 0)
        not_applicable = "(run)" if name in RUN_CHECKS else f"{total - runs:,}"
        floor = f"  {check_floors[name]:>5}" if name in check_floors else ""
        lines.append(f"  {name:<{width}}  {runs:>7,}  {not_applicable:>7}  {failed.get(name, 0):>6}{floor}")
    lines += _wrapped(not_applicable_note(data))
    reach: dict[str, dict[str, int]] = data.get("reach", {})
    if reach:
        lines.append("Reach (cases that named a stored message of their account / cases):")
        lines += [f"  {op}: {r['reaching_a_stored_message']} / {r['cases']}" for op, r in reach.items()]
    lines += matrix_lines(data)
    lines += filtered_lines(data)
    warnings: dict[str, list[str]] = data.get("warnings", {})
    lines.append(heading("Warnings", len(warnings), "kind"))
    for kind, labels in warnings.items():
        lines.append(f"  {kind}: {', '.join(labels)}")
        lines.append(f"      {explain_warning(kind, labels, data)}")
    errors: list[str] = data.get("errors", [])
    lines.append(heading("Errors", len(errors), "error"))
    lines += [f"  {error}" for error in errors]
    failures: list[dict[str, Any]] = data["failures"]
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for failure in failures:
        grouped[failure["operation"]].append(failure)
    lines.append(f"Failures: {len(failures)} distinct" + (":" if failures else ""))
    for operation, items in sorted(grouped.items()):
        for item in items:
            lines.append(f"  [{item['check']}] {operation}: {item['title']} (x{item['count']})")
            lines += [f"      {line}" for line in item["message"].splitlines()[:6]]
            if item["curl"]:
                lines.append("    Reproduce with:")
                lines += [f"      {line}" for line in item["curl"].splitlines()]
    return "\n".join(lines)
