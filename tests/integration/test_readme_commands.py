"""Every shell command of README.md runs, against a running demo, so the README cannot drift.

The commands come from the README itself (``tests.support.readme``: the ```sh blocks and the
``## Commands`` table); each synopsis runs in the forms that use every alternative once. Where
they run:

- **demo**: the help-desk and operations commands (``status``, ``topology``, ``outages``,
  ``events``, ``jobs``, ``demo fault``) against one ``netops demo --quiet`` on free ports with
  a temporary data directory; ``netops demo [...]`` itself is that demo (its other forms are
  parsed by ``tests/unit/test_readme_synopses.py``).
- **site**: "Monitoring your own network" and the inventory commands (``init``, ``inventory``,
  ``discover``, ``poll``, ``user``, ``token``, ``config``) in a second data directory, on the
  network of the README's own ``magelang.yaml`` (``tests/data``) simulated by the demo's agents
  (``simulator.process --topology``, loopback 127.0.120.x): the file's addresses become the
  agents', the README's seed ``10.10.0.1`` the core's, ``discover`` gets the agents' UDP port,
  and an SSH server (fakenos) on the core's address serves its running configuration, so
  ``config show`` has one.
- **long-running** (``start``, ``run``, ``serve``, ``scheduler``): each on a copy of the site's
  data directory, all at once, stopped with Ctrl-C once they say they run; they must exit 0.
- ``make run`` / ``make test``: ``make -n`` shows the recipe (running them here would recurse).

Short commands run in this process (click's runner), in README order within each context (the
site's while the demo starts, then the demo's), from a folder that is neither data directory;
a command line already run in its context is not run again. A command fails the test when it
exits non-zero or prints a traceback; the report lists every failure with its README line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from netops.settings import SYSTEM_DATA_DIR
from simulator.network import DemoNetwork, generate
from simulator.topofile import load_topology
from simulator.usm import V3_AUTH_KEY, V3_PRIV_KEY
from tests.demo.conftest import start_agents, stop
from tests.demo.running import NETOPS, Demo, free_port
from tests.monitor.webhook import WebhookReceiver
from tests.support.fake_telegram import fake_bot_api
from tests.support.fakenos_net import PASSWORD, build_inventory, free_ports, triangle
from tests.support.readme import Command, Word, readme_commands, variants

pytestmark = [pytest.mark.timeout(600),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]
ROOT = Path(__file__).resolve().parents[2]
COMMANDS = readme_commands(ROOT)
NETWORK = generate(1)
SITE_BASE = "127.0.120.0"  # the site's simulated switches; the demo's are 127.0.100.x
MAGELANG = ROOT / "tests" / "data" / "magelang.yaml"
SITE_COMMANDS = {"init", "inventory", "discover", "poll", "user", "token", "config", "notify",
                 "telegram", "audit", "backup", "restore"}
DEMO_COMMANDS = {"status", "topology", "outages", "events", "jobs", "demo", "maintenance", "report"}
LONG_RUNNING = {"start": "scheduler running", "run": "scheduler running",
                "serve": "netops web on", "scheduler": "scheduler running",
                "telegram run": "telegram bot polling",  # against tests.support.fake_telegram
                "worker": "worker serving"}
README_BOT_TOKEN = "424242:README-test-token"
# ``netops worker`` needs a broker: this machine's Redis, a database number of the tests' own
WORKER_ENV = {"NETOPS_EXECUTOR__KIND": "celery", "NETOPS_EXECUTOR__BROKER_URL": "redis://127.0.0.1:6379/9",
              "NETOPS_EXECUTOR__DEFAULT_QUEUE": "readme-default"}


def _forget_readme_queues() -> None:
    """The workers' queue bindings in Redis (only the README's own queues, ``readme-*``)."""
    try:
        import redis

        client = redis.Redis("127.0.0.1", 6379, db=9, socket_connect_timeout=2)
        for key in client.scan_iter(match="*netops.readme-*"):
            client.delete(key)
    except Exception:  # no Redis: the workers did not run either
        pass


# Values of the README's placeholders, by the word before them ({device}: the context's device).
VALUES = {
    ("--device", "NAME"): "{device}", ("--snmp-credential", "NAME"): "city-snmp",
    ("--seed", "ADDRESS"): "{core}", ("--community", "C"): "demo", ("--network", "CIDR"): "127.0.120.0/24",
    ("--max-depth", "N"): "0", ("--core", "NAME"): "core-balaikota",
    ("--status-interval", "S"): "30", ("--workers", "N"): "2", ("--timeout", "S"): "30",
    ("--queue", "GROUP"): "readme-schools", ("--concurrency", "N"): "2", ("import", "FILE"): "magelang.yaml",
    ("import-routes", "FILE"): "magelang-routes.geojson", ("show", "DEVICE"): "{device}",
    ("history", "DEVICE"): "{device}", ("run", "JOB"): "status", ("pause", "JOB"): "status",
    ("resume", "JOB"): "status", ("status", "SITE"): "SMP Negeri 2 Magelang",
    ("cut-link", "A"): "acc-kel-wates", ("restore-link", "A"): "acc-kel-wates", ("A", "B"): "acc-smpn2",
    ("fail-device", "NAME"): "acc-smpn2", ("restore-device", "NAME"): "acc-smpn2",
    ("--link", "LINK"): "dist-utara:XGE0/0/11,acc-kel-wates:sfp-sfpplus1", ("add", "NAME"): "siti",
    ("--role", "ROLE"): "helpdesk", ("role", "NAME"): "siti", ("NAME", "ROLE"): "engineer",
    ("disable", "NAME"): "siti", ("enable", "NAME"): "siti", ("passwd", "NAME"): "siti",
    ("delete", "NAME"): "siti", ("create", "USER"): "budi", ("revoke", "TOKEN"): "{token}",
    ("--site", "NAME"): "SMP Negeri 2 Magelang", ("--district", "NAME"): "Magelang Utara",
    ("--start", "ISO"): "2030-01-06T10:00", ("--end", "ISO"): "2030-01-06T12:00",
    ("--duration", "SPAN"): "2h",
    ("--reason", "TEXT"): "fiber splicing", ("--rrule", "RULE"): "FREQ=WEEKLY;COUNT=4", ("end", "ID"): "1",
    ("ack", "ID"): "{outage}", ("note", "ID"): "{outage}", ("assign", "ID"): "{outage}",
    ("--note", "TEXT"): "crew on the way", ("ID", "TEXT"): "splice at pole 12", ("ID", "USER"): "budi",
    ("--month", "MONTH"): "2026-11", ("--from", "DATE"): "2026-11-01", ("--to", "DATE"): "2026-11-30",
    ("-o", "FILE"): "availability-report.out", ("test", "ROUTE"): "default",
    ("link-telegram", "NAME"): "budi", ("unlink-telegram", "NAME"): "budi", ("NAME", "CHAT_ID"): "4242",
    ("--user", "NAME"): "siti", ("--action", "ACTION"): "user",
    ("--scope", "SCOPE"): "kind=school", ("scope", "NAME"): "siti",
}
PASSWORD_INPUT = "Sandi-rahasia-2026\nSandi-rahasia-2026\n"
STDIN = {("user", "add"): PASSWORD_INPUT, ("user", "passwd"): PASSWORD_INPUT, ("user", "delete"): "y\n"}
# Same reason as netops demo's own polling (cli.demo_runner.demo_settings): 50 agents share two
# cores with the service, so a poll waits up to 3 s and at most 8 run at once.
GENTLE_SNMP = {"NETOPS_SNMP__TIMEOUT_S": "3", "NETOPS_SNMP__MAX_IN_FLIGHT": "8"}


@dataclass
class Outcome:
    argv: list[str]
    code: int
    output: str
    seconds: float

    @property
    def failed(self) -> bool:
        return self.code != 0 or "Traceback" in self.output


@dataclass
class Site:
    """The "own network" data directory, its simulated switches and what its commands need."""

    folder: Path
    env: dict[str, str]
    network: DemoNetwork
    snmp_port: int
    values: dict[str, str] = field(default_factory=dict)

    @property
    def core(self) -> str:
        return self.network.device("core-balaikota").address


def site_topology(inventory: dict[str, Any], target: Path) -> Path:
    """The network of an inventory file in the simulator's topology format (shared/testbed JSON)."""
    sites = {s["name"] for s in inventory["sites"]}
    nodes = [{"name": d["name"], "role": d.get("role", "access"), "site": d["site"]}
             for d in inventory["devices"] if d["site"] in sites]
    links = [{"a": lk["a"], "b": lk["b"]} for lk in inventory["links"]]
    doc = {"name": "readme-magelang", "nodes": nodes, "links": links}
    target.write_text(json.dumps(doc), encoding="utf-8")
    return target


def site_inventory(doc: dict[str, Any], network: DemoNetwork, target: Path, snmp_port: int,
                   ssh_port: int) -> None:
    """The README's magelang.yaml with every device at its simulated switch's address and port."""
    for device in doc["devices"]:
        device["address"] = network.device(device["name"]).address
        device["snmp_port"] = snmp_port
        if device["name"] == "core-balaikota":
            device["ssh_port"] = ssh_port
    target.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``netops demo --quiet``, launched at once; ``wait_ready()`` before talking to it."""
    running = Demo(tmp_path_factory.mktemp("readme-demo") / "var")
    try:
        running.launch("demo", "--quiet")
        yield running
    finally:
        if running.process is not None:
            running.stop()


@pytest.fixture(scope="module")
def site_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoNetwork, int, Path]]:
    folder = tmp_path_factory.mktemp("readme-agents")
    topology = site_topology(yaml.safe_load(MAGELANG.read_text(encoding="utf-8")), folder / "magelang.json")
    process, port, _trap_port = start_agents(folder / "state", "--quiet", "--topology", str(topology),
                                             "--base", SITE_BASE)
    try:
        yield load_topology(topology, SITE_BASE), port, topology
    finally:
        stop(process)


@pytest.fixture(scope="module")
def core_ssh(site_network: tuple[DemoNetwork, int, Path]) -> Iterator[int]:
    """A Cisco IOS SSH server (fakenos) on the site core's loopback address."""
    core = site_network[0].device("core-balaikota").address
    fakenos = pytest.importorskip("fakenos")
    devices, links = triangle()
    (port,) = free_ports(1)
    inventory = build_inventory(devices, links, {d.name: port for d in devices})
    inventory["hosts"] = {"core-01": inventory["hosts"]["core-01"]}
    inventory["default"]["server"]["configuration"]["address"] = core
    server = fakenos.FakeNOS(inventory=inventory)
    server.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection((core, port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield port
    finally:
        server.stop()


@pytest.fixture(scope="module")
def site(site_network: tuple[DemoNetwork, int, Path], core_ssh: int,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    network, snmp_port, _topology = site_network
    folder = tmp_path_factory.mktemp("readme-site")
    site_inventory(yaml.safe_load(MAGELANG.read_text(encoding="utf-8")), network, folder / "magelang.yaml",
                   snmp_port, core_ssh)
    shutil.copy(MAGELANG.with_name("magelang-routes.geojson"), folder)  # import-routes' example
    env = {"NETOPS_CONFIG": "", "NETOPS_SNMP_COMMUNITY": "demo", "NETOPS_V3_AUTH": V3_AUTH_KEY,
           "NETOPS_V3_PRIV": V3_PRIV_KEY, "NETOPS_SSH_PASSWORD": PASSWORD, "NETOPS_MONITOR__ICMP": "false",
           **GENTLE_SNMP}
    previous = Path.cwd()
    os.chdir(folder)  # relative files (magelang.yaml) are the README's; data dirs are elsewhere
    try:
        with WebhookReceiver() as hook:  # the catch-all route: `netops notify test default` reaches it
            env["NETOPS_NOTIFICATIONS__URLS"] = hook.url
            yield Site(folder, env, network, snmp_port)
    finally:
        os.chdir(previous)


@dataclass(frozen=True)
class Step:
    command: Command
    words: tuple[Word, ...]
    context: str  # make, export, site, demo, long, shared-demo


def classify(command: Command, words: tuple[Word, ...]) -> Step:
    first = words[0].text
    if first in ("make", "export"):
        return Step(command, words, first)
    name = words[1].text
    if name == "demo" and (len(words) == 2 or words[2].text.startswith("-")):
        return Step(command, words, "shared-demo")  # the demo this module runs (``demo --quiet``)
    if name in LONG_RUNNING or " ".join(w.text for w in words[1:3]) in LONG_RUNNING:
        return Step(command, words, "long")
    if name in SITE_COMMANDS:
        return Step(command, words, "site")
    if name in DEMO_COMMANDS:
        return Step(command, words, "demo")
    raise AssertionError(f"{command}: classify `netops {name}` in the test (site, demo, long)")


class Runner:
    """Runs README command lines in their context and says how each went."""

    def __init__(self, demo: Demo, site: Site) -> None:
        self.demo, self.site = demo, site
        self.demo_env = {**demo.env, "NETOPS_CONFIG": "", **GENTLE_SNMP}
        self.outputs = 0
        self.done: set[tuple[str, ...]] = set()

    # -- filling in --------------------------------------------------------------------------
    def value(self, previous: str, placeholder: str, context: str) -> str:
        if previous == "-o" and placeholder == "FILE":
            self.outputs += 1
            return str(self.site.folder / f"written-{self.outputs}.out")
        if previous == "restore" and placeholder == "FILE":  # the archive `netops backup` wrote last
            backups = [p for p in self.site.folder.glob("written-*.out") if p.read_bytes()[:2] == b"\x1f\x8b"]
            assert backups, "README: `netops backup -o FILE` must come before `netops restore FILE`"
            return str(max(backups, key=lambda p: p.stat().st_mtime))
        if (previous, placeholder) not in VALUES:
            raise KeyError(f"no value for {placeholder} after {previous!r}: add one to VALUES")
        device = "core-balaikota" if context in ("site", "long") else "acc-smpn2"
        value = VALUES[(previous, placeholder)]
        outage = self.outage_id() if "{outage}" in value else ""
        return value.format(device=device, core=self.site.core, token=self.site.values.get("token", ""),
                            outage=outage)

    def outage_id(self) -> str:
        """An outage of the demo to acknowledge: the tour's cut fiber's, else one cut now."""
        if "outage" not in self.site.values:
            found = self.demo_outages()
            if not found:
                CliRunner().invoke(main, ["demo", "fault", "cut-link", "acc-kel-wates", "acc-smpn2"],
                                   env=self.demo_env)
                deadline = time.monotonic() + 180
                while not found and time.monotonic() < deadline:
                    time.sleep(2)
                    found = self.demo_outages()
                CliRunner().invoke(main, ["demo", "fault", "restore-all"], env=self.demo_env)
            assert found, "the demo opened no outage to acknowledge"
            self.site.values["outage"] = str(found[0]["id"])
        return self.site.values["outage"]

    def demo_outages(self) -> list[dict[str, Any]]:
        result = CliRunner().invoke(main, ["outages", "--json"], env=self.demo_env)
        rows: list[dict[str, Any]] = json.loads(result.output) if result.exit_code == 0 else []
        return rows

    def argv(self, step: Step) -> list[str]:
        out: list[str] = []
        previous = ""
        for word in step.words:
            text = self.value(previous, word.text, step.context) if word.placeholder else word.text
            if step.context == "site" and text == "10.10.0.1":  # the README's seed: the core
                text = self.site.core
            out.append(text)
            previous = word.text
        if out[1] == "discover":
            out += ["--port", str(self.site.snmp_port)]
        return out

    # -- running -----------------------------------------------------------------------------
    def run(self, step: Step) -> Outcome | None:
        """Run one short command line (None when the same line already ran in its context)."""
        if step.context == "make":
            return self.make(step.words[1].text)
        if step.context == "export":
            return self.export(step.words[1].text)
        argv = self.argv(step)
        if (step.context, *argv) in self.done:
            return None
        self.done.add((step.context, *argv))
        env = self.site.env if step.context == "site" else self.demo_env
        if argv[1] == "restore":  # into a new data directory, as on a replacement machine
            env = {**env, "NETOPS_DATA_DIR": str(self.site.folder / f"restored-{len(self.done)}")}
        started = time.monotonic()
        result = CliRunner().invoke(main, argv[1:], env=env, input=STDIN.get(tuple(argv[1:3])))
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        output = result.output + (f"\nTraceback: {result.exception!r}" if crashed else "")
        if tuple(argv[1:3]) == ("token", "create") and result.exit_code == 0:
            self.site.values["token"] = result.output.strip().splitlines()[-1]
        return Outcome(argv, result.exit_code, output, time.monotonic() - started)

    def export(self, assignment: str) -> Outcome:
        name, _, value = assignment.partition("=")
        assert name == "NETOPS_DATA_DIR" and Path(value) == SYSTEM_DATA_DIR, \
            f"README: export {assignment} should name the documented default for root ({SYSTEM_DATA_DIR})"
        self.site.env[name] = str(self.site.folder / "var")
        return Outcome(["export", assignment], 0, "", 0.0)

    def make(self, target: str) -> Outcome:
        started = time.monotonic()
        done = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
        expected = {"run": "netops start", "test": "pytest"}[target]
        code = done.returncode if expected in done.stdout else 1
        return Outcome(["make", "-n", target], code, done.stdout + done.stderr, time.monotonic() - started)

    def long_running(self, steps: list[Step]) -> list[tuple[Step, Outcome]]:
        """Start each at once on its own copy of the site's data directory; Ctrl-C each once it runs."""
        unique = {tuple(self.argv(step)): step for step in reversed(steps)}
        runs = [(step, list(argv)) for argv, step in reversed(unique.items())]
        outcomes: dict[int, Outcome] = {}

        def one(index: int) -> None:
            data_dir = self.site.folder / f"var-{index}"
            shutil.copytree(self.site.folder / "var", data_dir)
            outcomes[index] = self.start_and_stop(runs[index][1], data_dir)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(runs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _forget_readme_queues()
        return [(step, outcomes[i]) for i, (step, _) in enumerate(runs)]

    def start_and_stop(self, argv: list[str], data_dir: Path) -> Outcome:
        if argv[1] == "telegram":  # the bot talks to a Bot API of our own on 127.0.0.1
            with fake_bot_api(README_BOT_TOKEN) as api:
                return self._start_and_stop(argv, data_dir, {
                    "NETOPS_TELEGRAM__API_URL": api.url, "NETOPS_TELEGRAM__TOKEN": "env:README_BOT_TOKEN",
                    "README_BOT_TOKEN": README_BOT_TOKEN, "NETOPS_TELEGRAM__POLL_TIMEOUT_S": "1"})
        return self._start_and_stop(argv, data_dir, {})

    def _start_and_stop(self, argv: list[str], data_dir: Path, more: dict[str, str]) -> Outcome:
        env = {**os.environ, **self.site.env, "NETOPS_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1",
               "NETOPS_WEB__PORT": str(free_port(socket.SOCK_STREAM)),
               "NETOPS_TRAPS__PORT": str(free_port(socket.SOCK_DGRAM)),
               **(WORKER_ENV if argv[1] == "worker" else {}), **more}
        started = time.monotonic()
        process = subprocess.Popen([*NETOPS, *argv[1:]], env=env, cwd=self.site.folder, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
        reader.start()
        ready = LONG_RUNNING.get(argv[1]) or LONG_RUNNING[" ".join(argv[1:3])]
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if any(ready in line for line in lines):
                break
            time.sleep(0.2)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            code = process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            code = process.wait(5) or -9
        reader.join(5)
        output = "".join(lines)
        return Outcome(argv, code if ready in output else code or 1, output, time.monotonic() - started)


def _report(step: Step, outcome: Outcome) -> str:
    tail = "\n    ".join(outcome.output.strip().splitlines()[-8:])
    return f"{step.command}\n  ran: {' '.join(outcome.argv)}\n  exit {outcome.code}\n    {tail}"


def test_every_readme_command_runs(demo: Demo, site: Site) -> None:
    runner = Runner(demo, site)
    steps = [classify(command, words) for command in COMMANDS for words in variants(command)]
    order = {"make": 0, "export": 0, "site": 0, "demo": 1}
    results: list[tuple[Step, Outcome]] = []
    for step in sorted((s for s in steps if s.context in order), key=lambda s: order[s.context]):
        if step.context == "demo":
            demo.wait_ready()  # the site's commands ran while the demo started
        outcome = runner.run(step)
        if outcome is not None:
            results.append((step, outcome))
    results += runner.long_running([s for s in steps if s.context == "long"])
    assert any(s.context == "shared-demo" for s in steps), "the README shows how to start the demo"
    failures = [_report(step, outcome) for step, outcome in results if outcome.failed]
    for step, outcome in results:  # shown with pytest -s
        print(f"{step.context:<6} {outcome.seconds:5.1f}s exit {outcome.code}  {' '.join(outcome.argv)}")
    timings = sorted(((o.seconds, " ".join(o.argv)) for _, o in results), reverse=True)
    slowest = ", ".join(f"{cmd} {s:.1f}s" for s, cmd in timings[:5])
    print(f"{len(results)} README command lines ran; slowest: {slowest}")
    assert not failures, f"{len(failures)} README command(s) failed:\n\n" + "\n\n".join(failures)


def run_in_demo(demo: Demo, *args: str) -> Any:
    demo.wait_ready()
    return CliRunner().invoke(main, list(args), env={**demo.env, "NETOPS_CONFIG": ""})


def test_the_demo_declares_its_fibers_and_lldp_confirms_each(demo: Demo) -> None:
    said = "".join(demo.lines)
    fibers = len(NETWORK.links)
    assert f"{fibers} fibers seen by LLDP ({fibers} declared)" in said, said
    audit = run_in_demo(demo, "topology", "audit")
    assert audit.exit_code == 0 and audit.output == "cabling matches the declaration\n", audit.output


def test_the_commands_the_readme_had_wrong_now_say_what_exists(demo: Demo) -> None:
    cut = run_in_demo(demo, "demo", "fault", "cut-link", "dist-utara", "acc-smpn2")
    assert cut.exit_code == 2
    assert ("no fiber between dist-utara and acc-smpn2; acc-smpn2's fibers: acc-kel-wates:sfp-sfpplus2 "
            "(at GigabitEthernet0/0/9)") in cut.output
    status = run_in_demo(demo, "status", "SMP Negeri 2", "--lang", "id")  # the help desk's search
    assert status.exit_code == 0 and "SMP Negeri 2 Magelang" in status.output, status.output
    nothing = run_in_demo(demo, "status", "Sekolah Bulan Purnama", "--lang", "id")
    assert nothing.exit_code == 2 and "Sekolah Bulan Purnama" in nothing.output, nothing.output
    impact = run_in_demo(demo, "topology", "impact", "--link", "dist-utara:sfp1,acc-smpn1:sfp1")
    assert impact.exit_code == 2
    said = "no link between dist-utara:sfp1 and acc-smpn1:sfp1; acc-smpn1's links: dist-tengah:"
    assert said in impact.output
    assert "dist-utara has no port 'sfp1'" in impact.output
