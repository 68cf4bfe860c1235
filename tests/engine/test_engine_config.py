"""An AWS configuration that cannot work is one short explanation and exit 2, before anything.

Each case runs ``python -m slrwizard`` in a fresh process, as an operator would, with an empty
home directory (no ~/.aws) and no AWS_* variable but the fake credentials and what the case
sets. The explanation must name the culprit (the profile, the file, the variable), fit in three
lines, and come before the full screen opens: the wizard's cases would otherwise switch the
terminal to the alternate screen, and the report's would ask AWS first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ALTERNATE_SCREEN = "\x1b[?1049h"
"""What Textual writes first when it takes over the terminal."""

WIZARD: tuple[str, ...] = ()
REPORT = ("report", "--regions", "us-east-1")


def operator_env(home: Path, **case: str) -> dict[str, str]:
    """A terminal's environment: an empty HOME, fake keys, and the case's own AWS_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    for name in ("PYTHONPATH", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "SLRWIZARD_STATE_DIR"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        TERM="xterm-256color",
        AWS_ACCESS_KEY_ID="AKIAFAKEFAKEFAKEFAKE",
        AWS_SECRET_ACCESS_KEY="fake-secret-for-the-configuration-tests",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",  # were a case to slip through: no instance metadata
        **case,
    )
    return env


def slrwizard(home: Path, argv: tuple[str, ...], **case: str) -> tuple[int, str]:
    """Run the command; returns (exit code, stdout and stderr together)."""
    done = subprocess.run(
        [sys.executable, "-m", "slrwizard", *argv],
        env=operator_env(home, **case),
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,  # a wizard that opened its screen would wait for keys until this
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def assert_explained(code: int, output: str, *culprits: str) -> None:
    assert code == 2, output
    assert len(output.strip().splitlines()) <= 3, output
    for culprit in culprits:
        assert culprit in output, output
    assert "Traceback" not in output
    assert "internal error" not in output
    assert ALTERNATE_SCREEN not in output
    assert "\x1b[" not in output  # no escape sequence at all: the screen never opened


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


# -- unknown profile --------------------------------------------------------------------------
@pytest.mark.parametrize("command", [WIZARD, REPORT], ids=["wizard", "report"])
def test_unknown_profile_option(home: Path, command: tuple[str, ...]) -> None:
    code, output = slrwizard(home, ("--profile", "nope", *command))
    assert_explained(code, output, "'nope'", "--profile", str(home / ".aws" / "config"))
    assert list(home.iterdir()) == []  # no journal opened, no crash log written


@pytest.mark.parametrize("command", [WIZARD, REPORT], ids=["wizard", "report"])
def test_unknown_profile_variable(home: Path, command: tuple[str, ...]) -> None:
    code, output = slrwizard(home, command, AWS_PROFILE="nope")
    assert_explained(code, output, "'nope'", "AWS_PROFILE")
    assert list(home.iterdir()) == []


def test_unknown_profile_for_journal_export_verify(home: Path) -> None:
    argv = ("--journal", str(home / "j.jsonl"), "journal", "export", "latest", "--verify")
    code, output = slrwizard(home, (*argv, "--profile", "nope"))
    assert_explained(code, output, "'nope'", "--profile")


# -- malformed config file --------------------------------------------------------------------
@pytest.mark.parametrize("command", [WIZARD, REPORT], ids=["wizard", "report"])
def test_malformed_config_file(home: Path, command: tuple[str, ...]) -> None:
    config = home / "aws-config"
    config.write_text("[profile ops\nregion = eu-west-1\n")  # the header's ] is missing
    code, output = slrwizard(home, command, AWS_CONFIG_FILE=str(config))
    assert_explained(code, output, str(config), "AWS_CONFIG_FILE", "malformed")


# -- missing CA bundle ------------------------------------------------------------------------
@pytest.mark.parametrize("command", [WIZARD, REPORT], ids=["wizard", "report"])
def test_missing_ca_bundle_variable(home: Path, command: tuple[str, ...]) -> None:
    code, output = slrwizard(home, command, AWS_CA_BUNDLE="/missing/ca.pem")
    assert_explained(code, output, "/missing/ca.pem", "AWS_CA_BUNDLE", "does not exist")
    assert "unreachable" not in output and "network" not in output


def test_missing_ca_bundle_in_the_profile(home: Path) -> None:
    config = home / "aws-config"
    config.write_text("[profile ops]\nregion = eu-west-1\nca_bundle = /missing/ca.pem\n")
    code, output = slrwizard(home, ("--profile", "ops", *REPORT), AWS_CONFIG_FILE=str(config))
    assert_explained(code, output, "/missing/ca.pem", "ca_bundle in profile 'ops'", str(config))


def test_ca_bundle_without_certificates(home: Path) -> None:
    bundle = home / "ca.pem"
    bundle.write_text("not a certificate\n")
    code, output = slrwizard(home, REPORT, AWS_CA_BUNDLE=str(bundle))
    assert_explained(code, output, str(bundle), "AWS_CA_BUNDLE", "no PEM certificate")


# -- invalid endpoint URL ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("not-a-url", "does not start with https:// or http://"),
        ("ftp://x", "does not start with https:// or http://"),
        ("http://", "names no host"),
        ("http://localhost:99999", "is not a valid URL"),
    ],
)
def test_invalid_endpoint_url(home: Path, url: str, problem: str) -> None:
    code, output = slrwizard(home, REPORT, AWS_ENDPOINT_URL=url)
    assert_explained(code, output, "AWS_ENDPOINT_URL", repr(url), problem)


def test_invalid_endpoint_url_before_the_screen(home: Path) -> None:
    code, output = slrwizard(home, WIZARD, AWS_ENDPOINT_URL="not-a-url")
    assert_explained(code, output, "AWS_ENDPOINT_URL", "'not-a-url'")


def test_invalid_service_endpoint_url(home: Path) -> None:
    code, output = slrwizard(home, REPORT, AWS_ENDPOINT_URL_RDS="rds.local")
    assert_explained(code, output, "AWS_ENDPOINT_URL_RDS", "'rds.local'")


# -- the demo ignores the operator's AWS configuration ----------------------------------------
def test_the_demo_is_not_stopped_by_a_bad_configuration(home: Path) -> None:
    argv = ("--demo", "--demo-speed", "0", "report", "--regions", "us-east-1", "--format", "json")
    code, output = slrwizard(
        home, argv, AWS_PROFILE="nope", AWS_ENDPOINT_URL="not-a-url", AWS_CA_BUNDLE="/missing"
    )
    assert code == 0, output
    assert '"account": "481516234201"' in output  # the sandbox's account answered
