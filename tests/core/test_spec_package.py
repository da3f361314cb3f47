"""clicksend_mms_spec: the one way every layer finds the spec (the wheel's packaged copy: tests/packaging)."""

from __future__ import annotations

import clicksend_mms_spec
import yaml

from tests.helpers.spec import ROOT


def test_a_checkout_reads_the_spec_it_holds() -> None:
    # generate.py, the tests and `make fuzz` in a checkout must read spec/ as it is now, never an installed copy.
    assert clicksend_mms_spec.path() == ROOT / "spec" / "clicksend-mms.yaml"


def test_load_parses_the_file_as_plain_yaml_does() -> None:
    with clicksend_mms_spec.path().open(encoding="utf-8") as fh:
        assert clicksend_mms_spec.load() == yaml.safe_load(fh)


def test_every_call_gets_its_own_copy() -> None:
    first = clicksend_mms_spec.load()
    first["paths"].clear()
    assert clicksend_mms_spec.load()["paths"], "a shared cached dict would let one reader change another's spec"
