"""The CLI's options for an operation's inputs, built from the spec (``clicksend_mms.inputs``, generated).

``@spec_options("get_mms_history")`` under ``@app.command()`` gives a command one option per input of the
operation that it does not declare itself (a parameter of the same name, or an option ``--wire-name``), with
the spec's type, bounds and short description, and hands the values given to the command as ``inputs`` (Python
name -> value; an option left out is not there). A parameter or body field added to the spec so becomes an
option of every command of its operation with ``make generate`` alone. ``COMMANDS`` records which command
serves which operation (tests/core checks every input reaches the wire through it).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Annotated, Any, TypeVar

import typer

from .inputs import INPUTS
from .request_check import parameter_rule

F = TypeVar("F", bound=Callable[..., Any])

_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}
# command name -> operationId, as the commands are declared
COMMANDS: dict[str, str] = {}


def flag(wire: str) -> str:
    """The option of an input: ``--date-from`` for ``date_from``."""
    return "--" + wire.replace("_", "-")


def _keyword(operation_id: str, entry: Mapping[str, Any], keyword: str) -> Any:
    """A rule of the parameter from the spec, or None."""
    try:
        return parameter_rule(operation_id, entry["wire"], keyword)
    except KeyError:
        return None


def _option(operation_id: str, name: str, entry: Mapping[str, Any], default: Any) -> inspect.Parameter:
    kind = _TYPES[entry["type"]]
    help_text = f"{entry['help']}." if entry["help"] else ""
    if entry["default"] is not None and default is None:
        help_text += f" ClickSend assumes {entry['default']} when it is left out."
    # A parameter's range is click's to check (a usage error, shown in --help); a body field's is the SDK's
    # (its error names the field in the message, e.g. messages[2].schedule).
    ranged = kind is int and entry["in"] in ("query", "path")
    low, high = (_keyword(operation_id, entry, keyword) if ranged else None for keyword in ("minimum", "maximum"))
    option = typer.Option(
        flag(entry["wire"]), help=help_text.strip(), min=low, max=high, show_default=default is not None
    )
    annotation = Annotated[kind | None, option]  # type: ignore[valid-type]
    return inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation)


def _declared(signature: inspect.Signature) -> set[str]:
    """Python names and option flags the command declares itself."""
    names = set(signature.parameters)
    for parameter in signature.parameters.values():
        for meta in getattr(parameter.annotation, "__metadata__", ()):
            names.update(str(decl) for decl in getattr(meta, "param_decls", ()) or ())
            # Inside Annotated, typer.Option's first name lands in `default` (typer reads it as a name there).
            first = getattr(meta, "default", None)
            if isinstance(first, str) and first.startswith("--"):
                names.add(first)
    return names


def spec_options(
    operation_id: str,
    *,
    places: Collection[str] = ("query", "body", "item"),
    skip: Collection[str] = (),
    defaults: Mapping[str, Any] | None = None,
) -> Callable[[F], F]:
    """Add the operation's undeclared inputs in ``places`` (except ``skip``) as options; ``defaults``: a value a
    command assumes for an input (shown in --help), where the SDK's differs from ClickSend's."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        declared = _declared(signature)
        added = {
            name: entry
            for name, entry in INPUTS[operation_id].items()
            if entry["in"] in places
            and entry["type"] in _TYPES
            and name not in skip
            and name not in declared
            and flag(entry["wire"]) not in declared
        }
        own = [p for p in signature.parameters.values() if p.name != "inputs"]
        options = [_option(operation_id, name, entry, (defaults or {}).get(name)) for name, entry in added.items()]

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in added}
            return command(*args, inputs={k: v for k, v in given.items() if v is not None}, **kwargs)

        parameters = [*own, *options]  # typer passes every option by name; each added one has a default
        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        COMMANDS[command.__name__.replace("_", "-")] = operation_id
        return run  # type: ignore[return-value]

    return decorate


def by_place(operation_id: str, inputs: Mapping[str, Any], *places: str) -> dict[str, Any]:
    """The given inputs in ``places``: by Python name, except ``item`` inputs (fields of each message), by wire name."""
    entries = INPUTS[operation_id]
    return {
        (entries[name]["wire"] if entries[name]["in"] == "item" else name): value
        for name, value in inputs.items()
        if entries[name]["in"] in places
    }


def with_fields(messages: Iterable[Any], fields: Mapping[str, Any]) -> Iterator[Any]:
    """Each message with the message fields given as options (a message's own keys win), streamed."""
    for message in messages:
        yield {**fields, **message} if fields and isinstance(message, dict) else message
