"""Where slrwizard keeps its files (XDG / platform conventions via platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """``$SLRWIZARD_STATE_DIR``, else the platform's user state directory."""
    override = os.environ.get("SLRWIZARD_STATE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_state_path

    return user_state_path("slrwizard", appauthor=False)


def default_journal() -> Path:
    return state_dir() / "journal.jsonl"


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` readable by its owner only (0600), as the journal is.

    A report names the account, its databases and who deleted them: it gets the journal's care,
    whatever the umask. An existing file is truncated and its mode narrowed too. Returns the
    absolute path, for the message that says where the report went.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):  # POSIX (Windows has no such modes)
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            fd = -1
            file.write(text)
    finally:
        if fd != -1:
            os.close(fd)
    return path.resolve()
