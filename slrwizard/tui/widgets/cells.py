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
    variables = node.app.get_css_variables()
    text = Text(end="", no_wrap=True)
    for part in parts:
        if isinstance(part, str):
            text.append(part)
        else:
            text.append(part[0], _style(variables, part[1]))
    return text


def cells(node: DOMNode, values: Sequence[str | tuple[str, str]]) -> list[Text]:
    """One cell per value (a row)."""
    return [cell(node, value) for value in values]
