"""The measured side of the scale benchmark: scan, table and keystrokes in one Textual app.

A minimal app holds the TUI's own clusters table (``slrwizard.tui.widgets.resources
.ResourceTable``) and regions grid (``RegionGrid``), laid out as the scan screen lays them out
(the table takes the height the grid leaves) and fed the way ``ScanScreen`` feeds them: a
message per region that answers, turned into rows on the UI thread, the grid cell updated and the
row under the cursor read for the detail line); where the table does not exist, a ``DataTable``
with the same columns. ``App.run_test()`` drives it (headless: everything is rendered except the
bytes sent to the terminal):

1. a thread worker runs the real gateway's ``scan_regions`` against ``AWS_ENDPOINT_URL``; each
   region's rows are given to the table as it answers (``add_region_rows``: the table holds them
   until the answers pause), and the whole result is set once the scan is over (``set_rows``,
   reusing the rows made as regions answered, and the grid brought up to date with
   ``show_all``), as ``ScanScreen`` does; the table may add rows over a few frames
   (``pending``): "every row in the table" waits for them;
2. meanwhile a thread types ``j`` every ~25 ms the way Textual's input thread does (it posts
   the key to the app: ``App.post_message``, safe from any thread), and the app notes when its
   binding runs: that delay is the keystroke latency, queueing behind whatever the UI thread was
   busy with included; the cyclic collector's pauses are timed meanwhile (``gc.callbacks``);
3. once every row is in the table: a filter (``set_filter``, what ``ScanScreen`` calls once the
   typing pauses), timed until every matching row is in the table and the screen refreshed.

Prints one JSON object. Peak RSS is taken by the parent (``wait4``); ours is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import threading
import time
from contextlib import nullcontext
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

try:
    from slrwizard.tui.widgets.regions import RegionGrid as GRID
except ImportError:  # pragma: no cover - the TUI's grid is gone
    GRID = None

COLUMNS = ("Region", "Cluster / instance", "Engine", "Status", "Inst.", "Protected", "Global")


class PlainTable(DataTable[str]):
    """Fallback when the TUI's table is not there: same columns, rows added as regions answer."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        for label in COLUMNS:
            self.add_column(label)
        self.all_rows: list[tuple[str, ...]] = []

    def add_region_rows(self, rows: list[tuple[str, ...]]) -> None:
        self.all_rows += rows
        self.add_rows(rows)

    def set_filter(self, text: str) -> None:
        self.clear()
        self.add_rows([r for r in self.all_rows if any(text in c for c in r)])


def _table_kind(table: bool = True) -> tuple[type[Any], Any, str]:
    if not table:  # the baseline: the same scan and keystrokes, no row ever made or shown
        return PlainTable, lambda scan: [], "none (baseline: scan and keystrokes only)"
    try:
        from slrwizard.tui.widgets.resources import ResourceTable, rows_from_scan
    except ImportError:  # pragma: no cover - the TUI's table is gone

        def plain_rows(scan: Any) -> list[tuple[str, ...]]:
            return [
                *(
                    (c.region, c.identifier, c.engine, c.status, str(len(c.members)), "no", "-")
                    for c in scan.clusters
                ),
                *(
                    (i.region, i.identifier, i.engine, i.status, "solo", "no", "-")
                    for i in scan.instances
                ),
            ]

        return PlainTable, plain_rows, "minimal DataTable (same columns)"
    return ResourceTable, rows_from_scan, "slrwizard ResourceTable"


class RegionAnswered(Message):
    def __init__(self, scan: Any) -> None:
        super().__init__()
        self.scan = scan


class ScaleApp(App[None]):
    BINDINGS = [Binding("j", "probe", "probe")]
    # Laid out as the scan screen lays them out (slrwizard/tui/app.tcss): the table takes the
    # height the grid leaves, so rows coming in do not move the grid.
    CSS = """
    #resources { height: 1fr; min-height: 4; }
    #regions { height: auto; max-height: 6; }
    """

    def __init__(
        self, table_cls: type[Any], to_rows: Any, regions: list[str], grid: bool = True
    ) -> None:
        super().__init__()
        self.table_cls, self.to_rows, self.regions = table_cls, to_rows, regions
        self.grid_cls = GRID if grid else None
        self.handled: list[float] = []
        self.handled_event = threading.Event()
        self.last_rows_at = 0.0
        self.detail: Any = None
        self.region_rows: dict[str, tuple[Any, Any]] = {}

    def compose(self) -> ComposeResult:
        yield self.table_cls(id="resources")
        if self.grid_cls is not None:
            yield self.grid_cls(id="regions")

    def on_mount(self) -> None:
        self.query_one("#resources").focus()
        if self.grid_cls is not None:
            self.query_one(self.grid_cls).reset(self.regions)  # ScanScreen.on_regions_listed

    def action_probe(self) -> None:
        self.handled.append(time.perf_counter())
        self.handled_event.set()

    def on_region_answered(self, message: RegionAnswered) -> None:
        # ScanScreen.on_region_scanned: the grid's cell, the rows, the detail line
        if self.grid_cls is not None:
            self.query_one(self.grid_cls).record(message.scan)
        table = self.query_one("#resources")
        rows = self.to_rows(message.scan)
        self.region_rows[message.scan.region] = (message.scan, rows)
        table.add_region_rows(rows)
        self.detail = getattr(table, "highlighted", None)
        self.last_rows_at = time.perf_counter()

    def show_result(self, scans: list[Any]) -> None:
        """ScanScreen._show_result: the grid brought up to date, every row set (those made as
        their region answered reused), the detail line."""
        if self.grid_cls is not None:
            grid = self.query_one(self.grid_cls)
            if hasattr(grid, "show_all"):
                grid.show_all(scans)
            else:  # pragma: no cover - an older grid
                grid.reset([s.region for s in scans])
                for scan in scans:
                    grid.record(scan)
        table = self.query_one("#resources")

        def rows_of(scan: Any) -> Any:
            answered = self.region_rows.get(scan.region)
            if answered is not None and answered[0] is scan:
                return answered[1]
            return self.to_rows(scan)

        if hasattr(table, "set_rows"):
            table.set_rows([row for scan in scans for row in rows_of(scan)])
        self.detail = getattr(table, "highlighted", None)


def _peak_rss_mb() -> float:
    """This process image's peak RSS: ``VmHWM`` (``ru_maxrss`` would also count the memory of
    the parent it was forked from, until ``exec``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CollectionTimer:
    """The cyclic collector's pauses (every thread stops for them), through ``gc.callbacks``."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []  # (generation, seconds)
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._began))

    def summary(self) -> dict[str, Any]:
        full = [seconds for generation, seconds in self.pauses if generation == 2]
        return {
            "gc_collections": len(self.pauses),
            "gc_full": len(full),
            "gc_longest_s": max((seconds for _, seconds in self.pauses), default=0.0),
            "gc_total_s": sum(seconds for _, seconds in self.pauses),
        }


def type_keys(app: ScaleApp, stop: threading.Event, sent: list[float], lat: list[float]) -> None:
    """Press ``j`` like a person would, one key after the other, and time each."""
    while not stop.is_set():
        app.handled_event.clear()
        before = len(app.handled)
        t0 = time.perf_counter()
        app.post_message(events.Key("j", "j"))  # what the driver's input thread does
        if app.handled_event.wait(timeout=10) and len(app.handled) > before:
            sent.append(t0)
            lat.append(app.handled[before] - t0)
        time.sleep(0.025)


async def run(
    regions: list[str],
    expect_rows: int,
    filter_text: str,
    deadline: float,
    table: bool = True,
    hold_gc: bool = True,
) -> dict[str, Any]:
    table_cls, to_rows, kind = _table_kind(table)
    app = ScaleApp(table_cls, to_rows, regions, grid=table)
    # As ``slrwizard.tui.launch`` does before the app runs: what is loaded by now (Textual, the
    # TUI) is kept out of the cyclic collector's full collections; boto3 loads after, as there.
    gc.freeze()
    from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings
    from slrwizard.collector import CYCLIC_GC

    collector = CYCLIC_GC if hold_gc else None

    gateway = Boto3Gateway(GatewaySettings(region="us-east-1"))
    gc.freeze()  # as WizardApp.on_connected does, once boto3 and the domain are loaded
    out: dict[str, Any] = {"widget": kind}
    async with app.run_test(size=(140, 40)) as pilot:
        table = app.query_one("#resources", DataTable)
        stop, sent, latencies = threading.Event(), [], []
        typist = threading.Thread(target=type_keys, args=(app, stop, sent, latencies), daemon=True)
        typist.start()
        collections = CollectionTimer()
        gc.callbacks.append(collections)
        started, ui_cpu = time.perf_counter(), time.thread_time()  # we are the UI thread

        def scan() -> list[Any]:
            # as the app's scan worker (slrwizard.tui.work) does
            with collector.held_here() if collector is not None else nullcontext():
                return gateway.scan_regions(
                    regions, lambda scan: app.post_message(RegionAnswered(scan))
                )

        if collector is not None:  # ScanScreen holds the collector off until its table is full
            collector.hold()
        worker = app.run_worker(scan, thread=True)
        scans = await worker.wait()
        scan_done, ui_cpu = time.perf_counter(), time.thread_time() - ui_cpu
        app.show_result(scans)  # ScanScreen.on_scan_finished
        give_up = time.perf_counter() + deadline
        while table.row_count < expect_rows and time.perf_counter() < give_up:
            await pilot.pause(0.005)
        await pilot.pause()
        rows_done = time.perf_counter()
        gc.callbacks.remove(collections)
        if collector is not None:
            collector.release()
        stop.set()
        await asyncio.get_running_loop().run_in_executor(None, typist.join, 15)

        async def filtered_by(text: str) -> float:
            """Seconds until the filtered rows are all in the table and drawn."""
            t = time.perf_counter()
            widget = app.query_one("#resources")
            widget.set_filter(text)
            while getattr(widget, "pending", 0) and time.perf_counter() < t + deadline:
                await pilot.pause(0.001)
            await pilot.pause()
            return time.perf_counter() - t

        filter_s = await filtered_by(filter_text)
        filtered = table.row_count
        unfilter_s = await filtered_by("")

    slowest = sorted(zip(latencies, sent, strict=False), reverse=True)[:3]
    latencies.sort()
    out.update(
        scan_s=scan_done - started,
        rows_done_s=rows_done - started,
        render_after_scan_s=rows_done - scan_done,
        rows=int(table.row_count),
        clusters=sum(len(s.clusters) for s in scans),
        instances=sum(len(s.instances) + sum(len(c.members) for c in s.clusters) for s in scans),
        regions_failed=[s.region for s in scans if s.outcome.value != "scanned"],
        filter_s=filter_s,
        filter_rows=filtered,
        unfilter_s=unfilter_s,
        keys=len(latencies),
        key_median_s=latencies[len(latencies) // 2] if latencies else float("nan"),
        key_p95_s=latencies[int(len(latencies) * 0.95)] if latencies else float("nan"),
        key_max_s=latencies[-1] if latencies else float("nan"),
        slowest_keys=[(round(max(0.0, t - started), 3), round(lat, 4)) for lat, t in slowest],
        ui_cpu_s=ui_cpu,
        rss_mb=_peak_rss_mb(),
        **collections.summary(),
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", required=True)
    parser.add_argument("--expect-rows", type=int, required=True)
    parser.add_argument("--filter", default="eu-west-1")
    parser.add_argument("--deadline", type=float, default=120, help="seconds to wait for rows")
    parser.add_argument(
        "--no-table", action="store_true", help="baseline: scan and keystrokes, no table rows"
    )
    parser.add_argument(
        "--no-gc-hold",
        action="store_true",
        help="leave the cyclic collector on during the scan (to measure what holding it gains)",
    )
    args = parser.parse_args()
    regions = args.regions.split(",")
    expect = 0 if args.no_table else args.expect_rows
    result = asyncio.run(
        run(regions, expect, args.filter, args.deadline, not args.no_table, not args.no_gc_hold)
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
