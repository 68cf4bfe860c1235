"""The scan of regions: every region's clusters and instances, every page, all regions at once.

The scan does not wait for the region list (docs/architecture.md): while DescribeRegions is in
flight, :meth:`Scanner.list_early` already lists every region botocore knows in the caller's
partition (read-only calls), and the next scan takes the answers of the regions it is asked for.
It makes a scan one round trip instead of two (benchmarks/scan.py); the price is one refused,
unread request per region that is not enabled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from slrwizard.aws.errors import REGION_DISABLED_CODES, TOKEN_REFUSED_CODES, refuses_credentials
from slrwizard.aws.parse import cluster_from_api, instance_from_api
from slrwizard.aws.regions import Regions
from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.models import RegionOutcome, RegionScan

LISTINGS = (("DescribeDBClusters", "DBClusters"), ("DescribeDBInstances", "DBInstances"))
"""A region's scan: these two listings, every page."""

EARLY_LISTINGS_FRESH_FOR = 30.0
"""Seconds for which listings started before the region list came back may stand in for a scan's
own (the wizard scans right after learning the regions; anything older is asked again)."""

Listing = Future[list[dict[str, Any]]]


@dataclass
class _EarlyRound:
    """The listings one :meth:`Scanner.list_early` started, by (region, operation)."""

    started: float
    listings: dict[tuple[str, str], Listing]


class Scanner:
    """Lists RDS clusters and instances region by region, concurrently."""

    def __init__(self, transport: Transport, regions: Regions | None = None) -> None:
        self.transport = transport
        self.regions = regions or Regions(transport)
        self._lock = threading.Lock()
        self._early: _EarlyRound | None = None
        self._scans_begun = 0  # an early round decided after a scan began is not that scan's
        # Listings not yet ended, for settle(); each leaves the set when it ends, so answers
        # nobody reads are not kept (a session lists regions again at every re-scan).
        self._running: set[Listing] = set()

    def list_early(self, known: Callable[[], Sequence[str]] | None = None) -> None:
        """Start the scan's listings in every region botocore knows in the caller's partition.

        ``known`` gives those regions (by default :meth:`Regions.known`); it is asked on the
        listings' own thread, since it may wait for sts:GetCallerIdentity to name the partition:
        the listings must never reach a region of another partition.
        """
        with self._lock:
            self._early = None
            begun = self._scans_begun

        def start_all() -> None:
            regions = list((known or self.regions.known)())
            if not regions:
                return
            early = _EarlyRound(
                time.monotonic(), {(r, op): Future() for r in regions for op, _ in LISTINGS}
            )
            with self._lock:
                if self._scans_begun != begun:
                    return  # a scan began meanwhile and lists for itself
                self._early = early
            for future in early.listings.values():
                self._track(future)
            # One region after another: a client is built (3-15 ms of CPU, under the client
            # lock) and that region's listings leave at once. Seventy threads all building at
            # once would queue for the GIL and delay the calls that other steps wait for.
            for region in regions:
                for operation, key in LISTINGS:
                    self._start_listing(region, operation, key, early.listings[(region, operation)])

        threading.Thread(target=start_all, name="early-listings", daemon=True).start()

    def settle(self, timeout: float = 10.0) -> None:
        """Wait (at most ``timeout`` seconds) for listings still in flight to end.

        Early listings no scan took are read-only and their answers dropped; this is for a caller
        about to tear the endpoint down (the tests' moto) rather than let them run on.
        """
        with self._lock:
            pending = list(self._running)
        wait(pending, timeout=timeout)

    def scan(
        self, regions: Sequence[str], on_region: Callable[[RegionScan], None] | None = None
    ) -> list[RegionScan]:
        """Scan all regions at once: every region's two listings are in flight together."""
        with self._lock:
            early, self._early = self._early, None
            self._scans_begun += 1
        fresh = (
            early.listings
            if early is not None and time.monotonic() - early.started <= EARLY_LISTINGS_FRESH_FOR
            else {}
        )
        listings = {
            region: [
                fresh.get((region, operation)) or self._start_listing(region, operation, key)
                for operation, key in LISTINGS
            ]
            for region in dict.fromkeys(regions)
        }
        # Every listing is in flight already (AWS throttles per region, so all can go at once);
        # one thread per region turns its two answers into the domain's models once both are in.
        with ThreadPoolExecutor(
            max_workers=max(1, len(listings)), thread_name_prefix="scan"
        ) as pool:
            futures = {
                region: pool.submit(self._scan_one, region, pair[0], pair[1], on_region)
                for region, pair in listings.items()
            }
            return [futures[region].result() for region in regions]

    def _track(self, future: Listing) -> None:
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._untrack)

    def _untrack(self, future: Listing) -> None:
        with self._lock:
            self._running.discard(future)

    def _start_listing(
        self, region: str, operation: str, key: str, future: Listing | None = None
    ) -> Listing:
        """Every item of one RDS listing in ``region``, on its own thread, into ``future``.

        A daemon thread rather than a pool's: a listing nobody will read (an early one in a region
        that is not enabled, or unreachable) must not hold the process open at exit.
        """
        if future is None:
            future = Future()
            self._track(future)
        try:
            self.transport.client("rds", region)  # here, so the thread starts with its request
        except e.WizardError as exc:
            future.set_exception(exc)
            return future

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(list(self.transport.paginate("rds", operation, key, region)))
            except BaseException as exc:  # handed to whoever reads the future
                future.set_exception(exc)

        threading.Thread(target=run, name=f"list-{region}", daemon=True).start()
        return future

    def _scan_one(
        self,
        region: str,
        clusters_f: Listing,
        instances_f: Listing,
        on_region: Callable[[RegionScan], None] | None,
    ) -> RegionScan:
        started = time.monotonic()
        try:
            raw_clusters, raw_instances = clusters_f.result(), instances_f.result()
            primaries = self._global_writers(region, raw_clusters)
            status = {
                str(i["DBInstanceIdentifier"]): str(i["DBInstanceStatus"]) for i in raw_instances
            }
            ids = {
                str(i["DBInstanceIdentifier"]): str(i["DbiResourceId"])
                for i in raw_instances
                if i.get("DbiResourceId")
            }
            clusters = [cluster_from_api(region, c, status, primaries, ids) for c in raw_clusters]
            instances = [
                instance_from_api(region, i)
                for i in raw_instances
                if not i.get("DBClusterIdentifier")
            ]
            scan = RegionScan(
                region=region,
                outcome=RegionOutcome.SCANNED,
                clusters=sorted(clusters, key=lambda c: c.identifier),
                instances=sorted(instances, key=lambda i: i.identifier),
                seconds=time.monotonic() - started,
            )
        except e.WizardError as exc:
            outcome = _outcome(exc)
            if exc.code in TOKEN_REFUSED_CODES and region in self.regions.enabled:
                # AWS listed the region as enabled: it is not "not enabled", it refuses these
                # credentials (STS global-endpoint tokens are valid in default regions only).
                exc, outcome = refuses_credentials(region, exc.code), RegionOutcome.FAILED
            scan = RegionScan(
                region=region,
                outcome=outcome,
                reason=exc.explanation,
                seconds=time.monotonic() - started,
            )
        if on_region is not None:
            on_region(scan)
        return scan

    def _global_writers(self, region: str, raw_clusters: list[dict[str, Any]]) -> set[str]:
        """ARNs of clusters that are the writer (primary) of their global database."""
        writers: set[str] = set()
        for gid in sorted(
            {c["GlobalClusterIdentifier"] for c in raw_clusters if c.get("GlobalClusterIdentifier")}
        ):
            for g in self.transport.paginate(
                "rds",
                "DescribeGlobalClusters",
                "GlobalClusters",
                region,
                GlobalClusterIdentifier=gid,
            ):
                writers |= {
                    str(m["DBClusterArn"])
                    for m in g.get("GlobalClusterMembers", [])
                    if m.get("IsWriter")
                }
        return writers


def _outcome(exc: e.WizardError) -> RegionOutcome:
    if isinstance(exc, e.RegionUnavailableError) or exc.code in REGION_DISABLED_CODES:
        return RegionOutcome.SKIPPED_DISABLED
    if isinstance(exc, e.AccessDeniedError):
        return RegionOutcome.DENIED
    return RegionOutcome.FAILED
