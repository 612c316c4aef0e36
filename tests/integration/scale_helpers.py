"""Helpers of the scale-out tests: the real Redis and PostgreSQL of this machine, the demo's
SNMP agents on loopback, a database with the demo inventory in two poll groups, and
``netops worker`` / ``netops scheduler`` subprocesses in their own process groups."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 9
NETOPS = [str(Path(sys.executable).with_name("netops"))]


def redis_or_skip() -> Any:
    try:
        import redis
    except ImportError:
        pytest.skip("the redis client is not installed (pip install 'celery[redis]')")
    client = redis.Redis(REDIS_HOST, REDIS_PORT, db=REDIS_DB, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc}")
    return client


def forget_keys(client: Any, token: str) -> None:
    """Remove only what this test left in Redis: its queues, bindings and unacked messages."""
    for key in client.scan_iter(match=f"*{token}*"):
        client.delete(key)
    for tag, message in (client.hgetall("unacked") or {}).items():
        if token.encode() in message:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@dataclass
class Installation:
    """A data directory with a config file, a migrated database and the demo inventory."""

    config: Path
    database_url: str
    token: str
    north: str
    south: str
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*NETOPS, *args], env=self.env, capture_output=True, text=True, timeout=timeout,
                              check=True)

    def invoke(self, *args: str) -> str:
        """A quick command in this process (click's runner), with this installation's settings."""
        from click.testing import CliRunner

        from cli import main

        result = CliRunner().invoke(main, ["--config", str(self.config), *args], env=self.env,
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    def start(self, *args: str, log: Path,
              extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        out = open(log, "wb")  # noqa: SIM115 - the process owns it
        return subprocess.Popen([*NETOPS, *args], env={**self.env, **(extra_env or {})}, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


SHARED_BROKER = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"


def write_config(path: Path, data_dir: Path, database_url: str, extra: str = "",
                 broker_url: str = SHARED_BROKER) -> Path:
    path.write_text(f'data_dir = "{data_dir}"\ndatabase_url = "{database_url}"\n'
                    f'[executor]\nkind = "celery"\nbroker_url = "{broker_url}"\n'
                    f'visibility_timeout_s = 3\ntask_deadline_s = 20\nworker_seen_s = 6\n'
                    f'default_queue = "nogroup-{path.parent.name}"\n'
                    '[snmp]\ntimeout_s = 3.0\nretries = 1\n[monitor]\nicmp = false\n'
                    '[traps]\nenabled = false\n'
                    '[leader]\nlease_s = 6\nrenew_s = 1\n' + extra, encoding="utf-8")
    return path


def install(tmp: Path, database_url: str, inventory: Path, extra: str = "",
            broker_url: str = SHARED_BROKER) -> Installation:
    token = uuid.uuid4().hex[:8]
    data = tmp / "data"
    data.mkdir()
    config = write_config(tmp / "netops.toml", data, database_url.replace("+psycopg", ""), extra,
                          broker_url)
    env = {**os.environ, "NETOPS_CONFIG": str(config), "NETOPS_DATA_DIR": str(data)}
    env.pop("NETOPS_DATABASE_URL", None)
    inst = Installation(config, database_url, token, f"north{token}", f"south{token}", env)
    inst.invoke("init")
    inst.invoke("inventory", "import", str(inventory))
    return inst


def stop_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, wait_s: float = 15) -> None:
    """Signal the process group the test started (the process and anything it forked)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def until(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s: {what}")


class PrivateRedis:
    """A redis-server of this test only, on a free loopback port, without persistence (a restart
    loses every queued message, as a crashed broker without AOF does); ended by its PID."""

    def __init__(self, directory: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server): the broker restart "
                        "tests need a Redis of their own")
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        with socket.socket() as probe:
            probe.bind((REDIS_HOST, 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"redis://{REDIS_HOST}:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 - the process owns it
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", REDIS_HOST, "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)], stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(REDIS_HOST, self.port, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False
        until(answers, 10, f"redis-server on port {self.port} answered")
        client.close()

    def stop(self) -> None:
        """SIGKILL: a crash, nothing written, every connection dropped at once."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self) -> Any:
        import redis

        return redis.Redis(REDIS_HOST, self.port, socket_connect_timeout=1)
