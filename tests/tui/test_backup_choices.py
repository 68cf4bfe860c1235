"""A card's backup choices: RDS Custom keeps a snapshot by default (taken before its deletion),
and the automated backups follow the final snapshot's choice unless the operator decides."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Checkbox

from slrwizard.domain.models import Cluster, Instance
from slrwizard.tui.summary import Draft
from slrwizard.tui.widgets.choice import CUSTOM_NOTE, ResourceChoice

CUSTOM = Instance(
    region="eu-west-1",
    identifier="erp-oracle-custom",
    arn="arn:aws:rds:eu-west-1:123456789012:db:erp-oracle-custom",
    engine="custom-oracle-ee",
    status="available",
)
ORDERS = Cluster(
    region="eu-west-1",
    identifier="orders",
    arn="arn:aws:rds:eu-west-1:123456789012:cluster:orders",
    engine="aurora-mysql",
    status="available",
)


class Host(App[None]):
    def __init__(self, resource: Cluster | Instance, draft: Draft) -> None:
        super().__init__()
        self.resource, self.draft = resource, draft

    def compose(self) -> ComposeResult:
        yield ResourceChoice(self.resource, self.draft)


async def test_rds_custom_offers_a_snapshot_taken_before_its_deletion() -> None:
    host = Host(CUSTOM, Draft(snapshot="erp-oracle-custom-final"))
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        card = host.query_one(ResourceChoice)
        assert not card.query_one("Checkbox.skip").disabled  # an explicit skip is possible
        assert str(card.query_one(".custom-note").render()) == CUSTOM_NOTE
        entry = card.resource_plan()
        assert entry is not None and entry.final_snapshot_id == "erp-oracle-custom-final"


async def test_automated_backups_follow_the_skip_until_the_operator_chooses() -> None:
    host = Host(ORDERS, Draft(snapshot="orders-final"))
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        card = host.query_one(ResourceChoice)
        backups = card.query_one("Checkbox.backups", Checkbox)
        assert backups.value is True  # a final snapshot kept: backups deleted with it
        entry = card.resource_plan()
        assert entry is not None and entry.deletes_automated_backups is True

        card.query_one("Checkbox.skip", Checkbox).focus()
        await pilot.press("space")
        await pilot.pause()
        assert backups.value is False  # skipped: retained by default
        entry = card.resource_plan()
        assert entry is not None and entry.deletes_automated_backups is False
        assert entry.delete_automated_backups is None  # still the default

        backups.focus()
        await pilot.press("space")  # the operator decides: delete them with it anyway
        await pilot.pause()
        entry = card.resource_plan()
        assert entry is not None and entry.delete_automated_backups is True
        card.query_one("Checkbox.skip", Checkbox).focus()
        await pilot.press("space")  # a snapshot again: the explicit choice stays
        await pilot.pause()
        assert backups.value is True
        entry = card.resource_plan()
        assert entry is not None and entry.delete_automated_backups in (True, None)
        assert entry.deletes_automated_backups is True
