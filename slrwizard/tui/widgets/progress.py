"""One resource's deletion, live: its steps with their status, elapsed time and a progress bar.

The executor owns the truth (``ResourceProgress``); this view only remembers what each step last
reported, so it can show every step's status, the note AWS gave, and, on failure, the AWS
explanation with the two ways forward (retry from the failed step, or leave the resource).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, ProgressBar, Static

from slrwizard.domain.executor import ResourceProgress, ResourceState, StepUpdate
from slrwizard.domain.plan import PlanStep, StepKind
from slrwizard.domain.records import StepStatus
from slrwizard.tui.access import wizard_app
from slrwizard.tui.text import duration

STEP_MARKS: dict[StepStatus, tuple[str, str]] = {
    StepStatus.PENDING: ("○", "dim"),
    StepStatus.WAITING: ("…", "$text-warning"),
    StepStatus.RUNNING: ("▶", "bold $text-accent"),
    StepStatus.DONE: ("✓", "$text-success"),
    StepStatus.SKIPPED: ("↷", "dim"),
    StepStatus.FAILED: ("✗", "bold $text-error"),
}
STATE_WORDS: dict[ResourceState, tuple[str, str]] = {
    ResourceState.PENDING: ("waiting to start", "dim"),
    ResourceState.RUNNING: ("working", "bold $text-accent"),
    ResourceState.DONE: ("deleted", "bold $text-success"),
    ResourceState.VANISHED: ("already gone", "$text-success"),
    ResourceState.FAILED: ("FAILED", "bold $text-error"),
    ResourceState.STOPPED: ("left in place", "bold $text-warning"),
}


VERIFY_SNAPSHOT = frozenset({StepKind.VERIFY_CLUSTER_SNAPSHOT, StepKind.VERIFY_INSTANCE_SNAPSHOT})


def gone_line(steps: Sequence[PlanStep], statuses: Sequence[StepStatus]) -> str:
    """What to say once every step of a resource is done: whether it keeps a final snapshot is
    the confirmed plan's to say (a step that verifies it), never which updates have arrived."""
    verify = [i for i, step in enumerate(steps) if step.kind in VERIFY_SNAPSHOT]
    if not verify:
        return "Gone, without a final snapshot (as chosen)."
    if statuses[verify[-1]] is StepStatus.DONE:
        return "Gone. Its final snapshot is verified available."
    return "Gone. Its final snapshot was kept (verified earlier)."


class ResourceProgressView(Vertical, can_focus=True):
    """A resource's card on the progress screen (focus it for retry/skip and its steps)."""

    def __init__(self, progress: ResourceProgress, clock: Callable[[], float]) -> None:
        super().__init__(classes="progress-card")
        self.progress = progress
        count = len(progress.steps.steps)
        self.statuses = [StepStatus.PENDING] * count
        self.notes = [""] * count
        self.started: float | None = None
        self.ended: float | None = None
        self.expanded = False
        self._clock = clock
        self._shown: dict[str, str | Content] = {}
        self._ready = False

    @property
    def key(self) -> str:
        """``region/identifier``."""
        return self.progress.key

    def compose(self) -> ComposeResult:
        yield Static(classes="progress-title")
        with Horizontal(classes="bar-row"):
            yield ProgressBar(total=len(self.statuses), show_eta=False, show_percentage=False)
            yield Static(classes="progress-current", markup=False)
        yield Static(classes="progress-steps")
        yield Static(classes="progress-error", markup=False)
        with Horizontal(classes="failure-actions"):
            yield Button("Retry (r)", classes="retry", variant="warning")
            yield Button("Skip: leave it (x)", classes="skip")
            yield Static(
                "Retry runs it again from the failed step. Leaving it lets the others finish; "
                "step 4's re-scan then finds it and brings you back to change the plan.",
                classes="failure-help",
                markup=False,
            )

    def on_mount(self) -> None:
        self._ready = True
        self.refresh_card()

    def apply(self, update: StepUpdate) -> None:
        """Record a step's new status."""
        if 0 <= update.index < len(self.statuses):
            self.statuses[update.index] = update.status
            self.notes[update.index] = update.note
        if update.status is StepStatus.RUNNING and self.started is None:
            self.started = self._clock()
        self.refresh_card()

    @property
    def failed(self) -> bool:
        """The resource stopped on an error and waits for retry or skip."""
        return self.progress.state is ResourceState.FAILED

    def refresh_card(self) -> None:
        """Re-render from the executor's state (and the clock, for the elapsed time)."""
        if not self._ready:
            return  # updates arrive from the moment the card exists; it draws once mounted
        now = self._clock()
        state = self.progress.state
        settled = state in (ResourceState.DONE, ResourceState.VANISHED, ResourceState.STOPPED)
        if state is ResourceState.RUNNING and self.started is None:
            self.started = now
        if (settled or state is ResourceState.FAILED) and self.ended is None and self.started:
            self.ended = now
        if state is ResourceState.RUNNING:
            self.ended = None
        done = sum(s in (StepStatus.DONE, StepStatus.SKIPPED) for s in self.statuses)
        total = len(self.statuses)
        self.query_one(ProgressBar).update(progress=done)
        word, style = STATE_WORDS[state]
        elapsed = 0.0 if self.started is None else (self.ended or now) - self.started
        step = total if settled else min(done + 1, total)
        title = Content.assemble(
            (self.key, "bold"),
            "  ",
            (word, style),
            (f"  ·  step {step} of {total}  ·  {duration(elapsed)}", "dim"),
        )
        self._set(".progress-title", title, layout=False)
        # Laid out again: the line wraps under itself at 80 columns, so its height may change.
        self._set(".progress-current", self._current_line())
        show_steps = self.expanded or state is ResourceState.FAILED
        self._show(".progress-steps", show_steps)
        if show_steps:
            self._set(".progress-steps", self._steps_text())
        error = self.progress.error
        failed = state is ResourceState.FAILED and error is not None
        self._show(".progress-error", failed)
        if failed and error is not None:
            hint = f"\nWhat to do: {error.hint}" if error.hint else ""
            mask = wizard_app(self).mask  # AWS messages often quote ARNs with the account ID
            self._set(".progress-error", mask(f"{error.title}: {error.explanation}{hint}"))
        self._show(".failure-actions", failed)
        kind = {
            ResourceState.FAILED: "-failed",
            ResourceState.DONE: "-done",
            ResourceState.VANISHED: "-done",
            ResourceState.STOPPED: "-stopped",
        }.get(state, "-running")
        if not self.has_class(kind):
            self.remove_class("-failed", "-done", "-stopped", "-running")
            self.add_class(kind)

    def _set(self, selector: str, value: str | Content, *, layout: bool = True) -> None:
        """Update a part only when its text changed: each update costs a refresh."""
        if self._shown.get(selector) != value:
            self._shown[selector] = value
            self.query_one(selector, Static).update(value, layout=layout)

    def _show(self, selector: str, visible: bool) -> None:
        widget = self.query_one(selector)
        if widget.display != visible:
            widget.display = visible

    def _current_line(self) -> str:
        steps = self.progress.steps.steps
        if self.progress.state is ResourceState.FAILED:
            return f"Stopped at step {self.progress.next_index + 1}: see why below."
        for index, status in enumerate(self.statuses):
            if status in (StepStatus.RUNNING, StepStatus.WAITING, StepStatus.FAILED):
                # What AWS says meanwhile ("AWS: promoting") or why it waits; never a failure's
                # explanation, which is shown in full below.
                shown = self.notes[index] if status is not StepStatus.FAILED else ""
                note = f" ({wizard_app(self).mask(shown)})" if shown else ""
                return steps[index].description + note
        if self.progress.state is ResourceState.VANISHED:
            return "Already gone (someone else deleted it); no final snapshot of ours."
        if all(s in (StepStatus.DONE, StepStatus.SKIPPED) for s in self.statuses):
            return gone_line(steps, self.statuses)
        index = self.progress.next_index
        return f"Next: {steps[index].description}" if index < len(steps) else ""

    def _steps_text(self) -> Content:
        parts: list[str | tuple[str, str]] = []
        for index, step in enumerate(self.progress.steps.steps):
            mark, style = STEP_MARKS[self.statuses[index]]
            note = self.notes[index]
            if self.statuses[index] is StepStatus.FAILED:
                note = ""  # the explanation is shown in full below
            parts += [
                "\n" if parts else "",
                (f"{mark} ", style),
                (f"{index + 1}. {step.description}", style if style != "dim" else ""),
            ]
            if note:
                parts.append((f" ({wizard_app(self).mask(note)})", "dim"))
        return Content.assemble(*parts)

    def redraw(self) -> None:
        """Render every part again (presenter mode changed what may be shown)."""
        self._shown.clear()
        self.refresh_card()

    def toggle(self) -> None:
        """Show or hide every step."""
        self.expanded = not self.expanded
        self.refresh_card()
