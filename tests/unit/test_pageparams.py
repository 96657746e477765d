"""Page parameters from Voilà's QUERY_STRING, read safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from codevwidgets.pageparams import query_parameters, runbook_from_query


def test_known_keys_only_first_value_wins() -> None:
    environ = {"QUERY_STRING": "session=abc&key=K1&key=K2&evil=1&lang=fr&name=Ana%20B"}
    assert query_parameters(environ) == {
        "session": "abc",
        "key": "K1",
        "lang": "fr",
        "name": "Ana B",
    }
    assert query_parameters({}) == {}


def test_runbook_from_query_stays_inside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text("extends: classic\n", encoding="utf-8")
    assert runbook_from_query("flash", tmp_path) == "flash"
    assert runbook_from_query("acme.yaml", tmp_path) == str((tmp_path / "acme.yaml").resolve())
    for bad in ("../outside.yaml", "/etc/passwd", "acme.txt"):
        with pytest.raises(ValueError, match="neither a preset nor a runbook file"):
            runbook_from_query(bad, tmp_path)
