"""``OutputFolder`` (a file per trial, ``screener compile --out-dir``) writes as ``write_atomically``
does: whole or not at all, permissions kept, links written through, anything else refused."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from screener import output
from screener.output import OutputError, OutputFolder, write_atomically


def in_folder(path: Path, text: str) -> None:
    with OutputFolder(path.parent) as folder:
        folder.write(path.name, text)


WRITERS: list[Callable[[Path, str], None]] = [write_atomically, in_folder]


def fifo(path: Path) -> None:
    os.mkfifo(path)


def directory(path: Path) -> None:
    path.mkdir()


def loop(path: Path) -> None:
    path.symlink_to(path)


@pytest.mark.parametrize("write", WRITERS)
@pytest.mark.parametrize("existing_mode, umask, expected_mode", [
    (None, 0o022, 0o644),  # a new file follows the umask
    (None, 0o077, 0o600),
    (0o640, 0o022, 0o640),  # an existing file keeps its permissions
    (0o604, 0o077, 0o604),
])
def test_permissions(tmp_path: Path, write: Callable[[Path, str], None], existing_mode: int | None, umask: int,
                     expected_mode: int) -> None:
    path = tmp_path / "NCT1.yaml"
    if existing_mode is not None:
        path.write_text("old")
        path.chmod(existing_mode)
    before = os.umask(umask)
    try:
        write(path, "new: ü\n")
    finally:
        os.umask(before)
    assert path.read_text(encoding="utf-8") == "new: ü\n"
    assert stat.S_IMODE(path.stat().st_mode) == expected_mode
    assert os.listdir(tmp_path) == ["NCT1.yaml"]


@pytest.mark.parametrize("write", WRITERS)
def test_a_symlink_is_written_through(tmp_path: Path, write: Callable[[Path, str], None]) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "a.yaml"
    target.write_text("old")
    (tmp_path / "out").mkdir()
    link = tmp_path / "out" / "a.yaml"
    link.symlink_to(target)
    write(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert os.listdir(tmp_path / "out") == ["a.yaml"] and os.listdir(tmp_path / "real") == ["a.yaml"]


@pytest.mark.parametrize("write", WRITERS)
@pytest.mark.parametrize("make", [fifo, directory, loop])
def test_anything_but_a_file_is_refused(tmp_path: Path, write: Callable[[Path, str], None],
                                        make: Callable[[Path], None]) -> None:
    path = tmp_path / "a.yaml"
    make(path)
    with pytest.raises(OutputError):
        write(path, "x")
    assert os.listdir(tmp_path) == ["a.yaml"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text("old")

    def full(handle: int, data: bytes) -> None:
        os.write(handle, data[:3])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output, "_write_all", full)
    with pytest.raises(OSError), OutputFolder(tmp_path) as folder:
        folder.write("a.yaml", "new text")
    assert os.listdir(tmp_path) == ["a.yaml"] and (tmp_path / "a.yaml").read_text() == "old"


def test_a_temporary_file_left_by_a_killed_process_is_not_reused(tmp_path: Path) -> None:
    left = tmp_path / f".a.yaml.{os.getpid()}.tmp"
    left.write_text("someone else's")
    with OutputFolder(tmp_path) as folder:
        folder.write("a.yaml", "new")
    assert (tmp_path / "a.yaml").read_text() == "new" and left.read_text() == "someone else's"
    assert sorted(os.listdir(tmp_path)) == sorted([left.name, "a.yaml"])


def test_the_folder_is_made_and_a_file_in_its_place_is_refused(tmp_path: Path) -> None:
    with OutputFolder(tmp_path / "new" / "rules") as folder:
        folder.write("a.yaml", "x")
    assert (tmp_path / "new" / "rules" / "a.yaml").read_text() == "x"
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="not a folder"), OutputFolder(tmp_path / "file"):
        pass


def test_large_text_is_written_whole(tmp_path: Path) -> None:
    text = "criterion: " + "x" * 3_000_000 + "\n"
    with OutputFolder(tmp_path) as folder:
        folder.write("big.yaml", text)
    assert (tmp_path / "big.yaml").read_text() == text
