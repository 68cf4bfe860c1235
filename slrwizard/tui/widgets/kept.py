"""A ``DataTable`` that keeps each cell's rendering until that cell changes.

Textual's ``DataTable`` keys its cell and line caches on one change counter for the whole table,
so changing one cell, or adding a row below the view, renders every visible cell again through
Rich (~0.1 ms a cell here, several times that while the scan's threads hold the interpreter
lock). The tables of a scan change while those threads run: the region grid, one cell per region
that answers, and the resource table, a slice of rows at a time. A visible cell that did not
change is kept here, keyed on what its look depends on; a clear or a new style forgets them all.
A cell that must be rendered and is one line of ``Text`` is rendered directly
(``_render_text_cell``), the rest by the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import NULL_STYLE, Style
from rich.text import Text
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

if TYPE_CHECKING:
    from textual.geometry import Region
    from textual.strip import Strip
    from typing_extensions import Self

    SegmentLines = list[list[Segment]]


class KeptCellsTable(DataTable[Text]):
    """A ``DataTable`` of Rich ``Text`` cells whose renderings survive other cells' changes.

    ``render_generation`` changes whenever any cell's content may have changed (a clear, an
    updated cell): a subclass keeping renderings of its own (whole lines) keys them on it.
    """

    KEPT_CELLS = 4000
    """Renderings kept (a screenful of a wide table is a few hundred)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.render_generation = 0
        self._pass_style: Style | None = None
        self._cell_versions: dict[tuple[RowKey | str, ColumnKey | str], int] = {}
        self._rendered_cells: LRUCache[tuple[object, ...], SegmentLines] = LRUCache(self.KEPT_CELLS)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass_style = self.rich_style  # once for every line drawn in this pass
        try:
            return super().render_lines(crop)
        finally:
            self._pass_style = None

    @property
    def rich_style(self) -> Style:
        """The widget's style, worked out once per rendering pass rather than for every line:
        the ``DataTable`` asks for it each line, and each time it walks every ancestor's styles
        (~0.08 ms, a fifth of redrawing a line that is kept)."""
        return self._pass_style or super().rich_style

    def forget_renderings(self) -> None:
        """Drop every kept rendering (a subclass that keeps more extends this)."""
        self._rendered_cells.clear()

    def clear(self, columns: bool = False) -> Self:
        self.render_generation += 1
        self._cell_versions.clear()
        self.forget_renderings()
        return super().clear(columns)

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: Text,
        *,
        update_width: bool = False,
    ) -> None:
        self.render_generation += 1
        cell = (row_key, column_key)
        self._cell_versions[cell] = self._cell_versions.get(cell, 0) + 1
        super().update_cell(row_key, column_key, value, update_width=update_width)

    def notify_style_update(self) -> None:
        self.forget_renderings()
        super().notify_style_update()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        if row_index < 0 or column_index < 0:  # the header and row labels: as the table does
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key, column_key = self.coordinate_to_cell_key(Coordinate(row_index, column_index))
        key = (
            row_key,
            column_key,
            self._cell_versions.get((row_key, column_key), 0),
            row_index,  # the segments carry it (mouse clicks), and the zebra stripe follows it
            column_index,
            base_style,
            width,
            cursor,
            hover,
            self.show_cursor,
            self._show_hover_cursor,
            self._pseudo_class_state,
        )
        lines = self._rendered_cells.get(key)
        if lines is None:
            lines = self._render_text_cell(
                row_index, column_index, row_key, base_style, width, cursor, hover
            ) or super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._rendered_cells[key] = lines
        return lines

    def _render_text_cell(
        self,
        row_index: int,
        column_index: int,
        row_key: RowKey,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> SegmentLines | None:
        """The segments the ``DataTable`` renders for a one-line ``Text`` cell that fits its
        column, made directly rather than through Rich's ``Styled(Padding(...))`` and two passes
        of line splitting (~0.11 ms a cell here, ~3 times what this takes); ``None`` for any other
        cell, which the table renders itself. ``test_kept_cells.py`` holds the two to the same
        segments, cell by cell, in both themes."""
        row = self.rows.get(row_key)
        if row is None or row.height != 1:
            return None
        value = self._get_row_renderables(row_index).cells[column_index]
        if not isinstance(value, Text) or value.justify not in (None, "default"):
            return None
        plain = value.plain
        inner = width - 2 * self.cell_padding
        if "\n" in plain or "\t" in plain or value.cell_len > inner:
            return None
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            row_index < self.fixed_rows or column_index < self.fixed_columns,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre = base_style + Style.from_meta({"row": row_index, "column": column_index})
        pre += component_style

        def styled(style: Style | None) -> Style | None:  # as Segment.apply_style layers them
            if pre:
                style = pre + style
            if post_style:
                style = style + post_style if style else post_style
            return style

        console = self.app.console
        padding = Segment(" " * self.cell_padding, styled(NULL_STYLE))
        line = [padding] if self.cell_padding else []
        # Text("\n").join: how Text.__rich_console__ hands a line to Text.render.
        line += [
            Segment(text, styled(style))
            for text, style, _ in Text("\n").join([value]).render(console)
        ]
        if value.cell_len < inner:
            line.append(Segment(" " * (inner - value.cell_len), styled(NULL_STYLE)))
        if self.cell_padding:
            line.append(padding)
        return [line]
