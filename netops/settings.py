"""Service settings: frozen dataclasses with defaults in code, a TOML file, NETOPS_* overrides.

``load_settings`` reads the optional TOML file (sections map 1:1 to the dataclasses below),
then applies ``NETOPS_<SECTION>__<KEY>`` environment variables and ``NETOPS_DATA_DIR`` /
``NETOPS_DATABASE_URL``. Unknown keys and badly typed values raise ``ConfigError`` naming the
key path; nothing is read at import time and nothing calls ``sys.exit``.

The data directory never depends on the working directory: ``NETOPS_DATA_DIR``, else
``data_dir`` of the file (relative to the file), else ``default_data_dir`` (``/var/lib/netops``
for root, ``$XDG_DATA_HOME/netops`` or ``~/.local/share/netops`` for a user), so ``netops
outages`` from any folder reads the same database the service writes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pwd
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from netops.monitor.routing import Route, RouteError, check_targets, parse_routes

ENV_PREFIX = "NETOPS_"


class ConfigError(Exception):
    """A configuration file or variable is missing, malformed, unknown or of the wrong type."""


@dataclass(frozen=True, slots=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str | None = field(default=None, repr=False)
    session_minutes: int = 480
    default_language: str = "en"
    timezone: str = "Asia/Jakarta"  # IANA zone the web pages show times in (Magelang: WIB)
    session_cookie_secure: bool = False  # true behind TLS: the browser sends the cookie over https only
    metrics_anonymous: bool = False  # /metrics without login or token (it names devices and links)
    metrics_token: str | None = field(default=None, repr=False)  # env:NAME or file:PATH (Prometheus Bearer)
    threads: int = 8  # request threads of the web server (waitress)
    connection_timeout_s: int = 30  # an idle connection (sending nothing) is closed after this
    connection_limit: int = 100  # open connections at most; past it the server stops accepting
    public_url: str | None = None  # where people open netops (https://netops.example.go.id): message links


@dataclass(frozen=True, slots=True)
class SnmpSettings:
    timeout_s: float = 1.0
    retries: int = 1
    max_in_flight: int = 200
    max_repetitions: int = 50
    deadline_s: float | None = None  # one device's whole SNMP poll; None: 15 x timeout x (retries + 1)
    max_rows: int = 5000  # rows of one table walk (tighter when the device gives ifNumber.0)
    codec: str = "fast"  # v1/v2c on netops' own codec; "pysnmp" sends everything through pysnmp


@dataclass(frozen=True, slots=True)
class SshSettings:
    max_workers: int = 64  # bench_ssh: throughput grows to ~64 threads on 2 cores; ~85 KB per session
    connect_timeout_s: float = 10.0
    command_timeout_s: float = 30.0
    deadline_s: float = 120.0
    host_key_policy: str = "accept-new"
    session_log_dir: str | None = None


@dataclass(frozen=True, slots=True)
class PollingSettings:
    status_interval_s: int = 60
    counters_interval_s: int = 300
    discovery_interval_s: int = 3600
    ssh_interval_s: int = 86400
    job_history_days: int = 30
    group_intervals: tuple[str, ...] = ()  # "GROUP.JOB=SECONDS", e.g. "schools.status=120"
    spread: float = 0.5  # devices start within this fraction of the interval (deterministic jitter)


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    roots: tuple[str, ...] = ()
    flap_changes: int = 4
    flap_window_s: int = 600
    error_rate_threshold: float = 1.0
    optical_margin_db: float = 3.0
    icmp: bool = True
    counters_raw_days: int = 7
    rollups_days: int = 400
    events_days: int = 180
    neighbor_max_misses: int = 3
    hold_s: float = 5.0  # longest a status batch waits for its confirmation round before it is recorded
    icmp_count: int = 5  # echoes per device in each status poll's burst (latency and loss)
    icmp_interval_s: float = 0.2  # between the echoes of a burst
    icmp_timeout_s: float = 1.0  # how long the last echo's reply is awaited
    loss_pct: float = 10.0  # sustained loss at or above this makes a device impaired (sites degraded)
    loss_window_s: int = 300  # ... sustained: over the bursts of this window (at least 3 of them)
    latency_factor: float = 3.0  # median round trip over the window this many times the usual ...
    latency_min_ms: float = 20.0  # ... and at least this many ms: impaired (slow)
    latency_baseline_h: int = 24  # the usual round trip: median of the hourly medians of these hours


@dataclass(frozen=True, slots=True)
class TrapSettings:
    enabled: bool = True
    host: str = "0.0.0.0"
    port: int | None = None
    stats_flush_s: float = 1.0  # trap counters reach the database at most this late, in one transaction
    inventory_check_s: float = 30.0  # how often the receiver looks for changed devices and credentials
    resolve_timeout_s: float = 5.0  # bound on resolving devices declared by host name (system resolver)
    engine_ids_per_device: int = 4  # SNMPv3 engine IDs whose keys are kept per device ...
    max_engine_ids: int = 10000  # ... and in total (~0.5 KB each)
    engine_id_ttl_s: float = 86400.0  # an engine ID that sent nothing for this long is forgotten

    def __post_init__(self) -> None:
        for name in ("stats_flush_s", "inventory_check_s", "resolve_timeout_s", "engine_ids_per_device",
                     "max_engine_ids", "engine_id_ttl_s"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"traps.{name}: must be greater than 0, got {getattr(self, name)!r}")

    @property
    def effective_port(self) -> int:
        """162 when running as root, else 10162, unless a port is configured."""
        if self.port is not None:
            return self.port
        return 162 if hasattr(os, "geteuid") and os.geteuid() == 0 else 10162


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    urls: tuple[str, ...] = ()  # the catch-all route "default": told of every outage
    language: str = "en"
    retries: int = 3
    remind_minutes: int = 0  # the catch-all's reminders while unacknowledged (0: none)
    escalate_after_minutes: int = 0  # the catch-all escalates after this long unacknowledged ...
    escalate_to: str | None = None  # ... to this route
    notice_before_minutes: int = 0  # planned works announced this long before they start (0: not)
    # [notifications.routes.NAME] tables (netops.monitor.routing); the admin page adds more (in the DB)
    routes: tuple[Route, ...] = ()


@dataclass(frozen=True, slots=True)
class SecretsSettings:
    """What an admin's browser upload may reference (the service user's CLI is not limited)."""

    env_prefixes: tuple[str, ...] = ("NETOPS_",)  # environment variables whose names start so
    file_dirs: tuple[str, ...] = ()  # directories whose files may be named; none by default


@dataclass(frozen=True, slots=True)
class DiscoverySettings:
    networks: tuple[str, ...] = ()  # CIDRs ``discover`` may crawl; none: the seeds' private ranges
    follow_new: bool = True  # the scheduled discovery job also adds new neighbors of known devices
    kind_rules: Path | None = None  # site kinds from names; none: inventory/site_kinds.yaml


OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"


@dataclass(frozen=True, slots=True)
class MapSettings:
    """The city map's background: a tile server, a local z/x/y directory, or none (plain)."""

    tile_url: str = OSM_TILES  # a {z}/{x}/{y} URL template; "" draws on a plain background
    tile_attribution: str = OSM_ATTRIBUTION  # shown on the map, as the tile server's licence asks
    tile_dir: Path | None = None  # DIR/z/x/y.png served by netops itself (offline installations)


@dataclass(frozen=True, slots=True)
class LogSettings:
    """What the terminal of a running service shows beyond warnings (``-v`` shows more)."""

    access: bool = False  # one line per web request (method, path, status, milliseconds)


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """The header of every PDF report (``netops report availability``, the reports page)."""

    city: str = ""  # e.g. "Pemerintah Kota Magelang"
    office: str = "Dinas Komunikasi dan Informatika"  # the Dinas that issues the report
    logo: Path | None = None  # a PNG or JPEG printed at the top left; none: no logo
    monthly: bool = True  # on the 1st at 06:00 (web.timezone): last month's PDF and CSV, kept and sent
    urls: tuple[str, ...] = ()  # apprise URLs of the monthly report; none: notifications.urls
    language: str = "id"  # of the monthly PDF


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """The help-desk bot (``netops.telegram``): off unless enabled and given a token reference."""

    enabled: bool = False  # run the bot inside ``netops run`` / ``netops scheduler``
    token: str | None = field(default=None, repr=False)  # env:NAME, file:PATH or enc:...; never inline
    api_url: str = "https://api.telegram.org"  # the Bot API (a local fake in tests)
    language: str = "id"  # replies to chats whose netops user chose no language
    allow_unlinked_read: bool = False  # chats not linked to a user may use /cek, /gangguan, /jadwal
    poll_timeout_s: int = 30  # long polling: how long one getUpdates waits for a message


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """How long the audit log of changes made by people and tokens is kept."""

    retention_days: int = 400  # the retention job deletes older entries; nothing else removes them

    def __post_init__(self) -> None:
        if self.retention_days < 1:
            raise ConfigError(f"audit.retention_days: must be at least 1, got {self.retention_days!r}")


@dataclass(frozen=True, slots=True)
class ExecutorSettings:
    """Where poll tasks run: ``inprocess`` (default) or ``celery`` workers (``netops worker``)
    fed through ``broker_url``, one queue per poll group; results come back through the database."""

    kind: str = "inprocess"  # or "celery"
    broker_url: str = "redis://127.0.0.1:6379/0"  # or amqp://guest:guest@127.0.0.1:5672//
    default_queue: str = "default"  # the queue of devices without a poll group
    task_deadline_s: float = 180.0  # a task not back by then: its devices are named, the run is partial
    visibility_timeout_s: float = 150.0  # Redis: unacknowledged this long, delivered again (> ssh.deadline_s)
    worker_seen_s: float = 15.0  # a worker silent longer than this no longer serves its queues


@dataclass(frozen=True, slots=True)
class LeaderSettings:
    """Two schedulers on one database: the leader renews a lease; the other takes over when it lapses."""

    lease_s: float = 8.0  # a leader not renewing for this long is replaced
    renew_s: float = 2.0  # how often the leader renews and a follower tries to take over


SYSTEM_DATA_DIR = Path("/var/lib/netops")


def default_data_dir(environ: Mapping[str, str] | None = None, euid: int | None = None) -> Path:
    """``/var/lib/netops`` for root; else ``$XDG_DATA_HOME/netops`` or ``~/.local/share/netops``.

    ``HOME`` comes from ``environ`` (else the password database), never from the working directory.
    """
    env = os.environ if environ is None else environ
    uid = os.geteuid() if euid is None else euid
    if uid == 0:
        return SYSTEM_DATA_DIR
    xdg = env.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG spec: a relative value is ignored
        return Path(xdg) / "netops"
    home = env.get("HOME") or pwd.getpwuid(uid).pw_dir
    return Path(home) / ".local" / "share" / "netops"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str | None = None
    web: WebSettings = field(default_factory=WebSettings)
    snmp: SnmpSettings = field(default_factory=SnmpSettings)
    ssh: SshSettings = field(default_factory=SshSettings)
    polling: PollingSettings = field(default_factory=PollingSettings)
    monitor: MonitorSettings = field(default_factory=MonitorSettings)
    traps: TrapSettings = field(default_factory=TrapSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    secrets: SecretsSettings = field(default_factory=SecretsSettings)
    discovery: DiscoverySettings = field(default_factory=DiscoverySettings)
    log: LogSettings = field(default_factory=LogSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    map: MapSettings = field(default_factory=MapSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    executor: ExecutorSettings = field(default_factory=ExecutorSettings)
    leader: LeaderSettings = field(default_factory=LeaderSettings)

    @property
    def effective_database_url(self) -> str:
        """``database_url`` if set, else the SQLite file ``<data_dir>/netops.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'netops.db'}"

    @property
    def secret_key_path(self) -> Path:
        """Where ``netops init`` keeps the Fernet key that encrypts secrets at rest."""
        return Path(self.data_dir) / "secret.key"


TOP_LEVEL_ENV = {"NETOPS_DATA_DIR": "data_dir", "NETOPS_DATABASE_URL": "database_url"}
IGNORED_ENV = {"NETOPS_CONFIG"}


def _section_types() -> dict[str, type[Any]]:
    hints = get_type_hints(Settings)
    fields = dataclasses.fields(Settings)
    return {f.name: hints[f.name] for f in fields if dataclasses.is_dataclass(hints[f.name])}


def _coerce(value: Any, annotation: Any, path: str, from_env: bool) -> Any:
    """Convert ``value`` to ``annotation`` (str, int, float, bool, Path, X | None, tuple[str, ...])."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if value is None or (from_env and value.strip().lower() in ("", "none", "null")):
            return None
        return _coerce(value, args[0], path, from_env)
    if origin is tuple:
        return _coerce_tuple(value, path, from_env)
    if annotation is bool:
        return _coerce_bool(value, path, from_env)
    if annotation in (int, float):
        return _coerce_number(value, annotation, path, from_env)
    if annotation is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: expected a path, got {value!r}")
        return Path(value).expanduser()
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{path}: unsupported setting type {annotation!r}")


def _coerce_tuple(value: Any, path: str, from_env: bool) -> tuple[str, ...]:
    if from_env:
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}: not a JSON list: {exc.msg}") from None
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: expected a list of strings, got {value!r}")
    return tuple(value)


def _coerce_bool(value: Any, path: str, from_env: bool) -> bool:
    if isinstance(value, bool):
        return value
    if from_env and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
    raise ConfigError(f"{path}: expected true or false, got {value!r}")


def _coerce_number(value: Any, kind: type[Any], path: str, from_env: bool) -> Any:
    if isinstance(value, bool):
        raise ConfigError(f"{path}: expected a number, got {value!r}")
    if from_env and isinstance(value, str):
        try:
            return kind(value.strip())
        except ValueError:
            raise ConfigError(f"{path}: expected {'an integer' if kind is int else 'a number'}, "
                              f"got {value!r}") from None
    if kind is int and isinstance(value, int):
        return value
    if kind is float and isinstance(value, int | float):
        return float(value)
    raise ConfigError(f"{path}: expected {'an integer' if kind is int else 'a number'}, got {value!r}")


def _read_file(config_path: Path) -> dict[str, Any]:
    try:
        with config_path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: invalid TOML: {exc}") from None


def _apply_file(raw: dict[str, Any], values: dict[str, Any], where: str, base: Path | None = None) -> None:
    sections = _section_types()
    top_hints = get_type_hints(Settings)
    for key, value in raw.items():
        if key in sections:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [{key}] must be a table")
            section_hints = get_type_hints(sections[key])
            for sub, subvalue in value.items():
                if sub not in section_hints:
                    raise ConfigError(f"{where}: unknown setting {key}.{sub}")
                if (key, sub) == ("notifications", "routes"):
                    values[key][sub] = _routes(subvalue, f"{where}: notifications.routes")
                    continue
                values[key][sub] = _coerce(subvalue, section_hints[sub], f"{where}: {key}.{sub}", False)
        elif key in top_hints:
            values["top"][key] = _coerce(value, top_hints[key], f"{where}: {key}", False)
            if key == "data_dir" and base is not None and not values["top"][key].is_absolute():
                values["top"][key] = base / values["top"][key]  # relative to the file, not the shell
        else:
            raise ConfigError(f"{where}: unknown setting {key}")


def _apply_env(environ: Mapping[str, str], values: dict[str, Any]) -> None:
    sections = _section_types()
    top_hints = get_type_hints(Settings)
    for name, value in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name in IGNORED_ENV:
            continue
        if name in TOP_LEVEL_ENV:
            if not value.strip():
                continue  # NETOPS_DATA_DIR= (empty) is unset, never "the current directory"
            key = TOP_LEVEL_ENV[name]
            values["top"][key] = _coerce(value, top_hints[key], name, True)
            continue
        if "__" not in name:
            continue  # e.g. NETOPS_SNMP_COMMUNITY: a secret referenced by the inventory
        section, _, key = name[len(ENV_PREFIX):].lower().partition("__")
        if section not in sections:
            raise ConfigError(f"{name}: unknown settings section {section!r}")
        section_hints = get_type_hints(sections[section])
        if key not in section_hints:
            raise ConfigError(f"{name}: unknown setting {section}.{key}")
        if (section, key) == ("notifications", "routes"):
            try:
                raw = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{name}: not a JSON object of routes: {exc.msg}") from None
            values[section][key] = _routes(raw, name)
            continue
        values[section][key] = _coerce(value, section_hints[key], name, True)


def _routes(raw: Any, where: str) -> tuple[Route, ...]:
    """Notification routes, checked by the same parser as the admin page's form."""
    from inventory.models import DEVICE_ROLES, SITE_KINDS

    try:
        return parse_routes(raw, known_kinds=SITE_KINDS, known_roles=DEVICE_ROLES)
    except RouteError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _check_notifications(values: Mapping[str, Any]) -> None:
    """The catch-all's language, reminder and escalation; escalation targets exist."""
    if values.get("language", "en") not in ("en", "id"):
        raise ConfigError(f"notifications.language: expected en or id, got {values['language']!r}")
    for key in ("remind_minutes", "escalate_after_minutes", "notice_before_minutes"):
        if not 0 <= values.get(key, 0) <= 7 * 24 * 60:
            raise ConfigError(f"notifications.{key}: expected whole minutes from 0 to 10080, "
                              f"got {values[key]!r}")
    if bool(values.get("escalate_after_minutes")) != bool(values.get("escalate_to")):
        raise ConfigError("notifications.escalate_to: give both escalate_after_minutes and escalate_to, "
                          "or neither")
    routes = values.get("routes", ())
    target = values.get("escalate_to")
    if target and target not in {r.name for r in routes}:
        raise ConfigError(f"notifications.escalate_to: no route named {target!r}")
    try:
        check_targets(routes)
    except RouteError as exc:
        raise ConfigError(f"notifications.routes: {exc}") from None


def _check_web(values: Mapping[str, Any]) -> None:
    """Positive web server numbers, and a metrics token written as a reference, never inline."""
    for key in ("threads", "connection_timeout_s", "connection_limit"):
        if key in values and values[key] < 1:
            raise ConfigError(f"web.{key}: must be at least 1, got {values[key]!r}")
    token = values.get("metrics_token")
    if token and not token.startswith(("env:", "file:", "enc:")):
        raise ConfigError("web.metrics_token: write a reference (env:NAME or file:PATH), not the token")


MONITOR_RANGES: dict[str, tuple[float, float]] = {
    "icmp_count": (1, 100),
    "icmp_interval_s": (0.01, 10.0),
    "icmp_timeout_s": (0.05, 10.0),
    "loss_pct": (0.1, 100.0),
    "loss_window_s": (1, 86400),
    "latency_factor": (1.0, 1000.0),
    "latency_min_ms": (0.0, 60000.0),
    "latency_baseline_h": (1, 24 * 30),
}


def _check_monitor(values: Mapping[str, Any]) -> None:
    """ICMP burst and impairment thresholds within sensible bounds; a burst fits in 30 s."""
    for key, (low, high) in MONITOR_RANGES.items():
        if key in values and not low <= values[key] <= high:
            raise ConfigError(f"monitor.{key}: must be between {low:g} and {high:g}, got {values[key]!r}")
    defaults = MonitorSettings()
    count = values.get("icmp_count", defaults.icmp_count)
    interval = values.get("icmp_interval_s", defaults.icmp_interval_s)
    timeout = values.get("icmp_timeout_s", defaults.icmp_timeout_s)
    if (count - 1) * interval + timeout > 30:
        raise ConfigError("monitor.icmp_count/icmp_interval_s/icmp_timeout_s: a burst must end within 30 s, "
                          f"got ({count} - 1) x {interval} + {timeout} s")


def _check_timezone(name: str | None) -> None:
    """``web.timezone`` must be a zone ``zoneinfo`` knows, e.g. ``Asia/Jakarta`` or ``UTC``."""
    if name is None:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"web.timezone: unknown time zone {name!r} (e.g. 'Asia/Jakarta')") from None


def _check_networks(networks: tuple[str, ...] | None) -> None:
    """``discovery.networks`` must be CIDRs such as ``10.20.0.0/16``."""
    import ipaddress

    for text in networks or ():
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ConfigError(f"discovery.networks: {text!r} is not a network "
                              "(e.g. '10.20.0.0/16')") from None


def _check_map(values: Mapping[str, Any]) -> None:
    """A tile URL is an http(s) template with {z}, {x} and {y}, or empty (no tiles)."""
    url = values.get("tile_url")
    if not url:
        return
    if not url.startswith(("http://", "https://")) or not all(p in url for p in ("{z}", "{x}", "{y}")):
        raise ConfigError(f"map.tile_url: expected an http(s) URL with {{z}}, {{x}} and {{y}}, got {url!r} "
                          f"(e.g. {OSM_TILES!r}; empty: no tiles)")


def _check_telegram(values: Mapping[str, Any]) -> None:
    """The bot token is a reference, the API an https URL (http only to this machine), a known language."""
    token = values.get("token")
    if token and not token.startswith(("env:", "file:", "enc:")):
        raise ConfigError("telegram.token: write a reference (env:NAME or file:PATH), not the token")
    url = values.get("api_url")
    if url is not None:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        local = parts.hostname in ("127.0.0.1", "::1", "localhost")
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            raise ConfigError(f"telegram.api_url: expected an https URL, got {url!r} "
                              "(http only to 127.0.0.1, e.g. a test server)")
    if values.get("language", "id") not in ("en", "id"):
        raise ConfigError(f"telegram.language: expected en or id, got {values['language']!r}")
    if "poll_timeout_s" in values and not 0 <= values["poll_timeout_s"] <= 300:
        raise ConfigError(f"telegram.poll_timeout_s: must be between 0 and 300, "
                          f"got {values['poll_timeout_s']!r}")


def _check_executor(values: Mapping[str, Any], leader: Mapping[str, Any]) -> None:
    """A known executor kind with a broker URL Celery can use; a lease longer than its renewal."""
    kind = values.get("kind", "inprocess")
    if kind not in ("inprocess", "celery"):
        raise ConfigError(f"executor.kind: expected 'inprocess' or 'celery', got {kind!r}")
    url = values.get("broker_url", ExecutorSettings().broker_url)
    if not url.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
        raise ConfigError(f"executor.broker_url: expected redis://... or amqp://..., got {url!r}")
    for key in ("task_deadline_s", "visibility_timeout_s", "worker_seen_s"):
        if key in values and values[key] <= 0:
            raise ConfigError(f"executor.{key}: must be positive, got {values[key]!r}")
    lease = leader.get("lease_s", LeaderSettings().lease_s)
    renew = leader.get("renew_s", LeaderSettings().renew_s)
    if renew <= 0 or lease < 2 * renew:
        raise ConfigError(f"leader.lease_s ({lease}) must be at least twice leader.renew_s ({renew})")


def load_settings(
    config_path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from defaults, the TOML file (or ``NETOPS_CONFIG``) and ``NETOPS_*`` variables."""
    env = os.environ if environ is None else environ
    if config_path is None and env.get("NETOPS_CONFIG"):
        config_path = env["NETOPS_CONFIG"]
    values: dict[str, dict[str, Any]] = {"top": {}, **{name: {} for name in _section_types()}}
    if config_path is not None:
        path = Path(config_path).expanduser()
        _apply_file(_read_file(path), values, str(path), path.resolve().parent)
    _apply_env(env, values)
    sections = _section_types()
    _check_timezone(values["web"].get("timezone"))
    _check_web(values["web"])
    _check_networks(values["discovery"].get("networks"))
    _check_monitor(values["monitor"])
    _check_map(values["map"])
    _check_notifications(values["notifications"])
    _check_telegram(values["telegram"])
    if values["snmp"].get("codec", "fast") not in ("fast", "pysnmp"):
        raise ConfigError(f"snmp.codec: must be fast or pysnmp, got {values['snmp']['codec']!r}")
    _check_executor(values["executor"], values["leader"])
    built = {name: sections[name](**values[name]) for name in sections}
    top = values["top"]
    data_dir = Path(top.get("data_dir") or default_data_dir(env)).expanduser().resolve()
    database_url = top.get("database_url") or None
    return Settings(data_dir=data_dir, database_url=database_url, **built)
