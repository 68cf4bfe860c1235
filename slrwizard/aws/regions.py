"""Which regions to scan: ec2:DescribeRegions, else account:ListRegions, else botocore's list.

The source used is always reported, since only the first two know which regions the account has
enabled (docs/architecture.md, "Regions").
"""

from __future__ import annotations

from collections.abc import Callable

from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.models import RegionList, RegionSource


def partition_regions(transport: Transport) -> list[str]:
    """Every region botocore knows for RDS in the home region's partition ([] if it knows none).

    The scan's listings may start in these before AWS has said which are enabled (see
    :class:`slrwizard.aws.scan.Scanner`).
    """
    try:
        partition = transport.session.get_partition_for_region(transport.home_region)
        return list(transport.session.get_available_regions("rds", partition_name=partition))
    except Exception:  # a home region botocore does not know
        return []


def list_regions(transport: Transport, while_asking: Callable[[], None]) -> RegionList:
    """Enabled regions, from the most to the least trustworthy source.

    ``while_asking`` is called once EC2's client exists, right before DescribeRegions is sent:
    the scan uses that round trip to start listing (:meth:`Scanner.list_early`).
    """
    try:
        transport.client("ec2")  # first: the early listings keep the CPU busy for a while
        while_asking()
        answer = transport.call("ec2", "DescribeRegions")
        names = sorted(r["RegionName"] for r in answer.get("Regions", []))
        if names:
            return RegionList(regions=names, source=RegionSource.EC2)
        first_problem = "ec2:DescribeRegions answered no regions"
    except e.WizardError as exc:
        first_problem = exc.explanation
    try:
        names = sorted(
            r["RegionName"]
            for r in transport.paginate(
                "account",
                "ListRegions",
                "Regions",
                RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"],
            )
        )
        if names:
            return RegionList(
                regions=names,
                source=RegionSource.ACCOUNT,
                note=f"Used account:ListRegions because {first_problem}",
            )
    except e.WizardError as exc:
        first_problem += f"; {exc.explanation}"
    names = sorted(transport.session.get_available_regions("rds"))
    return RegionList(
        regions=names,
        source=RegionSource.STATIC,
        note=(
            f"Used botocore's static region list because {first_problem}. It ignores opt-in: "
            "regions that are not enabled will show as skipped."
        ),
    )
