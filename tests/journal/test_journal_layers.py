"""The journal is core code: importing it loads no AWS, moto or UI library."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_journal_package_loads_no_aws_or_ui_library() -> None:
    script = (
        "import json, sys\n"
        "import slrwizard.journal_cli\n"
        "from slrwizard.journal import export, render, resume, sessions, signals, store\n"
        "bad = ('boto3', 'botocore', 'textual', 'moto')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in bad)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == []
