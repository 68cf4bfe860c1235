"""Run a Textual app and note when its first frame has been painted, with Textual's own signal.

Textual posts ``events.Ready`` to the app once the DOM is ready and the first frame has been
displayed (its screen's first layout refresh, which writes the frame to the terminal). The probe
watches for it as it is posted (``App.post_message``, public: the app under test is built
inside the CLI, so no subclass of ours can handle it) and then writes
``{"t": time.monotonic(), "modules": [...]}`` to ``$BENCH_PROBE_OUT`` (the heavy modules loaded
by then) and ends the process at once.

    python benchmarks/_tui_probe.py hello            # the bare Textual app
    python benchmarks/_tui_probe.py wizard --demo    # slrwizard's TUI, as `slrwizard --demo`

Run it in a terminal (the start-up benchmark gives it a pty): a headless run skips the painting.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import time
from pathlib import Path

HEAVY = ("boto3", "botocore", "moto", "pydantic", "statemachine", "textual.widgets._data_table")


def _install_probe(out: Path) -> None:
    from textual import events
    from textual.app import App
    from textual.message import Message

    post = App.post_message

    def painted() -> None:
        modules = sorted(m for m in HEAVY if m in sys.modules)
        screens = sorted(m for m in sys.modules if m.startswith("slrwizard.tui.screens."))
        out.write_text(json.dumps({"t": time.monotonic(), "modules": modules, "screens": screens}))
        os._exit(0)

    def post_message(self: App[object], message: Message) -> bool:
        if isinstance(message, events.Ready):
            painted()
        return post(self, message)

    App.post_message = post_message  # type: ignore[assignment]


def main() -> None:
    out = Path(os.environ["BENCH_PROBE_OUT"])
    target, args = sys.argv[1], sys.argv[2:]
    _install_probe(out)
    if target == "hello":
        runpy.run_path(str(Path(__file__).with_name("_hello_textual.py")), run_name="__main__")
    else:
        sys.argv = ["slrwizard", *args]
        from slrwizard.cli import main as cli_main

        cli_main()


if __name__ == "__main__":
    main()
