"""Styled DataTable cells that follow the Textual theme.

``DataTable`` renders Rich ``Text``, which knows nothing of Textual's theme variables, so a cell
styled ``$text-success`` would lose its colour. These helpers resolve the variables against the
app's current theme; tables rebuild their cells when the theme changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.dom import DOMNode

_THEME_CACHE: dict[tuple[int, str], tuple[dict[str, str], dict[str, Style]]] = {}
"""(app, theme) -> its CSS variables and the styles built from them. Generating the variables
rebuilds the whole theme (milliseconds): once per cell made a 2,000-row table take a minute."""


def _theme(node: DOMNode) -> tuple[dict[str, str], dict[str, Style]]:
    app = node.app
    key = (id(app), str(app.theme))
    cached = _THEME_CACHE.get(key)
    if cached is None:
        _THEME_CACHE.clear()  # one app and one theme at a time: keep nothing stale
        cached = _THEME_CACHE[key] = (app.get_css_variables(), {})
    return cached


def _style(variables: dict[str, str], spec: str) -> Style:
    style = Style()
    for token in spec.split():
        if token.startswith("$"):
            color = variables.get(token[1:], "")
            if color.startswith("#"):
                style += Style(color=color[:7])
        else:
            style += Style.parse(token)
    return style


def cell(node: DOMNode, *parts: str | tuple[str, str]) -> Text:
    """A cell from plain strings and ``(text, style)`` pairs; styles may name theme variables."""
    return _cell(_theme(node), parts)


def cells(node: DOMNode, values: Sequence[str | tuple[str, str]]) -> list[Text]:
    """One cell per value (a row)."""
    theme = _theme(node)  # once a row, not once a cell
    return [_cell(theme, (value,)) for value in values]


def _cell(
    theme: tuple[dict[str, str], dict[str, Style]], parts: Sequence[str | tuple[str, str]]
) -> Text:
    variables, styles = theme
    text = Text(end="", no_wrap=True)
    for part in parts:
        if isinstance(part, str):
            text.append(part)
        else:
            style = styles.get(part[1])
            if style is None:
                style = styles[part[1]] = _style(variables, part[1])
            text.append(part[0], style)
    return text
