"""A checkbox that reads the same in any theme and on a projector: ``[✓]`` or ``[ ]``.

Textual's checkbox always draws an ``X`` and shows "ticked" by colour alone; on a shared screen,
in a light theme or in a screenshot, an unticked box then looks ticked. Deletion choices must not
be read wrongly, so the mark itself changes.
"""

from __future__ import annotations

from textual.widgets import Checkbox


class Tick(Checkbox):
    """A checkbox whose mark is ``✓`` when ticked and blank when not."""

    def __init__(self, label: str, value: bool = False, *, classes: str | None = None) -> None:
        super().__init__(label, value, classes=classes)
        self.BUTTON_INNER = "✓" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "✓" if self.value else " "
        super().watch_value()
