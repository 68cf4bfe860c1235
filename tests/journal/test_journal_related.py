"""The change ticket carries what stood beside the databases: each related resource the scan
found (with what it meant for the role and what the wizard did), the listings it could not make,
and every removal the plan made first, with its request id."""

from __future__ import annotations

import json
from pathlib import Path

from journal_support import walk

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.journal.export import export_json, export_markdown

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]


def test_the_export_carries_the_related_kinds_and_their_removals(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    wizard, wiring = connect_wizard(
        Options(demo=True, demo_speed=0, regions=REGIONS), journal_path=journal
    )
    try:
        wiring.gateway.settings = wiring.gateway.settings.model_copy(
            update={"poll_seconds": 0.05, "settle_seconds": 0.05}
        )
        walk(wizard)
        assert wizard.state == "done"
    finally:
        wiring.close()

    text = export_markdown(journal, wizard.session_id)
    first_scan = text.split("### ")[1]
    for line in (
        "- beside the databases: us-east-1: Blue/Green deployment bgd-7h2kq9x4m1: "
        "Holds the role; blocks deleting either side. Step 3 deletes it first",
        "- beside the databases: us-west-2: Limitless shard group ledger-shards:",
        "- beside the databases: eu-west-1: zero-ETL integration billing-zero-etl (",
        "- beside the databases: ap-southeast-2: RDS Proxy crm-proxy:",
        "- beside the databases: ap-southeast-2: DB cluster group apac-fleet: AWS does not "
        "document whether it holds the role",
        "- beside the databases: eu-west-1: retained instance backups old-billing-mysql: Kept 7 "
        "days, storage billed until they expire.",
        "- eu-central-1: could not check zero-ETL integrations (AccessDeniedException",
    ):
        assert line in first_scan, line
    for call in (
        "Delete Blue/Green deployment bgd-7h2kq9x4m1",
        "Delete Limitless shard group ledger-shards of ledger-limitless",
        "Delete zero-ETL integration billing-zero-etl",
        "Delete RDS Proxy crm-proxy (target crm-mysql)",
        "Remove inventory-apac from DB cluster group apac-fleet",
    ):
        assert call in text.split("## AWS calls that change something")[1], call

    data = json.loads(export_json(journal, wizard.session_id))
    scan = data["scans"][0]
    assert any(line.startswith("us-east-1: Blue/Green deployment") for line in scan["beside"])
    assert scan["unchecked"] == [
        "eu-central-1: could not check zero-ETL integrations (AccessDeniedException: this "
        "caller may not list them)"
    ]
    # The last scan before the role: only what the wizard does not delete is left.
    last = data["scans"][-1]
    assert sorted(line.split(": ")[1] for line in last["beside"]) == [
        "DB cluster group apac-fleet",
        "retained cluster backups search-aurora-2023",
        "retained instance backups old-billing-mysql",
    ]
