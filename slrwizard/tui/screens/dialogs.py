"""Dialogs: yes/no confirmations, the typed account-ID confirmation, and the error explanation.

Confirmations default to *No*: the safe button has the focus, Escape answers No, and the typed
confirmation cannot be answered by pressing Enter on an empty box. Each dialog returns a typed
result through ``dismiss``.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Key, Paste
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question whose default answer is No.

    Args:
        title: the question.
        body: what saying yes will do, in plain words.
        yes: the label of the affirmative button (say what it does).
        no: the label of the safe button.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "No", show=False),
        Binding("n", "answer(False)", "No", show=False),
    ]
    AUTO_FOCUS = "#no"

    def __init__(
        self, title: str, body: str, *, yes: str = "Yes", no: str = "No", focus_yes: bool = False
    ) -> None:
        super().__init__(classes="dialog")
        self._title, self._body, self._yes, self._no = title, body, yes, no
        self._focus_yes = focus_yes  # only for questions where neither answer changes AWS

    def on_mount(self) -> None:
        if self._focus_yes:
            self.query_one("#yes", Button).focus()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = self._title
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(self._body, markup=False, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._no, id="no", variant="default" if self._focus_yes else "primary")
                yield Button(self._yes, id="yes", variant="primary" if self._focus_yes else "error")

    def action_answer(self, answer: bool) -> None:
        """Close with ``answer``."""
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class TypedConfirmDialog(ModalScreen[str | None]):
    """Confirm a destructive step by typing the account ID; returns what was typed.

    The wizard, not the dialog, compares the text (``Wizard.confirm``), so the comparison and its
    journal record live in one place. The focus starts on Cancel; typing a digit, or pasting the
    ID, moves it into the box, so the operator can type straight away while Enter alone still
    means No.

    Args:
        title: what is being confirmed.
        body: what will happen, in numbers.
        account_hint: how the expected text is shown (masked in presenter mode).
        secret: hide the typed digits (presenter mode: the screen is shared).
        action: the label of the button that goes ahead.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]
    AUTO_FOCUS = "#cancel"

    def __init__(
        self, title: str, body: str, *, account_hint: str, secret: bool, action: str
    ) -> None:
        super().__init__(classes="dialog")
        self._title, self._body, self._hint = title, body, account_hint
        self._secret, self._action = secret, action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box danger") as box:
            box.border_title = self._title
            yield Static(self._body, markup=False, classes="dialog-body")
            yield Label(f"Type the account ID ({self._hint}) to confirm:", markup=False)
            yield Input(
                placeholder="12-digit account ID",
                password=self._secret,
                max_length=14,
                restrict=r"[0-9 -]*",
                select_on_focus=False,  # the first digit, typed on Cancel, must survive focus
                id="typed",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button(self._action, id="go", variant="error", disabled=True)

    def on_key(self, event: Key) -> None:
        typed = self.query_one("#typed", Input)
        if event.character and event.character.isdigit() and not typed.has_focus:
            typed.focus()
            typed.insert_text_at_cursor(event.character)
            event.stop()

    def on_paste(self, event: Paste) -> None:
        """A pasted ID lands in the box even while the focus is still on Cancel (the paste
        bubbles up from the button); only its first line, as the box itself would take it."""
        typed = self.query_one("#typed", Input)
        lines = event.text.strip().splitlines()
        if lines and not typed.has_focus:
            typed.focus()
            typed.insert_text_at_cursor(lines[0].strip())
            event.stop()

    @on(Input.Changed, "#typed")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#go", Button).disabled = not event.value.strip()

    @on(Input.Submitted, "#typed")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.replace(" ", "").replace("-", ""))

    @on(Button.Pressed, "#go")
    def _go(self) -> None:
        self.dismiss(self.query_one("#typed", Input).value.replace(" ", "").replace("-", ""))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without confirming."""
        self.dismiss(None)


def worth_copying(hint: str) -> bool:
    """Whether ``hint`` holds something to paste elsewhere: a policy statement (several lines)
    or a command in backticks. "Type the account ID" is read, not copied, so its dialog offers
    no copy button to wonder about."""
    return "\n" in hint.strip() or hint.count("`") >= 2


class ErrorDialog(ModalScreen[None]):
    """An error explained: what happened, and what to do about it. Never a traceback."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False),
        Binding("c", "copy", "Copy what to do", show=False),
    ]
    AUTO_FOCUS = "#ok"

    def __init__(self, title: str, explanation: str, hint: str) -> None:
        super().__init__(classes="dialog")
        self._title, self._explanation, self._hint = title, explanation, hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box error") as box:
            box.border_title = self._title
            yield Static(self._explanation, markup=False, classes="dialog-body")
            if self._hint:
                with VerticalScroll(classes="dialog-hint") as hint:
                    hint.border_title = "What to do"
                    yield Static(self._hint, markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")
                if worth_copying(self._hint):
                    yield Button("Copy 'What to do' (c)", id="copy")

    def action_close(self) -> None:
        """Close the dialog."""
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy":
            return worth_copying(self._hint)
        return True

    def action_copy(self) -> None:
        """Copy the hint (e.g. the IAM policy statement) to the clipboard."""
        if worth_copying(self._hint):
            self.app.copy_to_clipboard(self._hint)
            self.notify("'What to do' copied to the clipboard.", timeout=3)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "copy":
            self.action_copy()
        else:
            self.dismiss(None)
