"""Facts: label/value rows whose long values wrap under the value column, never under the label."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content

from slrwizard.tui.widgets.facts import Facts

ARN = "arn:aws:iam::123456789012:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"


class FactsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Facts([("Account", "1234-5678-9012"), ("Role ARN", ARN)], label_width=10)


def screen_lines(app: App[None]) -> list[str]:
    """The widget's lines as the terminal shows them (trailing blanks dropped)."""
    facts = app.query_one(Facts)
    return [
        "".join(segment.text for segment in facts.render_line(y)).rstrip()
        for y in range(facts.size.height)
    ]


async def test_a_long_value_wraps_under_its_own_column() -> None:
    app = FactsApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        facts = app.query_one(Facts)
        lines = screen_lines(app)
        assert lines[0] == "Account   1234-5678-9012"
        assert lines[1].startswith("Role ARN  arn:aws:iam::")
        # Every continuation of the ARN starts at the value column: the label column stays clean.
        continuation = lines[2:]
        assert continuation and all(line.startswith(" " * 10) for line in continuation)
        assert "".join(line[10:] for line in lines[1:]) == ARN
        assert facts.size.height == len(lines) == 1 + -(-len(ARN) // 30)


async def test_a_long_label_wraps_within_the_label_column() -> None:
    app = FactsApp()
    async with app.run_test(size=(40, 10)) as pilot:
        facts = app.query_one(Facts)
        facts.set_rows([("Last used region", Content("eu-west-1"))])
        await pilot.pause()
        assert screen_lines(app) == ["Last used eu-west-1", "region"]


async def test_new_rows_are_laid_out_again_and_the_same_rows_are_left_alone() -> None:
    app = FactsApp()
    async with app.run_test(size=(40, 10)) as pilot:
        facts = app.query_one(Facts)
        await pilot.pause()
        assert facts.size.height == 4
        facts.set_rows([("Account", "1234-5678-9012")])
        await pilot.pause()
        assert facts.size.height == 1
        assert screen_lines(app) == ["Account   1234-5678-9012"]
        laid_out = facts._laid_out
        facts.set_rows([("Account", "1234-5678-9012")])
        assert facts._laid_out is laid_out  # nothing changed: nothing laid out again
        assert facts.rows == [("Account", "1234-5678-9012")]
