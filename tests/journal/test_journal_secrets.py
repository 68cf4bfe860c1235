"""No credential and no secret ever reaches the journal or an export: grep for them."""

from __future__ import annotations

from pathlib import Path

import pytest
from journal_support import REGIONS, SEEDED_PASSWORD, brisk, walk

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.cli import main

KEY_ID = "AKIAJOURNALDRILL0001"
SECRET = "journalDrill/Secret+Key0123456789abcdefghij"  # fake: the test greps for it
TOKEN = "IQoJb3JpZ2luX2VjEJournalDrillSessionToken0123456789abcdef=="


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    return [KEY_ID, SECRET, TOKEN]


def test_journal_and_exports_hold_no_secret(
    credentials: list[str], aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "journal.jsonl"
    wizard, wiring = connect_wizard(Options(regions=REGIONS), journal_path=journal)
    brisk(wiring.gateway)
    walk(wizard)
    assert wizard.state == "done"
    exports = []
    for fmt in ("markdown", "json"):
        assert (
            main(["journal", "--journal", str(journal), "export", "latest", "--format", fmt]) == 0
        )
        exports.append(capsys.readouterr().out)
    assert main(["journal", "--journal", str(journal), "show", "latest"]) == 0
    exports.append(capsys.readouterr().out)

    for text in [journal.read_text(), *exports]:
        for needle in [*credentials, SEEDED_PASSWORD, "MasterUserPassword", "SecretAccessKey"]:
            assert needle not in text
    assert "orders" in journal.read_text()  # the grep looked at a real journal
