"""wait_until (tests/helpers/waiting.py): goes on the moment the condition holds, fails saying what never did."""

from __future__ import annotations

import threading

import pytest

from tests.helpers.waiting import NeverHappened, wait_until


def test_returns_the_first_truthy_value_without_waiting_longer() -> None:
    calls = iter([[], [], ["slow"]])
    assert wait_until(lambda: next(calls), "the send is stored") == ["slow"]


def test_sees_what_another_thread_does_whenever_it_does_it() -> None:
    done = threading.Event()
    threading.Thread(target=done.set).start()
    assert wait_until(done.is_set, "the thread ran")


def test_a_condition_that_never_holds_fails_saying_what() -> None:
    with pytest.raises(NeverHappened, match="the send is stored: still not so after 0 s"):
        wait_until(lambda: [], "the send is stored", timeout=0.05)
