"""ICMP bursts from the worker inside a group's network, on real parts: a real ``netops worker``
run inside a network namespace, real PostgreSQL (a database of its own), real Redis (db 13,
flushed here) and a real snmpd as the devices.

The network: namespace ``dv`` holds the devices' addresses (snmpd answers there), cabled by a
veth to namespace ``wk`` where the worker runs, the poller inside the city's network. The
central host (this test process, the scheduler) has no way to the devices: its route to them
leads into the worker's namespace, which forwards nothing (a router the central host cannot
pass), so its own burst reads 100 % loss, what every school looked like before. The worker reaches
PostgreSQL and Redis through a second veth, to small TCP relays on this host (both listen on
loopback only). So the latency recorded for the group's devices can only have come from the
worker; a group with no live worker gets ICMP unknown and is not polled: no outage, no sample.
Needs root, ``ip`` and ``snmpd``; skips with the reason otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from inventory.db import make_engine, session_scope
from inventory.models import Device, DeviceState, JobRun, LatencySample, Outage, PollOutcome, PollWorker
from netops.polling.celery_executor import CeleryExecutor
from netops.polling.cycle import JobRunner
from netops.polling.icmp import BurstSettings, burst
from netops.polling.jobs import JobSpec, job_kinds
from netops.settings import Settings, load_settings

pytestmark = [pytest.mark.postgres, pytest.mark.timing, pytest.mark.timeout(120)]
REDIS_DB = 13  # this file's own Redis database, flushed before and after
STATUS = JobSpec("status", 60, job_kinds("status"))
NETOPS = str(Path(sys.executable).with_name("netops"))
COMMUNITY = "wicmp-ro"


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=20)


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network namespaces, veth pairs, a route)"
    for program in ("ip", "snmpd"):
        if shutil.which(program) is None and not Path(f"/usr/sbin/{program}").exists():
            return f"{program} is not installed"
    return None


@dataclass
class CityNetwork:
    worker_ns: str
    device_ns: str
    gateway: str  # this host's end of the worker's cable: where the relays listen
    north: str  # a device address of the group with a worker
    south: str  # a device address of the group without one


def _free_subnet() -> ipaddress.IPv4Network:
    """A /24 of 100.64.0.0/10 (shared address space) that no route or address here uses."""
    used = "".join(subprocess.run(["ip", "-4", *args], capture_output=True, text=True).stdout
                   for args in (["route", "show", "table", "all"], ["addr"]))
    for _ in range(50):
        n = random.randrange(64 * 256, 128 * 256)
        net = ipaddress.ip_network(f"100.{n // 256}.{n % 256}.0/24")
        if f"100.{n // 256}.{n % 256}." not in used:
            return net
    pytest.skip("no free /24 in 100.64.0.0/10 for the test's network")


@pytest.fixture
def city() -> Iterator[CityNetwork]:
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    token = uuid.uuid4().hex[:6]
    wk, dv = f"wicmp-w-{token}", f"wicmp-d-{token}"
    net = _free_subnet()
    hosts = list(net.hosts())
    gateway, worker_end = str(hosts[0]), str(hosts[1])  # .1/.2 of a /30
    lan = ipaddress.ip_network(f"{hosts[63]}/29", strict=False)  # .64/29: the devices' LAN
    router, north, south = (str(lan[1]), str(lan[2]), str(lan[3]))
    steps: list[list[str]] = []
    try:
        _run("ip", "netns", "add", wk)
        steps.append(["ip", "netns", "del", wk])
        _run("ip", "netns", "add", dv)
        steps.append(["ip", "netns", "del", dv])
        _run("ip", "link", "add", f"wi{token}r", "type", "veth", "peer", "name", f"wi{token}w", "netns", wk)
        steps.append(["ip", "link", "del", f"wi{token}r"])
        _run("ip", "addr", "add", f"{gateway}/30", "dev", f"wi{token}r")
        _run("ip", "link", "set", f"wi{token}r", "up")
        _run("ip", "-n", wk, "addr", "add", f"{worker_end}/30", "dev", f"wi{token}w")
        _run("ip", "-n", wk, "link", "set", f"wi{token}w", "up")
        _run("ip", "-n", wk, "link", "set", "lo", "up")
        _run("ip", "link", "add", f"wd{token}w", "netns", wk, "type", "veth", "peer", "name", f"wd{token}d",
             "netns", dv)
        _run("ip", "-n", wk, "addr", "add", f"{router}/29", "dev", f"wd{token}w")
        _run("ip", "-n", wk, "link", "set", f"wd{token}w", "up")
        for address in (north, south):
            _run("ip", "-n", dv, "addr", "add", f"{address}/29", "dev", f"wd{token}d")
        _run("ip", "-n", dv, "link", "set", f"wd{token}d", "up")
        _run("ip", "-n", dv, "link", "set", "lo", "up")
        # the city's router, seen from the central host: echoes go in (the worker's namespace does
        # not forward them) and nothing comes back; nothing leaks out of the test's namespaces
        _run("ip", "netns", "exec", wk, "sysctl", "-qw", "net.ipv4.ip_forward=0")
        _run("ip", "route", "add", str(lan), "via", worker_end, "dev", f"wi{token}r")
        steps.append(["ip", "route", "del", str(lan)])
        yield CityNetwork(wk, dv, gateway, north, south)
    finally:
        for step in reversed(steps):
            subprocess.run(step, capture_output=True, timeout=20)


class Relay:
    """TCP from ``listen`` (the worker's way out of its namespace) to a loopback-only server here."""

    def __init__(self, host: str, target_port: int) -> None:
        self.target_port = target_port
        self.loop = asyncio.new_event_loop()
        self.server = self.loop.run_until_complete(asyncio.start_server(self._pipe, host, 0))
        self.port = int(self.server.sockets[0].getsockname()[1])
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(OSError):
                dst.close()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))

    def close(self) -> None:
        async def stop() -> None:
            self.server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def _redis() -> object:
    try:
        import redis
    except ImportError:
        pytest.skip("the redis client is not installed (pip install 'celery[redis]')")
    client = redis.Redis("127.0.0.1", 6379, db=REDIS_DB, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379: {exc}")
    return client


def _until(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


@dataclass
class Installation:
    settings: Settings
    engine: Engine
    env: dict[str, str]
    north_group: str
    south_group: str


@pytest.fixture
def inst(tmp_path: Path, pg_url: str, city: CityNetwork,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Installation]:
    client = _redis()
    client.flushdb()  # type: ignore[attr-defined]
    token = uuid.uuid4().hex[:6]
    north_group, south_group = f"north{token}", f"south{token}"
    data = tmp_path / "data"
    data.mkdir()
    url = pg_url.replace("+psycopg", "")
    config = tmp_path / "netops.toml"
    config.write_text(
        f'data_dir = "{data}"\ndatabase_url = "{url}"\n'
        f'[executor]\nkind = "celery"\nbroker_url = "redis://127.0.0.1:6379/{REDIS_DB}"\n'
        f'task_deadline_s = 20\nworker_seen_s = 6\ndefault_queue = "nogroup{token}"\n'
        '[snmp]\ntimeout_s = 2.0\nretries = 1\n[monitor]\nicmp = true\n[traps]\nenabled = false\n',
        encoding="utf-8")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "credentials:\n  city-snmp: {type: snmp, version: 2c, community: {env: NETOPS_WICMP_COMMUNITY}}\n"
        "sites:\n  - {name: SD Negeri 7, kind: school}\n  - {name: SD Negeri 8, kind: school}\n"
        "devices:\n"
        f"  - {{name: sw-north, address: {city.north}, site: SD Negeri 7, role: access, snmp: city-snmp, "
        f"poll_group: {north_group}}}\n"
        f"  - {{name: sw-south, address: {city.south}, site: SD Negeri 8, role: access, snmp: city-snmp, "
        f"poll_group: {south_group}}}\n", encoding="utf-8")
    monkeypatch.setenv("NETOPS_WICMP_COMMUNITY", COMMUNITY)  # the scheduler resolves it too
    env = {**os.environ, "NETOPS_CONFIG": str(config), "NETOPS_DATA_DIR": str(data),
           "NETOPS_WICMP_COMMUNITY": COMMUNITY}
    env.pop("NETOPS_DATABASE_URL", None)
    for args in (["init"], ["inventory", "import", str(inventory)]):
        subprocess.run([NETOPS, *args], env=env, check=True, capture_output=True, timeout=60)
    engine = make_engine(pg_url)
    try:
        yield Installation(load_settings(config, environ={}), engine, env, north_group, south_group)
    finally:
        engine.dispose()
        client.flushdb()  # type: ignore[attr-defined]


@pytest.fixture
def agents(city: CityNetwork, tmp_path: Path) -> Iterator[None]:
    """Real snmpd answering at both device addresses, inside the devices' namespace."""
    conf = tmp_path / "snmpd.conf"
    conf.write_text(f"rocommunity {COMMUNITY} default\nsysName wicmp-device\n", encoding="utf-8")
    (tmp_path / "snmp").mkdir()
    snmpd = shutil.which("snmpd") or "/usr/sbin/snmpd"
    proc = subprocess.Popen(
        ["ip", "netns", "exec", city.device_ns, snmpd, "-f", "-C", "-c", str(conf), "-Lf",
         str(tmp_path / "snmpd.log"), f"udp:{city.north}:161,udp:{city.south}:161"],
        env={**os.environ, "MIBS": "", "SNMP_PERSISTENT_DIR": str(tmp_path / "snmp")}, start_new_session=True)
    try:
        time.sleep(0.5)
        assert proc.poll() is None, (tmp_path / "snmpd.log").read_text()
        yield
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@pytest.fixture
def relays(city: CityNetwork) -> Iterator[tuple[Relay, Relay]]:
    """The worker's way to PostgreSQL and Redis, on this host's end of its cable."""
    pg = Relay(city.gateway, 5432)
    redis = Relay(city.gateway, 6379)
    try:
        yield pg, redis
    finally:
        pg.close()
        redis.close()


def _worker_in(city: CityNetwork, inst: Installation, relays: tuple[Relay, Relay], log: Path,
               pg_url: str) -> subprocess.Popen[bytes]:
    """``netops worker`` for the north group, inside the worker's namespace."""
    pg, redis = relays
    name = pg_url.rsplit("/", 1)[1]
    env = {**inst.env, "NETOPS_DATABASE_URL": f"postgresql://postgres@{city.gateway}:{pg.port}/{name}",
           "NETOPS_EXECUTOR__BROKER_URL": f"redis://{city.gateway}:{redis.port}/{REDIS_DB}"}
    out = open(log, "wb")  # noqa: SIM115 - the process owns it
    command = [NETOPS, "worker", "--queue", inst.north_group, "--concurrency", "2"]
    return subprocess.Popen(["ip", "netns", "exec", city.worker_ns, *command], env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _worker_names(engine: Engine, group: str) -> list[str]:
    with session_scope(engine) as session:
        workers = session.scalars(select(PollWorker))
        return [w.name for w in workers if f"netops.{group}" in w.queues.split(",")]


def test_the_worker_inside_the_network_pings_its_groups_devices_and_a_group_without_one_is_unknown(
        city: CityNetwork, inst: Installation, agents: None, relays: tuple[Relay, Relay], tmp_path: Path,
        pg_url: str) -> None:
    how = BurstSettings(3, 0.05, 0.3)
    here = burst([city.north], how)[city.north]  # the scheduler's own burst: the old way
    assert here is not None and (here.sent, here.received) == (3, 0), "the central host must not reach them"

    proc = _worker_in(city, inst, relays, tmp_path / "worker.log", pg_url)
    executor: CeleryExecutor | None = None
    try:
        names = _until(lambda: _worker_names(inst.engine, inst.north_group), 30, "the worker registered")
        executor = CeleryExecutor(inst.settings, inst.engine)
        started = time.monotonic()
        answers = executor.ping([city.north, city.south]).result(timeout=10)
        ping_s = time.monotonic() - started
        north = answers[city.north]
        assert north is not None and north.received == north.sent == inst.settings.monitor.icmp_count, answers
        assert answers[city.south] is None  # no worker for its group: unknown, not lost

        summary = JobRunner(inst.settings, inst.engine, executor).run_cycle(STATUS, spread=False)
    finally:
        if executor is not None:
            executor.close()
        _stop(proc)
    log = (tmp_path / "worker.log").read_text(errors="replace")

    assert summary.devices_polled == 1 and summary.devices_failed == 0, (summary.errors, log)
    assert summary.not_polled == {"sw-south": f"no worker for group {inst.south_group}"}
    assert summary.opened == [] and summary.closed == []
    with session_scope(inst.engine) as session:
        ids = {d.name: d.id for d in session.scalars(select(Device))}
        samples = {s.device_id: s for s in session.scalars(select(LatencySample))}
        states = {s.device_id: s.state for s in session.scalars(select(DeviceState))}
        pings = list(session.execute(select(PollOutcome.device, PollOutcome.worker, PollOutcome.job_run_id)
                                     .where(PollOutcome.task_id.like("p%"))))
        outages = session.scalar(select(func.count()).select_from(Outage))
        run = session.get(JobRun, summary.job_run_id)
        assert run is not None and run.result == "partial"
    sample = samples[ids["sw-north"]]
    assert (sample.sent, sample.received) == (5, 5)  # every echo answered, from inside the network
    assert sample.rtt_min_ms is not None and sample.rtt_avg_ms is not None and sample.rtt_max_ms is not None
    assert 0.0 <= sample.rtt_min_ms <= sample.rtt_avg_ms <= sample.rtt_max_ms < 100.0
    assert ids["sw-south"] not in samples  # unknown: nothing recorded, no 100 % loss
    assert states.get(ids["sw-north"]) == "up" and states.get(ids["sw-south"], "unknown") == "unknown"
    assert outages == 0
    # the answers came from the worker in the namespace, through the database, tagged with the run
    assert {device for device, _, _ in pings} == {city.north}
    assert {worker for _, worker, _ in pings} == set(names)  # type: ignore[arg-type]
    assert summary.job_run_id in {run_id for _, _, run_id in pings}

    # the worker stops (its row goes with it): the group now has none, so ICMP is unknown for its
    # devices too and they are not polled; the state stays as it was, no outage, no sample
    executor = CeleryExecutor(inst.settings, inst.engine)
    try:
        assert executor.ping([city.north]).result(timeout=5) == {city.north: None}
        after = JobRunner(inst.settings, inst.engine, executor).run_cycle(STATUS, spread=False)
    finally:
        executor.close()
    assert set(after.not_polled) == {"sw-north", "sw-south"} and after.opened == []
    with session_scope(inst.engine) as session:
        assert session.scalar(select(func.count()).select_from(LatencySample)) == 1
        assert session.scalar(select(func.count()).select_from(Outage)) == 0
        north_state = select(DeviceState.state).where(DeviceState.device_id == ids["sw-north"])
        assert session.scalar(north_state) == "up"
    print(f"\nworker burst: {north.received}/{north.sent} answered, rtt avg {north.rtt_avg_ms:.2f} ms; "
          f"ping() answered in {ping_s:.2f} s (burst {inst.settings.monitor.icmp_count} echoes "
          f"{inst.settings.monitor.icmp_interval_s:g} s apart); cycle sample avg {sample.rtt_avg_ms:.2f} ms")
