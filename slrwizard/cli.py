"""The ``slrwizard`` command: the wizard (default), ``report``, ``policy`` and ``journal``.

Only argparse is imported at start-up; boto3, moto and Textual load when a command needs them, so
``--help`` and ``--version`` answer at once. Every failure ends in a short explanation and an exit
code (see the README), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from slrwizard import __version__
from slrwizard.exit_codes import ExitCode

if TYPE_CHECKING:
    from slrwizard.bootstrap import Options
    from slrwizard.domain.errors import WizardError


def _regions(value: str) -> list[str]:
    names = list(dict.fromkeys(r.strip() for r in value.split(",") if r.strip()))  # no repeats
    for name in names:
        parts = name.split("-")
        if len(parts) < 3 or not parts[-1].isdigit() or not name.replace("-", "").isalnum():
            raise argparse.ArgumentTypeError(f"{name!r} is not a region name (e.g. eu-west-1)")
    if not names:
        raise argparse.ArgumentTypeError("give at least one region, e.g. us-east-1,eu-west-1")
    return names


def _speed(value: str) -> float:
    try:
        speed = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0 <= speed <= 100:
        raise argparse.ArgumentTypeError("use a number between 0 (instant) and 100")
    return speed


def _common(*, defaults: bool = True) -> argparse.ArgumentParser:
    """The AWS options, accepted before and after the sub-command.

    The sub-commands' copy (``defaults=False``) has no defaults: argparse would otherwise reset an
    option given before the sub-command, so ``slrwizard --profile prod report`` would silently
    report on the default profile's account, and ``--demo report`` on a live one.
    """

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    common = argparse.ArgumentParser(add_help=False)
    aws = common.add_argument_group("AWS")
    aws.add_argument(
        "--profile",
        default=default(None),
        help="AWS profile (default: AWS_PROFILE or the default chain)",
    )
    aws.add_argument(
        "--region",
        default=default(None),
        help="home region for global calls (default: the profile's)",
    )
    aws.add_argument(
        "--regions",
        type=_regions,
        default=default(None),
        help="comma-separated regions to scan (default: every enabled region)",
    )
    aws.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="use the embedded sandbox account instead of AWS (no credentials, no network)",
    )
    aws.add_argument(
        "--demo-speed",
        type=_speed,
        default=default(1.0),
        metavar="SCALE",
        help="scale the sandbox's simulated AWS durations: 0 instant, 1 a few seconds (default)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="slrwizard",
        parents=[common],
        description=(
            "Remove the RDS service-linked role AWSServiceRoleForRDS, step by step: inspect the "
            "role, find every DB cluster and instance, delete them with final snapshots, then "
            "delete the role. Nothing is deleted without a typed confirmation."
        ),
        epilog="Exit codes: 0 done, 1 failure, 2 bad usage or AWS configuration, 3 some regions "
        "not scanned, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"slrwizard {__version__}")
    parser.add_argument(
        "--presenter",
        action="store_true",
        help="screen-sharing mode: mask account IDs and ARNs, narrate each step",
    )
    parser.add_argument(
        "--read-only", action="store_true", help="walk through every step but change nothing"
    )
    parser.add_argument("--journal", type=Path, help="journal file (default: the state dir)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    report = sub.add_parser(
        "report",
        parents=[_common(defaults=False)],
        help="read-only report of the role and every cluster and instance",
        description="Read-only: no prompts, no changes. Exit 0 when every region was scanned, "
        "3 when some region was disabled, denied or failed, 1 on failure, 2 on bad usage.",
    )
    report.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    report.add_argument("--output", type=Path, help="write to FILE instead of standard output")
    policy = sub.add_parser(
        "policy",
        help="print the least-privilege IAM policy the wizard needs",
        description="Print the IAM policy, its ARNs in one partition (the caller's unless "
        "--partition says; 'aws' when no credentials answer) and for any account unless "
        "--account says.",
    )
    policy.add_argument(
        "--partition",
        choices=["aws", "aws-cn", "aws-us-gov"],  # slrwizard.policy.PARTITIONS
        help="the ARNs' partition (default: the caller's, or aws offline)",
    )
    policy.add_argument(
        "--account", type=_account, help="narrow every ARN to this 12-digit account ID"
    )
    journal = sub.add_parser("journal", help="show or export recorded walkthroughs")
    journal.add_argument(
        "--journal",
        type=Path,
        default=argparse.SUPPRESS,  # keep a --journal given before the sub-command
        help="journal file (default: the state dir)",
    )
    jsub = journal.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    show = jsub.add_parser("show", help="list sessions, or show one")
    show.add_argument("session", nargs="?", help="session id (default: list all)")
    export = jsub.add_parser("export", help="export one session for the change ticket")
    export.add_argument("session", help="session id (or 'latest')")
    export.add_argument("--format", choices=["markdown", "json"], default="markdown")
    export.add_argument("--output", type=Path, help="write to FILE instead of standard output")
    export.add_argument(
        "--verify",
        action="store_true",
        help="re-check in AWS that the final snapshots still exist (needs credentials)",
    )
    export.add_argument("--profile", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    export.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    return parser


def _options(args: argparse.Namespace) -> Options:
    from slrwizard.bootstrap import Options

    return Options(
        profile=args.profile,
        region=args.region,
        regions=args.regions,
        demo=args.demo,
        demo_speed=args.demo_speed,
    )


def explain(error: WizardError) -> str:
    """The one-screen explanation printed for any WizardError."""
    lines = [f"slrwizard: {error.title}", f"  {error.explanation}"]
    if error.hint:
        lines += [f"  {line}" for line in error.hint.splitlines()]
    return "\n".join(lines)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        from slrwizard.paths import write_private

        written = write_private(output, text)
        print(f"Wrote {written} (readable by you only, as the journal is)", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> int:
    from slrwizard.collector import off_for_this_process

    off_for_this_process()  # a short burst of work, then the process ends (slrwizard.collector)
    from slrwizard.bootstrap import build
    from slrwizard.report import RENDERERS, collect

    wiring = build(_options(args))
    try:
        report = collect(wiring.gateway, args.regions)
    finally:
        wiring.close()
    _write(RENDERERS[args.format](report), args.output)
    return report.exit_code


def _account(value: str) -> str:
    from slrwizard.policy import check_account

    try:
        return check_account(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _caller_partition(args: argparse.Namespace) -> str:
    """The caller's partition, asked of STS once and quickly; ``aws`` if nothing answers."""
    from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings
    from slrwizard.aws.regions import arn_partition
    from slrwizard.domain.errors import WizardError

    settings = GatewaySettings(
        profile=args.profile, region=args.region, connect_timeout=3, read_timeout=5, max_attempts=2
    )
    try:
        arn = Boto3Gateway(settings).caller().arn
    except WizardError as exc:
        sys.stderr.write(
            f"slrwizard: ARNs for partition aws (no caller to ask: {exc.explanation}); "
            "pass --partition to choose.\n"
        )
        return "aws"
    partition = arn_partition(arn) or "aws"
    sys.stderr.write(f"slrwizard: ARNs for partition {partition}, the caller's.\n")
    return partition


def cmd_policy(args: argparse.Namespace) -> int:
    from slrwizard.policy import render

    # The demo's sandbox account is a commercial one: no credentials to ask about.
    partition = args.partition or ("aws" if args.demo else _caller_partition(args))
    sys.stdout.write(render(partition, args.account or "*"))
    return ExitCode.OK


def cmd_journal(args: argparse.Namespace) -> int:
    from slrwizard.bootstrap import Options, build
    from slrwizard.journal_cli import run

    options = Options(profile=getattr(args, "profile", None), region=getattr(args, "region", None))
    return run(args, lambda: build(options))


def cmd_wizard(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from slrwizard.bootstrap import connect_wizard
    from slrwizard.tui.launch import launch

    # The interactive demo tells the whole story, AWS's refusal of the role included.
    return launch(replace(_options(args), demo_late_arrival=True), args, connect_wizard)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    output = getattr(args, "output", None)
    if output is not None and not output.parent.exists():
        parser.error(f"--output: the folder {args.output.parent} does not exist")
    commands = {"report": cmd_report, "policy": cmd_policy, "journal": cmd_journal}
    handler = commands.get(args.command or "", cmd_wizard)
    from slrwizard.domain.errors import WizardError

    try:
        code = _configuration_problem(args) or handler(args)
    except WizardError as error:
        print(explain(error), file=sys.stderr)
        code = ExitCode.FAILURE
    except KeyboardInterrupt:
        print("slrwizard: interrupted", file=sys.stderr)
        code = ExitCode.INTERRUPTED
    except Exception as error:  # last resort: a one-line message and the details in a file
        code = _internal_error(error)
    if argv is None and args.command == "report":
        _exit_now(code)
    return code


def _configuration_problem(args: argparse.Namespace) -> int:
    """Check the AWS configuration of a live run; print what is wrong and return 2, or 0.

    Runs before the full screen opens and before the report's first AWS call, so an unknown
    profile, a malformed config file, a missing CA bundle or an invalid endpoint URL is one
    explanation naming the culprit, not an error screen or "endpoint unreachable" later on. The
    demo ignores the operator's AWS configuration (:func:`slrwizard.bootstrap.build`), and the
    commands that read only the journal need none.
    """
    live = args.command in (None, "report") or (
        args.command == "journal" and args.journal_command == "export" and args.verify
    )
    if not live or getattr(args, "demo", False):
        return ExitCode.OK
    from slrwizard.aws.config import check_configuration
    from slrwizard.domain.errors import ConfigurationError

    try:
        check_configuration(getattr(args, "profile", None), getattr(args, "region", None))
    except ConfigurationError as error:
        print(explain(error), file=sys.stderr)
        return ExitCode.USAGE
    return ExitCode.OK


def _exit_now(code: int) -> NoReturn:
    """End the process at once, skipping the interpreter's teardown.

    Freeing botocore's service models (EC2's alone is millions of small objects) and the final
    garbage collection take 0.2-0.4 s after the report has been written, on every scripted run
    (benchmarks/scan.py). Only ``report`` does this, and only as the process's entry point
    (``argv`` None): it has written its output, joined its threads and holds no file open.
    """
    import contextlib
    import os

    if "logging" in sys.modules:
        import logging

        logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


def _internal_error(error: Exception) -> int:
    import traceback

    from slrwizard.paths import state_dir

    path = state_dir() / "crash.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            traceback.print_exception(error, file=fh)
        where = f" Details were written to {path}."
    except OSError:
        where = ""
    print(
        f"slrwizard: internal error ({type(error).__name__}). Nothing further was changed.{where}",
        file=sys.stderr,
    )
    return ExitCode.FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
