"""The scan workers pause the cyclic garbage collector, and give it back as they found it."""

from __future__ import annotations

import gc

import pytest

from slrwizard.tui.work import no_cyclic_gc


@pytest.mark.parametrize("enabled", [True, False])
def test_no_cyclic_gc_restores_what_it_found(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with no_cyclic_gc():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), no_cyclic_gc():
            raise RuntimeError("a scan that fails")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
