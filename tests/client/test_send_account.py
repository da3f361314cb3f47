"""The send account's index sets work on runs of indexes (one range operation per batch): judged against plain
Python sets under random operations, and a journaled job's account against its per-message states."""

from __future__ import annotations

import itertools

import pytest
from clicksend_mms.bulk import account_of
from clicksend_mms.journal import IN_FLIGHT, NOT_SENT, PENDING, SENT, Journal
from clicksend_mms.send_account import IndexSet, SendAccount, runs
from hypothesis import given, settings
from hypothesis import strategies as st

INDEXES = st.lists(st.integers(0, 60), max_size=25) | st.builds(range, st.integers(0, 60), st.integers(0, 60))
OPS = st.lists(st.tuples(st.sampled_from(["taken", "leaving", "answered", "refused"]), INDEXES), max_size=30)


@settings(max_examples=300, deadline=None)
@given(INDEXES)
def test_runs_cover_exactly_the_indexes(indexes: list[int] | range) -> None:
    found = [(start, stop) for start, stop in runs(indexes)]
    assert [i for start, stop in found for i in range(start, stop)] == list(indexes)
    assert all(start < stop for start, stop in found)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 80), st.integers(0, 80)), max_size=40))
def test_index_set_agrees_with_a_set(steps: list[tuple[bool, int, int]]) -> None:
    ours, model = IndexSet(), set[int]()
    for adding, start, stop in steps:
        if adding:
            ours.add_range(start, stop)
            model.update(range(start, stop))
        else:
            ours.discard_range(start, stop)
            model.difference_update(range(start, stop))
        assert list(ours) == sorted(model)
        assert len(ours) == len(model)
        spans = ours.ranges()
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))  # merged: no touching ranges


@settings(max_examples=300, deadline=None)
@given(OPS)
def test_account_agrees_with_per_message_sets(ops: list[tuple[str, list[int] | range]]) -> None:
    account = SendAccount()
    sent, maybe, not_sent = set[int](), set[int](), set[int]()
    for name, indexes in ops:
        getattr(account, name)(indexes)
        for i in indexes:
            if name == "taken":
                not_sent.add(i)
            elif name == "leaving":
                not_sent.discard(i)
                maybe.add(i)
            elif name == "answered":
                maybe.discard(i)
                not_sent.discard(i)
                sent.add(i)
            else:
                maybe.discard(i)
                sent.discard(i)
                not_sent.add(i)
    assert (set(account.sent), set(account.may_have_been_sent), set(account.not_sent)) == (sent, maybe, not_sent)
    assert account.read == max((i + 1 for name, ix in ops if name == "taken" for i in ix), default=0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([PENDING, SENT, IN_FLIGHT, NOT_SENT]), max_size=60))
def test_a_journal_account_follows_states(tmp_path_factory: pytest.TempPathFactory, states: list[int]) -> None:
    with Journal.open(tmp_path_factory.mktemp("job") / "job.journal") as job:
        job.create("https://example.com/a.jpg", [{"to": "+61411111111", "body": "x"}] * len(states))
        job.state[:] = bytes(states)
        account = account_of(job)
    assert set(account.sent) == {i for i, s in enumerate(states) if s == SENT}
    assert set(account.may_have_been_sent) == {i for i, s in enumerate(states) if s == IN_FLIGHT}
    assert set(account.not_sent) == {i for i, s in enumerate(states) if s in (PENDING, NOT_SENT)}
    assert account.read == len(states) and account.complete
