"""Label/value lines with a hanging indent: long values (ARNs, sentences) wrap under themselves.

A plain ``Static`` wraps a long ARN back to the left edge, under its label, which is hard to read
on a shared screen; here the label column stays clean.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

Value = str | Content

_BLANK = Content("")


class Facts(Widget):
    """Rows of ``label  value``; ``label_width`` sets the label column.

    One widget that lays its rows out itself, not a grid of two Statics per row: the start
    screen's two lists of facts were 16 of its 29 widgets, and each widget costs its share of the
    first frame (styling, layout, painting; benchmarks/startup.py). Labels and values wrap within
    their column, as two grid cells would.
    """

    DEFAULT_CSS = "Facts { width: 1fr; height: auto; }"

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
        self._rows: list[tuple[str, Value]] = list(rows)
        self._laid_out: tuple[int, list[Content]] | None = None

    @property
    def rows(self) -> list[tuple[str, Value]]:
        """The rows shown, as given."""
        return list(self._rows)

    def set_rows(self, rows: Sequence[tuple[str, Value]]) -> None:
        """Show ``rows``, replacing any shown before."""
        rows = list(rows)
        if rows == self._rows:
            return
        self._rows, self._laid_out = rows, None
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Content]:
        """The rows laid out in ``width`` cells: the label column, then the value wrapped."""
        if self._laid_out is not None and self._laid_out[0] == width:
            return self._laid_out[1]
        label_width = self.label_width
        value_width = max(1, width - label_width)
        lines: list[Content] = []
        for label, value in self._rows:
            labels = Content.styled(label, "$text-muted").wrap(label_width) if label else []
            values = (value if isinstance(value, Content) else Content(value)).wrap(value_width)
            for index in range(max(len(labels), len(values), 1)):
                left = labels[index] if index < len(labels) else _BLANK
                right = values[index] if index < len(values) else _BLANK
                lines.append(left.pad_right(label_width - left.cell_length) + right)
        self._laid_out = (width, lines)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_region.width))
