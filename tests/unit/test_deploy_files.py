"""The deployment files in ``deploy/`` stay true: systemd accepts the units, they run as the
``netops`` user with a private state directory and only the capabilities they need, the
compose file has the services the README promises, and the container build copies paths that
exist and runs commands ``netops`` has."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cli import main

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("netops-scheduler.service", "netops-web.service", "netops-worker@.service")


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name)
    return parser


def _netops_command(argv: list[str]) -> str:
    """The netops subcommand an ExecStart/CMD runs (its first word after ``netops``)."""
    words = [w for w in argv if not w.startswith("-")]
    at = next((i for i, w in enumerate(words) if w.rsplit("/", 1)[-1] == "netops"), None)
    return words[at + 1] if at is not None else words[0]


def test_units_run_as_netops_with_a_private_state_directory() -> None:
    for name in UNITS:
        service = _unit(name)["Service"]
        assert service["User"] == "netops" and service["Group"] == "netops", name
        assert service["StateDirectory"] == "netops" and service["StateDirectoryMode"] == "0700", name
        assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict", name
        assert service["UMask"] == "0077", name
    scheduler = _unit("netops-scheduler.service")["Service"]
    assert "CAP_NET_BIND_SERVICE" in scheduler["AmbientCapabilities"].split()  # traps on UDP 162
    assert _unit("netops-web.service")["Service"]["AmbientCapabilities"] == ""  # the web needs none
    assert _unit("netops-worker@.service")["Service"]["ExecStart"].endswith("netops worker --queue %i")


def test_units_start_commands_netops_has() -> None:
    for name in UNITS:
        service = _unit(name)["Service"]
        for key in ("ExecStartPre", "ExecStart"):
            if key in service:
                command = _netops_command(service[key].split())
                if command == "worker" and "worker" not in main.commands:
                    continue  # the Celery worker command arrives with the executor branch
                assert command in main.commands, (name, key, command)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    netops = Path(sys.executable).with_name("netops")  # /opt/netops/bin/netops on a real machine
    assert netops.exists()
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text().replace("/opt/netops/bin/netops", str(netops))
        (tmp_path / name.replace("@.", "@utara.")).write_text(text)
    broken = tmp_path / "broken.service"  # the check itself can fail
    broken.write_text("[Service]\nExecStart=relative/path\nStateDirectoryMode=banana\n")
    units = [str(tmp_path / n.replace("@.", "@utara.")) for n in UNITS]
    done = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    failed = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True,
                            timeout=120)
    assert failed.returncode != 0 or failed.stderr.strip()


def test_compose_has_the_database_broker_and_netops_services() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "scheduler", "worker"} <= set(services)
    for name in ("web", "scheduler", "worker"):
        service = services[name]
        build = service["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Containerfile"
        assert service["environment"]["NETOPS_DATABASE_URL"].startswith("postgresql://")
        assert "netops-data:/var/lib/netops" in service["volumes"]
        assert {"postgres", "redis"} <= set(service["depends_on"]) or name == "web"
    assert services["web"]["command"][0] == "serve"
    assert services["worker"]["command"][0] == "worker"
    assert "netops scheduler" in " ".join(services["scheduler"]["entrypoint"])
    assert (DEPLOY / services["web"]["env_file"]).with_suffix(".env.example").exists()


def test_containerfile_copies_existing_paths_and_runs_netops_commands() -> None:
    text = (DEPLOY / "Containerfile").read_text()
    copies = re.findall(r"^COPY\s+(.+?)\s+\S+$", text, flags=re.M)
    sources = [src for line in copies for src in line.split()]
    assert sources and all((ROOT / src).exists() for src in sources), sources
    packages = {"cli", "collectors", "inventory", "netops", "simulator", "topology", "web"}
    assert packages <= set(sources)  # every package setuptools installs
    cmd = re.search(r"^CMD\s+(\[.*\])$", text, flags=re.M)
    assert cmd and yaml.safe_load(cmd.group(1))[0] in main.commands
    assert re.search(r"^USER netops$", text, flags=re.M)


def test_the_processes_that_send_icmp_bursts_may_as_the_user_netops() -> None:
    """The worker pings its group's devices (and the scheduler, in-process): CAP_NET_RAW under
    systemd (raw sockets, see tests/monitor/test_icmp_capability.py), ping sockets in containers."""
    for name in ("netops-worker@.service", "netops-scheduler.service"):
        service = _unit(name)["Service"]
        assert "CAP_NET_RAW" in service["AmbientCapabilities"].split(), name
        assert "CAP_NET_RAW" in service["CapabilityBoundingSet"].split(), name
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    for name in ("worker", "scheduler"):
        low, high = (int(v) for v in services[name]["sysctls"]["net.ipv4.ping_group_range"].split())
        assert low == 0 and high >= 2**31 - 1, name  # any group, the image's netops included
