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
