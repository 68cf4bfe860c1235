"""The scan workers pause the cyclic garbage collector, and give it back as they found it, with
what the scan made frozen (its first collections would otherwise walk all of it at once)."""

from __future__ import annotations

import gc

import pytest

from slrwizard.tui.work import no_cyclic_gc


@pytest.mark.parametrize("enabled", [True, False])
def test_no_cyclic_gc_restores_what_it_found(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        frozen = gc.get_freeze_count()
        with no_cyclic_gc():
            assert not gc.isenabled()
            made = [{"region": str(i)} for i in range(1000)]  # what a scan keeps: tracked objects
        assert gc.isenabled() is enabled
        if enabled:
            assert gc.get_freeze_count() >= frozen + len(made)
            assert gc.get_count()[0] < len(made)  # nothing left for the young generation to walk
        else:  # the collector stays off, as the caller left it
            assert not gc.isenabled()
        with pytest.raises(RuntimeError), no_cyclic_gc():
            raise RuntimeError("a scan that fails")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_holds_nest_across_threads_and_the_last_release_turns_it_back_on() -> None:
    import threading

    from slrwizard.tui.work import CyclicGcHold

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
