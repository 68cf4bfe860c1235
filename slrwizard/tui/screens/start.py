"""Before you begin: who and where, the four steps ahead, and what never happens without asking.

This is the first frame, painted before AWS has answered ("Connecting to AWS…"), so the operator
and anyone watching can read what is about to happen while the session is being set up.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from slrwizard.tui.messages import BeginRequested
from slrwizard.tui.presenter import group_account
from slrwizard.tui.screens.base import WizardScreen
from slrwizard.tui.steps import START, STEPS
from slrwizard.tui.widgets.facts import Facts
from slrwizard.tui.widgets.spinner import Spinner

NEVER = (
    "delete a database (a DB cluster or standalone instance) before you type the account ID;",
    "skip a final snapshot or lift deletion protection unless you tick it for that database;",
    "delete the role before a fresh scan finds no database in any region it can read, you "
    "accept each region it cannot read, and you type the account ID again;",
    "change anything at all in read-only mode.",
)
"""The promises, worded as the wizard keeps them: a region the scan cannot read is not "empty",
so the role's deletion waits for the operator to accept it (and AWS still refuses if a database
there uses the role)."""


class StartScreen(WizardScreen[None]):
    """Step 0: orientation, and the bottom screen: each step is put up over it. Posts
    :class:`~slrwizard.tui.messages.BeginRequested` when the operator begins step 1."""

    STEP = START
    SCENE = "start"
    HELP = (
        "Check the account and caller before going on: everything that follows happens there. "
        "Press Enter to begin step 1, which only reads."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "begin", "Next: begin step 1"),
        Binding("enter", "begin", "Begin step 1", show=False, priority=True),
    ]
    AUTO_FOCUS = "#begin"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            with Vertical(id="who", classes="panel") as who:
                who.border_title = "Who and where"
                yield Spinner(self._connecting_text(), id="connecting")
                yield Facts(id="who-facts")
            # A panel of one widget is that widget, bordered: one widget less to build, style,
            # lay out and paint before the first frame.
            steps = Facts(
                [(f"{step.number}  {step.title}", step.summary) for step in STEPS],
                label_width=20,
                id="steps-facts",
                classes="panel",
            )
            steps.border_title = "What the wizard will do, in four steps"
            yield steps
            never = Static(self._never_text(), id="never-text", classes="panel")
            never.border_title = "What it will never do without asking"
            yield never
        with Horizontal(classes="actions", id="start-actions"):
            yield Static(id="start-note", markup=False)
            # The button comes with the caller (``refresh_view``): there is nothing to begin
            # before, and the first frame does without a Button's stylesheet (~7 ms to parse,
            # benchmarks/startup.py).

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "caller", self.refresh_view)

    def refresh_view(self) -> None:
        caller = self.actions.caller
        connected = caller is not None
        self.query_one("#connecting").display = not connected
        if caller is None:
            self.query_one("#connecting", Spinner).set_text(self._connecting_text())
            return
        self.query_one("#who-facts", Facts).set_rows(self._who_rows())
        self.query_one("#start-note", Static).update(
            "Step 1 only reads. Press n (or Enter) if this is the right account."
        )
        if not self.query("#begin"):
            begin = Button("Begin step 1: inspect the role", id="begin", variant="primary")
            self.query_one("#start-actions").mount(begin)
            begin.focus()
        self.refresh_bindings()

    def _connecting_text(self) -> str:
        note = " (starting the demo sandbox)" if self.actions.demo else ""
        return f"Connecting to AWS{note}…"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hidden, not greyed, while connecting: the footer lists only keys that act now.
        if action == "begin":
            return self.actions.caller is not None
        return True

    def _who_rows(self) -> list[tuple[str, str | Content]]:
        caller = self.actions.caller
        assert caller is not None
        if caller.demo:
            mode = Content.styled(
                "DEMO: an embedded sandbox account; nothing real is touched", "$text-warning"
            )
        else:
            mode = Content.styled("LIVE AWS account", "bold $text-error")
        changes = (
            Content.styled("read-only: nothing will be changed", "$text-success")
            if self.actions.read_only
            else Content("allowed, each one confirmed by you")
        )
        rows: list[tuple[str, str | Content]] = [
            ("Account", Content.styled(self.mask(group_account(caller.account)), "bold")),
            ("Caller", self.mask(caller.arn)),
            ("Profile", caller.profile or "(default credential chain)"),
            ("Home region", caller.home_region),
            ("Mode", mode),
            ("Changes", changes),
        ]
        if caller.endpoint_url:
            rows.append(("Endpoint", caller.endpoint_url))
        return rows

    @staticmethod
    def _never_text() -> Content:
        parts: list[str | tuple[str, str]] = [("The wizard will never", "bold")]
        for line in NEVER:
            parts += ["\n", ("• ", "$text-accent"), line]
        return Content.assemble(*parts)

    @on(Button.Pressed, "#begin")
    def action_begin(self) -> None:
        """Go to step 1 (only once connected)."""
        if self.actions.caller is not None:
            self.post_message(BeginRequested())
