"""Step 3, live: every resource's deletion as AWS works through it.

The deletions run in an app-owned worker (started before this screen appears), so this screen only
watches: the app, which put it up, hands it each ``StepUpdate`` once it is mounted. A failure
stops only its resource and is shown in place with AWS's explanation; the operator retries it or
leaves it. When every resource is deleted or deliberately left, the step ends and the re-scan of
step 4 follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.widgets import Button, ProgressBar, Static

from slrwizard.domain.executor import ResourceState, StepUpdate
from slrwizard.tui.messages import MovedOn
from slrwizard.tui.screens.base import WizardScreen
from slrwizard.tui.steps import DELETE
from slrwizard.tui.text import duration, plural
from slrwizard.tui.widgets.progress import ResourceProgressView

if TYPE_CHECKING:
    from slrwizard.tui.actions import WizardActions

SETTLED = (ResourceState.DONE, ResourceState.VANISHED, ResourceState.STOPPED)


class ProgressScreen(WizardScreen[bool]):
    """Deletion progress. Dismisses with True when step 3 is finished (the app then records the
    round's outcomes for the summary)."""

    STEP = DELETE
    SCENE = "progress"
    HELP = (
        "Each card is one cluster or instance. ▶ running, … waiting for another resource, "
        "✓ done, ✗ failed. Move onto a failed card and press r to retry from the failed step, "
        "or x to leave the resource as it is (it will keep the role in use). Enter shows every "
        "step of the focused card. q asks before stopping."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry"),
        Binding("x", "skip", "Skip"),
        Binding("enter", "toggle_steps", "Steps"),
        Binding("n", "next", "Next: step 4"),
        Binding("down,j", "app.focus_next", "Next card", show=False),
        Binding("up,k", "app.focus_previous", "Previous card", show=False),
    ]

    def __init__(self, actions: WizardActions) -> None:
        super().__init__(actions)
        self.started = 0.0
        self.moving = False
        self.views: dict[str, ResourceProgressView] = {}

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            with Horizontal(id="progress-head"):
                yield Static(id="progress-summary")
                yield ProgressBar(id="overall", show_eta=False)
            yield VerticalScroll(id="progress-list")
            with Horizontal(classes="actions"):
                yield Static(id="progress-note", markup=False)
                yield Button("Next: re-scan and delete the role", id="next", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self.started = self.actions.clock.monotonic()
        self._sync()
        self.set_interval(1.0, self._tick)

    def refresh_view(self) -> None:
        for view in self.views.values():
            view.redraw()

    # -- news from the app ------------------------------------------------------------------
    def step_updated(self, update: StepUpdate) -> None:
        """A step changed (called by the app for every StepUpdate)."""
        if update.resource not in self.views:
            self._sync()
        view = self.views.get(update.resource)
        if view is not None:
            view.apply(update)
        self._refresh_summary()

    def deletions_settled(self, all_finished: bool) -> None:
        """A run, retry or skip returned."""
        self._sync()
        for view in self.views.values():
            view.refresh_card()
        self._refresh_summary()

    def _sync(self) -> None:
        """Add a card for every resource the executor knows (it starts inside the worker)."""
        clock = self.actions.clock.monotonic
        listing = self.query_one("#progress-list", VerticalScroll)
        new = [
            ResourceProgressView(progress, clock)
            for key, progress in self.wizard.progress.items()
            if key not in self.views
        ]
        for view in new:
            self.views[view.key] = view
        if new:
            listing.mount_all(new)
            if not any(v.has_focus for v in self.views.values()):
                new[0].focus()
        self._refresh_summary()

    def _tick(self) -> None:
        for view in self.views.values():
            if view.progress.state is ResourceState.RUNNING:
                view.refresh_card()
        self._refresh_summary()

    @property
    def settled(self) -> bool:
        """Every resource is deleted, already gone, or deliberately left."""
        progress = self.wizard.progress
        return bool(progress) and all(p.state in SETTLED for p in progress.values())

    def _refresh_summary(self) -> None:
        progress = list(self.wizard.progress.values())
        counts = {state: 0 for state in ResourceState}
        for item in progress:
            counts[item.state] += 1
        total_steps = sum(len(p.steps.steps) for p in progress) or 1
        done_steps = sum(
            sum(s.value in ("done", "skipped") for s in v.statuses) for v in self.views.values()
        )
        self.query_one("#overall", ProgressBar).update(total=total_steps, progress=done_steps)
        elapsed = duration(self.actions.clock.monotonic() - self.started)
        finished = counts[ResourceState.DONE] + counts[ResourceState.VANISHED]
        parts: list[str | tuple[str, str]] = [
            (f"{plural(len(progress), 'database')}: ", "bold"),
            (f"{finished} deleted", "$text-success"),
            f" · {counts[ResourceState.RUNNING] + counts[ResourceState.PENDING]} running",
        ]
        if counts[ResourceState.FAILED]:
            parts += [" · ", (f"{counts[ResourceState.FAILED]} failed", "bold $text-error")]
        if counts[ResourceState.STOPPED]:
            parts += [" · ", (f"{counts[ResourceState.STOPPED]} left", "$text-warning")]
        parts += [(" · ", "dim"), elapsed]
        self.query_one("#progress-summary", Static).update(Content.assemble(*parts))
        self._refresh_actions(counts)

    def _refresh_actions(self, counts: dict[ResourceState, int]) -> None:
        note = self.query_one("#progress-note", Static)
        button = self.query_one("#next", Button)
        button.disabled = not self.settled or self.moving
        if counts[ResourceState.FAILED]:
            note.update("Failed: retry (r) or leave it (x) to go on.")
            self.narrate("One database could not be deleted yet; the others carry on.")
        elif self.settled:
            # The focus stays on the cards: an Enter pressed out of habit (to open a card's
            # steps) must not start step 4; n or the button does, and the note says so.
            left = counts[ResourceState.STOPPED]
            note.update(
                f"{plural(left, 'database')} left in place: step 4 will find them (n)."
                if left
                else "Every database is deleted: n goes on to step 4."
            )
            self.narrate("All done here: next, a fresh scan must prove nothing is left.")
        else:
            note.update("AWS is working; the app stays responsive.")
        note.set_class(bool(counts[ResourceState.FAILED]), "warning")
        self.refresh_bindings()

    # -- actions ----------------------------------------------------------------------------
    def _focused_view(self) -> ResourceProgressView | None:
        node: DOMNode | None = self.focused
        while node is not None and node is not self:
            if isinstance(node, ResourceProgressView):
                return node
            node = node.parent
        return None

    def _failed_target(self) -> ResourceProgressView | None:
        view = self._focused_view()
        if view is not None and view.failed:
            return view
        failed = [v for v in self.views.values() if v.failed]
        return failed[0] if len(failed) == 1 else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the keys that act now are shown (False hides a key from the footer)."""
        if action in ("retry", "skip"):
            return self._failed_target() is not None
        if action == "next":
            return self.settled and not self.moving
        if action == "toggle_steps":
            return self._focused_view() is not None
        return True

    def action_retry(self) -> None:
        """Run the failed resource again from the step that failed."""
        view = self._failed_target()
        if view is not None:
            self.actions.retry_resource(view.key)
            self.notify(f"Retrying {view.key}…", timeout=3)

    def action_skip(self) -> None:
        """Leave the failed resource as it is (the role stays in use while it exists)."""
        view = self._failed_target()
        if view is not None:
            self.actions.skip_resource(view.key)

    @on(Button.Pressed, ".retry")
    def _retry_pressed(self, event: Button.Pressed) -> None:
        view = next(a for a in event.button.ancestors if isinstance(a, ResourceProgressView))
        self.actions.retry_resource(view.key)

    @on(Button.Pressed, ".skip")
    def _skip_pressed(self, event: Button.Pressed) -> None:
        view = next(a for a in event.button.ancestors if isinstance(a, ResourceProgressView))
        self.actions.skip_resource(view.key)

    def action_toggle_steps(self) -> None:
        """Show or hide every step of the focused resource."""
        view = self._focused_view()
        if view is not None:
            view.toggle()

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        """Finish step 3 and go on to the re-scan."""
        if not self.settled or self.moving:
            return
        self.moving = True
        self.refresh_bindings()
        self.actions.finish_deletions(self)

    def on_moved_on(self, message: MovedOn) -> None:
        if message.what == "deletions-finished":
            self.dismiss(True)

    def work_failed(self, name: str, error: BaseException | None) -> None:
        if name in ("finish-deletions", "retry", "skip", "delete-resources"):
            self.moving = False
            self.deletions_settled(False)
