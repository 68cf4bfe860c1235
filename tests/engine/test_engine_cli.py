"""Bad input through the command line: a clear message, the documented exit code, never a
traceback, never a credential (1 failure, 2 usage or AWS configuration, 3 regions
incomplete). Each kind of bad AWS configuration has its own process-level test in
test_engine_config.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from enginekit import Run, clean_env, error_reply, run_process

from slrwizard.cli import build_parser


# -- unknown profile --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ("report", "--profile", "ghost"),
        ("--profile", "ghost", "report"),  # before the sub-command: must not be dropped
    ],
)
def test_unknown_profile(run: Run, creds: Path, argv: tuple[str, ...]) -> None:
    code, out, err = run(*argv)
    assert code == 2  # a configuration that cannot work: found before any AWS call
    assert out == ""
    assert "AWS configuration problem" in err
    assert f"The AWS profile 'ghost' (--profile) is not in {creds} or" in err
    assert "aws configure list-profiles" in err


def test_unknown_profile_from_the_environment(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "ghost")
    code, _, err = run("report", "--regions", "us-east-1")
    assert code == 2
    assert "The AWS profile 'ghost' (AWS_PROFILE)" in err


def test_a_known_profile_passes_the_check(run: Run, creds: Path, moto_account: None) -> None:
    with creds.open("a") as config:  # an explicit profile ignores the keys in the environment
        config.write("aws_access_key_id = AKIAOTHERPROFILE0000\naws_secret_access_key = s\n")
    argv = ("--profile", "other", "report", "--regions", "us-east-1", "--format", "markdown")
    code, out, err = run(*argv)
    assert code == 0, err
    assert "| us-east-1 | scanned |" in out


# -- no credentials ---------------------------------------------------------------------------
def test_no_credentials(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    code, out, err = run("report", "--regions", "us-east-1")
    assert code == 1
    assert out == ""
    assert "No AWS credentials" in err
    assert "--demo" in err  # the way to try it without any


def test_no_credentials_in_a_real_process(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(name)
    code, out, err = run_process("report", "--format", "json", env=env)
    assert code == 1
    assert out == ""
    assert "No AWS credentials were found" in err


# -- expired token ----------------------------------------------------------------------------
def test_expired_token(run: Run, aws_hook: Callable[..., None], moto_account: None) -> None:
    aws_hook(
        "before-call.sts.GetCallerIdentity",
        lambda **_: error_reply(
            "ExpiredToken", "The security token included in the request is expired", 403
        ),
    )
    code, out, err = run("report", "--regions", "us-east-1")
    assert code == 1
    assert out == ""
    assert "AWS credentials expired or invalid" in err
    assert "aws sso login" in err


# -- bad usage: exit 2 ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("report", "--regions", "moon-base"), "'moon-base' is not a region name"),
        (("report", "--regions", "us-east-1,eu_west_1"), "'eu_west_1' is not a region name"),
        (("report", "--regions", ","), "give at least one region"),
        (("--regions", "nowhere", "report"), "'nowhere' is not a region name"),
        (("report", "--demo-speed", "fast"), "'fast' is not a number"),
        (("report", "--demo-speed", "-1"), "between 0 (instant) and 100"),
        (("report", "--demo-speed", "nan"), "between 0 (instant) and 100"),
        (("report", "--format", "xml"), "invalid choice: 'xml'"),
        (("report", "--output", "/nonexistent/slrwizard/out.json"), "does not exist"),
    ],
)
def test_bad_usage_exits_2_with_the_reason(run: Run, argv: tuple[str, ...], message: str) -> None:
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert "usage: slrwizard" in err


def test_bad_usage_in_a_real_process(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    code, _, err = run_process("report", "--regions", "moon-base", env=env)
    assert code == 2
    assert "'moon-base' is not a region name" in err
    missing = tmp_path / "missing" / "report.json"
    code, _, err = run_process("report", "--output", str(missing), env=env)
    assert code == 2
    assert f"the folder {missing.parent} does not exist" in err


def test_options_before_the_sub_command_are_kept() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["--profile", "prod", "--demo", "--demo-speed", "0", "--regions", "eu-west-1", "report"]
    )
    assert (args.profile, args.demo, args.demo_speed, args.regions) == (
        "prod",
        True,
        0.0,
        ["eu-west-1"],
    )
    later = parser.parse_args(["--profile", "prod", "report", "--profile", "dev"])
    assert later.profile == "dev"  # the closer one wins
    assert parser.parse_args(["report", "--regions", "eu-west-1,eu-west-1"]).regions == [
        "eu-west-1"
    ]


# -- incomplete regions: exit 3 ---------------------------------------------------------------
def test_a_denied_region_exits_3(
    run: Run, aws_hook: Callable[..., None], moto_account: None
) -> None:
    def deny_sa_east_1(context: Any, **_: Any) -> Any:
        if context.get("client_region") == "sa-east-1":
            return error_reply("AccessDenied", "explicit deny in a service control policy", 403)
        return None

    aws_hook("before-call.rds.DescribeDBClusters", deny_sa_east_1)
    code, out, err = run("report", "--regions", "sa-east-1,us-east-1", "--format", "markdown")
    assert code == 3
    assert "| sa-east-1 | denied |" in out
    assert "| us-east-1 | scanned |" in out
    assert err == ""
