"""The one hold on the cyclic garbage collector (``slrwizard.collector.CollectorHold``): off while
a scan runs and its table fills, then back as it was, with what was made meanwhile frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from slrwizard.collector import CollectorHold


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_off_while_anything_holds_it_then_on_with_the_new_objects_frozen() -> None:
    hold = CollectorHold()
    frozen = gc.get_freeze_count()
    with hold.held_here():  # the scan's worker
        assert not gc.isenabled()
        hold.hold()  # the scan screen, until its table is full
        made = [[index] for index in range(5000)]  # the scan's answers, the table's rows
    assert hold.held and not gc.isenabled()  # the worker is done, the table is still filling
    hold.release()
    assert not hold.held and gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(made)
    hold.release()  # one release too many changes nothing
    assert not hold.held and gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_failed_scan_gives_the_collector_back() -> None:
    hold = CollectorHold()
    with pytest.raises(RuntimeError), hold.held_here():
        raise RuntimeError("the scan failed")
    assert not hold.held and gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        hold = CollectorHold()
        with hold.held_here():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
