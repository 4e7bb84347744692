"""The data cache: a value is built once per set of sources, read back after, renewed when
a source changes, and an unwritable cache is no error."""

from __future__ import annotations

from screener import datacache


def test_built_once_then_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENER_CACHE_DIR", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"value": len(calls)}

    assert datacache.cached("thing", [b"source"], build) == {"value": 1}
    assert datacache.cached("thing", [b"source"], build) == {"value": 1}
    assert calls == [1]
    assert datacache.cached("thing", [b"changed"], build) == {"value": 2}  # a new key, never a stale entry


def test_single_keeps_only_the_current_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENER_CACHE_DIR", str(tmp_path))
    datacache.cached("data", [b"a"], lambda: 1, single=True)
    datacache.cached("data", [b"b"], lambda: 2, single=True)
    assert len(list(tmp_path.glob("data-*.pickle"))) == 1


def test_a_broken_entry_is_rebuilt_and_an_unwritable_cache_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENER_CACHE_DIR", str(tmp_path))
    datacache.cached("x", [b"s"], lambda: 1)
    next(tmp_path.glob("x-*.pickle")).write_bytes(b"not a pickle")
    assert datacache.cached("x", [b"s"], lambda: 2) == 2
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("SCREENER_CACHE_DIR", str(blocker / "sub"))
    assert datacache.cached("y", [b"s"], lambda: 3) == 3
