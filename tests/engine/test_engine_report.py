"""``slrwizard report``: in-process against moto, in a real process against a moto server, and
against the ``--demo`` sandbox. Every output format, ``--output``, ``--regions``, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from enginekit import (
    PASSWORD,
    SECRETS,
    TRUST,
    Run,
    assert_clean,
    clean_env,
    make_cluster,
    make_instance,
    run_process,
    seed_role,
)
from moto import mock_aws
from moto.server import ThreadedMotoServer

from slrwizard.domain.models import RegionSource
from slrwizard.report import AccountReport, Verdict


@pytest.fixture
def account(run: Run) -> Iterator[None]:
    with mock_aws():
        seed_role()
        make_cluster("eu-west-1", "orders", readers=1, protected=True)
        make_instance("us-east-1", "solo")
        yield


REGIONS = "eu-west-1,us-east-1"


def test_json_report_reads_back_into_the_model(run: Run, account: None) -> None:
    code, out, err = run("report", "--regions", REGIONS, "--format", "json")
    assert code == 0
    assert err == ""
    report = AccountReport.model_validate_json(out)
    assert report.verdict is Verdict.BLOCKED
    assert report.caller.account == "123456789012"
    assert report.role.exists
    assert report.scan.region_source is RegionSource.USER
    assert [r.region for r in report.scan.regions] == ["eu-west-1", "us-east-1"]
    assert [c.key for c in report.scan.clusters] == ["eu-west-1/orders"]
    assert [m.identifier for m in report.scan.clusters[0].members] == ["orders-w", "orders-r1"]
    assert report.blockers == [
        "cluster orders in eu-west-1 (Aurora MySQL, available)",
        "instance solo in us-east-1 (PostgreSQL, available)",
    ]
    assert json.loads(out)["scan"]["complete"] is True


def test_markdown_report(run: Run, account: None) -> None:
    code, out, _ = run("report", "--regions", REGIONS, "--format", "markdown")
    assert code == 0
    assert out.startswith("# AWSServiceRoleForRDS: account report")
    assert "## Verdict: blocked" in out
    assert "| eu-west-1 | orders | Aurora MySQL" in out
    assert "orders-w (writer), orders-r1 (reader)" in out
    assert "| us-east-1 | solo | PostgreSQL" in out
    assert "| eu-west-1 | scanned | 1 | 0 |" in out


def test_table_report_to_a_file(run: Run, account: None, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    code, out, err = run("report", "--regions", REGIONS, "--output", str(target))
    assert code == 0
    assert out == ""
    assert err == f"Wrote {target} (readable by you only, as the journal is)\n"
    text = target.read_text()
    assert "Resources that keep the role in use" in text
    assert "orders" in text
    assert "Verdict: blocked." in text
    assert_clean(text, "")


def test_an_empty_account_is_deletable_and_an_absent_role_is_absent(run: Run) -> None:
    with mock_aws():
        code, out, _ = run("report", "--regions", "eu-west-1", "--format", "json")
        assert code == 0
        assert AccountReport.model_validate_json(out).verdict is Verdict.ABSENT
        seed_role()
        code, out, _ = run("report", "--regions", "eu-west-1", "--format", "json")
        assert code == 0
        assert AccountReport.model_validate_json(out).verdict is Verdict.DELETABLE


# -- a real process against a moto server -----------------------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A moto server holding the role, a cluster and an instance."""
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    url = f"http://{host}:{port}"
    keys = {"aws_access_key_id": "server", "aws_secret_access_key": "server"}

    def client(service: str, region: str) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=url, **keys)

    client("iam", "us-east-1").create_role(
        RoleName="AWSServiceRoleForRDS",
        Path="/aws-service-role/rds.amazonaws.com/",
        AssumeRolePolicyDocument=TRUST,
    )
    rds = client("rds", "eu-west-1")
    rds.create_db_cluster(
        DBClusterIdentifier="remote",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword=PASSWORD,
    )
    rds.create_db_instance(
        DBInstanceIdentifier="remote-w",
        DBClusterIdentifier="remote",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r6g.large",
    )
    try:
        yield url
    finally:
        moto.stop()


def test_report_through_a_moto_server_in_a_real_process(server: str, tmp_path: Path) -> None:
    env = clean_env(tmp_path, AWS_ENDPOINT_URL=server)
    code, out, err = run_process("report", "--regions", REGIONS, "--format", "json", env=env)
    assert code == 0, err
    report = AccountReport.model_validate_json(out)
    assert report.caller.endpoint_url == server
    assert [c.key for c in report.scan.clusters] == ["eu-west-1/remote"]
    assert report.verdict is Verdict.BLOCKED
    target = tmp_path / "report.md"
    code, out, err = run_process(
        "report", "--regions", "eu-west-1", "--format", "markdown", "--output", str(target), env=env
    )
    assert code == 0
    assert out == ""
    markdown = target.read_text()
    assert f"- Endpoint: {server}" in markdown
    assert "| eu-west-1 | remote | Aurora PostgreSQL" in markdown
    for secret in SECRETS:
        assert secret not in markdown


def test_a_denied_region_exits_3_in_a_real_process(server: str, tmp_path: Path) -> None:
    """The same command, with an SCP denying RDS in one region (a botocore handler installed
    in the child interpreter before the CLI starts, the way moto hooks in)."""
    script = (
        "import sys, botocore.handlers as h\n"
        "def deny(context, **kw):\n"
        "    if context.get('client_region') == 'sa-east-1':\n"
        "        class Http: status_code = 403\n"
        "        return Http(), {'Error': {'Code': 'AccessDenied', 'Message':\n"
        "            'explicit deny in a service control policy'}}\n"
        "h.BUILTIN_HANDLERS.append(('before-call.rds', deny))\n"
        "from slrwizard.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "report", "--regions", "sa-east-1,eu-west-1"],
        env=clean_env(tmp_path, AWS_ENDPOINT_URL=server),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert_clean(done.stdout, done.stderr)
    assert done.returncode == 3
    assert "denied" in done.stdout
    assert "service control policy" in done.stdout
    assert "Verdict: blocked" in done.stdout


# -- the demo account -------------------------------------------------------------------------
def test_demo_report_shows_the_seeded_account(run: Run) -> None:
    code, out, _ = run("report", "--demo", "--demo-speed", "0", "--format", "markdown")
    assert code == 3  # the demo organisation's SCP denies RDS in sa-east-1
    assert "(demo sandbox)" in out
    assert "`481516234201`" in out
    assert "## Verdict: blocked" in out
    for name in ("orders-prod", "payments-core-use1", "analytics-staging", "fraud-graph"):
        assert f"| {name} |" in out
    assert "payments-global (primary)" in out
    assert "payments-global (secondary)" in out
    assert "| sa-east-1 | denied |" in out
    assert "| Neptune" in out


def test_demo_report_carries_what_stands_beside_the_databases(run: Run) -> None:
    code, out, _ = run("report", "--demo", "--demo-speed", "0", "--format", "markdown")
    assert code == 3
    assert "## Beside the databases (7)" in out
    assert (
        "| us-east-1 | Blue/Green deployment | bgd-7h2kq9x4m1 | legacy-reporting, "
        "legacy-rpt-green (green) | AVAILABLE |" in out
    )
    assert "| us-west-2 | Limitless shard group | ledger-shards | ledger-limitless |" in out
    assert "| ap-southeast-2 | RDS Proxy | crm-proxy | crm-mysql |" in out
    assert "| eu-west-1 | retained instance backups | old-billing-mysql | - | retained |" in out
    assert "- eu-central-1: could not check zero-ETL integrations (AccessDeniedException" in out
    # a proxy holds the role: it is among what blocks it
    assert "- RDS Proxy crm-proxy in ap-southeast-2 (available)" in out

    code, out, _ = run("report", "--demo", "--demo-speed", "0", "--format", "json")
    data = json.loads(out)
    kinds = {x["kind"]: x for region in data["scan"]["regions"] for x in region.get("related", [])}
    assert set(kinds) == {
        "blue-green-deployment",
        "db-shard-group",
        "zero-etl-integration",
        "db-proxy",
        "db-cluster-group",
        "instance-automated-backup",
        "cluster-automated-backup",
    }
    assert kinds["cluster-automated-backup"]["retention_days"] == 14
    assert "storage billed until they expire" in kinds["cluster-automated-backup"]["role_effect"]
    assert kinds["db-shard-group"]["handling"] == (
        "Step 3 deletes it before its cluster ledger-limitless."
    )

    code, out, _ = run("report", "--demo", "--demo-speed", "0", "--format", "table")
    assert "Beside the databases:" in out
    assert "ap-southeast-2/apac-fleet (DB cluster group, available, on inventory-apac)" in out
