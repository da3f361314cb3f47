"""The distribution as a user gets it: build the wheel once, install it into fresh venvs (no extra, each extra),
and use it from a directory outside the repository.

Cost (2 cores): about 1.5 s to build the wheel, 6 s to collect every dependency once into a wheelhouse (from
pip's cache; the only step that may reach the package index), then each venv installed offline from that
wheelhouse: the plain one with pip (1.5 s), the extras with uv (under a second each, where pip took 4-8 s).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conformance.har import catalogue_entries, write_har
from tests.helpers.fuzz_budget import BOOTSTRAP, CONFIG_ENV, budgeted_config
from tests.helpers.spec import ROOT

pytestmark = pytest.mark.wheel

SERVER_OR_FUZZ = {"starlette", "uvicorn", "jsonschema", "pyyaml", "schemathesis", "hypothesis", "typer", "rich"}
CLIENT = {
    "clicksend-mms",
    # the generated client, its compiled decoders (msgspec)
    *("httpx", "httpcore", "h11", "anyio", "idna", "certifi", "attrs", "typing-extensions", "msgspec"),
    # the SDK: httpx-aiohttp (aiohttp and its own)
    *("httpx-aiohttp", "aiohttp", "aiohappyeyeballs", "aiosignal"),
    *("frozenlist", "multidict", "propcache", "yarl"),
}


def _quiet_run(command: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@dataclass(frozen=True)
class Build:
    wheel: Path
    house: Path  # every dependency of wheel[all] and pytest, as wheels: the venvs install offline from it


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    out = tmp_path_factory.mktemp("dist")
    _quiet_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)])
    (wheel,) = out.glob("clicksend_mms-*.whl")
    house = tmp_path_factory.mktemp("wheelhouse")
    # One resolution for all venvs, at the versions `make venv` installs (requirements.lock).
    lock = str(ROOT / "requirements.lock")
    _quiet_run([sys.executable, "-m", "pip", "wheel", "-q", "-w", str(house), "-c", lock, f"{wheel}[all]", "pytest"])
    return Build(wheel, house)


@dataclass
class Venv:
    root: Path
    cwd: Path  # outside the repository
    build: Build
    installed: set[str] = field(default_factory=set)  # distributions right after installing the wheel

    @property
    def python(self) -> str:
        return str(self.root / "bin" / "python")

    def env(self) -> dict[str, str]:
        drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
        env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("CLICKSEND_")}
        env["PATH"] = f"{self.root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    def install(self, *requirements: str, installer: str = "uv") -> None:
        # pip for the plain install (the README's first line, as a user types it); uv, pinned in the lock, for the
        # extras: the same distributions, checked by `installed`, in under a second where pip took 4-8 s each.
        if installer == "pip":
            command = [sys.executable, "-m", "pip", "--python", self.python, "install", "-q", "--no-index"]
        else:
            command = [str(Path(sys.executable).parent / "uv"), "pip", "install", "-q", "--python", self.python]
            command += ["--no-index"]
        _quiet_run([*command, "--find-links", str(self.build.house), *requirements], env=self.env())

    def run(
        self, *argv: str, timeout: float = 120, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {**self.env(), **(extra_env or {})}
        return subprocess.run(
            list(argv), cwd=self.cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def code(self, source: str) -> subprocess.CompletedProcess[str]:
        return self.run(self.python, "-c", textwrap.dedent(source))

    def distributions(self) -> set[str]:
        result = self.code("""
            import importlib.metadata, json, re
            print(json.dumps(sorted({re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower()
                                     for d in importlib.metadata.distributions()})))
        """)
        assert result.returncode == 0, result.stderr
        names: list[str] = json.loads(result.stdout)
        return set(names)


@pytest.fixture(scope="module")
def venv(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Venv]]:
    made: dict[str, Venv] = {}

    def make(extra: str) -> Venv:
        if extra not in made:
            root = tmp_path_factory.mktemp(f"venv-{extra or 'plain'}")
            _quiet_run([sys.executable, "-m", "venv", "--without-pip", str(root)])
            env = Venv(root, tmp_path_factory.mktemp(f"user-{extra or 'plain'}"), build)
            env.install(f"{build.wheel}[{extra}]" if extra else str(build.wheel), installer="uv" if extra else "pip")
            env.installed = env.distributions()
            made[extra] = env
        return made[extra]

    yield make


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def _says_install(result: subprocess.CompletedProcess[str], extra: str, env: Venv) -> None:
    assert result.returncode == 3, result.stdout + result.stderr
    # Installed from a wheel file (the package is on no index): the command names that file, with the extra.
    assert f"pip install '{env.build.wheel.resolve()}[{extra}]'" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# -- no extra: the client ------------------------------------------------------------------------------------------


def test_plain_install_is_the_client_only(venv: Callable[[str], Venv]) -> None:
    plain = venv("")
    assert plain.installed & SERVER_OR_FUZZ == set()
    assert plain.installed == CLIENT, f"the client's install changed: {sorted(plain.installed ^ CLIENT)}"


def test_plain_install_imports_the_client_from_site_packages(venv: Callable[[str], Venv]) -> None:
    out = _ok(
        venv("").code("""
        import clicksend_mms, clicksend_mms_spec
        from clicksend_mms import AsyncClickSend, AuthenticatedClient, ClickSend, ClickSendError, rejected
        from clicksend_mms.api.mms import send_mms
        from clicksend_mms.models import MmsMessageInput, SendMmsRequest
        message = MmsMessageInput(to="+61411111111", subject="Hi", body="Hello")
        body = SendMmsRequest(media_file="https://example.com/a.jpg", messages=[message])
        assert send_mms.request_kwargs(body=body)["url"] == "/mms/send"
        with ClickSend("user", "secret-key-123", base_url="http://127.0.0.1:9") as cs:
            assert "secret-key-123" not in repr(cs)
        import importlib.resources
        assert importlib.resources.files("clicksend_mms").joinpath("py.typed").is_file()  # typed for users' mypy
        print(clicksend_mms.__path__, clicksend_mms_spec.path())
    """)
    )
    assert "site-packages/clicksend_mms'" in out and str(ROOT) not in out, out
    assert "site-packages/clicksend_mms_spec/clicksend-mms.yaml" in out, out


def test_plain_install_bulk_sends_without_rich_and_knows_its_version(venv: Callable[[str], Venv]) -> None:
    # rich is the [cli] extra's: a bulk send must not need it, and a bar it cannot draw is refused before sending.
    out = _ok(
        venv("").code("""
        import asyncio, json
        import httpx
        import clicksend_mms
        from clicksend_mms import AsyncClickSend, ConfigurationError

        sent = []

        def answer(request):
            batch = json.loads(request.content)["messages"]
            sent.extend(batch)
            results = [{"to": m["to"], "status": "SUCCESS", "message_id": str(len(sent))} for m in batch]
            data = {"total_price": 0, "total_count": len(batch), "queued_count": len(batch), "messages": results}
            body = {"http_code": 200, "response_code": "SUCCESS", "response_msg": "", "data": data}
            return httpx.Response(200, json=body)

        async def main():
            messages = [{"to": "+61411111111", "subject": "Hi", "body": str(i)} for i in range(5)]
            async with AsyncClickSend("u", "secret-key-123", transport=httpx.MockTransport(answer)) as cs:
                assert len(await cs.send_bulk(messages, media_file="https://example.com/a.jpg", batch_size=2)) == 5
                refused = ""
                try:
                    await cs.send_bulk(messages, media_file="https://example.com/a.jpg", progress=True)
                except ConfigurationError as exc:
                    refused = str(exc)
            assert ".whl[cli]" in refused and len(sent) == 5  # the wheel it was installed from, with the extra

        asyncio.run(main())
        print(clicksend_mms.__version__)
    """)
    )
    assert out.strip() == _project_version()


def _project_version() -> str:
    import tomllib

    version: str = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    return version


def test_plain_install_entry_points_say_which_extra(venv: Callable[[str], Venv]) -> None:
    plain = venv("")
    _says_install(plain.run("clicksend-mms", "--help"), "cli", plain)
    _says_install(plain.run("clicksend-mms-sandbox", "--help"), "sandbox", plain)
    assert "--max-time SECONDS" in _ok(plain.run(plain.python, "-m", "clicksend_mms_fuzz", "--help"))
    _says_install(plain.run(plain.python, "-m", "clicksend_mms_fuzz", "--max-time", "1"), "fuzz", plain)
    assert not (plain.cwd / "reports").exists()


def test_plain_install_keeps_pytest_working(venv: Callable[[str], Venv]) -> None:
    plain = venv("")
    plain.install("pytest")  # the plugin is registered by every install; pytest must still start
    (plain.cwd / "test_user.py").write_text(
        "def test_plain():\n    assert True\n\n\ndef test_needs_sandbox(clicksend_sandbox):\n    pass\n"
    )
    result = plain.run(plain.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py")
    assert "1 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert f"pip install '{plain.build.wheel.resolve()}[sandbox]'" in result.stdout


# -- each extra ----------------------------------------------------------------------------------------------------


def test_cli_extra(venv: Callable[[str], Venv]) -> None:
    cli = venv("cli")
    assert cli.installed - CLIENT >= {"typer", "rich"} and not cli.installed & {"starlette", "schemathesis"}
    assert "send" in _ok(cli.run("clicksend-mms", "--help"))
    assert _ok(cli.run("clicksend-mms", "--version")) == f"clicksend-mms {_project_version()}\n"
    # conformance reads the packaged spec: the seeds' send exchange, as HAR, checks clean outside the repo.
    har = write_har(cli.cwd / "seeds.har", [e for p, e in catalogue_entries() if p.operation_id == "send_mms"])
    assert "conforms" in _ok(cli.run("clicksend-mms", "conformance", "--strict", str(har)))
    _says_install(cli.run("clicksend-mms", "sandbox", "--help"), "sandbox", cli)
    # rich pads the option table's columns: the flag and its metavar are separated by some spaces.
    assert re.search(r"--max-time\s+SECONDS", _ok(cli.run("clicksend-mms", "fuzz", "--help")))


def test_sandbox_extra_serves_and_its_pytest_plugin_works(venv: Callable[[str], Venv]) -> None:
    sandbox = venv("sandbox")
    assert not sandbox.installed & {"schemathesis", "hypothesis", "typer", "rich"}
    assert "--port" in _ok(sandbox.run("clicksend-mms-sandbox", "--help"))
    sandbox.install("pytest")
    (sandbox.cwd / "test_user.py").write_text(
        textwrap.dedent("""
        import httpx
        from clicksend_mms.api.mms import get_mms_receipts, send_mms
        from clicksend_mms.models import MmsMessageInput, SendMmsRequest

        def test_receipt_arrives(clicksend_client, clicksend_sandbox):
            body = SendMmsRequest(
                media_file="https://example.com/cat.jpg",
                messages=[MmsMessageInput(to="+61400000001", subject="Hi", body="Hello")],  # delivered
            )
            assert send_mms.sync(client=clicksend_client, body=body).data.messages[0].status == "SUCCESS"
            clicksend_sandbox.advance(60)
            assert get_mms_receipts.sync(client=clicksend_client).data.total == 1

        def test_real_server(clicksend_sandbox_url):
            assert httpx.get(f"{clicksend_sandbox_url}/mms/history", auth=("sandbox", "sandbox-key")).status_code == 200
            assert len(httpx.get(f"{clicksend_sandbox_url}/docs/redoc.standalone.js").content) > 500_000  # packaged
        """)
    )
    result = sandbox.run(sandbox.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py")
    assert "2 passed" in result.stdout, result.stdout + result.stderr


def test_fuzz_extra_runs_a_bounded_fuzz_outside_the_repo(venv: Callable[[str], Venv]) -> None:
    fuzz = venv("fuzz")
    assert "--max-time SECONDS" in _ok(fuzz.run(fuzz.python, "-m", "clicksend_mms_fuzz", "--help"))
    # The wheel's own schemathesis.toml (package data, not this checkout's), narrowed to the examples phase: every
    # hook, oracle, sandbox and report the run needs still loads from the installed package.
    shipped = Path(_ok(fuzz.code("from clicksend_mms_fuzz import config_file; print(config_file.path())")).strip())
    assert fuzz.root in shipped.parents, shipped
    config = fuzz.cwd / "schemathesis-budgeted.toml"
    config.write_text(budgeted_config(shipped.read_text(encoding="utf-8"), 3, ("examples",)), encoding="utf-8")
    # No retry: CPython 3.11's AST thread race, which used to end a run now and then, is serialized away in the
    # fuzz process itself (clicksend_mms_fuzz.ast_lock).
    run = fuzz.run(
        fuzz.python, "-c", BOOTSTRAP, timeout=600, extra_env={CONFIG_ENV: str(config), "CLICKSEND_FUZZ_STRICT": "0"}
    )
    out = _ok(run)
    assert "Target: the embedded sandbox" in out and "Result: PASS" in out, out[-3000:]
    assert {p.name for p in (fuzz.cwd / "reports").iterdir()} >= {
        "fuzz-stats.json",
        "fuzz-junit.xml",
        "fuzz-report.html",
    }


def test_all_extra_every_console_script_answers_help(venv: Callable[[str], Venv]) -> None:
    everything = venv("all")
    assert everything.installed >= venv("fuzz").installed | venv("cli").installed
    scripts = _ok(
        everything.code("""
        import importlib.metadata
        print(" ".join(ep.name for ep in importlib.metadata.distribution("clicksend-mms").entry_points
                       if ep.group == "console_scripts"))
    """)
    ).split()
    assert sorted(scripts) == ["clicksend-mms", "clicksend-mms-sandbox"]
    for script in scripts:
        assert "Usage" in _ok(everything.run(script, "--help")).replace("usage", "Usage")
    for command in ("sandbox", "fuzz"):
        _ok(everything.run("clicksend-mms", command, "--help"))
