"""Which regions the demo account has, and which of them an SCP fences off.

moto's ``DescribeRegions`` lists 38 regions including GovCloud and China and ignores filters; a
real commercial account lists its enabled regions only. The sandbox answers with a believable
commercial list, refuses RDS in the *denied* regions the way an organisation's service control
policy would, and answers RDS in regions the account never opted into the way AWS does, so the
wizard's "denied" and "skipped" paths show up in the demo.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slrwizard.sandbox.calls import Call, Reply, answer, fail

ENABLED_REGIONS: tuple[tuple[str, str], ...] = (
    ("ap-northeast-1", "opt-in-not-required"),
    ("ap-northeast-2", "opt-in-not-required"),
    ("ap-northeast-3", "opt-in-not-required"),
    ("ap-south-1", "opt-in-not-required"),
    ("ap-southeast-1", "opt-in-not-required"),
    ("ap-southeast-2", "opt-in-not-required"),
    ("ca-central-1", "opt-in-not-required"),
    ("eu-central-1", "opt-in-not-required"),
    ("eu-north-1", "opt-in-not-required"),
    ("eu-south-1", "opted-in"),
    ("eu-west-1", "opt-in-not-required"),
    ("eu-west-2", "opt-in-not-required"),
    ("eu-west-3", "opt-in-not-required"),
    ("sa-east-1", "opt-in-not-required"),
    ("us-east-1", "opt-in-not-required"),
    ("us-east-2", "opt-in-not-required"),
    ("us-west-1", "opt-in-not-required"),
    ("us-west-2", "opt-in-not-required"),
)
"""The account's enabled regions: the 17 that need no opt-in, plus one it opted into."""

NOT_OPTED_IN: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-southeast-3",
    "il-central-1",
    "me-south-1",
)
"""Opt-in regions this account never enabled: listed only with ``AllRegions=True``."""

DEFAULT_DENIED_REGIONS: tuple[str, ...] = ("sa-east-1",)
"""Regions where the demo organisation's SCP denies every RDS action."""


def caller_arn(account: str) -> str:
    """Who the demo pretends to be (moto would say ``user/moto``)."""
    return f"arn:aws:sts::{account}:assumed-role/DatabaseAdmin/demo"


def _rds_resource(account: str, region: str, operation: str) -> str:
    if "Cluster" in operation:
        kind = "cluster"
    elif "Instance" in operation:
        kind = "db"
    else:
        return f"arn:aws:rds:{region}:{account}:*"
    return f"arn:aws:rds:{region}:{account}:{kind}:*"


class RegionsBehaviour:
    """EC2 ``DescribeRegions``, SCP-denied regions, never-enabled regions, and the caller."""

    def __init__(self, account: str, denied_regions: Iterable[str]) -> None:
        self._account = account
        self.denied = frozenset(denied_regions)

    def before_call(self, call: Call) -> Reply | None:
        """Refuse RDS where AWS would; answer ``DescribeRegions`` for the demo account."""
        if call.service == "rds" and call.region in self.denied:
            resource = _rds_resource(self._account, call.region, call.operation)
            return fail(
                "AccessDenied",
                f"User: {caller_arn(self._account)} is not authorized to perform: "
                f"rds:{call.operation} on resource: {resource} with an explicit deny in a "
                "service control policy",
                403,
            )
        if call.service == "rds" and call.region in NOT_OPTED_IN:
            # A region the account has not enabled does not know its credentials at all.
            return fail(
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
                403,
            )
        if call.service == "ec2" and call.operation == "DescribeRegions":
            return self._describe_regions(call.params)
        return None

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None:
        """Name a believable caller instead of moto's ``user/moto``."""
        if call.service == "sts" and call.operation == "GetCallerIdentity":
            parsed["Arn"] = caller_arn(self._account)
            parsed["UserId"] = "AROAXDEMO7DATABASEADM:demo"

    def _describe_regions(self, params: dict[str, Any]) -> Reply:
        rows = list(ENABLED_REGIONS)
        if params.get("AllRegions"):
            rows += [(name, "not-opted-in") for name in NOT_OPTED_IN]
        known = {name for name, _ in rows}
        wanted = params.get("RegionNames") or []
        unknown = [name for name in wanted if name not in known]
        if unknown:
            return fail("InvalidParameterValue", f"Invalid region: {unknown[0]}")
        if wanted:
            rows = [r for r in rows if r[0] in wanted]
        for flt in params.get("Filters") or []:
            values = set(flt.get("Values") or [])
            if flt.get("Name") == "region-name":
                rows = [r for r in rows if r[0] in values]
            elif flt.get("Name") == "opt-in-status":
                rows = [r for r in rows if r[1] in values]
        regions = [
            {"Endpoint": f"ec2.{name}.amazonaws.com", "RegionName": name, "OptInStatus": status}
            for name, status in sorted(rows)
        ]
        return answer({"Regions": regions})
