"""ARCHITECTURE.md's layer rules as a check over every import statement (AST), so a change that breaks one fails.

Layers are folders: generated/clicksend_mms, sdk/clicksend_mms (both the package ``clicksend_mms``),
spec/clicksend_mms_spec, sandbox/clicksend_mms_sandbox, fuzz/clicksend_mms_fuzz. An import is resolved to the
module it names (relative imports included, ``from pkg import submodule`` as that submodule, and
``importlib.import_module("literal")``) and judged by the layer that module lives in. Not seen: module names
built at run time, and code run in a subprocess from a string.

import-linter could state most of this, but not "at module level" (an import inside a function is how the SDK's
CLI reaches the optional sandbox) nor "only public names of the generated modules"; and its import graph comes
from one folder per package, where ``clicksend_mms`` has two.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

LAYERS = {
    "generated": "generated/clicksend_mms",
    "sdk": "sdk/clicksend_mms",
    "spec": "spec/clicksend_mms_spec",
    "sandbox": "sandbox/clicksend_mms_sandbox",
    "fuzz": "fuzz/clicksend_mms_fuzz",
}
OUR_ROOTS = frozenset({"clicksend_mms", "clicksend_mms_spec", "clicksend_mms_sandbox", "clicksend_mms_fuzz"})
# Third-party packages each layer may import at module level (anything else only inside a function).
# msgspec: the compiled decoders (fast_decode.py)
GENERATED_DEPENDENCIES = frozenset({"httpx", "attrs", "msgspec"})
CLIENT_DEPENDENCIES = GENERATED_DEPENDENCIES | {"httpx_aiohttp"}  # pyproject's base set
CLI_DEPENDENCIES = CLIENT_DEPENDENCIES | {"typer", "rich", "click", "orjson", "jsonschema", "yaml"}  # + the [cli] extra
SDK_CLI = "sdk/clicksend_mms/cli.py"
# What the [cli] extra brings: the command line and the conformance checker it runs (its rich report, its typer
# command); jsonschema and PyYAML, which checking needs, are imported only when a check runs.
SDK_CLI_MODULES = (SDK_CLI, "sdk/clicksend_mms/cli_", "sdk/clicksend_mms/conformance/")  # cli_*.py: its parts
SANDBOX_PLUGIN = "sandbox/clicksend_mms_sandbox/pytest_plugin.py"
# The sandbox's public API: its package root (names in __all__) and the testing module (WAVE2 decision 2).
SANDBOX_PUBLIC_MODULES = frozenset({"clicksend_mms_sandbox", "clicksend_mms_sandbox.testing"})
# Inside the sandbox dependencies point one way, routes -> rules -> store -> the message domain (ARCHITECTURE.md):
# a module imports its own tier or lower ones, and the modules "beside" them all import only each other and the
# domain. Every sandbox module is named here, so a new one has to be placed before the check passes.
SANDBOX_TIERS: dict[str, int | None] = {
    # routes, and what assembles or launches them (None marks "beside")
    **dict.fromkeys(
        ("", "__main__", "admission", "app", "auth", "cli", "control", "handlers", "pipeline", "pytest_plugin"),
        3,
    ),
    **dict.fromkeys(("root_page", "served_spec", "server", "state", "timeouts", "transports", "docs"), 3),
    # the operations' rules, with their helpers and settings
    **dict.fromkeys(("rules", "numbers", "pricing", "gsm", "media", "wire", "export", "cache", "settings"), 2),
    **dict.fromkeys(("store", "writer"), 1),  # persistence
    "message": 0,  # the domain: a message and its lifecycle
    **dict.fromkeys(("clock", "faults", "accounts", "testing", "spec", "acceptance", "envelope", "ids"), None),
}
_TIER_NAMES = {3: "routes", 2: "rules", 1: "store", 0: "the message domain"}


@dataclass(frozen=True)
class Import:
    module: str  # the module the statement names, absolute
    names: tuple[str, ...]  # for `from module import a, b`: the names that are not submodules
    line: int
    at_runtime_top: bool  # executed on import: not inside a function, not under `if TYPE_CHECKING:`
    bound: str | None = None  # the local name bound to the module, if any (`from .api.mms import send_mms`)


def read_sources(root: Path) -> dict[str, str]:
    """Every layer's .py files, keyed by repo-relative path."""
    sources: dict[str, str] = {}
    for folder in LAYERS.values():
        for path in sorted((root / folder).rglob("*.py")):
            sources[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    return sources


def layer_of_path(path: str) -> str:
    return next(layer for layer, folder in LAYERS.items() if path.startswith(folder + "/"))


def module_name(path: str) -> str:
    folder = LAYERS[layer_of_path(path)]
    parts = [folder.rsplit("/", 1)[1], *Path(path[len(folder) + 1 :]).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_index(sources: Mapping[str, str]) -> dict[str, str]:
    """Module name -> layer, packages included (a package without __init__.py takes its folder's layer)."""
    index: dict[str, str] = {}
    for path in sources:
        layer, parts = layer_of_path(path), module_name(path).split(".")
        for i in range(1, len(parts)):
            index.setdefault(".".join(parts[:i]), layer)
        index[".".join(parts)] = layer
    index["clicksend_mms"] = "sdk"  # the root package is the SDK's __init__
    return index


@functools.cache
def _parse(source: str) -> ast.Module:
    return ast.parse(source)  # once per distinct text: the planted-violation tests re-check the same files


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_module_literal(node: ast.AST) -> str | None:
    """The module named by ``importlib.import_module("literal")``, if that is what ``node`` is."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
        return None
    first = node.args[0]
    if node.func.attr == "import_module" and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def imports(path: str, source: str, index: Mapping[str, str]) -> Iterator[Import]:
    name = module_name(path)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]

    def from_import(node: ast.ImportFrom, top: bool) -> Iterator[Import]:
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        plain = []
        for alias in node.names:
            if f"{base}.{alias.name}" in index:  # `from pkg import submodule`
                yield Import(f"{base}.{alias.name}", (), node.lineno, top, alias.asname or alias.name)
            else:
                plain.append(alias.name)
        if plain:
            yield Import(base, tuple(plain), node.lineno, top)

    def visit(node: ast.AST, top: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                yield from (Import(a.name, (), child.lineno, top, a.asname) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                yield from from_import(child, top)
            else:
                literal = _import_module_literal(child)
                if literal is not None and isinstance(child, ast.Call):  # a call: it has a line number
                    yield Import(literal, (), child.lineno, top)
                nested = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                yield from visit(child, top and not nested and not _is_type_checking(child))

    yield from visit(_parse(source), True)


def _root(module: str) -> str:
    return module.partition(".")[0]


def _third_party(module: str) -> bool:
    return _root(module) not in OUR_ROOTS and _root(module) not in sys.stdlib_module_names


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


class _Rules:
    """One method per layer: the rules ARCHITECTURE.md states for it, applied to one import."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.index = module_index(sources)
        self.sandbox_all = _dunder_all(sources.get(LAYERS["sandbox"] + "/__init__.py", ""))

    def target(self, imp: Import) -> str | None:
        return self.index.get(imp.module) if _root(imp.module) in OUR_ROOTS else None

    def generated(self, path: str, imp: Import) -> Iterator[str]:
        if self.target(imp) not in {None, "generated"}:
            yield "generated code imports only generated modules and the codec runtime"
        if _third_party(imp.module) and _root(imp.module) not in GENERATED_DEPENDENCIES:
            yield f"generated code depends only on {sorted(GENERATED_DEPENDENCIES)}"

    def sdk(self, path: str, imp: Import) -> Iterator[str]:
        target = self.target(imp)
        if target in {"sandbox", "fuzz"} and imp.at_runtime_top:
            yield "the SDK imports the sandbox or the fuzzer only inside a function"
        if target == "generated" and (
            any(_private(part) for part in imp.module.split(".")) or any(_private(n) for n in imp.names)
        ):
            yield "the SDK uses only the generated package's public names"
        allowed = CLI_DEPENDENCIES if path.startswith(SDK_CLI_MODULES) else CLIENT_DEPENDENCIES
        if imp.at_runtime_top and _third_party(imp.module) and _root(imp.module) not in allowed:
            yield f"the client's install has only {sorted(allowed)} at import time"

    def sandbox(self, path: str, imp: Import) -> Iterator[str]:
        target = self.target(imp)
        if target in {"sdk", "generated"} and path != SANDBOX_PLUGIN:
            yield "the sandbox imports the client only in its pytest plugin"
        if target == "fuzz":
            yield "the sandbox never imports the fuzzer"
        if target == "sandbox":
            yield from _sandbox_direction(module_name(path), imp.module)

    def fuzz(self, path: str, imp: Import) -> Iterator[str]:
        target = self.target(imp)
        if target in {"sdk", "generated"}:
            yield "the fuzzer never imports the client"
        if target == "sandbox" and (
            imp.module not in SANDBOX_PUBLIC_MODULES
            or (imp.module == "clicksend_mms_sandbox" and not set(imp.names) <= self.sandbox_all)
        ):
            yield "the fuzzer uses only the sandbox's public API"

    def spec(self, path: str, imp: Import) -> Iterator[str]:
        if self.target(imp) not in {None, "spec"} or (imp.at_runtime_top and _third_party(imp.module)):
            yield "clicksend_mms_spec depends on nothing but the standard library at import"


def _sandbox_module(module: str) -> str:
    """``clicksend_mms_sandbox.docs.site`` -> ``docs`` (a subpackage is one module here), the root -> ``""``."""
    return module.removeprefix("clicksend_mms_sandbox").lstrip(".").partition(".")[0]


def _sandbox_direction(source: str, target: str) -> Iterator[str]:
    mine, theirs = _sandbox_module(source), _sandbox_module(target)
    if mine == theirs:
        return
    for name in (mine, theirs):
        if name not in SANDBOX_TIERS:
            yield f"sandbox module {name!r} has no place in the sandbox's tiers (tests/packaging/architecture.py)"
            return
    my_tier, their_tier = SANDBOX_TIERS[mine], SANDBOX_TIERS[theirs]
    if my_tier is None and their_tier not in (None, 0):
        yield f"{mine} sits beside the sandbox's tiers and imports only its peers and the message domain"
    elif my_tier is not None and their_tier is not None and their_tier > my_tier:
        lower, higher = _TIER_NAMES[my_tier], _TIER_NAMES[their_tier]
        yield f"the sandbox's dependencies point one way: {lower} never imports {higher}"


def violations(sources: Mapping[str, str]) -> list[str]:
    """Every broken rule as "path:line: what: rule"; empty when the layers point the way ARCHITECTURE.md says."""
    rules = _Rules(sources)
    found: list[str] = []
    for path, source in sources.items():
        layer = layer_of_path(path)
        generated_modules: set[str] = set()
        for imp in imports(path, source, rules.index):
            found += [f"{path}:{imp.line}: import of {imp.module}: {rule}" for rule in getattr(rules, layer)(path, imp)]
            if rules.target(imp) == "generated" and imp.bound:
                generated_modules.add(imp.bound)
        if layer == "sdk":  # `send_mms._get_kwargs(...)`: a private name reached through a generated module
            found += [
                f"{path}:{line}: {name}: the SDK uses only the generated package's public names"
                for line, name in _private_attributes(source, generated_modules)
            ]
    return found


def _private_attributes(source: str, modules: set[str]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(_parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _private(node.attr)
        ):
            yield node.lineno, f"{node.value.id}.{node.attr}"


def _dunder_all(source: str) -> set[str]:
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()
