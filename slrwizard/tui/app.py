"""The Textual application: routes the steps, owns the long-running work, explains every error.

The app receives its collaborators: ``connect`` builds the Wizard (and the AWS wiring) and blocks,
so it runs in a worker while the first screen already explains what is about to happen. Each step
is a screen that ends by dismissing a typed result; the callbacks below decide what comes next, so
the order of the walkthrough can be read in one place (``_after_*``).

The first frame needs Textual and the start screen only: the domain (pydantic, the state machine)
and the workers' messages are named here for the type checker, and load in the ``connect``
worker, after that frame.
"""

from __future__ import annotations

import gc
import threading
import traceback
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from slrwizard.domain import errors as e
from slrwizard.exit_codes import ExitCode
from slrwizard.tui.clock import Clock, SystemClock
from slrwizard.tui.presenter import mask
from slrwizard.tui.screens.start import StartScreen
from slrwizard.tui.work import CHANGING, Connect, WizardWork

if TYPE_CHECKING:
    from slrwizard.domain.executor import StepUpdate
    from slrwizard.domain.models import Caller, RoleDeletionStatus
    from slrwizard.domain.resume import PriorSession
    from slrwizard.tui.messages import (
        Connected,
        DeletionsSettled,
        RoleDeletionFinished,
        RoleStatusChanged,
        StepUpdated,
    )
    from slrwizard.tui.screens.role import RoleOutcome
    from slrwizard.tui.summary import Draft, ResourceOutcome


class DeletionView(Protocol):
    """A screen that shows the deletions' progress (the app forwards their news to it)."""

    def step_updated(self, update: StepUpdate) -> None: ...

    def deletions_settled(self, all_finished: bool) -> None: ...


class RoleView(Protocol):
    """A screen that shows the role deletion's progress."""

    def role_status(self, status: RoleDeletionStatus, polls: int) -> None: ...

    def role_finished(self, status: RoleDeletionStatus) -> None: ...


class WizardApp(WizardWork):
    """The slrwizard terminal UI.

    Args:
        connect: builds the wizard and its wiring; blocks (STS, moto start-up), so it runs in a
            thread worker.
        presenter: start in presenter mode (masked account IDs, narration, big step banner).
        read_only: walk through everything but never offer a destructive action.
        demo: the account is the embedded sandbox (shown in the header).
        clock: the source of "now" for display; tests and screenshots pass a frozen one.
    """

    CSS_PATH = "app.tcss"
    TITLE = "slrwizard"
    SUB_TITLE = "remove AWSServiceRoleForRDS"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("p", "toggle_presenter", "Presenter"),
        Binding("q", "request_quit", "Quit"),
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
    ]

    presenter: reactive[bool] = reactive(False)
    """Presenter mode: masks account IDs, narrates, enlarges the step banner."""
    caller: reactive[Caller | None] = reactive(None)
    """Who is running the wizard, once STS has answered."""

    def __init__(
        self,
        connect: Connect,
        *,
        presenter: bool = False,
        read_only: bool = False,
        demo: bool = False,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(connect)
        self.read_only = read_only
        self.demo = demo
        self.clock: Clock = clock or SystemClock()
        self.set_reactive(WizardApp.presenter, presenter)
        self.drafts: dict[str, Draft] = {}
        """The operator's plan choices, kept when they step back and forth."""
        self.outcomes: list[ResourceOutcome] = []
        """What each deletion round did, for the final summary."""
        self.last_scan_at: datetime | None = None
        """When the latest scan finished, by the app's clock (shown as proof on screen)."""
        self.deletion_view: DeletionView | None = None
        self.role_view: RoleView | None = None
        self._leaving = False

    # -- modes ------------------------------------------------------------------------------
    def mask(self, text: str) -> str:
        """``text`` as the screen may show it: account IDs masked in presenter mode."""
        return mask(text) if self.presenter else text

    def watch_presenter(self, presenter: bool) -> None:
        self.set_class(presenter, "-presenter")

    def action_toggle_presenter(self) -> None:
        """Toggle presenter mode (every screen re-renders its text)."""
        self.presenter = not self.presenter
        self.notify(
            "Presenter mode on: account IDs are masked."
            if self.presenter
            else "Presenter mode off.",
            timeout=3,
        )

    def action_help(self) -> None:
        """Show the keys and what the current step does."""
        from slrwizard.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # -- the walkthrough, in order -----------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        """The start screen is the app's first and bottom screen: each step is pushed over it.

        As the default screen rather than one pushed over Textual's blank one, the first frame
        composes, styles and lays out one screen, not two (~30 ms of CPU, benchmarks/startup.py).
        """
        return StartScreen()

    def on_mount(self) -> None:
        self.set_class(self.presenter, "-presenter")
        # After the first paint: the worker's imports (boto3, moto) would otherwise compete
        # with it for the CPU (benchmarks/startup.py).
        self.call_after_refresh(self.connect_session)

    def on_connected(self, message: Connected) -> None:
        self.wizard, self.wiring = message.wizard, message.wiring
        self.caller = message.wizard.caller
        # boto3, the domain (and moto with --demo) are loaded now and stay: out of the cyclic
        # collector's reach, as Textual was before the first frame (launch.py). Full collections
        # walked ~240,000 objects, 100-270 ms with every thread stopped, during a large scan
        # (benchmarks/scale.py).
        gc.freeze()

    def begin_inspection(self) -> None:
        """Step 1, from the start screen."""
        from slrwizard.tui.screens.inspect import InspectScreen

        self.push_screen(InspectScreen(), self._after_inspect)

    def _after_inspect(self, result: Literal["scan", "finished"] | None) -> None:
        if result == "finished":
            self._show_done()
        else:
            self._show_scan("scan")

    def _show_scan(self, mode: Literal["scan", "back", "show"]) -> None:
        from slrwizard.tui.screens.scan import ScanScreen

        self.push_screen(ScanScreen(mode), self._after_scan)

    def _after_scan(self, result: Literal["plan", "role"] | None) -> None:
        if result == "role":
            self._show_role(rescan=False)
        else:
            from slrwizard.tui.screens.plan import PlanScreen

            self.push_screen(PlanScreen(), self._after_plan)

    def _after_plan(self, result: Literal["confirmed", "back", "preview"] | None) -> None:
        if result == "confirmed":
            from slrwizard.tui.screens.progress import ProgressScreen

            self.clear_notifications()  # a new phase: yesterday's toasts would cover it
            self.delete_resources()
            self.push_screen(ProgressScreen(), self._after_progress)
        elif result == "preview":
            self._show_role(rescan=False, preview=True)
        else:
            self._show_scan("show")

    def _after_progress(self, _: bool | None) -> None:
        self._show_role(rescan=True)

    def _show_role(self, *, rescan: bool, preview: bool = False) -> None:
        from slrwizard.tui.screens.role import RoleScreen

        self.push_screen(RoleScreen(rescan=rescan, preview=preview), self._after_role)

    def _after_role(self, result: RoleOutcome | None) -> None:
        if result is None or result.next == "done":
            self._show_done()
        elif result.next == "back-to-scan":
            self._show_scan("back")
        else:
            self._show_scan("show")

    def _show_done(self) -> None:
        from slrwizard.tui.screens.done import DoneScreen

        self.push_screen(DoneScreen())

    def ask_resume(self, prior: PriorSession) -> bool:
        """Ask whether to resume ``prior``; called by ``connect_wizard`` from its worker thread.

        Blocks that thread (not the UI) until the operator answers. Quitting meanwhile answers
        "start fresh", so the thread never waits forever.
        """
        from slrwizard.tui.screens.dialogs import ConfirmDialog

        answered = threading.Event()
        answer: list[bool] = []

        def record(resume: bool | None) -> None:
            answer.append(bool(resume))
            answered.set()

        dialog = ConfirmDialog(
            "Resume the interrupted walkthrough?",
            self.mask("\n".join(prior.summary())),
            yes="Resume it",
            no="Start fresh",
            focus_yes=True,
        )
        self.call_from_thread(self.push_screen, dialog, record)
        while not answered.wait(0.2):
            if self._leaving or not self.is_running:
                return False
        if answer[0]:
            self.prior = prior
        return answer[0]

    # -- news from app-owned work, for whichever screen shows it ----------------------------
    def on_step_updated(self, message: StepUpdated) -> None:
        if self.deletion_view is not None:
            self.deletion_view.step_updated(message.update)

    def on_deletions_settled(self, message: DeletionsSettled) -> None:
        if self.deletion_view is not None:
            self.deletion_view.deletions_settled(message.all_finished)

    def on_role_status_changed(self, message: RoleStatusChanged) -> None:
        if self.role_view is not None:
            self.role_view.role_status(message.status, message.polls)

    def on_role_deletion_finished(self, message: RoleDeletionFinished) -> None:
        if self.role_view is not None:
            self.role_view.role_finished(message.status)

    @property
    def changing(self) -> bool:
        """True while a worker that changes AWS is running (deletions, role deletion)."""
        return any(w.group == CHANGING and w.is_running for w in self.workers)

    # -- the one place errors arrive ---------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure: tell the screens (to re-enable what waited), explain it."""
        if event.state is not WorkerState.ERROR or self._leaving:
            return
        error = event.worker.error
        name = event.worker.name
        from slrwizard.tui.screens.base import WizardScreen

        for screen in self.screen_stack:
            if isinstance(screen, WizardScreen):
                screen.work_failed(name, error)
        if name == "connect":
            self.show_error(error, then_exit=True)
        else:
            self.show_error(error)

    def show_error(self, error: BaseException | None, *, then_exit: bool = False) -> None:
        """An error dialog with the explanation and what to do; never a traceback."""
        from slrwizard.tui.screens.dialogs import ErrorDialog

        if isinstance(error, e.WizardError):
            title, explanation, hint = error.title, error.explanation, error.hint
        else:
            title = "Unexpected error"
            explanation = f"{type(error).__name__}: {error}. Nothing further was changed."
            hint = _record_crash(error)
        dialog = ErrorDialog(title, self.mask(explanation), self.mask(hint))
        self.push_screen(dialog, (lambda _: self.finish(ExitCode.FAILURE)) if then_exit else None)

    # -- leaving -----------------------------------------------------------------------------
    def action_quit(self) -> None:  # type: ignore[override]
        """The command palette's Quit goes through the same question as ``q``."""
        self.action_request_quit()

    def action_request_quit(self) -> None:
        """Quit; while AWS is being changed, ask first and stop cleanly."""
        from slrwizard.tui.screens.dialogs import ConfirmDialog

        if self._leaving or isinstance(self.screen, ConfirmDialog):
            return
        if not self.changing:
            self._leave()
            return
        dialog = ConfirmDialog(
            "Stop and quit?",
            "Deletions are running in AWS. Quitting stops each one after its current call; "
            "whatever was started stays as AWS leaves it, and the journal records where each "
            "stopped. Start the wizard again to finish.",
            yes="Stop and quit",
            no="Keep going",
        )
        self.push_screen(dialog, self._quit_answered)

    def _quit_answered(self, stop: bool | None) -> None:
        if stop:
            self._leaving = True
            self.notify("Stopping after the current AWS call…", timeout=30)
            self.stop_and_quit("the operator quit mid-deletion", ExitCode.INTERRUPTED)

    def _leave(self) -> None:
        wizard = self.wizard
        if wizard is None or wizard.state == "done":
            self.finish(ExitCode.OK if wizard is not None else ExitCode.INTERRUPTED)
            return
        self._leaving = True
        self.stop_and_quit("the operator quit", ExitCode.INTERRUPTED)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers the wizard's actions on this screen, plus the app's own."""
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command
        yield SystemCommand(
            "Presenter mode", "Mask account IDs and narrate (p)", self.action_toggle_presenter
        )
        yield SystemCommand("Help", "Keys and what this step does (?)", self.action_help)
        if isinstance(screen, ModalScreen):
            return
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if active.node is screen and active.enabled and binding.description:
                help_text = binding.tooltip or f"Key: {binding.key_display or key}"
                yield SystemCommand(
                    binding.description,
                    help_text,
                    partial(self.run_action, binding.action, screen),
                )


def _record_crash(error: BaseException | None) -> str:
    """Write the traceback to the state directory; return where it went."""
    from slrwizard.paths import state_dir

    path = state_dir() / "crash.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            if error is not None:
                traceback.print_exception(error, file=fh)
    except OSError:
        return "Please report this, with what you were doing."
    return f"Details for a bug report were written to {path}."
