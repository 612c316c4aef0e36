"""SSH collector benchmark: sessions per minute, client CPU and memory per session, failure times.

One session = connect + 3 commands + fast logout, through our ``Session`` wrapper (netmiko with
the measured settings), on a bounded thread pool:

- against fakenos (Cisco IOS / Huawei VRP / Junos triangles, served by a separate process);
- against the testbed's real OpenSSH + lldpd nodes (a bed with prefix ``hcb`` is brought up and
  torn down here; skipped without root);
- full polls (facts + interfaces + neighbors, parsed to observations) against fakenos;
- client memory per open session (N sessions held open at once);
- wrong password and refused port time; a hung session ended at its deadline (hostile server).

Usage: ``.venv/bin/python benchmarks/bench_ssh.py [--triangles 34] [--threads 64] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from collectors.observations import PollKind  # noqa: E402
from collectors.ssh import SshPoller, load_platforms  # noqa: E402
from collectors.ssh.errors import classify  # noqa: E402
from collectors.ssh.session import Budget, Session  # noqa: E402
from collectors.targets import Secret, SshCredentials, Target, Timeouts  # noqa: E402
from tests.support.fakenos_net import (  # noqa: E402
    PASSWORD,
    USERNAME,
    build_inventory,
    free_ports,
    triangle,
    wait_listening,
)
from tests.support.hostile_ssh import HostileServer  # noqa: E402

COMMANDS = {
    "cisco_ios": ("show version", "show interfaces", "show lldp neighbors detail"),
    "huawei": ("display version", "display interface brief", "display lldp neighbor"),
    "juniper_junos": ("show version", "show interfaces terse", "show lldp neighbors"),
    "linux": ("lldpcli -f json0 show chassis", "ip -j link", "lldpcli -f json0 show neighbors"),
}
PLATFORMS = load_platforms()
TIMEOUTS = Timeouts(ssh_connect_s=10, ssh_command_s=30, deadline_s=120)
TESTBED = ROOT.parent / "shared" / "testbed" / "testbed"


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_s(pids: tuple[int, ...]) -> float:
    """User + system CPU seconds of other processes (the fakenos servers), from /proc."""
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def session_cycle(target: Target) -> float:
    """Connect, run the platform's 3 commands, log out; returns the wall time."""
    start = time.monotonic()
    platform = PLATFORMS[target.platform or ""]
    session = Session(target, platform, Budget.starting_now(target.timeouts.deadline_s))
    try:
        session.open()
        for command in COMMANDS[platform.name]:
            session.run(command)
    finally:
        session.close()
    return time.monotonic() - start


def throughput(
    label: str,
    targets: list[Target],
    threads: int,
    rounds: int,
    work: Callable[[Target], Any] = session_cycle,
    server_pids: tuple[int, ...] = (),
) -> dict[str, Any]:
    jobs = [t for _ in range(rounds) for t in targets]
    errors: dict[str, int] = {}
    times: list[float] = []

    def timed(target: Target) -> None:
        start = time.monotonic()
        try:
            outcome = work(target)
            for error in getattr(outcome, "errors", ()):
                errors[error.kind.value] = errors.get(error.kind.value, 0) + 1
        except Exception as exc:
            kind = classify(exc)[0].value
            errors[kind] = errors.get(kind, 0) + 1
        times.append(time.monotonic() - start)

    cpu0, server0, wall0 = cpu_s(), process_cpu_s(server_pids), time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(timed, jobs))
    wall, cpu = time.monotonic() - wall0, cpu_s() - cpu0
    server_cpu = process_cpu_s(server_pids) - server0
    times.sort()
    figures = {
        "label": label,
        "threads": threads,
        "sessions": len(jobs),
        "errors": errors,
        "sessions_per_min": round(len(jobs) / wall * 60),
        "wall_s": round(wall, 1),
        "p50_s": round(statistics.median(times), 2),
        "p95_s": round(times[int(len(times) * 0.95) - 1], 2),
        "client_cpu_ms_per_session": round(cpu / len(jobs) * 1000, 1),
        "loadavg_1m_after": round(os.getloadavg()[0], 1),
    }
    if server_pids:
        both_ms = (cpu + server_cpu) / len(jobs) * 1000
        figures["server_cpu_ms_per_session"] = round(server_cpu / len(jobs) * 1000, 1)
        # what 2 otherwise idle cores could carry at this CPU cost (the machine is shared)
        figures["cpu_bound_capacity_2_cores_per_min"] = round(2 * 60_000 / both_ms)
    print(json.dumps(figures))
    return figures


def serve_fakenos(inventory: dict[str, Any], ready: Any, stop: Any) -> None:
    import logging

    logging.disable(logging.CRITICAL)
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - fakenos prints per-session noise
    from fakenos import FakeNOS

    net = FakeNOS(inventory=inventory)
    net.start()
    ready.set()
    stop.wait()
    net.stop()


def fakenos_targets(triangles: int) -> tuple[list[Target], dict[str, Any]]:
    devices, links = [], []
    for i in range(triangles):
        d, lk = triangle(suffix=f"-{i}", index=i)
        devices += d
        links += lk
    ports = dict(zip([d.name for d in devices], free_ports(len(devices)), strict=True))
    targets = [
        Target(
            device_key=d.name,
            host="127.0.0.1",
            ssh_port=ports[d.name],
            platform=d.netmiko_platform,
            ssh=SshCredentials(USERNAME, Secret(PASSWORD)),
            timeouts=TIMEOUTS,
            host_key_policy="ignore",
        )
        for d in devices
    ]
    return targets, build_inventory(devices, links, ports)


def _hold_child(targets: list[Target], count: int, queue: Any) -> None:
    import logging

    logging.disable(logging.CRITICAL)
    picked = [targets[i % len(targets)] for i in range(count)]
    with ThreadPoolExecutor(max_workers=32) as pool:
        session_cycle(picked[0])  # imports, the ntc index, paramiko's first key exchange
        before = rss_kb()

        def open_one(target: Target) -> Session:
            session = Session(target, PLATFORMS[target.platform or ""], Budget.starting_now(120))
            session.open()
            return session

        opened = list(pool.map(open_one, picked))
        after = rss_kb()
        threads = len(__import__("threading").enumerate())
        for session in opened:
            session.close()
    queue.put(
        {
            "label": "client memory, sessions held open (fresh process)",
            "sessions": count,
            "rss_before_mb": round(before / 1024, 1),
            "rss_after_mb": round(after / 1024, 1),
            "kb_per_open_session": round((after - before) / count),
            "threads_while_open": threads,
        }
    )


def hold_sessions(targets: list[Target], count: int) -> dict[str, Any]:
    """Open ``count`` sessions at once in a fresh process; its RSS growth per open session."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_hold_child, args=(targets, count, queue))
    child.start()
    figures: dict[str, Any] = queue.get(timeout=300)
    child.join(60)
    print(json.dumps(figures))
    return figures


def baseline(target: Target, repeat: int = 3) -> None:
    """One session at a time: our wrapper against plain netmiko with the same settings."""
    from netmiko import ConnectHandler

    platform = PLATFORMS[target.platform or ""]
    creds = target.ssh
    assert creds is not None and creds.password is not None

    def plain() -> None:
        conn = ConnectHandler(
            device_type=platform.device_type,
            host=target.host,
            port=target.ssh_port,
            username=creds.username,
            password=creds.password.reveal(),
            fast_cli=True,
            conn_timeout=10,
            banner_timeout=10,
            auth_timeout=10,
            read_timeout_override=30,
        )
        for command in COMMANDS[platform.name]:
            conn.send_command(command, read_timeout=30)
        conn.cleanup = lambda command="": conn.write_channel(platform.exit_command + conn.RETURN)  # type: ignore
        conn.disconnect()

    for label, work in (("ours", lambda: session_cycle(target)), ("plain netmiko", plain)):
        work()
        cpu0, wall0 = cpu_s(), time.monotonic()
        for _ in range(repeat):
            work()
        print(
            json.dumps(
                {
                    "label": f"one session at a time, {platform.name}, {label}",
                    "session_s": round((time.monotonic() - wall0) / repeat, 2),
                    "client_cpu_ms": round((cpu_s() - cpu0) / repeat * 1000, 1),
                }
            )
        )


def failure_times(target: Target) -> None:
    poller = SshPoller()
    closed = free_ports(1)[0]
    cases = {
        "wrong password (fakenos)": Target(
            **{**_fields(target), "ssh": SshCredentials(USERNAME, Secret("wrong"))}
        ),
        "refused port": Target(**{**_fields(target), "ssh_port": closed}),
    }
    for label, case in cases.items():
        start = time.monotonic()
        result = poller.poll(case, {PollKind.FACTS})
        print(
            json.dumps(
                {
                    "label": label,
                    "error": [e.kind.value for e in result.errors],
                    "seconds": round(time.monotonic() - start, 3),
                }
            )
        )
    with HostileServer("device") as server:
        hung = Target(
            device_key="hung",
            host="127.0.0.1",
            ssh_port=server.port,
            platform="cisco_ios",
            ssh=SshCredentials("netops", Secret("hostile-pw")),
            host_key_policy="ignore",
            timeouts=Timeouts(ssh_connect_s=5, ssh_command_s=60, deadline_s=5),
        )
        start = time.monotonic()
        result = poller.poll(hung, {PollKind.FACTS, PollKind.INTERFACES})
        print(
            json.dumps(
                {
                    "label": "hung mid-command, deadline 5 s, command timeout 60 s",
                    "error": [(e.kind.value, e.poll_kind) for e in result.errors],
                    "completed": sorted(result.completed),
                    "seconds": round(time.monotonic() - start, 2),
                }
            )
        )


def _fields(target: Target) -> dict[str, Any]:
    return {name: getattr(target, name) for name in target.__slots__}


def _split(inventory: dict[str, Any], parts: int) -> list[dict[str, Any]]:
    """The inventory's hosts dealt over ``parts`` inventories (one fakenos process each)."""
    names = sorted(inventory["hosts"])
    return [{**inventory, "hosts": {n: inventory["hosts"][n] for n in names[i::parts]}} for i in range(parts)]


def bench_fakenos(args: argparse.Namespace) -> None:
    targets, inventory = fakenos_targets(args.triangles)
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    servers = []
    start = time.monotonic()
    # fakenos serves every session from one Python process (GIL); one process per core
    for part in _split(inventory, args.servers):
        ready = ctx.Event()
        server = ctx.Process(target=serve_fakenos, args=(part, ready, stop), daemon=True)
        server.start()
        servers.append((server, ready))
    for _, ready in servers:
        if not ready.wait(180):
            raise SystemExit("fakenos did not start")
    wait_listening([t.ssh_port for t in targets])
    pids = tuple(server.pid for server, _ in servers if server.pid is not None)
    started = {
        "label": "fakenos started",
        "devices": len(targets),
        "processes": args.servers,
        "seconds": round(time.monotonic() - start, 1),
    }
    print(json.dumps(started))
    try:
        baseline(targets[0])
        for threads in args.threads:
            throughput(
                "fakenos: connect + 3 commands + quit", targets, threads, args.rounds, server_pids=pids
            )
        poller = SshPoller()
        kinds = frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS})
        throughput(
            "fakenos: full poll (facts+interfaces+neighbors, parsed)",
            targets,
            max(args.threads),
            1,
            lambda t: poller.poll(t, kinds),
            server_pids=pids,
        )
        hold_sessions(targets, args.hold)
        failure_times(targets[0])
    finally:
        stop.set()
        for server, _ in servers:
            server.join(60)
            if server.is_alive():
                server.kill()


def bench_testbed(args: argparse.Namespace) -> None:
    if os.geteuid() != 0 or not TESTBED.exists() or not shutil.which("sshd", path="/usr/sbin"):
        print(json.dumps({"label": "testbed sshd", "skipped": "needs root and the shared testbed"}))
        return
    prefix = "hcb"
    subprocess.run(
        [str(TESTBED), "up", str(TESTBED.parent / "magelang.json"), "--prefix", prefix],
        check=True,
        capture_output=True,
    )
    try:
        inv = json.loads(subprocess.check_output([str(TESTBED), "inventory", "--prefix", prefix]))
        ssh = inv["ssh"]
        targets = [
            Target(
                device_key=n,
                host=node["mgmt_address"],
                platform="linux",
                ssh_port=int(ssh["port"]),
                ssh=SshCredentials(ssh["username"], Secret(ssh["password"])),
                timeouts=TIMEOUTS,
                known_hosts_path=ssh["known_hosts_file"],
                host_key_policy="strict",
            )
            for n, node in inv["nodes"].items()
            if node.get("ssh", True)
        ]
        throughput("testbed sshd: connect + 3 commands + exit", targets, 32, args.rounds * 3)
        bad = Target(**{**_fields(targets[0]), "ssh": SshCredentials(ssh["username"], Secret("wrong"))})
        start = time.monotonic()
        result = SshPoller().poll(bad, {PollKind.FACTS})
        print(
            json.dumps(
                {
                    "label": "wrong password (OpenSSH)",
                    "error": [e.kind.value for e in result.errors],
                    "seconds": round(time.monotonic() - start, 3),
                }
            )
        )
    finally:
        subprocess.run([str(TESTBED), "down", "--prefix", prefix], check=False, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=int, default=34, help="fakenos triangles (3 devices each)")
    parser.add_argument("--threads", type=int, nargs="+", default=[32, 64, 96])
    parser.add_argument("--rounds", type=int, default=3, help="sessions per device")
    parser.add_argument("--servers", type=int, default=2, help="fakenos processes (one per core)")
    parser.add_argument("--hold", type=int, default=100, help="sessions held open for the memory figure")
    parser.add_argument("--skip-testbed", action="store_true")
    args = parser.parse_args()
    import logging

    logging.getLogger("paramiko").setLevel(logging.CRITICAL)
    print(json.dumps({"label": "machine", "cores": os.cpu_count(), "loadavg_1m": os.getloadavg()[0]}))
    bench_fakenos(args)
    if not args.skip_testbed:
        bench_testbed(args)


if __name__ == "__main__":
    main()
