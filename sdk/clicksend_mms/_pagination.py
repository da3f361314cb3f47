"""Walk Laravel-style pages (``current_page`` / ``last_page`` / ``data``) to the end, sync or async."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol, TypeVar


class Page(Protocol):
    current_page: int
    last_page: int

    @property
    def data(self) -> list[Any]: ...


P = TypeVar("P", bound=Page)


def next_page(page: Page, requested: int) -> int | None:
    """The page to ask for after ``page``, or None when done.

    Stops on an empty page, at ``last_page`` (``last_page`` 0 means "no rows"), and when the server answers
    an earlier page than asked for (it ignored ``page``), so a misbehaving server cannot loop us forever.
    """
    if not page.data:
        return None
    current = page.current_page or requested
    if current < requested or current >= page.last_page:
        return None
    return current + 1


def pages(fetch: Callable[[int], P], start: int = 1) -> Iterator[P]:
    number: int | None = start
    while number is not None:
        page = fetch(number)
        yield page
        number = next_page(page, number)


async def apages(fetch: Callable[[int], Awaitable[P]], start: int = 1) -> AsyncIterator[P]:
    number: int | None = start
    while number is not None:
        page = await fetch(number)
        yield page
        number = next_page(page, number)


class Seen:
    """Rows can shift across page boundaries while we walk (new messages arrive); yield each key once."""

    def __init__(self) -> None:
        self._keys: set[object] = set()

    def first_time(self, key: object) -> bool:
        if key in self._keys:
            return False
        self._keys.add(key)
        return True
