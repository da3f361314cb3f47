"""Files on this machine: reading message lists and images (CLI), writing downloads without losing data (CLI and
the facades' ``download``).

Failures here are the user's machine's (missing file, no permission, full disk), not ClickSend's: they raise
``LocalFileError`` (exceptions.py; also an OSError), which names the file and gets its own exit code in the CLI.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .exceptions import LocalFileError

__all__ = ["LocalFileError", "atomic_file", "read_bytes", "read_messages", "refuse_to_overwrite", "replace_atomically"]


def cannot(verb: str, path: object, exc: OSError) -> LocalFileError:
    return LocalFileError(f"cannot {verb} {path}: {exc.strerror or exc}", path=path, cause=exc)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise cannot("read", path, exc) from None


def read_messages(source: str) -> list[Any]:
    """Messages from a JSON list of objects, one JSON object, or JSON Lines; ``-`` is stdin.

    ``LocalFileError`` if the file cannot be read, ``ValueError`` (with the line) if it is not JSON.
    """
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise cannot("read", source, exc) from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("["):
            raise ValueError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
        return _json_lines(text)
    if isinstance(whole, list):
        return whole
    if isinstance(whole, dict):
        return [whole]
    raise ValueError("expected a JSON list of message objects, or one object per line")


def _json_lines(text: str) -> list[Any]:
    messages = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number} is not JSON ({exc.msg}, column {exc.colno})") from None
    return messages


def refuse_to_overwrite(target: Path) -> None:
    """Raise ``LocalFileError`` if ``target`` exists (the caller did not say --force)."""
    if target.is_dir():
        raise LocalFileError(f"{target} is a folder; give a file name", path=target)
    if target.exists():
        raise LocalFileError(f"{target} exists; pass --force to overwrite it", path=target)


@contextlib.contextmanager
def replace_atomically(target: Path, *, force: bool) -> Iterator[IO[bytes]]:
    """``atomic_file`` for the CLI: refuses an existing ``target`` unless ``force``; failures are LocalFileError."""
    if not force:
        refuse_to_overwrite(target)
    with atomic_file(target) as fh:
        yield fh


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[IO[bytes]]:
    """Write into a temporary file next to ``target`` and move it into place only when the block succeeds.

    A failed download leaves no half-written file and never clobbers an existing one (LocalFileError says why).
    """
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        fh = partial.open("xb")  # "x": never reuse a file someone else made; normal permissions (umask)
    except OSError as exc:
        raise cannot("write", target, exc) from None
    try:
        with fh:
            yield fh
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, LocalFileError):
            raise
        raise cannot("write", target, exc) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
