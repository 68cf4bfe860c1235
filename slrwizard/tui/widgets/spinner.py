"""A cheap "still working" mark: a braille spinner redrawn four times a second.

Textual's ``LoadingIndicator`` animates at the screen's frame rate; while moto starts in a worker
thread that animation competed for the GIL and doubled the demo's start-up. Four frames a second
say "alive" just as well.
"""

from __future__ import annotations

from textual.timer import Timer
from textual.widgets import Static

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Spinner(Static):
    """A spinner followed by a short text (``Connecting to AWS…``)."""

    DEFAULT_CSS = "Spinner { height: 1; color: $text-accent; }"

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.text = text
        self._frame = 0
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        self._timer = self.set_interval(0.25, self._advance)
        self._draw()

    def set_text(self, text: str) -> None:
        """Change the text after the spinner."""
        if text != self.text:
            self.text = text
            self._draw()

    def _advance(self) -> None:
        if self.display:
            self._frame = (self._frame + 1) % len(FRAMES)
            self._draw()

    def _draw(self) -> None:
        self.update(f"{FRAMES[self._frame]} {self.text}")
