"""The Textual application: routes the steps, owns the long-running work, explains every error.

The app receives its collaborators: ``connect`` builds the Wizard (and the AWS wiring) and blocks,
so it runs in a worker while the first screen already explains what is about to happen. Each step
is a screen that ends by dismissing a typed result, or by posting a message from
:mod:`slrwizard.tui.messages` (begin, the plan is adopted, exit); one method, ``_next_step``,
decides what comes next, so the order of the walkthrough is read in one place and nowhere else:
no screen puts up another step. A screen is given only the app's narrow side
(:class:`~slrwizard.tui.actions.WizardActions`), never the app.

The first frame needs Textual and the start screen only (and the messages, plain dataclasses):
the domain (pydantic, the state machine) is named here for the type checker, and loads in the
``connect`` worker, after that frame.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual import on
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Button
from textual.worker import Worker, WorkerState

from slrwizard.collector import freeze_loaded
from slrwizard.domain import errors as e
from slrwizard.exit_codes import ExitCode
from slrwizard.tui.clock import Clock, SystemClock
from slrwizard.tui.messages import (
    BeginRequested,
    ChoicesChanged,
    Connected,
    DeletionsSettled,
    ExitRequested,
    PlanAdopted,
    RoleDeletionFinished,
    RoleStatusChanged,
    StepUpdated,
)
from slrwizard.tui.presenter import mask
from slrwizard.tui.screens.start import StartScreen
from slrwizard.tui.work import CHANGING, Connect, WizardWork

if TYPE_CHECKING:
    from slrwizard.domain.models import Caller
    from slrwizard.domain.resume import PriorSession
    from slrwizard.tui.screens.progress import ProgressScreen
    from slrwizard.tui.screens.role import RoleScreen
    from slrwizard.tui.summary import Draft, ResourceOutcome

StepName = Literal["start", "inspect", "scan", "plan", "review", "progress", "role", "done"]
"""The steps :meth:`WizardApp._next_step` routes between (``start`` and ``done`` end by message)."""


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
        # F1 reaches the help from inside a text field too, where ? is typed.
        Binding("f1", "help", "Help", show=False, priority=True),
        Binding("p", "toggle_presenter", "Presenter"),
        Binding("f", "finish_read_only", "Finish", tooltip="Finish (read-only): exit code 0"),
        Binding("q", "request_quit", "Quit"),
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
        # Ctrl-C asks the same question as q (the README promises it; Textual would copy text).
        Binding("ctrl+c", "request_quit", "Quit", show=False, priority=True),
    ]

    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    """Screens under 30 rows (80x24) fold the presenter's narration to a line and its banner."""
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    """Screens under 100 columns give identifiers the room, not the decorations."""

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
        super().__init__(connect, clock or SystemClock())
        self.read_only = read_only
        self.demo = demo
        self.set_reactive(WizardApp.presenter, presenter)
        self.presenter_at_start = presenter
        """Started with ``--presenter``: the screen is shared, so unmasking asks first."""
        self.drafts: dict[str, Draft] = {}
        """The operator's plan choices, kept when they step back and forth."""
        self.outcomes: list[ResourceOutcome] = []
        """What each deletion round did, for the final summary."""
        self.deletion_view: ProgressScreen | None = None
        """The screen this app put up to show the deletions (it hands their news to it)."""
        self.role_view: RoleScreen | None = None
        """The screen this app put up for step 4 (it hands the role deletion's news to it)."""
        self._prior_outcomes_added = False
        self._leaving = False

    @property
    def journal_path(self) -> Path | None:
        """Where this walkthrough's journal is written (None before connecting, or without one)."""
        return self.wiring.journal_path if self.wiring is not None else None

    # -- modes ------------------------------------------------------------------------------
    def mask(self, text: str) -> str:
        """``text`` as the screen may show it: account IDs masked in presenter mode."""
        return mask(text) if self.presenter else text

    def watch_presenter(self, presenter: bool) -> None:
        self.set_class(presenter, "-presenter")

    def action_toggle_presenter(self) -> None:
        """Toggle presenter mode (every screen re-renders its text).

        A session started with ``--presenter`` is being shared: one stray ``p`` would show the
        account to everyone watching, so turning it off there asks first.
        """
        from slrwizard.tui.screens.dialogs import ConfirmDialog

        if isinstance(self.screen, ConfirmDialog):
            return
        if self.presenter and self.presenter_at_start:
            dialog = ConfirmDialog(
                "Show account IDs to everyone watching?",
                "This session started in presenter mode: the screen is being shared. Turning "
                "presenter mode off shows account IDs and ARNs in full.",
                yes="Show them",
                no="Keep them masked",
            )
            self.push_screen(dialog, self._presenter_answered)
            return
        self._set_presenter(not self.presenter)

    def _presenter_answered(self, show: bool | None) -> None:
        if show:
            self._set_presenter(False)

    def _set_presenter(self, presenter: bool) -> None:
        self.presenter = presenter
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer lists only keys that act now (False hides one)."""
        if action == "finish_read_only":
            return self.read_only_finishable
        return True

    @property
    def read_only_finishable(self) -> bool:
        """Read-only, and the scan has been seen: there is a walkthrough to end on purpose."""
        wizard = self.wizard
        return (
            self.read_only
            and not self._leaving
            and wizard is not None
            and wizard.state in ("reviewing", "confirming", "deleting_role")
        )

    @on(Button.Pressed, "#finish-read-only")
    def action_finish_read_only(self) -> None:
        """End a read-only walkthrough on purpose: journaled as finished, exit code 0.

        Quitting (``q``) stays what it is everywhere, an interruption (130); a read-only session
        that has shown what it came to show ends as a success and says so in the journal.
        """
        wizard = self.wizard
        if not self.read_only_finishable or wizard is None:
            return
        self._leaving = True
        wizard.end("read-only walkthrough finished: nothing was changed")
        self.finish(ExitCode.OK)

    # -- the walkthrough, in order -----------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        """The start screen is the app's first and bottom screen: each step is pushed over it.

        As the default screen rather than one pushed over Textual's blank one, the first frame
        composes, styles and lays out one screen, not two (~30 ms of CPU, benchmarks/startup.py).
        """
        return StartScreen(self)

    def on_mount(self) -> None:
        self.set_class(self.presenter, "-presenter")
        # After the first paint: the worker's imports (boto3, moto) would otherwise compete
        # with it for the CPU (benchmarks/startup.py).
        self.call_after_refresh(self.connect_session)

    def on_connected(self, message: Connected) -> None:
        self.wizard, self.wiring = message.wizard, message.wiring
        self.caller = message.wizard.caller
        # boto3, the domain (and moto with --demo) are loaded now and stay (slrwizard.collector).
        freeze_loaded()

    def on_begin_requested(self, _: BeginRequested) -> None:
        self._next_step("start", None)

    def on_plan_adopted(self, message: PlanAdopted) -> None:
        self._next_step("plan", message)

    def on_exit_requested(self, _: ExitRequested) -> None:
        self._next_step("done", None)

    def on_choices_changed(self, message: ChoicesChanged) -> None:
        self.drafts.update(message.drafts)

    def _next_step(self, finished: StepName, result: object) -> None:
        """What follows each step, given how it ended: the order of the walkthrough.

        This is the only place a step is put up. A step screen ends by dismissing a typed result
        (the ``Literal`` or dataclass its class declares), or, for the start screen underneath
        everything, the plan screen under its review and the summary, by posting a message
        (``BeginRequested``, ``PlanAdopted``, ``ExitRequested``) whose handler comes here.
        """
        from slrwizard.tui.screens.role import RoleOutcome

        match finished, result:
            case "start", _:
                from slrwizard.tui.screens.inspect import InspectScreen

                self._show("inspect", InspectScreen(self))
            case "inspect", "finished":
                self._show_done()
            case "inspect", _:
                self._show_scan("scan")
            case "scan", "role":
                self._show_role(rescan=False)
            case "scan", _:
                from slrwizard.tui.screens.plan import PlanScreen

                self._show("plan", PlanScreen(self))
            case "plan", PlanAdopted(plan=plan):
                # Over the plan screen: "back" from the review returns to the choices as left.
                from slrwizard.tui.screens.review import ReviewScreen

                self._show("review", ReviewScreen(self, plan))
            case "plan", _:
                self._show_scan("show")
            case "review", "confirmed":
                self._close_plan()
                self._start_deletions()
            case "review", "preview":
                self._close_plan()
                self._show_role(rescan=False, preview=True)
            case "review", _:
                pass  # back to the choices, which are still underneath
            case "progress", _:
                from slrwizard.tui.summary import round_outcomes

                self.deletion_view = None
                self.outcomes += round_outcomes(self.session.plan, self.session.progress)
                self._show_role(rescan=True)
            case "role", RoleOutcome(next="back-to-scan"):
                self.role_view = None
                self._show_scan("back")
            case "role", RoleOutcome(next="back-to-clusters"):
                self.role_view = None
                self._show_scan("show")
            case "role", _:
                self.role_view = None
                self._show_done()
            case "done", _:
                self.finish(ExitCode.OK)

    def _show(self, step: StepName, screen: Screen[Any]) -> None:
        """Put ``screen`` up as ``step``; how it ends comes back to :meth:`_next_step`."""
        self.push_screen(screen, partial(self._next_step, step))

    def _show_scan(self, mode: Literal["scan", "back", "show"]) -> None:
        from slrwizard.tui.screens.scan import ScanScreen

        self._show("scan", ScanScreen(self, mode))

    def _close_plan(self) -> None:
        """The choices are settled: the plan screen the review was shown over goes too."""
        from slrwizard.tui.screens.plan import PlanScreen

        if isinstance(self.screen, PlanScreen):
            self.pop_screen()

    def _start_deletions(self) -> None:
        from slrwizard.tui.screens.progress import ProgressScreen

        self.clear_notifications()  # a new phase: yesterday's toasts would cover it
        self.delete_resources()
        self.deletion_view = ProgressScreen(self)
        self._show("progress", self.deletion_view)

    def _show_role(self, *, rescan: bool, preview: bool = False) -> None:
        from slrwizard.tui.screens.role import RoleScreen

        self.role_view = RoleScreen(self, rescan=rescan, preview=preview)
        self._show("role", self.role_view)

    def _show_done(self) -> None:
        """The summary, with what an interrupted session this one resumed had deleted first."""
        from slrwizard.tui.screens.done import DoneScreen

        if self.prior is not None and not self._prior_outcomes_added:
            from slrwizard.tui.summary import global_outcomes, prior_outcomes

            self._prior_outcomes_added = True
            mine = {o.key for o in self.outcomes}
            self.outcomes[:0] = prior_outcomes(
                self.prior, self.prior_verified, mine, self.session.scan_result
            ) + global_outcomes(self.prior_globals)
        self.push_screen(DoneScreen(self))

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

    # -- news from app-owned work, for the screen put up to show it ------------------------
    # Until that screen is mounted it has nothing to update: it reads the wizard's progress
    # when it mounts.
    def on_step_updated(self, message: StepUpdated) -> None:
        view = self.deletion_view
        if view is not None and view.is_mounted:
            view.step_updated(message.update)

    def on_deletions_settled(self, message: DeletionsSettled) -> None:
        view = self.deletion_view
        if view is not None and view.is_mounted:
            view.deletions_settled(message.all_finished)

    def on_role_status_changed(self, message: RoleStatusChanged) -> None:
        view = self.role_view
        if view is not None and view.is_mounted:
            view.role_status(message.status, message.polls)

    def on_role_deletion_finished(self, message: RoleDeletionFinished) -> None:
        view = self.role_view
        if view is not None and view.is_mounted:
            view.role_finished(message.status)

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
