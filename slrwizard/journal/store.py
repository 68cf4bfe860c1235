"""The journal on disk: one JSON line per record, durable before the call it announces.

The wizard hands every record to :meth:`Journal.append` synchronously, and announces a mutating
call *before* making it. ``append`` therefore returns only once the line is on disk (written with
a single ``write`` in append mode, then ``fsync``): if the process dies a moment later, even by
SIGKILL or a power cut, the journal still says what was about to happen. If the line cannot be
written, ``append`` raises :class:`JournalError` and the call it announces is never made: an
action the journal cannot record is an action we do not take.

Records never hold credentials by construction; as a second line of defence, the values of the
credentials in use (and any ``user:password@`` in a URL) are blanked before a line is written.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from slrwizard.domain.errors import WizardError
from slrwizard.domain.records import Record

try:  # POSIX: also keep other slrwizard processes from interleaving their lines with ours
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl; O_APPEND alone must do
    fcntl = None  # type: ignore[assignment]

RECORD = TypeAdapter(Record)
"""Parses one journal line back into its record type (the union is discriminated by ``kind``)."""

_MIN_SECRET = 12  # shorter "secrets" (moto's "testing") would blank ordinary words
# Bounded repetitions: an unbounded scheme would backtrack quadratically over long records.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]{0,31}://)[^/@\s\"]{1,512}@")
REDACTED = "[redacted]"


class JournalError(WizardError):
    """The journal cannot be written: the wizard refuses to act without a record."""

    title = "Audit journal unavailable"


class Journal:
    """Appends records to one JSON-lines file; safe to share between threads and processes."""

    def __init__(self, path: Path, *, secrets: Iterable[str] = ()) -> None:
        """Prepare a journal at ``path`` (nothing is touched until :meth:`open` or ``append``).

        Args:
            path: the journal file; its folder is created (0700) if missing.
            secrets: values that must never reach the file (the session's credentials).
        """
        self.path = path
        self._secrets: list[str] = []
        self.add_secrets(secrets)
        # Re-entrant: a signal handler may interrupt the main thread in the middle of append();
        # it must be able to write the session's last record, not deadlock on this lock.
        self._lock = threading.RLock()

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Add values to blank out of every future line (longest first, so none is half-blanked)."""
        known = set(self._secrets) | {s for s in secrets if s and len(s) >= _MIN_SECRET}
        self._secrets = sorted(known, key=len, reverse=True)

    def open(self) -> Journal:
        """Create the file (0600) now, so an unwritable journal stops the run before any AWS call.

        Raises:
            JournalError: the folder or the file cannot be created or written.
        """
        with self._lock:
            self._write(b"")
        return self

    def append(self, record: Record) -> None:
        """Write ``record`` as one line and fsync it; the Wizard's listener.

        Raises:
            JournalError: the line could not be made durable (the caller must not go on).
        """
        line = self.scrub(record.model_dump_json()) + "\n"
        with self._lock:
            self._write(line.encode("utf-8"))

    def scrub(self, text: str) -> str:
        """``text`` without any known secret value and without passwords embedded in URLs."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        if "://" not in text:
            return text
        return _URL_USERINFO.sub(rf"\g<scheme>{REDACTED}@", text)

    def _write(self, data: bytes) -> None:
        try:
            created = not self.path.exists()
            if created:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(self.path, flags, 0o600)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                _tighten(fd)
                _write_all(fd, _after_torn_line(fd) + data)
                os.fsync(fd)
            finally:
                os.close(fd)  # also releases the flock
            if created:
                _fsync_dir(self.path.parent)
        except OSError as exc:
            raise JournalError(
                f"Could not write the audit journal {self.path}: {exc.strerror or exc}.",
                hint="Free some disk space or pass --journal with a writable file. Nothing was "
                "sent to AWS after this failure.",
                code="JournalWriteFailed",
            ) from None


def _tighten(fd: int) -> None:
    """Make an existing journal private again (0600) if someone widened its permissions."""
    mode = os.fstat(fd).st_mode & 0o777
    if mode & 0o077 and hasattr(os, "fchmod"):  # POSIX (Windows has no such modes)
        with contextlib.suppress(OSError):  # not ours to change: still better to keep the record
            os.fchmod(fd, 0o600)


def _after_torn_line(fd: int) -> bytes:
    """A newline if the file ends mid-line (a write cut short), so our line stays whole."""
    size = os.fstat(fd).st_size
    if not size:
        return b""
    os.lseek(fd, size - 1, os.SEEK_SET)  # O_APPEND still sends the write to the end
    return b"" if os.read(fd, 1) == b"\n" else b"\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(folder: Path) -> None:
    """Make a new file's directory entry durable too (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class JournalContents:
    """Every readable record of a journal file, in file order, and the lines that were not."""

    path: Path
    records: list[Record] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)
    """1-based numbers of lines that are not a record (a torn last line, another version)."""


def read_journal(path: Path) -> JournalContents:
    """Read every record of ``path``; a missing file is an empty journal.

    Raises:
        JournalError: the file exists but cannot be read.
    """
    contents = JournalContents(path)
    try:
        with path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    contents.records.append(RECORD.validate_json(raw))
                except (ValidationError, ValueError):
                    contents.unreadable.append(number)
    except FileNotFoundError:
        return contents
    except OSError as exc:
        raise JournalError(
            f"Could not read the audit journal {path}: {exc.strerror or exc}.",
            hint="Check the file's permissions, or pass --journal with another file.",
            code="JournalReadFailed",
        ) from None
    return contents
