"""Secret references seen from the CLI and at poll time: netops's own secrets are never read or sent.

The service user's ``netops inventory import`` may name any file or variable except the data
directory's files and netops's setting variables; a reference to those that reached the
database anyway (written before this rule) is refused when the next poll resolves it, and the
poll then sends nothing to that device. A secret that does not resolve drops only the transport
that needs it: the device's SNMP status poll still happens, with one warning naming the device
and the reference. Polls go to UDP listeners on loopback addresses.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cli import main
from inventory.models import Credential, Device
from netops.encryption import ensure_key
from netops.settings import Settings
from tests.support.udp import UdpListener


@pytest.fixture
def listener() -> Iterator[UdpListener]:
    with UdpListener("127.0.0.71") as one:
        yield one


def _cli(settings: Settings, *args: str, env: dict[str, str] | None = None) -> Result:
    base = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_SNMP__TIMEOUT_S": "0.3",
            "NETOPS_SNMP__RETRIES": "0"}
    return CliRunner().invoke(main, list(args), env={**base, **(env or {})}, catch_exceptions=False)


def test_cli_import_refuses_netops_own_secrets_with_located_problems(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    ensure_key(settings)
    path = tmp_path / "own.yaml"
    path.write_text(f"""\
credentials:
  web: {{type: snmp, version: 2c, community: {{env: NETOPS_WEB__SECRET_KEY}}}}
  key: {{type: snmp, version: 2c, community: {{file: {settings.secret_key_path}}}}}
  db: {{type: ssh, username: u, password: {{file: {settings.data_dir / 'netops.db'}}}}}
  ssh-key: {{type: ssh, username: u, key_file: {settings.data_dir / 'web-secret.key'}}}
""")
    run = _cli(settings, "inventory", "import", str(path))
    assert run.exit_code == 2, run.output
    assert "4 problems, nothing written" in run.output
    assert f"{path}:2: credentials.web.community.env: NETOPS_WEB__SECRET_KEY is a netops setting" \
        in run.output
    assert f"{path}:3: credentials.key.community.file:" in run.output
    assert f"{path}:4: credentials.db.password.file:" in run.output
    assert f"{path}:5: credentials.ssh-key.key_file:" in run.output
    with Session(engine) as s:
        assert list(s.scalars(select(Credential))) == []


def test_cli_import_by_the_service_user_may_name_other_files_and_variables(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "community.txt").write_text("c\n")
    path = tmp_path / "city.yaml"
    path.write_text("""\
credentials:
  home: {type: snmp, version: 2c, community: {env: HOME}}
  filed: {type: snmp, version: 2c, community: {file: community.txt}}
""")
    run = _cli(settings, "inventory", "import", str(path))
    assert run.exit_code == 0, run.output
    with Session(engine) as s:
        stored = {c.name: c.community for c in s.scalars(select(Credential))}
    assert stored == {"home": "env:HOME", "filed": f"file:{tmp_path / 'community.txt'}"}  # relative: absolute


def test_poisoned_references_already_stored_are_refused_at_poll_time(
    engine: Engine, settings: Settings, listener: UdpListener
) -> None:
    """Rows written before the rule (or by hand): the poll resolves nothing and sends nothing."""
    ensure_key(settings)
    web_key = "web-key-set-in-the-environment"
    with Session(engine) as s:
        poisoned = (("p-web", "env:NETOPS_WEB__SECRET_KEY"), ("p-key", f"file:{settings.secret_key_path}"))
        for name, ref in poisoned:
            cred = Credential(name=name, type="snmp", snmp_version="2c", community=ref)
            s.add(Device(name=name, address=listener.host, snmp_port=listener.port, snmp_credential=cred))
        s.commit()
    run = _cli(settings, "poll", env={"NETOPS_WEB__SECRET_KEY": web_key})
    assert listener.drain() == []
    assert "device p-web: SNMP credential p-web: NETOPS_WEB__SECRET_KEY is a netops setting" in run.stderr
    assert "device p-key: SNMP credential p-key:" in run.stderr and "netops data directory" in run.stderr
    assert web_key not in run.output


def test_a_missing_ssh_secret_keeps_the_device_in_snmp_polling(
    engine: Engine, settings: Settings, listener: UdpListener
) -> None:
    """Finding 6: the device whose SSH password variable is unset was silently dropped from
    SNMP status polling; now only SSH is skipped, with one warning naming device and reference."""
    with Session(engine) as s:
        snmp = Credential(name="c-snmp", type="snmp", snmp_version="2c", community="env:NETOPS_T_COMMUNITY")
        ssh = Credential(name="c-ssh", type="ssh", username="netops", password="env:NETOPS_T_SSH_PASSWORD")
        s.add(Device(name="sw-1", address=listener.host, snmp_port=listener.port, snmp_credential=snmp,
                     ssh_credential=ssh))
        s.commit()
    run = _cli(settings, "poll", env={"NETOPS_T_COMMUNITY": "community-of-sw-1"})
    assert run.exit_code == 3, run.output  # polled, but a listener never answers: nothing answered
    sent = listener.drain()
    assert sent and all(b"community-of-sw-1" in p for p in sent)  # polled over SNMP
    warnings = [line for line in run.stderr.splitlines() if "sw-1" in line and "WARNING" in line]
    assert len(warnings) == 1, run.stderr
    expected = "device sw-1: SSH credential c-ssh: environment variable NETOPS_T_SSH_PASSWORD is not set"
    assert expected in warnings[0]
    assert "not polled over SSH this cycle" in warnings[0]
