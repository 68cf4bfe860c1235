"""The ``?`` screen: what this step does, and every key that works here right now."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from slrwizard.tui.screens.base import WizardScreen
from slrwizard.tui.steps import STEPS

ALWAYS = (
    ("? or F1", "this help (F1 also inside a text field, where ? and p are typed)"),
    ("p", "presenter mode: mask account IDs, narrate, big step banner"),
    ("q", "quit (asks first while AWS is being changed)"),
    ("ctrl+p", "command palette: every action of this screen, by name"),
    ("tab / shift+tab", "move between fields, tables and buttons"),
)


class HelpScreen(ModalScreen[None]):
    """Help for the screen underneath."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", show=False),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__(classes="dialog")
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help") as box:
            box.border_title = "Help"
            box.border_subtitle = "Escape closes"
            with VerticalScroll():
                yield Static(self._text())

    def _text(self) -> Content:
        under = self.under
        parts: list[str | tuple[str, str]] = []
        if isinstance(under, WizardScreen):
            parts += [(under.STEP.indicator, "bold $text-accent"), "\n", under.HELP, "\n\n"]
        parts += [("Keys on this screen", "bold"), "\n"]
        own = {b.action for b in type(under).BINDINGS if isinstance(b, Binding)}
        seen: set[str] = set()
        for active in under.active_bindings.values():
            binding = active.binding
            if active.node is not under or binding.action not in own or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = binding.key_display or self.app.get_key_display(binding)
            state = "" if active.enabled else "  (not available right now)"
            parts += [(f"  {shown:<16}", "bold"), binding.description, (state, "dim"), "\n"]
        parts += ["\n", ("Always", "bold"), "\n"]
        for key, what in ALWAYS:
            parts += [(f"  {key:<16}", "bold"), what, "\n"]
        parts += ["\n", ("The four steps", "bold"), "\n"]
        for step in STEPS:
            parts += [(f"  {step.number}. {step.title:<16}", "bold"), step.summary, "\n"]
        return Content.assemble(*parts)

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
