"""``netops demo``: the simulated network wired to the real service, started and stopped as one.

Order: check the web port, write and import the demo inventory, start the agent process,
create one login per role, run a first discovery, then the scheduler, the trap receiver and
the web UI; print the URL and the logins; on Ctrl-C or SIGTERM stop everything it started
(web server, scheduler, trap receiver, agent process), so no process is left behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from cli.demo_setup import ROLES, demo_logins, first_discovery
from inventory.db import session_scope
from inventory.files import import_inventory_file
from inventory.models import Device
from inventory.spec import InventoryError
from netops.encryption import FernetSealer
from netops.runtime import init_service, open_database
from netops.settings import Settings
from simulator import control
from simulator.inventory import DEMO_GROUP, write_inventory
from simulator.network import DemoNetwork
from simulator.process import build_network
from simulator.topofile import load_topology

log = logging.getLogger(__name__)
Echo = Callable[[str], None]
Health = Callable[[], "str | None"]


class DemoError(RuntimeError):
    """The demo cannot start; one plain sentence for the user."""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    topology: str | None = None
    seed: int = 1
    host: str | None = None
    port: int | None = None
    snmp_port: int = 16161
    quiet: bool = False
    every_s: float = 180.0
    declare_links: bool = True
    real: bool = False
    testbed_prefix: str = "demo"


def demo_settings(settings: Settings, host: str, port: int, real: bool = False) -> Settings:
    """The web where asked; no ICMP: loopback agents always answer pings, so a switch cut off
    from the core must be judged by SNMP alone. At most 8 polls in flight and a 3 s timeout:
    with 50 at once the poller's own decoding outlasted the 1 s timeout here (false outages),
    and the agents share the machine with the service (and a browser, in the tests)."""
    return dataclasses.replace(
        settings, monitor=dataclasses.replace(settings.monitor, icmp=settings.monitor.icmp and real),
        web=dataclasses.replace(settings.web, host=host, port=port),
        snmp=dataclasses.replace(settings.snmp, max_in_flight=min(settings.snmp.max_in_flight, 8),
                                 timeout_s=max(settings.snmp.timeout_s, 3.0)))


def check_port_free(host: str, port: int, what: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise DemoError(f"{what} port {host}:{port} is busy ({exc.strerror}): is netops already "
                            f"running? stop it or choose another port with --port") from None


def real_devices(engine: Engine) -> int:
    """How many devices in the database were not put there by the demo."""
    with session_scope(engine) as session:
        groups = session.scalars(select(Device.poll_group)).all()
    return sum(1 for g in groups if g != DEMO_GROUP)


# ---------------------------------------------------------------- steps


def start_agents(directory: Path, options: DemoOptions, trap_port: int | None) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "simulator.process", "--state-dir", str(directory),
           "--snmp-port", str(options.snmp_port), "--seed", str(options.seed),
           "--every", str(options.every_s)]
    cmd += ["--topology", options.topology] if options.topology else []
    cmd += ["--quiet"] if options.quiet else []
    cmd += ["--trap-port", str(trap_port)] if trap_port else []
    (directory / control.STATUS_FILE).unlink(missing_ok=True)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "agents.log", "ab") as logfile:
        process = subprocess.Popen(cmd, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = control.read_status(directory)
        if status is not None and status.get("pid") == process.pid:
            return process
        if process.poll() is not None:
            tail = (directory / "agents.log").read_text(errors="replace").strip().splitlines()[-1:]
            reason = " ".join(tail) or f"exit {process.returncode}"
            raise DemoError(f"the simulated agents did not start: {reason}")
        time.sleep(0.05)
    stop_process(process)
    raise DemoError("the simulated agents did not start within 30 s")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


# ---------------------------------------------------------------- the service


@dataclass
class RunningDemo:
    settings: Settings
    engine: Engine
    health: Health
    url: str
    stoppers: list[Callable[[], None]]

    def stop(self) -> None:
        for stopper in reversed(self.stoppers):
            try:
                stopper()
            except Exception:  # keep stopping the rest
                log.exception("demo: stopping a part failed")
        self.stoppers.clear()


def _start_web(settings: Settings, engine: Engine, scheduler: Any) -> tuple[Any, str]:
    from cli.web_server import serve_web

    host, port = settings.web.host, settings.web.port
    try:
        server = serve_web(settings, engine, scheduler)
    except OSError as exc:
        raise DemoError(f"web port {host}:{port} is busy ({exc.strerror}); "
                        "choose another with --port") from None
    return server, f"http://{host}:{server.server_port}/"


def _start_simulated(directory: Path, options: DemoOptions, trap_port: int | None,
                     stoppers: list[Callable[[], None]], echo: Echo) -> tuple[DemoNetwork, int, str, Health]:
    network = build_network(options.topology, options.seed)
    agents = start_agents(directory, options, trap_port)
    stoppers.append(lambda: stop_process(agents))
    echo(f"agents: {len(network.devices)} simulated switches on 127.0.0.0/8 UDP port "
         f"{options.snmp_port}, community 'demo' ({len(network.links)} fibers)")

    def health() -> str | None:
        if agents.poll() is None:
            return None
        return f"the simulated agents stopped (exit {agents.returncode}); see {directory / 'agents.log'}"

    return network, options.snmp_port, "demo", health


def _start_real(directory: Path, options: DemoOptions, trap_port: int | None,
                stoppers: list[Callable[[], None]], echo: Echo) -> tuple[DemoNetwork, int, str, Health]:
    from simulator import testbed as real

    reason = real.unavailable_reason()
    if reason:
        raise DemoError(reason)
    topology = real.topology_path(options.topology)
    bed = real.RealBed(options.testbed_prefix, topology)
    echo(f"testbed: building {topology.name} as network namespaces (prefix {bed.prefix}) ...")
    stoppers.append(bed.down)
    try:
        bed.up(trap_port)
    except RuntimeError as exc:
        raise DemoError(str(exc)) from None
    network = real.real_network(load_topology(topology), bed)
    controller = real.RealController(bed, network, directory, options.seed)
    controller.start(options.quiet, options.every_s)
    stoppers.append(controller.stop)
    community = str(bed.inventory["snmp"]["community"])
    echo(f"testbed: {len(network.devices)} nodes with snmpd + lldpd, {len(network.links)} fibers, "
         f"subnet {bed.inventory['management']['subnet']}, community '{community}'")
    return network, 161, community, lambda: None


def _check_same_network(engine: Engine, network: DemoNetwork, data_dir: Path) -> None:
    if real_devices(engine):
        raise DemoError(f"data directory {data_dir} holds a real inventory; "
                        "run the demo with another NETOPS_DATA_DIR")
    with session_scope(engine) as session:
        known = set(session.scalars(select(Device.name).where(Device.poll_group == DEMO_GROUP)))
    if known - {d.name for d in network.devices}:
        raise DemoError(f"data directory {data_dir} holds another demo network; "
                        "use another NETOPS_DATA_DIR for this one")


@contextlib.contextmanager
def running_demo(settings: Settings, options: DemoOptions, echo: Echo) -> Iterator[RunningDemo]:
    host, port = options.host or settings.web.host, options.port or settings.web.port
    settings = demo_settings(settings, host, port, options.real)
    check_port_free(host, port, "web")
    directory = control.demo_dir(settings.data_dir)
    if control.read_status(directory) is not None:
        raise DemoError(f"a demo is already running with data directory {settings.data_dir}")
    names = load_topology(real_topology(options)) if options.real else build_network(options.topology,
                                                                                        options.seed)
    init_service(settings)
    engine = open_database(settings)
    stoppers: list[Callable[[], None]] = [engine.dispose]
    demo = None
    try:
        _check_same_network(engine, names, settings.data_dir)
        trap_port = settings.traps.effective_port if settings.traps.enabled else None
        start = _start_real if options.real else _start_simulated
        network, snmp_port, community, health = start(directory, options, trap_port, stoppers, echo)
        path = write_inventory(network, directory / "inventory.yaml", snmp_port, options.declare_links,
                               community, options.real)
        write_fibers(network, directory)
        try:
            with session_scope(engine) as session:
                report = import_inventory_file(session, path, FernetSealer(settings))
        except InventoryError as exc:
            raise DemoError(f"the demo inventory {path} was refused: {exc}") from None
        echo(f"inventory: {path} ({report.summary().split(' (')[0]})")
        logins = demo_logins(engine, directory)
        first_discovery(settings, engine, network, snmp_port, community, echo)
        from netops.polling.service import MonitorService

        service = MonitorService(settings, engine)
        service.start()
        # stop() returns within seconds: cycles spread over their interval (an hour for
        # discovery) are aborted and recorded as such.
        stoppers.append(service.stop)
        if settings.traps.enabled and service.trap_receiver is None:
            echo(f"traps: not receiving on UDP port {trap_port}; polling still finds every fault")
        server, url = _start_web(settings, engine, service.scheduler)
        stoppers.append(server.shutdown)
        from cli.telegram_cmds import start_bot

        bot = start_bot(settings, engine)  # [telegram] enabled: the help-desk bot too
        if bot is not None:
            stoppers.append(bot.stop)
        demo = RunningDemo(settings, engine, health, url, stoppers)
        echo(f"\nnetops demo is running: {url}")
        for role in ROLES:
            echo(f"  login {role:<9} password {logins[role]}")
        echo(f"data directory: {settings.data_dir} (`netops status`, `netops outages` ... read it from "
             "any folder)")
        echo("faults: " + ("off (--quiet)" if options.quiet else
                           f"every ~{options.every_s:.0f} s a fiber is cut or a switch fails, "
                           "and is repaired later"))
        echo("Ctrl-C stops the demo.")
        yield demo
    finally:
        if demo is not None:
            demo.stop()
        else:
            for stopper in reversed(stoppers):
                stopper()


FIBERS_FILE = "fibers.json"


def write_fibers(network: DemoNetwork, directory: Path) -> Path:
    """The fibers as ``netops demo fault`` names them (``DEV:PORT`` pairs), so a command naming a
    fiber that does not exist can list the ones that do."""
    path = directory / FIBERS_FILE
    fibers = [[f"{lk.a}:{lk.a_port}", f"{lk.b}:{lk.b_port}"] for lk in network.links]
    path.write_text(json.dumps({"devices": [d.name for d in network.devices], "fibers": fibers}),
                    encoding="utf-8")
    return path


def read_fibers(directory: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Device names and fibers of the demo running on ``directory`` (empty when unknown)."""
    try:
        doc = json.loads((directory / FIBERS_FILE).read_text(encoding="utf-8"))
        return [str(d) for d in doc["devices"]], [(str(a), str(b)) for a, b in doc["fibers"]]
    except (OSError, ValueError, KeyError, TypeError):
        return [], []


def real_topology(options: DemoOptions) -> Path:
    from simulator.testbed import topology_path

    return topology_path(options.topology)


def run_demo(settings: Settings, options: DemoOptions, echo: Echo) -> None:
    """Run until SIGINT/SIGTERM; raises ``DemoError`` for anything the user can fix."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with running_demo(settings, options, echo) as demo:
            while not stop.wait(1.0):
                problem = demo.health()
                if problem:
                    raise DemoError(problem)
        echo("demo stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
