"""The bar at the top of every screen: which step we are on, and in which account.

Both facts are what someone joining a shared screen asks first, so they are always visible. In
presenter mode the bar grows into a banner and the account ID is masked.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from slrwizard.tui.access import wizard_app
from slrwizard.tui.presenter import group_account
from slrwizard.tui.steps import STEPS, Step

NARROW_BELOW = 100
"""Columns under which the header drops its "Account" label, so every mode's badge fits."""


class StepHeader(Horizontal):
    """Step indicator (``Step 2 of 4 - Find clusters``), step dots, account and modes."""

    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step = step

    def compose(self) -> ComposeResult:
        yield Static(id="step-title")
        yield Static(id="step-dots")
        yield Static(id="where")

    def on_mount(self) -> None:
        self.watch(self.app, "presenter", self.refresh_content)
        self.watch(self.app, "caller", self.refresh_content)

    def on_resize(self) -> None:
        self.refresh_content()

    def set_step(self, step: Step) -> None:
        """Show another step (a screen that spans two steps, like the role screen)."""
        self.step = step
        self.refresh_content()

    def refresh_content(self) -> None:
        """Re-render from the app's state (called when the caller or presenter mode changes)."""
        app = wizard_app(self)
        title = self.step.indicator
        self.query_one("#step-title", Static).update(title.upper() if app.presenter else title)
        dots = " ".join("●" if s.number <= self.step.number else "○" for s in STEPS)
        self.query_one("#step-dots", Static).update(dots)
        self.query_one("#where", Static).update(self._where())

    def _where(self) -> Content:
        app = wizard_app(self)
        caller = app.caller
        if caller is None:
            account = Content.styled("connecting…", "italic")
        else:
            account = Content.styled(app.mask(group_account(caller.account)), "bold")
        # Under 100 columns the badges need the label's room (the number reads as an account).
        label = "Account " if self.app.size.width >= NARROW_BELOW else ""
        parts: list[Content | str | tuple[str, str]] = [(label, "dim"), account]
        if app.demo:
            parts += ["  ", ("DEMO", "bold reverse $warning")]
        if app.read_only:
            parts += ["  ", ("READ-ONLY", "bold reverse $success")]
        if app.presenter:
            parts += ["  ", ("PRESENTER", "bold reverse $accent")]
        return Content.assemble(*parts)
