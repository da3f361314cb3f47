"""Plant a mutant in a copy of the sandbox and run `python -m clicksend_mms_fuzz` (the `make fuzz` runner, default
budget) against it; report which check caught it and when.

The copy is put first on PYTHONPATH, so both sandboxes the runner starts import it, while the repository's sandbox
stays as it is. The run stops at its first failure (CLICKSEND_FUZZ_MAX_FAILURES=1): the time to that failure is
the mutant's "seconds". It runs in the copy's directory, so its reports (and schemathesis' cache) stay there.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from clicksend_mms_fuzz import config_file

from tests.helpers.fuzz_budget import BOOTSTRAP, CONFIG_ENV, sandbox_env, write_budgeted_config

from .catalog import PACKAGE, Mutant

ROOT = Path(__file__).resolve().parents[2]


class PatchDoesNotApply(RuntimeError):
    """A mutant's old text is no longer (exactly once) in the sandbox: retarget the mutant."""


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    caught_by: tuple[str, ...]  # checks that failed, in the order the summary lists them
    seconds: float
    exit_code: int
    cases: int
    errors: tuple[str, ...] = ()  # the run broke (a crashing check or hook): neither caught nor survived

    @property
    def caught(self) -> bool:
        return self.exit_code != 0 and bool(self.caught_by)


def sandbox_source() -> Path:
    """The sandbox package the mutants are planted in (the one this environment imports)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{PACKAGE} is not importable")
    return Path(spec.origin).parent


def patched_sources(mutant: Mutant) -> dict[str, str]:
    """The mutant's files (relative to the package) as patched text. Raises PatchDoesNotApply, naming the file
    and the text, when an old text is not in the sandbox exactly once."""
    source = sandbox_source()
    texts: dict[str, str] = {}
    for patch in mutant.patches:
        path = source / patch.file
        if patch.file not in texts:
            if not path.is_file():
                raise PatchDoesNotApply(f"{mutant.name}: {PACKAGE}/{patch.file} does not exist")
            texts[patch.file] = path.read_text(encoding="utf-8")
        found = texts[patch.file].count(patch.old)
        if found != 1:
            first = patch.old.strip().splitlines()[0] if patch.old.strip() else repr(patch.old)
            raise PatchDoesNotApply(f"{mutant.name}: {PACKAGE}/{patch.file} holds {found} copies of: {first}")
        texts[patch.file] = texts[patch.file].replace(patch.old, patch.new)
    return texts


def check_applies(mutant: Mutant) -> None:
    """Every patch applies once, and the patched files still compile (what CI checks for every mutant)."""
    for name, text in patched_sources(mutant).items():
        compile(text, f"{PACKAGE}/{name}", "exec")


def plant(mutant: Mutant, into: Path) -> Path:
    """Copy the sandbox under `into` and apply the patches (the spec comes from the installed clicksend_mms_spec).

    Returns the directory to put on PYTHONPATH. Raises PatchDoesNotApply, naming the file and the text.
    """
    texts = patched_sources(mutant)
    package = into / "sandbox" / PACKAGE
    shutil.copytree(sandbox_source(), package, ignore=shutil.ignore_patterns("__pycache__"))
    for name, text in texts.items():
        (package / name).write_text(text, encoding="utf-8")
    return into / "sandbox"


def run(
    mutant: Mutant,
    *,
    max_time: int | None = None,
    max_failures: int = 1,
    examples: int | None = None,
    phases: Collection[str] | None = None,
) -> Outcome:
    """The default `make fuzz` run against the mutant (its seeded case budget, or `examples` per operation; strict),
    stopped at its first failure (or its `max_failures`th, to see every check that catches it). `max_time` is the
    runner's cap, a guard against a hang. `phases`: only those (a copy of the config, as tests/helpers/fuzz_budget
    runs it), for a mutant whose catch does not depend on the others."""
    with tempfile.TemporaryDirectory(prefix="cs-mutant-") as tmp:
        workdir = Path(tmp)
        path = plant(mutant, workdir)
        env = sandbox_env()
        env |= {
            # The repository too: the variants' wrappers import tests.contract._variants.
            "PYTHONPATH": os.pathsep.join([str(path), str(ROOT)]),
            "CLICKSEND_FUZZ_MAX_FAILURES": str(max_failures),
            # A survivor of a run that judged less than designed (cap hit, a floor missed) exits 4 and says so.
            "CLICKSEND_FUZZ_STRICT": "1",
            # hypothesis keeps its Unicode tables under the current directory; computing them takes seconds.
            "HYPOTHESIS_STORAGE_DIRECTORY": str(ROOT / ".hypothesis"),
        }
        if max_time is not None:
            env["CLICKSEND_FUZZ_MAX_TIME"] = str(max_time)
        if examples is not None:
            env["CLICKSEND_FUZZ_EXAMPLES"] = str(examples)
        command = [sys.executable, "-m", "clicksend_mms_fuzz"]
        if phases is not None:
            budget = examples if examples is not None else config_file.default_examples()
            env[CONFIG_ENV] = str(write_budgeted_config(workdir, budget, phases))
            command = [sys.executable, "-c", BOOTSTRAP]
        started = time.monotonic()
        result = subprocess.run(
            command,
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=1000,  # beyond the runner's own cap (plan.DEFAULT_CAP) and its 30 s to stop
            check=False,
        )
        seconds = time.monotonic() - started
        stats_file = workdir / "reports" / "fuzz-stats.json"
        if not stats_file.exists():  # the run broke before judging (a sandbox that never served): an error row
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            return Outcome(mutant, (), seconds, result.returncode, 0, (f"the fuzz wrote no statistics: {last[0]}",))
        data = json.loads(stats_file.read_text(encoding="utf-8"))
        failed = tuple(name for name, count in data["checks_failed"].items() if count)
        cases = sum(data["cases_by_operation"].values())
    return Outcome(mutant, failed, seconds, result.returncode, cases, tuple(data.get("errors", [])))


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'mutant':36} {'class':7} {'caught by':45} {'seconds':>7}  cases"]
    for o in outcomes:
        caught = ", ".join(o.caught_by) if o.caught else ("ERROR: " + o.errors[0][:60] if o.errors else "NOT CAUGHT")
        lines.append(f"{o.mutant.name:36} {o.mutant.kind:7} {caught:45} {o.seconds:7.1f}  {o.cases}")
    return "\n".join(lines)
