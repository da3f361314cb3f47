"""The fuzz configuration, schemathesis.toml, shipped inside this package (so a wheel has it too).

It is passed to schemathesis explicitly (``--config-file``), never found by schemathesis' own search of the
current directory: its ``[auth]`` section needs environment variables only the runner and tests/contract set.
"""

from __future__ import annotations

import importlib.resources
import math
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILENAME = "schemathesis.toml"
# Every case budget in the config: [generation]'s, a phase's and an operation's (`generation.max-examples`).
_MAX_EXAMPLES = re.compile(r"^((?:generation\.)?max-examples\s*=\s*)(\d+)", re.MULTILINE)


def path() -> Path:
    return Path(str(importlib.resources.files(__package__).joinpath(FILENAME)))


def settings() -> dict[str, Any]:
    """The configuration as data (the seed and case budget the runner states up front)."""
    with path().open("rb") as fh:
        return tomllib.load(fh)


def enabled_checks() -> list[str]:
    """The checks schemathesis.toml turns on (before the runner leaves any out live)."""
    checks = settings().get("checks", {})
    return sorted(name for name, options in checks.items() if isinstance(options, dict) and options.get("enabled"))


def default_examples() -> int:
    """The designed budget: [generation] max-examples, examples per operation per phase."""
    return int(settings().get("generation", {}).get("max-examples", 100))


def with_budgets(text: str, budget: Callable[[int], int]) -> tuple[str, int]:
    """A schemathesis.toml's `text` with each `max-examples = N` (global, per phase, per operation) replaced by
    `budget(N)`, and how many there were."""
    return _MAX_EXAMPLES.subn(lambda m: f"{m[1]}{budget(int(m[2]))}", text)


def scaled(examples: int, into: Path) -> Path:
    """A copy of the config, in `into`, whose every budget is scaled by `examples` / the designed budget (rounded
    up): `--examples N` is N per operation and phase, and the operations and phases the config gives more (the
    stateful phase's scenarios, the two id-taking operations) keep their proportion. schemathesis' own
    `--max-examples` would not do it: a phase's or an operation's setting in the config overrides it."""
    default = default_examples()
    text = path().read_text(encoding="utf-8")
    text, budgets = with_budgets(text, lambda n: max(1, math.ceil(n * examples / default)))
    if budgets == 0:
        raise ValueError(f"{path()} has no max-examples to scale")
    into.mkdir(parents=True, exist_ok=True)
    target = into / f"schemathesis-{examples}-examples.toml"
    target.write_text(text, encoding="utf-8")
    return target
