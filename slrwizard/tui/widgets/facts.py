"""Label/value lines with a hanging indent: long values (ARNs, sentences) wrap under themselves.

A plain ``Static`` wraps a long ARN back to the left edge, under its label, which is hard to read
on a shared screen; a row of two widgets keeps the label column clean.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

Value = str | Content


class Facts(Vertical):
    """Rows of ``label  value``; ``label_width`` sets the label column."""

    DEFAULT_CSS = """
    Facts { height: auto; }
    Facts > Horizontal { height: auto; }
    Facts .fact-label { color: $text-muted; }
    Facts .fact-value { width: 1fr; }
    """

    def __init__(self, *, label_width: int = 13, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label_width = label_width
        self._rows: list[tuple[str, Value]] = []

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
        lines = []
        for label, value in rows:
            name = Static(label, classes="fact-label", markup=False)
            name.styles.width = self.label_width
            text = Static(value, classes="fact-value", markup=False)
            lines.append(Horizontal(name, text))
        self.mount_all(lines)
