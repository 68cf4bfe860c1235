"""What stands beside the demo's databases, as the operator reads it: step 2 shows each new kind
(Blue/Green deployment, Limitless shard group, zero-ETL integration, RDS Proxy, DB cluster group,
retained backups, a Multi-AZ DB cluster's read replica) with what it means for the role, and the
listing the demo's SCP denies as "could not check"; step 3 says what goes first and what is left,
and the review lists each removal among the steps and in what the confirmation consents to."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from slrwizard.tui.app import WizardApp
from slrwizard.tui.widgets.resources import ResourceTable

from .helpers import paste, settle, to_plan, to_review, to_scan, until

SIZE = (120, 40)


def shown(widget: Widget) -> str:
    """The text ``widget`` draws, its lines joined by spaces."""
    lines = ("".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height))
    return " ".join(" ".join(line.split()) for line in lines).strip()


async def detail_for(pilot: Pilot[int], name: str) -> str:
    """Filter the table to ``name``, as an operator pastes it, and read the line under it."""
    screen = pilot.app.screen
    table = screen.query_one(ResourceTable)
    await pilot.press("escape", "slash")
    await paste(pilot, name)
    await pilot.press("enter")
    await until(pilot, lambda: table.filter_text == name, "the filter")
    await settle(pilot)
    for _ in range(5):  # onto the row of that name (another row may mention it)
        row = table.highlighted
        if row is not None and row.name.startswith(name):
            break
        await pilot.press("down")
        await pilot.pause()
    return shown(screen.query_one("#detail"))


@pytest.mark.shared_demo
async def test_step_2_shows_each_kind_beside_the_databases(
    make_app: Callable[..., WizardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_scan(pilot)
        summary = shown(app.screen.query_one("#summary"))
        assert "Also 7 beside them (in the table)." in summary
        assert "1 listing could not be checked (eu-central-1)." in summary

        bg = await detail_for(pilot, "bgd-7h2kq9x4m1")
        assert (
            "Blue/Green deployment bgd-7h2kq9x4m1: blue legacy-reporting, "
            "green legacy-rpt-green. Holds the role; blocks deleting either side. "
            "Step 3 deletes it first, keeping both sides (deleted as databases)." in bg
        )
        green = await detail_for(pilot, "legacy-rpt-green")
        assert "green side of Blue/Green deployment bgd-7h2kq9x4m1" in green
        assert "not an ordinary read replica" in green
        assert "read replica of legacy-reporting" not in green

        shards = await detail_for(pilot, "ledger-shards")
        assert "Limitless shard group ledger-shards on ledger-limitless" in shards
        assert "Step 3 deletes it before its cluster ledger-limitless." in shards
        etl = await detail_for(pilot, "billing-zero-etl")
        assert "zero-ETL integration billing-zero-etl" in etl
        assert "Step 3 deletes it before its source billing-aurora-pg." in etl
        proxy = await detail_for(pilot, "crm-proxy")
        assert "Holds the role while it exists." in proxy
        assert "Step 3 deletes it before its target crm-mysql." in proxy

        group = await detail_for(pilot, "apac-fleet")
        assert (
            "AWS does not document whether it holds the role: step 4 relies on AWS's answer."
            in (group)
        )
        assert "the emptied group is left (deletion protection on)" in group
        member = await detail_for(pilot, "inventory-apac")
        assert "in DB cluster group apac-fleet" in member

        backup = await detail_for(pilot, "old-billing-mysql")
        assert "Retained backups of old-billing-mysql (deleted database, 200 GiB)" in (backup)
        assert "Kept 7 days, storage billed until they expire." in backup
        replica = await detail_for(pilot, "events-maz-replica")
        assert "read replica of Multi-AZ DB cluster events-maz: deleted before it" in replica


@pytest.mark.shared_demo
async def test_step_3_says_what_goes_first_and_what_is_left(
    make_app: Callable[..., WizardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_plan(pilot)
        beside = shown(app.screen.query_one("#plan-beside"))
        assert (
            "Found: 1 Blue/Green deployment, 1 shard group, 1 zero-ETL integration, 1 RDS Proxy, "
            "1 cluster group, 2 retained backups." in beside
        )
        assert "Blue/Green deployment bgd-7h2kq9x4m1 in us-east-1: Step 3 deletes" in (beside)
        assert (
            "events-maz-replica in eu-central-1 replicates from Multi-AZ DB cluster events-maz"
            in (beside)
        )
        assert "DB cluster group apac-fleet in ap-southeast-2: Step 3 removes inventory-apac" in (
            beside
        )
        assert "aws rds delete-db-cluster-group --db-cluster-group-identifier apac-fleet" in beside
        assert "retained cluster backups of search-aurora-2023 in us-east-1" in beside
        subtitles = {c.resource.key: str(c.border_subtitle) for c in app.screen.cards}  # type: ignore[attr-defined]
        assert subtitles["us-east-1/legacy-rpt-green"] == "PostgreSQL instance, Blue/Green green"
        assert subtitles["us-east-1/legacy-reporting"] == "PostgreSQL instance, Blue/Green blue"
        assert subtitles["eu-central-1/events-maz-replica"].endswith("replica of events-maz")
        assert subtitles["us-west-2/ledger-limitless"].endswith("shard group first")
        assert subtitles["ap-southeast-2/inventory-apac"].endswith("leaves group apac-fleet")
        assert (
            "Could not check zero-ETL integrations (AccessDeniedException: this caller may not "
            "list them) in eu-central-1." in beside
        )


@pytest.mark.shared_demo
async def test_the_review_lists_each_removal_and_the_confirmation_names_them(
    make_app: Callable[..., WizardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_review(pilot)
        summary = shown(app.screen.query_one("#review-summary"))
        assert "First, as AWS requires:" in summary
        for removal in (
            "delete Blue/Green deployment bgd-7h2kq9x4m1",
            "delete zero-ETL integration",
            "delete RDS Proxy crm-proxy",
            "delete shard group ledger-shards",
            "remove inventory-apac from its cluster group",
        ):
            assert removal in summary
        steps = shown(app.screen.query_one("#plan-steps"))
        assert "Delete Blue/Green deployment bgd-7h2kq9x4m1 (legacy-reporting is its blue" in steps
        assert "(legacy-rpt-green is its green; legacy-reporting the other side)" in steps
        assert "Delete Limitless shard group ledger-shards of ledger-limitless" in steps
        assert "Delete zero-ETL integration billing-zero-etl" in steps
        assert "Delete RDS Proxy crm-proxy (target crm-mysql)" in steps
        assert "Remove inventory-apac from DB cluster group apac-fleet" in steps
        assert "Delete instance events-maz-replica WITHOUT a final snapshot" in steps
        assert "Besides the databases" in steps
