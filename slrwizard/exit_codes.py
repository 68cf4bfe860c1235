"""The process exit codes of every ``slrwizard`` command, defined once.

Scripts and CI jobs branch on these numbers (the README's "Exit codes" table documents them), so
they must not drift between the wizard, the report, the journal commands and the signal handlers.
A leaf module: it imports nothing from the project, so any layer may use it without a cycle.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a finished ``slrwizard`` process tells its caller."""

    OK = 0
    """Done: the walkthrough finished (role deleted, or it did not exist), or the report scanned
    every region, or the journal command did what it was asked."""
    FAILURE = 1
    """The run failed: no credentials, access denied where it ends the run, an AWS error, an
    unreadable journal, or ``journal export --verify`` found a snapshot that is not available."""
    USAGE = 2
    """Bad usage, found before anything is asked of AWS: an unknown option, an invalid value, an
    unknown journal session, or an AWS configuration that cannot work (unknown profile,
    malformed config file, missing CA bundle, invalid endpoint URL)."""
    INCOMPLETE = 3
    """Report: some region was disabled, denied or failed, so "nothing found" is not proof."""
    SIGHUP = 129
    """Ended by SIGHUP (a dropped SSH session): 128 + 1, the shell's convention."""
    INTERRUPTED = 130
    """Ended by SIGINT (Ctrl-C), or the operator quit the wizard before its end: 128 + 2. The
    journal's last record says where; the wizard uses the same number for a quit as for Ctrl-C
    because to a script both mean "stopped by the person at the keyboard"."""
    SIGTERM = 143
    """Ended by SIGTERM: 128 + 15."""
