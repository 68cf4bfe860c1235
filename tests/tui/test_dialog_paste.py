"""The typed confirmation takes a pasted account ID, as operators copy it from the console: the
focus starts on Cancel (Enter alone means No), and a paste, like a typed digit, lands in the box."""

from __future__ import annotations

from textual.app import App
from textual.events import Paste
from textual.widgets import Button, Input

from slrwizard.tui.screens.dialogs import TypedConfirmDialog


class DialogApp(App[None]):
    """Only the dialog, so what it answers is all there is to see."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[str | None] = []

    def on_mount(self) -> None:
        dialog = TypedConfirmDialog(
            "Delete 3 databases",
            "3 databases in 2 regions.",
            account_hint="4815…4201",
            secret=False,
            action="Delete",
        )
        self.push_screen(dialog, self.answers.append)


async def test_a_paste_on_cancel_lands_in_the_box_and_enter_confirms() -> None:
    app = DialogApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Button) and app.focused.id == "cancel"
        go = app.screen.query_one("#go", Button)
        assert go.disabled

        app.post_message(Paste("4815 1623 4201\nsecond line, not taken\n"))
        await pilot.pause()
        typed = app.screen.query_one("#typed", Input)
        assert typed.has_focus
        assert typed.value == "4815 1623 4201"
        assert not go.disabled

        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == ["481516234201"]


async def test_an_empty_paste_leaves_cancel_focused_and_enter_means_no() -> None:
    app = DialogApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        app.post_message(Paste("  \n"))
        await pilot.pause()
        assert isinstance(app.focused, Button) and app.focused.id == "cancel"
        assert app.screen.query_one("#typed", Input).value == ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [None]
