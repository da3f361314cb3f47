"""``clicksend-mms conformance FILE...``: the command over conformance.py (registered by cli.py).

Exit codes (exit_codes.py): 0 the traffic conforms, 1 schema violations or unknown codec variants (with ``--strict``
also undeclared fields and values), 2 a file that is not HAR, 3 the spec cannot be read or validation libraries
are missing, 11 a file that cannot be read, 12 nothing was checked (no entry is an operation of the spec).
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Annotated

import typer
from clicksend_mms_spec.distribution import pip_install
from rich.console import Console
from rich.markup import escape

from .. import exit_codes

_WIDE = 160  # a report table in a CI log or a pipe; a terminal uses its own width


def conformance(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="HAR files: from --record / record=, the fuzz run, a browser or a proxy.",
            metavar="FILE",
            show_default=False,
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON on stdout.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Undeclared fields and values fail too.")] = False,
    suggest: Annotated[
        bool,
        typer.Option("--suggest", help="Print the spec patch (YAML) that declares what was seen; report on stderr."),
    ] = False,
    spec_file: Annotated[
        Path | None,
        typer.Option("--spec", help="Check against this spec (default: the packaged one).", dir_okay=False),
    ] = None,
) -> None:
    """Check recorded traffic (HAR) against the spec: violations, undeclared fields and values, codec variants.

    Exit 0 when it conforms, 1 on schema violations or unknown codec variants (--strict: anything undeclared too),
    12 when nothing was checked (no entry is an operation of the spec), 11 when a file cannot be read.
    """
    as_json = as_json or bool(getattr(ctx.obj, "as_json", False))
    err = Console(stderr=True)
    try:
        for library in ("yaml", "jsonschema"):  # imported where used; asked for here to say so at once
            importlib.import_module(library)
        from . import HarError, SpecError, UnreadableHarError, check
        from .render import render, to_json
        from .spec import Spec, default_spec, load_document
        from .suggest import suggest as suggestion
    except ImportError as exc:  # PyYAML / jsonschema come with the CLI extra
        err.print(f"[bold red]error:[/] conformance needs {exc.name}: {escape(pip_install('cli'))}")
        raise typer.Exit(exit_codes.CONFIG) from None
    try:
        spec = Spec(load_document(spec_file)) if spec_file else default_spec()
        report = check(files, spec)
    except SpecError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(exit_codes.CONFIG) from None
    except HarError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        unreadable = isinstance(exc, UnreadableHarError)  # like every command's local files; bad content is usage
        raise typer.Exit(exit_codes.LOCAL_FILE if unreadable else exit_codes.USAGE) from None
    code = report.exit_code(strict=strict)
    if as_json:
        payload = to_json(report, strict=strict)
        if suggest:
            payload["suggestion"] = suggestion(report, spec)
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        console = Console(stderr=suggest)
        if not console.is_terminal and "COLUMNS" not in os.environ:
            console.width = _WIDE
        render(report, console, strict=strict)
        if suggest:
            print(suggestion(report, spec), end="")
    raise typer.Exit(code)
