"""The scan workers pause the cyclic garbage collector, and give it back as they found it, with
what the scan made frozen (its first collections would otherwise walk all of it at once); and
they shorten the interpreter's switch interval while the scan's threads run."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from slrwizard.tui.work import QUICK_HANDOFFS, CyclicGcHold, QuickHandoffs, scanning


@pytest.mark.parametrize("enabled", [True, False])
def test_scanning_holds_the_collector_off_and_restores_what_it_found(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        frozen = gc.get_freeze_count()
        with scanning():
            assert not gc.isenabled()
            made = [{"region": str(i)} for i in range(1000)]  # what a scan keeps: tracked objects
        assert gc.isenabled() is enabled
        if enabled:
            assert gc.get_freeze_count() >= frozen + len(made)
            assert gc.get_count()[0] < len(made)  # nothing left for the young generation to walk
        else:  # the collector stays off, as the caller left it
            assert not gc.isenabled()
        with pytest.raises(RuntimeError), scanning():
            raise RuntimeError("a scan that fails")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_holds_nest_across_threads_and_the_last_release_turns_it_back_on() -> None:
    was = gc.isenabled()
    hold = CyclicGcHold()
    try:
        gc.enable()
        hold.hold()  # the scan screen, on the UI thread
        worker = threading.Thread(target=lambda: (hold.hold(), hold.release()))
        worker.start()  # the scan worker: its release is not the last one
        worker.join()
        assert hold.held and not gc.isenabled()
        hold.release()  # the table is full
        assert not hold.held and gc.isenabled()
        hold.release()  # one too many changes nothing
        assert not hold.held and gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_scanning_shortens_the_switch_interval_and_puts_it_back() -> None:
    was = sys.getswitchinterval()
    with scanning():
        assert sys.getswitchinterval() == pytest.approx(QUICK_HANDOFFS.interval)
        with scanning():  # a nested hold (the rescan inside a session) keeps it short
            assert sys.getswitchinterval() == pytest.approx(QUICK_HANDOFFS.interval)
        assert sys.getswitchinterval() == pytest.approx(QUICK_HANDOFFS.interval)
    assert sys.getswitchinterval() == pytest.approx(was)
    with pytest.raises(RuntimeError), scanning():
        raise RuntimeError("a scan that fails")
    assert sys.getswitchinterval() == pytest.approx(was)


def test_quick_handoffs_never_lengthen_an_interval_set_shorter_already() -> None:
    was = sys.getswitchinterval()
    hold = QuickHandoffs(0.002)
    try:
        sys.setswitchinterval(0.0005)  # someone tuned it already
        hold.hold()
        worker = threading.Thread(target=lambda: (hold.hold(), hold.release()))
        worker.start()
        worker.join()
        assert hold.held and sys.getswitchinterval() == pytest.approx(0.0005)
        hold.release()
        assert not hold.held and sys.getswitchinterval() == pytest.approx(0.0005)
    finally:
        sys.setswitchinterval(was)
