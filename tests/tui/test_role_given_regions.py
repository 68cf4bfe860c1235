"""With ``--regions``, step 4 says plainly that only those regions were checked: while it
re-scans, and beside the proof that nothing is left, where the role's deletion is offered."""

from __future__ import annotations

from datetime import datetime, timezone

from slrwizard.domain.models import RegionList, RegionOutcome, RegionScan, RegionSource, ScanResult
from slrwizard.tui.screens.role_text import Phase, RoleFacts, given_regions, role_texts

NOW = datetime(2026, 12, 5, 15, 27, tzinfo=timezone.utc)
GIVEN = RegionList(regions=["eu-west-1", "us-east-1"], source=RegionSource.USER)
ENABLED = RegionList(regions=["eu-west-1", "us-east-1"], source=RegionSource.EC2)


def facts(phase: Phase, region_list: RegionList) -> RoleFacts:
    scan = ScanResult(
        regions=[RegionScan(region=r, outcome=RegionOutcome.SCANNED) for r in region_list.regions],
        region_source=region_list.source,
        started=NOW,
        finished=NOW,
    )
    return RoleFacts(
        phase=phase,
        scan=scan,
        status=None,
        account="1234 5678 9012",
        read_only=False,
        answered=1,
        total=2,
        unaccepted=[],
        scanned_at=NOW,
        mask=lambda text: text,
        given=given_regions(region_list),
    )


def test_only_regions_named_with_regions_count_as_given() -> None:
    assert given_regions(GIVEN) == ("eu-west-1", "us-east-1")
    assert given_regions(ENABLED) == ()
    assert given_regions(None) == ()


def test_the_rescan_says_which_regions_it_covers() -> None:
    given = role_texts(facts("rescanning", GIVEN)).intro
    assert given == (
        "Re-scanning only the regions given with --regions (eu-west-1, us-east-1): 1 of 2 answered."
    )
    assert role_texts(facts("rescanning", ENABLED)).intro == (
        "Re-scanning every region: 1 of 2 answered."
    )


def test_the_offer_to_delete_the_role_says_only_those_regions_were_checked() -> None:
    ready = role_texts(facts("ready", GIVEN)).result.plain
    assert "no database in 2 regions" in ready
    assert "Only the regions given with --regions were checked (eu-west-1, us-east-1)." in ready
    assert "any other region" in ready
    everywhere = role_texts(facts("ready", ENABLED)).result.plain
    assert "--regions" not in everywhere
