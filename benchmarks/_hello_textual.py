"""The reference for the start-up benchmark: a bare Textual app (header, one line, footer)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class Hello(App[None]):
    TITLE = "hello"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Hello, world: a bare Textual app.")
        yield Footer()


if __name__ == "__main__":
    Hello().run()
