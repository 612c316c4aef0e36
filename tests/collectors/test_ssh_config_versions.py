"""Config snapshots become versions with diffs, a new row only on change; ``netops config`` reads them.
The end-to-end test fetches a real running-config over SSH from a fakenos Cisco IOS device."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cli import main
from collectors.observations import ConfigSnapshot
from inventory.db import session_scope
from inventory.models import ConfigVersion, Credential, Device, NeighborRecord, PollRun
from netops.settings import Settings
from netops.store.config_versions import config_version, config_versions, store_config
from tests.support.fakenos_net import PASSWORD, USERNAME, build_inventory, free_ports, triangle

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _device(session: Session, name: str = "core-01", port: int = 22, platform: str = "cisco_ios") -> Device:
    cred = Credential(name=f"ssh-{name}", type="ssh", username=USERNAME, password=PASSWORD)
    device = Device(name=name, address="127.0.0.1", ssh_port=port, platform=platform, ssh_credential=cred)
    session.add_all([cred, device])
    session.flush()
    return device


def test_new_version_only_when_the_text_changes(session: Session) -> None:
    device = _device(session)
    first = store_config(session, device, ConfigSnapshot("hostname a\nntp server 1.1.1.1\n"), T0)
    assert first is not None and (first.version, first.diff) == (1, None)
    assert store_config(session, device, ConfigSnapshot("hostname a\nntp server 1.1.1.1\n"), T0) is None
    second = store_config(session, device, ConfigSnapshot("hostname a\nntp server 2.2.2.2\n"), T0)
    assert second is not None and second.version == 2
    assert second.diff is not None
    assert "-ntp server 1.1.1.1\n" in second.diff and "+ntp server 2.2.2.2\n" in second.diff
    assert "--- core-01 v1" in second.diff and "+++ core-01 v2" in second.diff
    assert session.scalar(select(func.count()).select_from(ConfigVersion)) == 2
    assert [v.version for v in config_versions(session, "core-01")] == [1, 2]
    latest = config_version(session, "core-01")
    assert latest is not None and latest.text.endswith("2.2.2.2\n")


def test_versions_are_per_device(session: Session) -> None:
    a, b = _device(session, "a"), _device(session, "b")
    store_config(session, a, ConfigSnapshot("x\n"), T0)
    assert store_config(session, b, ConfigSnapshot("x\n"), T0) is not None
    assert config_version(session, "nobody") is None


@pytest.fixture(scope="module")
def ios_port() -> Iterator[int]:
    fakenos = pytest.importorskip("fakenos")
    devices, links = triangle()
    (port,) = free_ports(1)
    inventory = build_inventory(devices, links, {d.name: port for d in devices})
    inventory["hosts"] = {"core-01": inventory["hosts"]["core-01"]}  # serve only core-01, with its LLDP
    server = fakenos.FakeNOS(inventory=inventory)
    server.start()
    try:
        yield port
    finally:
        server.stop()


def test_cli_fetch_show_and_diff_over_ssh(
    settings: Settings, engine: Engine, ios_port: int, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        _device(session, port=ios_port)
    env = {"NETOPS_DATA_DIR": str(settings.data_dir)}
    runner = CliRunner()
    fetched = runner.invoke(main, ["config", "fetch", "core-01"], env=env)
    assert fetched.exit_code == 0, fetched.output
    assert "stored v1" in fetched.output
    again = runner.invoke(main, ["config", "fetch", "core-01"], env=env)
    assert again.exit_code == 0 and "unchanged" in again.output
    shown = runner.invoke(main, ["config", "show", "core-01"], env=env)
    assert shown.exit_code == 0 and "hostname core-01" in shown.output
    assert PASSWORD not in shown.output and "enable secret 5 <masked>" in shown.output
    assert (settings.data_dir / "ssh" / "known_hosts").read_text().startswith(f"[127.0.0.1]:{ios_port} ")
    with session_scope(engine) as session:
        device = session.scalars(select(Device)).one()
        store_config(
            session, device, ConfigSnapshot(config_version(session, "core-01").text + "ntp server 10.0.0.9\n")
        )
    diff = runner.invoke(main, ["config", "show", "core-01", "--diff"], env=env)
    assert diff.exit_code == 0 and "+ntp server 10.0.0.9" in diff.output
    history = runner.invoke(main, ["config", "history", "core-01"], env=env)
    assert history.output.count("\nv") + history.output.startswith("v") == 2
    missing = runner.invoke(main, ["config", "show", "nobody"], env=env)
    assert missing.exit_code == 2 and "no device 'nobody'" in missing.output
    unstored = runner.invoke(main, ["config", "show", "core-01", "--version", "9"], env=env)
    assert unstored.exit_code == 1 and "no stored configuration for core-01 version 9" in unstored.output


def test_poll_kind_ssh_stores_config_and_neighbors(settings: Settings, engine: Engine, ios_port: int) -> None:
    with session_scope(engine) as session:
        _device(session, port=ios_port)
    env = {"NETOPS_DATA_DIR": str(settings.data_dir)}
    polled = CliRunner().invoke(main, ["poll", "--kind", "ssh", "--device", "core-01", "--json"], env=env)
    assert polled.exit_code == 0, polled.output
    assert '"config"' in polled.output and '"neighbors"' in polled.output
    with session_scope(engine) as session:
        stored = config_version(session, "core-01")
        assert stored is not None and stored.version == 1 and "hostname core-01" in stored.text
        runs = session.scalars(select(PollRun)).all()
        assert [(r.job, r.transport, r.ok) for r in runs] == [("ssh", "ssh", True)]
        neighbors = session.scalars(select(NeighborRecord)).all()
        assert {n.system_name for n in neighbors} == {"dist-01", "acc-01"}
