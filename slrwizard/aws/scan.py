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
from slrwizard.aws.members import AUTOSCALING, RDS_NAMESPACE, scalable_target_from_api
from slrwizard.aws.parse import cluster_from_api, instance_from_api
from slrwizard.aws.regions import Regions
from slrwizard.aws.related import RELATED_LISTINGS, list_items, read_related
from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.models import (
    Cluster,
    RegionOutcome,
    RegionScan,
    RelatedKind,
    RelatedResource,
    ScalableTarget,
)

LISTINGS = (("DescribeDBClusters", "DBClusters"), ("DescribeDBInstances", "DBInstances"))
"""A region's scan: these two listings, every page."""
AUTOSCALING_LISTING = ("DescribeScalableTargets", "ScalableTargets")
"""...and its clusters' Aurora Auto Scaling targets, in flight with them (not after them: one
round trip per region either way). Its failure (a policy without application-autoscaling) does
not fail the region: the clusters say their targets are unknown."""
RELATED = tuple((operation, key) for _, operation, key in RELATED_LISTINGS)
"""...and the related listings of :mod:`slrwizard.aws.related` (each guarded on its own when
read). They leave with the others, early too, but each after one of the region's three first
listings, on its thread: ten threads a region (one per listing) would queue for the interpreter
lock with the UI thread (the keystroke benchmark) for answers that are nearly always empty; three
threads of at most four calls each keep the scan within four round trips."""
GROUPS: tuple[tuple[tuple[str, str], ...], ...] = (
    (LISTINGS[0], *RELATED[0:3]),
    (LISTINGS[1], *RELATED[3:5]),
    (AUTOSCALING_LISTING, *RELATED[5:]),
)
"""The listings of one region, grouped by the thread that makes them (in order): each thread's
first listing is one the region's scan reads first."""
ALL_LISTINGS = tuple(listing for group in GROUPS for listing in group)
_SERVICES: dict[str, tuple[str, dict[str, Any]]] = {
    "DescribeScalableTargets": (AUTOSCALING, {"ServiceNamespace": RDS_NAMESPACE}),
}
"""Listings of another service than RDS: its service name and fixed parameters."""

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
                time.monotonic(), {(r, op): Future() for r in regions for op, _ in ALL_LISTINGS}
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
                for group in GROUPS:
                    futures = [early.listings[(region, operation)] for operation, _ in group]
                    self._start_listings(region, group, futures)

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
        """Scan all regions at once: every region's listings are in flight together."""
        with self._lock:
            early, self._early = self._early, None
            self._scans_begun += 1
        fresh = (
            early.listings
            if early is not None and time.monotonic() - early.started <= EARLY_LISTINGS_FRESH_FOR
            else {}
        )
        listings = {region: self._listings(region, fresh) for region in dict.fromkeys(regions)}
        # Every listing is in flight already (AWS throttles per region, so all can go at once);
        # one thread per region turns its answers into the domain's models once they are in.
        with ThreadPoolExecutor(
            max_workers=max(1, len(listings)), thread_name_prefix="scan"
        ) as pool:
            futures = {
                region: pool.submit(
                    self._scan_one,
                    region,
                    found["DescribeDBClusters"],
                    found["DescribeDBInstances"],
                    found[AUTOSCALING_LISTING[0]],
                    on_region,
                    [(kind, found[operation]) for kind, operation, _ in RELATED_LISTINGS],
                )
                for region, found in listings.items()
            }
            return [futures[region].result() for region in regions]

    def _track(self, future: Listing) -> None:
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._untrack)

    def _untrack(self, future: Listing) -> None:
        with self._lock:
            self._running.discard(future)

    def _listings(self, region: str, fresh: dict[tuple[str, str], Listing]) -> dict[str, Listing]:
        """The region's listings by operation: the early ones still fresh, the others started."""
        found: dict[str, Listing] = {}
        for group in GROUPS:
            if all((region, operation) in fresh for operation, _ in group):
                found.update({operation: fresh[(region, operation)] for operation, _ in group})
            else:
                futures = self._start_listings(region, group)
                found.update(
                    {operation: f for (operation, _), f in zip(group, futures, strict=True)}
                )
        return found

    def _start_listings(
        self, region: str, group: Sequence[tuple[str, str]], futures: list[Listing] | None = None
    ) -> list[Listing]:
        """Every item of each listing of ``group`` in ``region``, one after another on one
        thread, each into its future.

        A daemon thread rather than a pool's: a listing nobody will read (an early one in a region
        that is not enabled, or unreachable) must not hold the process open at exit.
        """
        if futures is None:
            futures = [Future() for _ in group]
            for future in futures:
                self._track(future)
        services = {_SERVICES.get(operation, ("rds", {}))[0] for operation, _ in group}
        try:
            for service in sorted(services):  # here, so the thread starts with its request
                self.transport.client(service, region)
        except e.WizardError as exc:
            for future in futures:
                future.set_exception(exc)
            return futures

        def run() -> None:
            for (operation, key), future in zip(group, futures, strict=True):
                if not future.set_running_or_notify_cancel():
                    continue
                service, params = _SERVICES.get(operation, ("rds", {}))
                try:
                    if service == "rds":
                        future.set_result(list_items(self.transport, operation, key, region))
                    else:
                        future.set_result(
                            list(self.transport.paginate(service, operation, key, region, **params))
                        )
                except BaseException as exc:  # handed to whoever reads the future
                    future.set_exception(exc)

        threading.Thread(target=run, name=f"list-{region}", daemon=True).start()
        return futures

    def _read_related(
        self, region: str, listings: list[tuple[RelatedKind, Listing]]
    ) -> tuple[list[RelatedResource], list[str]]:
        """Every related listing's resources, and a "could not check" line per failed one."""
        found: list[RelatedResource] = []
        unchecked: list[str] = []
        for kind, future in listings:
            resources, problem = read_related(self.transport, region, kind, future.result)
            found += resources
            if problem:
                unchecked.append(problem)
        return found, unchecked

    def _scan_one(
        self,
        region: str,
        clusters_f: Listing,
        instances_f: Listing,
        targets_f: Listing,
        on_region: Callable[[RegionScan], None] | None,
        related_f: list[tuple[RelatedKind, Listing]] | None = None,
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
            clusters = with_autoscaling(
                [cluster_from_api(region, c, status, primaries, ids) for c in raw_clusters],
                targets_f,
            )
            instances = [
                instance_from_api(region, i)
                for i in raw_instances
                if not i.get("DBClusterIdentifier")
            ]
            related, unchecked = self._read_related(region, related_f or [])
            scan = RegionScan(
                region=region,
                outcome=RegionOutcome.SCANNED,
                clusters=sorted(clusters, key=lambda c: c.identifier),
                instances=sorted(instances, key=lambda i: i.identifier),
                related=related,
                unchecked=unchecked,
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


def with_autoscaling(clusters: list[Cluster], targets_f: Listing) -> list[Cluster]:
    """The clusters with their Aurora Auto Scaling targets (or why those are unknown)."""
    if not any(c.engine.startswith("aurora") for c in clusters):
        return clusters
    try:
        targets = [scalable_target_from_api(t) for t in targets_f.result()]
    except e.WizardError as exc:
        note = f"Aurora Auto Scaling not read ({exc.code or 'error'})"
        return [
            c.model_copy(update={"autoscaling_note": note}) if c.engine.startswith("aurora") else c
            for c in clusters
        ]
    by_id: dict[str, list[ScalableTarget]] = {}
    for target in targets:
        by_id.setdefault(target.resource_id.lower(), []).append(target)
    return [
        c.model_copy(update={"autoscaling": by_id[f"cluster:{c.identifier}".lower()]})
        if f"cluster:{c.identifier}".lower() in by_id
        else c
        for c in clusters
    ]
