"""The client without the [cli] extra (no rich): bulk send works, and a progress bar it cannot draw is refused
before anything is sent, never after (a send that looks failed invites a resend and a double charge).

rich is made unimportable with ``sys.modules[name] = None``; the in-process sandbox counts what was stored.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from clicksend_mms import AsyncClickSend, ConfigurationError
from clicksend_mms_spec.distribution import pip_install

from tests.client.conftest import FAST

try:
    from clicksend_mms_sandbox import create_app
    from clicksend_mms_sandbox.transports import AsyncSandboxTransport
except ImportError:  # pragma: no cover - the sandbox ships with this repository
    pytest.skip("clicksend_mms_sandbox not importable", allow_module_level=True)

MEDIA = "https://example.com/cat.jpg"
MESSAGES = [{"to": "+61411111111", "subject": "Hi", "body": f"Hello {i}"} for i in range(5)]


@pytest.fixture
def without_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in sys.modules if name == "rich" or name.startswith("rich.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "rich", None)
    with pytest.raises(ImportError):
        import rich.progress  # noqa: F401 - proves the block holds


@pytest.fixture
def sandbox() -> Iterator[Any]:
    app = create_app()
    yield app
    app.state.sandbox.store.close()


def bulk(sandbox: Any, progress: Any) -> tuple[int | None, int]:
    """(results, stored): how many results send_bulk returned (None if it raised) and how many the sandbox holds."""

    async def main() -> tuple[int | None, int]:
        async with AsyncClickSend(
            "sandbox", "sandbox-key", base_url="http://s/v3", transport=AsyncSandboxTransport(sandbox), retry=FAST
        ) as cs:
            try:
                sent: int | None = len(await cs.send_bulk(MESSAGES, media_file=MEDIA, batch_size=2, **progress))
            except ConfigurationError:
                sent = None
            return sent, (await cs.history()).total

    return asyncio.run(main())


@pytest.mark.parametrize("progress", [{}, {"progress": False}, {"progress": [].append}], ids=["default", "False", "fn"])
@pytest.mark.usefixtures("without_rich")
def test_bulk_send_without_rich(sandbox: Any, progress: dict[str, Any]) -> None:
    assert bulk(sandbox, progress) == (len(MESSAGES), len(MESSAGES))


@pytest.mark.usefixtures("without_rich")
def test_a_progress_bar_without_rich_is_refused_before_anything_is_sent(sandbox: Any) -> None:
    async def main() -> str:
        async with AsyncClickSend(
            "sandbox", "sandbox-key", base_url="http://s/v3", transport=AsyncSandboxTransport(sandbox)
        ) as cs:
            with pytest.raises(ConfigurationError) as info:
                await cs.send_bulk(MESSAGES, media_file=MEDIA, progress=True)
            assert (await cs.history()).total == 0
            return str(info.value)

    text = asyncio.run(main())
    assert pip_install("cli") in text and "Nothing was sent" in text


def test_a_progress_bar_with_rich_sends(sandbox: Any) -> None:
    assert bulk(sandbox, {"progress": True}) == (len(MESSAGES), len(MESSAGES))
