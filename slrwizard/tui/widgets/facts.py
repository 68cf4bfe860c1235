"""Label/value lines with a hanging indent: long values (ARNs, sentences) wrap under themselves.

A plain ``Static`` wraps a long ARN back to the left edge, under its label, which is hard to read
on a shared screen; a two-column grid keeps the label column clean.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

Value = str | Content


class Facts(Widget):
    """Rows of ``label  value``; ``label_width`` sets the label column.

    A two-column grid of Statics (no widget per row: a screenful of facts is the start screen's
    largest part, and every widget costs its share of the first frame). Rows known up front
    (``rows``) are composed with the widget, so they are in its first frame; :meth:`set_rows`
    shows rows that arrive later.
    """

    DEFAULT_CSS = """
    Facts { width: 1fr; height: auto; layout: grid; grid-size: 2; grid-rows: auto; }
    Facts > .fact-label { color: $text-muted; }
    """

    def __init__(
        self,
        rows: Sequence[tuple[str, Value]] = (),
        *,
        label_width: int = 13,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.label_width = label_width
        self.styles.grid_columns = f"{label_width} 1fr"
        self._rows: list[tuple[str, Value]] = list(rows)

    def compose(self) -> ComposeResult:
        yield from self._cells(self._rows)

    def set_rows(self, rows: Sequence[tuple[str, Value]]) -> None:
        """Show ``rows``, replacing any shown before (values update in place when possible)."""
        rows = list(rows)
        if [label for label, _ in rows] == [label for label, _ in self._rows]:
            for static, (_, value) in zip(
                self.query(".fact-value").results(Static), rows, strict=False
            ):
                static.update(value)
            self._rows = rows
            return
        self._rows = rows
        self.remove_children()
        self.mount_all(self._cells(rows))

    @staticmethod
    def _cells(rows: Sequence[tuple[str, Value]]) -> list[Static]:
        cells = []
        for label, value in rows:
            cells.append(Static(label, classes="fact-label", markup=False))
            cells.append(Static(value, classes="fact-value", markup=False))
        return cells
