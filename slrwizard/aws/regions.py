"""Which regions to scan: ec2:DescribeRegions, else account:ListRegions, else botocore's list,
always cut to the caller's partition.

The source used is always reported, since only the first two know which regions the account has
enabled (docs/architecture.md, "Regions"). The partition (``aws``, ``aws-cn``, ``aws-us-gov``...)
is the caller's, read from the ARN sts:GetCallerIdentity answers: credentials of one partition
are unknown to every other, so a GovCloud or China caller must never be sent to commercial
regions, and botocore's static list defaults to the commercial partition unless told otherwise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.models import RegionList, RegionSource

EarlyStart = Callable[[Callable[[], Sequence[str]]], None]
"""Starts the scan's early listings; it is handed how to learn the regions to list (which may
wait for the caller's partition, so it is asked on the listings' own thread)."""


def arn_partition(arn: str) -> str | None:
    """The partition of an ARN (``arn:<partition>:service:...``), None if it is not an ARN."""
    parts = arn.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "arn" and parts[1] else None


class Regions:
    """The caller's partition, the regions botocore knows in it, and the enabled ones.

    The gateway asks sts:GetCallerIdentity through :meth:`caller_identity`, so the partition is
    learned from the answer the wizard needs anyway, at no extra round trip. A region list asked
    for while that answer is on its way waits for it (the report asks both side by side).
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._changed = threading.Condition()
        self._partition: str | None = None
        self._asking = 0
        self.enabled: frozenset[str] = frozenset()
        """Regions EC2 or the account API called enabled in the latest list (empty if neither
        answered): a refusal of our credentials there is not "not enabled"."""

    def caller_identity(self) -> dict[str, Any]:
        """sts:GetCallerIdentity; its ARN names the partition every region list is cut to."""
        with self._changed:
            self._asking += 1
        partition = None
        try:
            ident = self.transport.call("sts", "GetCallerIdentity")
            partition = arn_partition(str(ident.get("Arn", "")))
            return ident
        finally:
            with self._changed:
                self._asking -= 1
                self._partition = partition or self._partition
                self._changed.notify_all()

    def partition(self) -> str:
        """The caller's partition. While STS is being asked, its answer is waited for (at most a
        call's timeouts); if the caller was never asked or could not answer, the home region's
        partition (credentials that work there belong to it), else ``aws``."""
        settings = self.transport.settings
        deadline = time.monotonic() + settings.connect_timeout + settings.read_timeout
        with self._changed:
            while self._partition is None and self._asking:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            if self._partition is not None:
                return self._partition
        try:
            return str(self.transport.session.get_partition_for_region(self.transport.home_region))
        except Exception:  # a home region botocore does not know (a custom endpoint's)
            return "aws"

    def known(self, partition: str | None = None) -> list[str]:
        """Every region botocore knows for RDS in ``partition`` (the caller's by default)."""
        try:
            return list(
                self.transport.session.get_available_regions(
                    "rds", partition_name=partition or self.partition()
                )
            )
        except Exception:  # a partition botocore does not know
            return []

    def _elsewhere(self, partition: str) -> set[str]:
        """Regions botocore places in another partition than ``partition``."""
        return {
            region
            for other in self.transport.session.get_available_partitions()
            if other != partition
            for region in self.known(other)
        }

    def _in_partition(self, names: Sequence[str]) -> list[str]:
        """``names`` without the regions of other partitions (a region botocore does not know
        yet is kept: it is new, and AWS listed it for this caller)."""
        elsewhere = self._elsewhere(self.partition())
        return sorted(n for n in names if n not in elsewhere)

    def list_regions(self, start_early: EarlyStart) -> RegionList:
        """Enabled regions, from the most to the least trustworthy source.

        ``start_early`` is called once EC2's client exists, right before DescribeRegions is sent:
        the scan uses that round trip to start listing (:meth:`Scanner.list_early`).
        """
        try:
            self.transport.client("ec2")  # first: the early listings keep the CPU busy for a while
            start_early(self.known)
            answer = self.transport.call("ec2", "DescribeRegions")
            names = self._in_partition([r["RegionName"] for r in answer.get("Regions", [])])
            if names:
                self.enabled = frozenset(names)
                return RegionList(regions=names, source=RegionSource.EC2)
            first_problem = "ec2:DescribeRegions answered no regions"
        except e.WizardError as exc:
            first_problem = exc.explanation
        try:
            names = self._in_partition(
                [
                    r["RegionName"]
                    for r in self.transport.paginate(
                        "account",
                        "ListRegions",
                        "Regions",
                        RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"],
                    )
                ]
            )
            if names:
                self.enabled = frozenset(names)
                return RegionList(
                    regions=names,
                    source=RegionSource.ACCOUNT,
                    note=f"Used account:ListRegions because {first_problem}",
                )
        except e.WizardError as exc:
            first_problem += f"; {exc.explanation}"
        self.enabled = frozenset()
        partition = self.partition()
        return RegionList(
            regions=sorted(self.known(partition)),
            source=RegionSource.STATIC,
            note=(
                f"Used botocore's static region list of the {partition} partition because "
                f"{first_problem}. It ignores opt-in: regions that are not enabled will show as "
                "skipped."
            ),
        )
