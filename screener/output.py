"""Writing output files safely: whole or not at all, never replacing what is not a file.

A report or screening log holds patient data, and ``--out`` may name anything: a symlink
(written through, to its target), an existing file (its permissions kept), a device such as
``/dev/null`` or a folder (refused: as root, replacing /dev/null with a regular file would
break the system).  The text goes to a temporary file beside the target, renamed over it
at the end; an error, Ctrl-C, SIGTERM or SIGHUP removes the temporary file.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from .errors import InputError
from .yamlio import printable_name


class OutputError(InputError):
    """An output path that cannot be written safely."""


def target_of(path: Path) -> Path:
    """The file that writing to ``path`` must change: a symlink's final target."""
    if not path.is_symlink():
        return path
    resolved = Path(os.path.realpath(path))
    if resolved.is_symlink():  # realpath stops on a loop
        raise OutputError("is a symbolic link loop", file=printable_name(path))
    return resolved


def _existing_mode(path: Path) -> int | None:
    """The permissions to keep, or None for a new file; refuses anything but a regular file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return _kept_mode(path, info)


def _kept_mode(path: Path, info: os.stat_result) -> int:
    """The permissions of the existing ``path`` (``info``, not a link), if it is a regular file."""
    if stat.S_ISDIR(info.st_mode):
        raise OutputError("is a directory, not a file", file=printable_name(path))
    if not stat.S_ISREG(info.st_mode):
        raise OutputError("is not a regular file (a device, pipe or socket): it is not replaced;"
                          " give a file name", file=printable_name(path))
    return stat.S_IMODE(info.st_mode)


def _target_and_mode(path: Path) -> tuple[Path, int | None]:
    """``target_of(path)`` and ``_existing_mode`` of it, with one look at the file when it is no
    link (a batch's new files: most writes)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path, None
    if stat.S_ISLNK(info.st_mode):
        target = target_of(path)
        return target, _existing_mode(target)
    return path, _kept_mode(path, info)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP end the write like Ctrl-C, so that cleanup runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def write_atomically(path: Path, chunks: Iterable[str] | str) -> None:
    """Write text (or text chunks, streamed) through a temporary file in the same folder,
    then rename over the target: an error or a signal never leaves half a file."""
    target = target_of(Path(path))
    mode = _existing_mode(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _signals_raise():
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            os.fchmod(handle, _new_file_mode() if mode is None else mode)
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.writelines([chunks] if isinstance(chunks, str) else chunks)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class OutputFolder:
    """Many files written whole into one folder, as ``write_atomically`` writes one (``screener
    compile --out-dir``: a file per trial).  The folder is made and the signal handlers are set
    once for the batch, and each file costs four system calls on the way (open, write, close,
    rename) and one look at the target: per file, the set-up was half the cost of writing it.

        with OutputFolder(Path("rules")) as folder:
            folder.write("NCT02213705.yaml", text)
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._signals = _signals_raise()
        self._tag = f"{os.getpid()}.tmp"

    def __enter__(self) -> OutputFolder:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise OutputError("is a file, not a folder: give a folder for the files", file=printable_name(self.folder)) from None
        self._signals.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._signals.__exit__(kind, error, trace)

    def write(self, name: str, text: str) -> None:
        """Write ``text`` as the file ``name`` of the folder, whole or not at all; an existing
        file keeps its permissions, a symbolic link is written through, anything else is refused."""
        target, mode = _target_and_mode(self.folder / name)
        temporary = f"{target.parent}{os.sep}.{target.name}.{self._tag}"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o666)  # less the umask
        except FileExistsError:  # left by a killed process of the same number: a fresh name
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            mode = _new_file_mode() if mode is None else mode
        try:
            if mode is not None:
                os.fchmod(handle, mode)
            _write_all(handle, text.encode("utf-8"))
            os.close(handle)
            handle = -1
            os.replace(temporary, target)
        except BaseException:
            if handle >= 0:
                os.close(handle)
            Path(temporary).unlink(missing_ok=True)
            raise


_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _write_all(handle: int, data: bytes) -> None:
    """``os.write`` until every byte is written (a write may take fewer than it is given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]
