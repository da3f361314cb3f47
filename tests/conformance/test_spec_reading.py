"""What the check takes from the spec, and from nowhere else: codecs by their x-codec names, the API's base path."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from clicksend_mms import codecs
from clicksend_mms.conformance import Category, SpecError, check
from clicksend_mms.conformance.spec import Spec, default_spec, runtime_codecs

from tests.conformance.har import entry, write_har
from tests.conformance.test_planted import HISTORY_ANSWER


def test_every_x_codec_of_the_spec_is_a_runtime_codec() -> None:
    spec = default_spec()
    assert set(runtime_codecs()) == {"money", "integer", "unix-time", "status-code", "text"}
    assert all(codec is getattr(codecs, codec.name.upper().replace("-", "_")) for codec in spec.codecs.values())


def test_a_spec_naming_a_codec_the_runtime_lacks_is_refused() -> None:
    document = copy.deepcopy(default_spec().document)
    document["components"]["schemas"]["Money"]["x-codec"] = "currency"
    with pytest.raises(SpecError, match=r"x-codec \['currency'\]"):
        Spec(document)


def test_the_base_path_comes_from_the_specs_servers(tmp_path: Path) -> None:
    document = copy.deepcopy(default_spec().document)
    document["servers"] = [{"url": "https://gateway.example/clicksend/v9"}]
    bad = copy.deepcopy(HISTORY_ANSWER)
    bad["data"]["data"][0]["message_price"] = True
    har = write_har(
        tmp_path / "t.har", [entry("GET", "https://gateway.example/clicksend/v9/mms/history", response=bad)]
    )
    (finding,) = check([har], Spec(document)).findings
    assert (finding.category, finding.codec) == (Category.UNKNOWN_VARIANT, "money")
    assert check([har]).checked == 0  # under the real spec's /v3 that path is another API
