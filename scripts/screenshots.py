"""Regenerate ``screenshots/*.svg``: each step of the walkthrough, on the demo sandbox.

Usage::

    .venv/bin/python scripts/screenshots.py            # all pictures
    .venv/bin/python scripts/screenshots.py 03 review  # only names containing these words

The pictures are taken the way the snapshot tests take theirs (the same scenes, in
``tests/tui/scenes.py``): the sandbox at instant speed, a frozen clock at 02:00 UTC, 100x30 unless
stated. The file names sort in walkthrough order.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slrwizard.bootstrap import Options, Wiring, connect_wizard  # noqa: E402
from slrwizard.domain.wizard import Wizard  # noqa: E402
from slrwizard.tui.app import WizardApp  # noqa: E402
from slrwizard.tui.clock import FrozenClock  # noqa: E402
from tests.tui.helpers import FROZEN, pin_sandbox_times  # noqa: E402
from tests.tui.scenes import SCENES  # noqa: E402

OUT = ROOT / "screenshots"


@dataclass(frozen=True)
class Picture:
    """One screenshot: which scene, in which mode, at which size."""

    name: str
    scene: str
    presenter: bool = False
    read_only: bool = False
    theme: str | None = None
    size: tuple[int, int] = (100, 30)


PICTURES = (
    Picture("01-start", "start"),
    Picture("02-inspect", "inspect"),
    Picture("03-scan", "scan"),
    Picture("04-plan", "plan"),
    Picture("05-review", "review"),
    Picture("06-confirm", "confirm"),
    Picture("07-progress", "progress"),
    Picture("08-progress-failed", "progress-failed"),
    Picture("09-role", "role"),
    Picture("10-role-in-use", "role-in-use"),
    Picture("11-done", "done"),
    Picture("12-presenter-inspect", "inspect", presenter=True),
    Picture("13-presenter-review", "review", presenter=True),
    Picture("14-read-only-review", "review", read_only=True),
    Picture("15-light-theme-scan", "scan", theme="textual-light"),
    Picture("16-80x24-scan", "scan", size=(80, 24)),
    Picture("17-help", "help"),
)


async def take(picture: Picture) -> str:
    """Run the app to the picture's scene and return the SVG."""
    wirings: list[Wiring] = []

    def connect() -> tuple[Wizard, Wiring]:
        wizard, wiring = connect_wizard(
            Options(demo=True, demo_speed=0), read_only=picture.read_only
        )
        wirings.append(wiring)
        pin_sandbox_times(wizard)
        return wizard, wiring

    app = WizardApp(
        connect,
        presenter=picture.presenter,
        read_only=picture.read_only,
        demo=True,
        clock=FrozenClock(FROZEN),
    )
    try:
        async with app.run_test(size=picture.size) as pilot:
            if picture.theme:
                app.theme = picture.theme
            await SCENES[picture.scene](pilot)
            return app.export_screenshot(title=f"slrwizard — {picture.name[3:]}")
    finally:
        for wiring in wirings:
            wiring.close()


def main(words: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    # The walkthroughs are journaled like any other: keep them out of the operator's journal.
    os.environ["SLRWIZARD_STATE_DIR"] = tempfile.mkdtemp(prefix="slrwizard-screenshots-")
    for picture in PICTURES:
        if words and not any(word in picture.name for word in words):
            continue
        svg = asyncio.run(take(picture))
        path = OUT / f"{picture.name}.svg"
        path.write_text(svg, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
