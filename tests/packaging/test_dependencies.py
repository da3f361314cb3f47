"""pyproject's dependency sets agree with requirements.lock and with what the code imports."""

from __future__ import annotations

import importlib.metadata
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers.spec import ROOT
from tests.packaging.architecture import CLI_DEPENDENCIES, CLIENT_DEPENDENCIES

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
NAME = canonicalize_name(PROJECT["name"])


def requirements(extra: str | None) -> list[Requirement]:
    """The requirements an install with ``extra`` adds (the base set for None), self-references expanded."""
    raw = PROJECT["dependencies"] if extra is None else PROJECT["optional-dependencies"][extra]
    found: list[Requirement] = []
    for text in raw:
        req = Requirement(text)
        if canonicalize_name(req.name) == NAME:
            for inner in sorted(req.extras):
                found += requirements(inner)
        elif req.marker is None or req.marker.evaluate():
            found.append(req)
    return found


def _names(reqs: list[Requirement]) -> set[str]:
    return {canonicalize_name(r.name) for r in reqs}


def _lock() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_the_lock_pins_every_dependency_of_the_dev_install_within_its_range() -> None:
    pins = _lock()
    for req in requirements(None) + requirements("dev"):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is not in requirements.lock: `make venv` would not install it"
        assert req.specifier.contains(pins[name], prereleases=True), f"lock pins {name}=={pins[name]}, not {req}"


def test_all_is_every_extra() -> None:
    union = _names(requirements("cli") + requirements("sandbox") + requirements("fuzz"))
    assert _names(requirements("all")) == union
    assert _names(requirements("sandbox")) <= _names(requirements("fuzz"))


def _import_names(reqs: list[Requirement]) -> set[str]:
    dists = _names(reqs)
    return {
        module
        for module, owners in importlib.metadata.packages_distributions().items()
        if dists & {canonicalize_name(o) for o in owners} and not module.startswith("_")
    }


def test_the_architecture_check_allows_exactly_what_the_client_install_brings() -> None:
    # tests/packaging/architecture.py names the modules the SDK may import at module level; they are these.
    assert _import_names(requirements(None)) == CLIENT_DEPENDENCIES | {"attr"}  # attrs ships `attr` and `attrs`
    assert _import_names(requirements("cli")) <= CLI_DEPENDENCIES


def test_the_client_install_has_no_server_or_fuzzing_package() -> None:
    heavy = {"starlette", "uvicorn", "jsonschema", "pyyaml", "schemathesis", "hypothesis", "typer", "rich"}
    assert _names(requirements(None)) & heavy == set()
