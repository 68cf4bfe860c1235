"""The narration panel: in presenter mode, a few plain sentences for the people watching.

Hidden outside presenter mode (the stylesheet shows it only under the app's ``-presenter``
class), so the operator's own view stays uncluttered.
"""

from __future__ import annotations

from textual.widgets import Static

from slrwizard.tui.presenter import NARRATION


class Narration(Static):
    """What the current step is doing, said for onlookers."""

    def __init__(self, scene: str) -> None:
        super().__init__(NARRATION.get(scene, ""), markup=False)
        self.border_title = "What is happening"

    def show(self, scene: str, extra: str = "") -> None:
        """Narrate ``scene``, optionally followed by a sentence about the moment."""
        text = NARRATION.get(scene, "")
        self.update(f"{text} {extra}".strip())
