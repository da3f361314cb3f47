"""`make bench`: clicksend-mms measured against json.loads, the official SDK, raw httpx and Prism.

Run everything with ``python -m benchmarks`` (``--quick`` for a smoke run, ``--only``/``--skip`` for
sections). Every figure is a median over repeated, interleaved runs with its IQR, and every comparison is a
ratio inside one run. See benchmarks/README.md.
"""
