"""Benchmark 3, start-up: ``--help``, ``--version``, and the TUI's first frame vs bare Textual.

- ``slrwizard --help`` and ``--version``: wall time of the child process (median).
- First frame: each app runs in a pseudo-terminal (100x30, ``TERM=xterm-256color``), and the time
  from spawn until a text of its first screen appears in the terminal output is taken. The
  reference is a bare Textual app (``_hello_textual.py``: header, one line, footer), measured the
  same way in the same run, alternating with the wizard. The wizard runs as ``slrwizard --demo``
  (its session starts moto in a worker thread meanwhile) and live (``AWS_ENDPOINT_URL`` at a local
  moto server: the worker builds the boto3 gateway and calls STS meanwhile).
- Textual's own hook (``_tui_probe.py``: ``call_after_refresh`` after ``App._ready``) lists the
  heavy modules already loaded when the wizard's first frame is painted.
- ``python -X importtime``: what ``slrwizard --version`` and the TUI import before the first frame.

Every child runs with bytecode caches, as an installed slrwizard does (pip and pipx compile a
package's modules when they install it; a checkout writes ``__pycache__`` on first import). A
shell with ``PYTHONDONTWRITEBYTECODE`` set, as some sandboxes and CI images have, would otherwise
make each run compile slrwizard's modules again (~25 ms) while Textual's came compiled from its
wheel. The caches live in a directory of their own (``PYTHONPYCACHEPREFIX``), filled by one
warm-up run of each command before measuring; ``--no-pycache`` measures without them.

    .venv/bin/python benchmarks/startup.py
    .venv/bin/python benchmarks/startup.py --repeat 3 --skip-live
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

from _common import (
    BENCH,
    PYTHON,
    ROOT,
    Row,
    create_role,
    fake_env,
    finish,
    median_of,
    moto_server,
    print_table,
    run_child,
    secs,
    use_fake_credentials,
)

SLRWIZARD = str(Path(PYTHON).with_name("slrwizard"))
HELLO_MARKER = "Hello, world"
# Texts of the start screen, there from its first frame; failing those (the screen was reworded),
# a screenful of visible text counts as the first frame.
WIZARD_MARKER = ("Begin step 1", "never do without asking")
VISIBLE_CHARS = 600
_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b."
)


def first_frame_in_pty(
    argv: Sequence[str],
    env: dict[str, str],
    marker: str | tuple[str, ...],
    timeout: float = 30.0,
    visible_chars: int = 0,
) -> float:
    """Seconds from spawn until a ``marker`` is on the (pseudo-)terminal (or, with
    ``visible_chars``, that many visible characters); nan on timeout."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=dict(env, TERM="xterm-256color", COLORTERM="truecolor"),
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(slave)
    seen, found = b"", float("nan")
    needles = [m.encode() for m in ((marker,) if isinstance(marker, str) else marker)]
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                break
            seen += chunk
            text = _ESCAPES.sub(b"", seen)
            visible = visible_chars and len(bytes(text).translate(None, b" \r\n\t"))
            if any(n in text for n in needles) or (visible and visible >= visible_chars):
                found = time.perf_counter() - started
                break
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    return found


def probe_in_pty(target: Sequence[str], env: dict[str, str]) -> list[str]:
    """The heavy modules and slrwizard screens loaded when the first frame is painted."""
    out = Path(f"/tmp/slrwizard-probe-{os.getpid()}-{time.monotonic_ns()}.json")
    env = dict(env, BENCH_PROBE_OUT=str(out))
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        [PYTHON, str(BENCH / "_tui_probe.py"), *target],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=dict(env, TERM="xterm-256color", COLORTERM="truecolor"),
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(slave)
    try:
        deadline = time.perf_counter() + 30
        while proc.poll() is None and time.perf_counter() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 1 << 16)  # keep the terminal drained
                except OSError:
                    break
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    if not out.exists():
        return ["(probe saw no frame)"]
    data = json.loads(out.read_text())
    out.unlink()
    return [*data["modules"], *(m.rsplit(".", 1)[-1] for m in data["screens"])]


def import_report(code: str, env: dict[str, str]) -> tuple[float, list[str]]:
    """(total import seconds, the largest top-level packages) of ``python -X importtime -c``:
    the quickest of three runs, since a busy moment of the machine inflates any one."""
    runs = [_imports_once(code, env) for _ in range(3)]
    return min(runs, key=lambda r: r[0])


def _imports_once(code: str, env: dict[str, str]) -> tuple[float, list[str]]:
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    per_package: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        first, _cumulative, name = line.split("|")
        self_us = first.removeprefix("import time:").strip()
        if not self_us.isdigit():
            continue  # the header line
        name = name.strip()
        top = name.split(".")[0]
        per_package[top] = per_package.get(top, 0) + int(self_us)
    total = sum(per_package.values()) / 1e6
    biggest = sorted(per_package.items(), key=lambda kv: -kv[1])[:8]
    return total, [f"{name} {us / 1000:.0f} ms" for name, us in biggest]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start-up benchmark: --help, --version, first TUI frame vs bare Textual.",
    )
    parser.add_argument("--repeat", type=int, default=7, help="runs of each measurement (median)")
    parser.add_argument("--skip-live", action="store_true", help="measure --demo only")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--no-pycache",
        action="store_true",
        help="keep the environment's bytecode setting (PYTHONDONTWRITEBYTECODE compiles each run)",
    )
    args = parser.parse_args(argv)
    use_fake_credentials()
    env = fake_env(pycache=not args.no_pycache)
    n = args.repeat
    # One run of each command first: it fills the bytecode caches (and the OS's file cache).
    run_child([SLRWIZARD, "--help"], env)

    help_t = median_of([run_child([SLRWIZARD, "--help"], env).seconds for _ in range(n)])
    version_t = median_of([run_child([SLRWIZARD, "--version"], env).seconds for _ in range(n)])
    python_t = median_of([run_child([PYTHON, "-c", "pass"], env).seconds for _ in range(n)])

    hello_cmd = [PYTHON, str(BENCH / "_hello_textual.py")]
    demo_cmd = [SLRWIZARD, "--demo"]
    frames: dict[str, list[float]] = {"hello": [], "demo": [], "live": []}
    loaded: dict[str, list[str]] = {}
    with moto_server() as upstream:
        create_role(upstream)
        live_env = fake_env(upstream, pycache=not args.no_pycache)
        first_frame_in_pty(hello_cmd, env, HELLO_MARKER)
        first_frame_in_pty(demo_cmd, env, WIZARD_MARKER, visible_chars=VISIBLE_CHARS)
        for _ in range(n):  # alternate, so a busy moment of the machine hits both alike
            frames["hello"].append(first_frame_in_pty(hello_cmd, env, HELLO_MARKER))
            frames["demo"].append(
                first_frame_in_pty(demo_cmd, env, WIZARD_MARKER, visible_chars=VISIBLE_CHARS)
            )
            if not args.skip_live:
                frames["live"].append(
                    first_frame_in_pty(
                        [SLRWIZARD], live_env, WIZARD_MARKER, visible_chars=VISIBLE_CHARS
                    )
                )
        loaded["demo"] = probe_in_pty(["wizard", "--demo"], env)
        if not args.skip_live:
            loaded["live"] = probe_in_pty(["wizard"], live_env)

    version_imports, version_top = import_report("import slrwizard.cli", env)
    tui_imports, tui_top = import_report(
        "import slrwizard.cli, slrwizard.tui.launch, slrwizard.tui.app, "
        "slrwizard.tui.screens.start",
        env,
    )
    hello_imports, _ = import_report("import textual.app, textual.widgets", env)

    hello = median_of(frames["hello"])
    rows = [
        Row("python -c pass", secs(python_t)),
        Row("slrwizard --help", secs(help_t), "<= 0.300 s", help_t <= 0.3),
        Row("slrwizard --version", secs(version_t)),
        Row("first frame: bare Textual (pty)", secs(hello)),
    ]
    for mode in ("demo", "live"):
        if not frames[mode]:
            continue
        value = median_of(frames[mode])
        label = "slrwizard --demo" if mode == "demo" else "slrwizard (live, local moto)"
        rows.append(
            Row(
                f"first frame: {label} (pty)",
                f"{secs(value)} = {value / hello:.2f} x bare",
                "<= 1.5 x bare",
                value <= 1.5 * hello,
            )
        )
    rows += [
        Row(
            "imports of `slrwizard --version`",
            f"{secs(version_imports)}: " + ", ".join(version_top[:4]),
        ),
        Row(
            "imports before the TUI's first frame",
            f"{secs(tui_imports)}: " + ", ".join(tui_top[:5]),
        ),
        Row("imports of bare Textual", secs(hello_imports)),
    ]
    for mode, mods in loaded.items():
        rows.append(Row(f"loaded at first frame ({mode})", ", ".join(mods) or "-"))
    bytecode = (
        "bytecode: as the environment has it (--no-pycache)"
        if args.no_pycache
        else f"bytecode: cached, as installed ({env['PYTHONPYCACHEPREFIX']})"
    )
    print_table("Start-up", rows, [bytecode])
    return finish(rows, args.check)


if __name__ == "__main__":
    sys.exit(main())
