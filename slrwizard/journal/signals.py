"""Make SIGINT, SIGTERM and SIGHUP (a dropped SSH session) end the session in the journal.

Without this, a terminal closed in the middle of a deletion would leave a journal whose last line
says a call was about to be made, and nothing after. The launcher installs handlers for the time
the wizard runs::

    ender = signals.end_session_on_signal(lambda: app.wizard, then=schedule_app_exit)
    with signals.install(ender):
        app.run()

``schedule_app_exit(name)`` should ask the app to exit with :func:`exit_code` (e.g. through the
event loop's ``call_soon_threadsafe``) rather than raise inside the UI's loop.

On a signal, :func:`end_session_on_signal` asks running deletions to stop after their current AWS
call, waits a little for them, then aborts the wizard, which writes ``session-ended`` (reason: the
signal and the step it interrupted). The journal's lock is re-entrant, so writing from the
handler cannot deadlock with a record the main thread was writing. Handlers run on the main
thread between two Python instructions: they must be installed from the main thread.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

from slrwizard.exit_codes import ExitCode

if TYPE_CHECKING:  # the TUI installs these handlers before its first frame, the domain later
    from slrwizard.domain.wizard import Wizard

SignalCallback = Callable[[str], None]
HANDLED = ("SIGINT", "SIGTERM", "SIGHUP")
EXIT_CODES = {
    "SIGINT": ExitCode.INTERRUPTED,
    "SIGTERM": ExitCode.SIGTERM,
    "SIGHUP": ExitCode.SIGHUP,
}
"""The shell's convention, 128 + the signal number, so scripts can tell what stopped the run."""


def exit_code(name: str) -> int:
    """The process exit code after signal ``name`` (130 for SIGINT, 143 SIGTERM, 129 SIGHUP)."""
    return EXIT_CODES.get(name, 128 + int(getattr(signal, name, 0)))


class InstalledHandlers:
    """Our handlers, and the ones they replaced (put back by :meth:`restore`)."""

    def __init__(self, on_signal: SignalCallback, names: Sequence[str]) -> None:
        self.on_signal = on_signal
        self.received: list[str] = []
        self._handling = False
        self._previous: dict[signal.Signals, Any] = {}
        for name in names:
            number = getattr(signal, name, None)
            if number is None:  # e.g. no SIGHUP on Windows
                continue
            self._previous[number] = signal.signal(number, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        self.received.append(name)
        if self._handling:  # a second signal while the first is handled: it is noted, no more
            return
        self._handling = True
        try:
            self.on_signal(name)
        finally:
            self._handling = False

    def restore(self) -> None:
        """Put the previous handlers back (idempotent)."""
        previous, self._previous = self._previous, {}
        for number, handler in previous.items():
            signal.signal(number, handler)

    def __enter__(self) -> InstalledHandlers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()


def install(on_signal: SignalCallback, signals: Sequence[str] = HANDLED) -> InstalledHandlers:
    """Call ``on_signal(name)`` on SIGINT/SIGTERM/SIGHUP until the handlers are restored.

    Use the result as a context manager (previous handlers come back on exit) or call
    ``restore()`` yourself. ``on_signal`` decides what happens next: raise ``SystemExit`` with
    :func:`exit_code`, or ask the app to exit. If it returns, the program carries on.

    Raises:
        ValueError: not called from the main thread (Python delivers signals there only).
    """
    return InstalledHandlers(on_signal, signals)


def end_session_on_signal(
    wizard: Wizard | Callable[[], Wizard | None],
    *,
    grace: float = 10.0,
    then: SignalCallback | None = None,
) -> SignalCallback:
    """A callback for :func:`install` that closes the running session in the journal.

    Args:
        wizard: the running wizard (its listeners include the journal), or a function returning
            it: the launcher installs handlers on the main thread before ``connect_wizard`` has
            made the wizard in a worker, so it passes e.g. ``lambda: app.wizard``. None (no
            session yet) skips straight to ``then``.
        grace: seconds to let running AWS calls finish and be journaled before giving up on
            them. A call cut off mid-flight stays ``running`` in the journal: a resume re-reads
            AWS to learn whether it happened.
        then: called last, e.g. to make the app exit with :func:`exit_code`.
    """

    def on_signal(name: str) -> None:
        current = wizard() if callable(wizard) else wizard
        if current is not None:
            state = current.state.replace("_", " ")
            current.stop()
            _wait_for_steps(current, grace)
            current.abort(f"interrupted by {name} while {state}")
        if then is not None:
            then(name)

    return on_signal


def _wait_for_steps(wizard: Wizard, grace: float) -> None:
    from slrwizard.domain.executor import ResourceState

    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(
        p.state is ResourceState.RUNNING for p in wizard.progress.values()
    ):
        time.sleep(0.05)


@contextmanager
def ending_session(wizard: Wizard, *, grace: float = 10.0) -> Iterator[InstalledHandlers]:
    """For headless runs: end the session on a signal, then exit with :func:`exit_code`."""

    def leave(name: str) -> None:
        raise SystemExit(exit_code(name))

    with install(end_session_on_signal(wizard, grace=grace, then=leave)) as handlers:
        yield handlers
