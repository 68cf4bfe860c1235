"""The measured side of the scale benchmark: scan, table and keystrokes in one Textual app.

A minimal app holds the TUI's own clusters table (``slrwizard.tui.widgets.resources
.ResourceTable``, fed the way ``ScanScreen`` feeds it: a message per region that answers, turned
into rows on the UI thread); where that widget does not exist, a ``DataTable`` with the same
columns. ``App.run_test()`` drives it (headless: everything is rendered except the bytes sent to
the terminal):

1. a thread worker runs the real gateway's ``scan_regions`` against ``AWS_ENDPOINT_URL``; each
   region's rows are added as it answers (``add_region_rows``), and the whole result is set once
   the scan is over (``set_rows``), as ``ScanScreen`` does;
2. meanwhile a thread types ``j`` every ~25 ms the way Textual's input thread does
   (``driver.process_message``), and the app notes when its binding runs: that delay is the
   keystroke latency, queueing behind whatever the UI thread was busy with included;
3. once every row is in the table: a filter (``set_filter``), timed to the next refresh.

Prints one JSON object. Peak RSS is taken by the parent (``wait4``); ours is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import threading
import time
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

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


def _table_kind() -> tuple[type[Any], Any, str]:
    try:
        from slrwizard.tui.widgets.resources import ResourceTable, rows_from_scan
    except ImportError:

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

    def __init__(self, table_cls: type[Any], to_rows: Any) -> None:
        super().__init__()
        self.table_cls, self.to_rows = table_cls, to_rows
        self.handled: list[float] = []
        self.handled_event = threading.Event()
        self.last_rows_at = 0.0

    def compose(self) -> ComposeResult:
        yield self.table_cls(id="resources")

    def on_mount(self) -> None:
        self.query_one("#resources").focus()

    def action_probe(self) -> None:
        self.handled.append(time.perf_counter())
        self.handled_event.set()

    def on_region_answered(self, message: RegionAnswered) -> None:
        self.query_one("#resources").add_region_rows(self.to_rows(message.scan))
        self.last_rows_at = time.perf_counter()


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


def type_keys(app: ScaleApp, stop: threading.Event, sent: list[float], lat: list[float]) -> None:
    """Press ``j`` like a person would, one key after the other, and time each."""
    while not stop.is_set():
        app.handled_event.clear()
        before = len(app.handled)
        t0 = time.perf_counter()
        sent.append(t0)
        app._driver.process_message(events.Key("j", "j"))  # type: ignore[union-attr]
        if app.handled_event.wait(timeout=10) and len(app.handled) > before:
            lat.append(app.handled[before] - t0)
        time.sleep(0.025)


async def run(
    regions: list[str], expect_rows: int, filter_text: str, deadline: float
) -> dict[str, Any]:
    from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings

    table_cls, to_rows, kind = _table_kind()
    gateway = Boto3Gateway(GatewaySettings(region="us-east-1"))
    app = ScaleApp(table_cls, to_rows)
    out: dict[str, Any] = {"widget": kind}
    async with app.run_test(size=(140, 40)) as pilot:
        table = app.query_one("#resources", DataTable)
        stop, sent, latencies = threading.Event(), [], []
        typist = threading.Thread(target=type_keys, args=(app, stop, sent, latencies), daemon=True)
        typist.start()
        started = time.perf_counter()
        worker = app.run_worker(
            lambda: gateway.scan_regions(
                regions, lambda scan: app.post_message(RegionAnswered(scan))
            ),
            thread=True,
        )
        scans = await worker.wait()
        scan_done = time.perf_counter()
        table_widget = app.query_one("#resources")
        if hasattr(table_widget, "set_rows"):  # ScanScreen shows the final result in one go
            table_widget.set_rows([row for scan in scans for row in to_rows(scan)])
        give_up = time.perf_counter() + deadline
        while table.row_count < expect_rows and time.perf_counter() < give_up:
            await pilot.pause(0.005)
        await pilot.pause()
        rows_done = time.perf_counter()
        stop.set()
        await asyncio.get_running_loop().run_in_executor(None, typist.join, 15)

        t = time.perf_counter()
        app.query_one("#resources").set_filter(filter_text)
        await pilot.pause()
        filter_s = time.perf_counter() - t
        filtered = table.row_count
        t = time.perf_counter()
        app.query_one("#resources").set_filter("")
        await pilot.pause()
        unfilter_s = time.perf_counter() - t

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
        rss_mb=_peak_rss_mb(),
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", required=True)
    parser.add_argument("--expect-rows", type=int, required=True)
    parser.add_argument("--filter", default="eu-west-1")
    parser.add_argument("--deadline", type=float, default=120, help="seconds to wait for rows")
    args = parser.parse_args()
    regions = args.regions.split(",")
    result = asyncio.run(run(regions, args.expect_rows, args.filter, args.deadline))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
