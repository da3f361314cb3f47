"""Plant a mutant in a copy of the sandbox and run `python -m clicksend_mms_fuzz` (the `make fuzz` runner, default
budget) against it; report which check caught it and when.

The copy is put first on PYTHONPATH, so both sandboxes the runner starts import it, while the repository's sandbox
stays as it is. The run stops at its first failure (CLICKSEND_FUZZ_MAX_FAILURES=1): the time to that failure is
the mutant's "seconds". Reports go to the copy's directory, not to reports/.
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
from dataclasses import dataclass
from pathlib import Path

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

    @property
    def caught(self) -> bool:
        return self.exit_code != 0 and bool(self.caught_by)


def sandbox_source() -> Path:
    """The sandbox package the mutants are planted in (the one this environment imports)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{PACKAGE} is not importable")
    return Path(spec.origin).parent


def plant(mutant: Mutant, into: Path) -> Path:
    """Copy the sandbox under `into` (keeping the repo's layout, so it finds the spec) and apply the patches.

    Returns the directory to put on PYTHONPATH. Raises PatchDoesNotApply, naming the file and the text.
    """
    package = into / "sandbox" / PACKAGE
    shutil.copytree(sandbox_source(), package, ignore=shutil.ignore_patterns("__pycache__"))
    spec_dir = into / "spec"
    if not spec_dir.exists():
        spec_dir.symlink_to(ROOT / "spec", target_is_directory=True)
    for patch in mutant.patches:
        target = package / patch.file
        if not target.is_file():
            raise PatchDoesNotApply(f"{mutant.name}: {PACKAGE}/{patch.file} does not exist")
        text = target.read_text(encoding="utf-8")
        found = text.count(patch.old)
        if found != 1:
            first = patch.old.strip().splitlines()[0] if patch.old.strip() else repr(patch.old)
            raise PatchDoesNotApply(f"{mutant.name}: {PACKAGE}/{patch.file} holds {found} copies of: {first}")
        target.write_text(text.replace(patch.old, patch.new), encoding="utf-8")
    return into / "sandbox"


def check_applies(mutant: Mutant) -> None:
    """Plant the mutant in a throwaway copy and compile it (what CI checks for every mutant)."""
    with tempfile.TemporaryDirectory(prefix="cs-mutant-") as tmp:
        planted = plant(mutant, Path(tmp))
        for source in (planted / PACKAGE).glob("*.py"):
            compile(source.read_text(encoding="utf-8"), str(source), "exec")


def run(mutant: Mutant, *, max_time: int | None = None) -> Outcome:
    """The default `make fuzz` run against the mutant, stopped at its first failure."""
    with tempfile.TemporaryDirectory(prefix="cs-mutant-") as tmp:
        workdir = Path(tmp)
        path = plant(mutant, workdir)
        reports = workdir / "reports"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLICKSEND_")}
        env |= {
            "PYTHONPATH": os.pathsep.join([str(path), str(ROOT)]),
            "CLICKSEND_FUZZ_MAX_FAILURES": "1",
            "CLICKSEND_FUZZ_REPORTS": str(reports),
        }
        if max_time is not None:
            env["CLICKSEND_FUZZ_MAX_TIME"] = str(max_time)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "clicksend_mms_fuzz"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        seconds = time.monotonic() - started
        stats_file = reports / "fuzz-stats.json"
        if not stats_file.exists():
            raise RuntimeError(
                f"{mutant.name}: the fuzz wrote no statistics\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
        data = json.loads(stats_file.read_text(encoding="utf-8"))
        failed = tuple(name for name, count in data["checks_failed"].items() if count)
        cases = sum(data["cases_by_operation"].values())
    return Outcome(mutant, failed, seconds, result.returncode, cases)


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'mutant':36} {'class':7} {'caught by':45} {'seconds':>7}  cases"]
    for o in outcomes:
        caught = ", ".join(o.caught_by) if o.caught else "NOT CAUGHT"
        lines.append(f"{o.mutant.name:36} {o.mutant.kind:7} {caught:45} {o.seconds:7.1f}  {o.cases}")
    return "\n".join(lines)
