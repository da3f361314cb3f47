"""Contract fuzzing for clicksend-mms: `python -m clicksend_mms_fuzz` (what `make fuzz` runs).

Modules:
- ``formats``  hypothesis strategies for the spec's custom string formats (ClickSend-looking values);
- ``hooks``    the schemathesis hooks module named in schemathesis.toml (formats, spend guard, custom checks,
               the statistics handler);
- ``checks``   custom checks no built-in covers (pagination disjointness, cancel finality);
- ``guard``    the live-mode spend guard (free operations and test recipients only, unless opted in);
- ``plan``     what a run will do, decided from the environment and stated up front;
- ``target``   starting the embedded sandbox on a free 127.0.0.1 port;
- ``stats``    per-operation / per-check counters collected during the run, and the summary printed after it.
"""

TEST_RECIPIENTS = (
    "+61411111111",
    "+61422222222",
    "+61433333333",
    "+61444444444",
    "+14055555555",
    "+14055555666",
    "+447777777777",
    "+8615555555555",
)
"""ClickSend's documented test recipients: a send to them succeeds, is never delivered and costs nothing."""
