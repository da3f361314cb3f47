"""The journal's input copy: read back from the file (a resume in a new process) it gives the same messages with the
same tags as the run that wrote it; a version-1 journal (one tagged message a line) still resumes after an upgrade;
a repeated custom_string anywhere in the input writes no job."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clicksend_mms.journal import IN_FLIGHT, NOT_SENT, PENDING, SENT, DuplicateTagError, Journal, added_tag

MEDIA = "https://example.com/cat.jpg"


def _messages(count: int) -> list[dict[str, str]]:
    # every third message carries its own custom_string; the rest get the journal's tag
    return [
        {"to": "+61411111111", "body": f"message {i}", **({"custom_string": f"own-{i}"} if i % 3 == 0 else {})}
        for i in range(count)
    ]


def test_a_resume_reads_back_the_messages_and_tags_the_first_run_sent(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    count = 2_345  # three chunks, the last one short
    with Journal.open(path) as first:
        first.create(MEDIA, _messages(count))
        in_memory = list(first.to_send())
        first.answered(first.leave([0, 1, 2], [m["custom_string"] for _, m in in_memory[:3]]), [])
        assert first.job is not None
    with Journal.open(path) as again:  # a new process: only the file
        assert again.count == count and again.state[:4] == bytes([SENT, SENT, SENT, PENDING])
        read_back = list(again.to_send())
    assert read_back == in_memory[3:]
    tags = [m["custom_string"] for _, m in in_memory]
    assert tags[:4] == ["own-0", added_tag(first.job, 1), added_tag(first.job, 2), "own-3"]
    added = [tag for tag in tags if tag.startswith("cs-")]
    assert len(set(tags)) == count and added == sorted(added)  # the journal's tags sort in input order


def test_a_version_1_journal_still_resumes(tmp_path: Path) -> None:
    path = tmp_path / "v1.journal"
    lines = [
        {"kind": "job", "version": 1, "job": "0123456789ab", "media_file": MEDIA, "created": 1.0},
        *(
            {
                "kind": "message",
                "i": i,
                "m": {"to": "+61411111111", "body": f"m{i}", "custom_string": f"cs-0123456789ab-{i}"},
            }
            for i in range(4)
        ),
        {"kind": "input", "count": 4},
        {"kind": "leave", "batch": 0, "at": 2.0, "i": [0, 1], "tags": ["cs-0123456789ab-0", "cs-0123456789ab-1"]},
        {"kind": "answered", "batch": 0, "r": [[0, "a", "SUCCESS"], [1, "b", "SUCCESS"]]},
        {"kind": "leave", "batch": 1, "at": 3.0, "i": [2], "tags": ["cs-0123456789ab-2"]},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with Journal.open(path) as job:
        assert job.count == 4 and job.state == bytearray([SENT, SENT, IN_FLIGHT, PENDING])
        assert list(job.in_flight) == [1]
        job.reconciled(1, [], [2], [])
        assert job.state[2] == NOT_SENT
        # version 1 kept each message as it was tagged then: sent with that tag, not a new one
        assert [(i, m["custom_string"]) for i, m in job.to_send()] == [
            (2, "cs-0123456789ab-2"),
            (3, "cs-0123456789ab-3"),
        ]


@pytest.mark.parametrize("repeat_at", [7, 1_500])  # in the first chunk, and across chunks
def test_a_repeated_custom_string_writes_no_job(tmp_path: Path, repeat_at: int) -> None:
    messages = [{"to": "+61411111111", "body": f"m{i}"} for i in range(2_000)]
    messages[3]["custom_string"] = "mine"
    messages[repeat_at]["custom_string"] = "mine"
    path = tmp_path / "job.journal"
    with (
        Journal.open(path) as job,
        pytest.raises(DuplicateTagError, match="repeats message 3's custom_string") as caught,
    ):
        job.create(MEDIA, messages)
    assert caught.value.problems[0].path == ("messages", repeat_at, "custom_string")
    assert path.read_bytes() == b""
    with Journal.open(path) as job:
        assert not job.exists
