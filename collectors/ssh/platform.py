"""SSH platform definitions as data: which commands each poll kind runs and how to read them.

One YAML file per netmiko device type in ``collectors/ssh/platforms/``. A file names the
commands of each poll kind, the parser of each command (``ntc:<platform>/<command>``, a
template of ours ``template:<file>.textfsm``, or ``json`` with field paths), the field map onto
the observation fields, the running-config command with its secret-masking rules, and the
exit command for a fast logout. The loader is strict: an unknown key, converter, field or
parser is an error naming the file and the key path, so a typo never silently drops data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from netmiko.ssh_dispatcher import CLASS_MAPPER

from collectors.observations import DeviceFacts, InterfaceState, Neighbor, OpticalReading, PollKind
from collectors.ssh.convert import CONVERTERS

PLATFORM_DIR = Path(__file__).with_name("platforms")
TEMPLATE_DIR = Path(__file__).with_name("templates")

RECORD_FIELDS: dict[PollKind, frozenset[str]] = {
    PollKind.FACTS: frozenset(f.name for f in dataclasses.fields(DeviceFacts)),
    PollKind.INTERFACES: frozenset(f.name for f in dataclasses.fields(InterfaceState)),
    PollKind.NEIGHBORS: frozenset(f.name for f in dataclasses.fields(Neighbor)) - {"protocol"},
    PollKind.OPTICS: frozenset(f.name for f in dataclasses.fields(OpticalReading)),
}
REQUIRED_FIELDS: dict[PollKind, frozenset[str]] = {
    PollKind.FACTS: frozenset(),
    PollKind.INTERFACES: frozenset({"name"}),
    PollKind.NEIGHBORS: frozenset({"local_port", "chassis_id", "chassis_id_kind", "port_id", "port_id_kind"}),
    PollKind.OPTICS: frozenset({"port"}),
}
CONNECT_OPTIONS = frozenset({"default_enter", "global_delay_factor", "fast_cli"})


class PlatformError(ValueError):
    """A platform file is invalid; the message names the file and the key path."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Where one observation field comes from: a column (or JSON path) or a constant."""

    column: str | None = None
    value: str | None = None
    convert: tuple[str, ...] = ()
    value_map: Mapping[str, str] | None = None
    default: str | None = None


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command of a poll kind and how its output becomes records."""

    command: str
    parser: str
    fields: Mapping[str, FieldSpec]
    rows: str | None = None
    explode: str | None = None
    protocol: str | None = None
    optional: bool = False
    read_timeout_s: float | None = None


@dataclass(frozen=True, slots=True)
class MaskRule:
    """A regular expression over config text and what replaces each match (``\\1`` allowed)."""

    pattern: str
    replace: str


@dataclass(frozen=True, slots=True)
class ConfigSpec:
    command: str
    mask: tuple[MaskRule, ...] = ()
    skip_lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform definition, loaded and validated."""

    name: str
    device_type: str
    template_platform: str
    exit_command: str = "exit"
    enable: bool = False
    connect: Mapping[str, Any] = field(default_factory=dict)
    error_patterns: tuple[str, ...] = ()
    kinds: Mapping[PollKind, tuple[CommandSpec, ...]] = field(default_factory=dict)
    config: ConfigSpec | None = None

    @property
    def supported(self) -> frozenset[PollKind]:
        return frozenset(self.kinds) | ({PollKind.CONFIG} if self.config else frozenset())


TOP_KEYS = frozenset(
    {
        "name",
        "extends",
        "device_type",
        "template_platform",
        "exit_command",
        "enable",
        "connect",
        "error_patterns",
        "commands",
        "config",
    }
)
COMMAND_KEYS = frozenset(
    {"command", "parser", "rows", "explode", "fields", "protocol", "optional", "read_timeout_s"}
)
FIELD_KEYS = frozenset({"column", "value", "convert", "map", "default"})
CONFIG_KEYS = frozenset({"command", "mask", "skip_lines"})
MASK_KEYS = frozenset({"pattern", "replace"})


def _fail(where: str, path: str, msg: str) -> PlatformError:
    return PlatformError(f"{where}: {path}: {msg}")


def _check_keys(data: object, allowed: frozenset[str], where: str, path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _fail(where, path, f"expected a mapping, got {type(data).__name__}")
    for key in data:
        if key not in allowed:
            raise _fail(where, f"{path}.{key}" if path else str(key), f"unknown key {key!r}")
    return data


def _str(data: Mapping[str, Any], key: str, where: str, path: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise _fail(where, f"{path}.{key}" if path else key, "expected a non-empty string")
    return value


def _field(raw: object, where: str, path: str) -> FieldSpec:
    if isinstance(raw, str):
        return FieldSpec(column=raw)
    data = _check_keys(raw, FIELD_KEYS, where, path)
    convert = data.get("convert", ())
    convert = (convert,) if isinstance(convert, str) else tuple(convert)
    for name in convert:
        if name not in CONVERTERS:
            raise _fail(where, f"{path}.convert", f"unknown converter {name!r}")
    value_map = data.get("map")
    if value_map is not None and not isinstance(value_map, dict):
        raise _fail(where, f"{path}.map", "expected a mapping")
    if ("column" in data) == ("value" in data):
        raise _fail(where, path, "give exactly one of 'column' or 'value'")
    return FieldSpec(
        column=data.get("column"),
        value=None if data.get("value") is None else str(data["value"]),
        convert=convert,
        default=None if data.get("default") is None else str(data["default"]),
        value_map=None if value_map is None else {str(k).lower(): str(v) for k, v in value_map.items()},
    )


def _parser(spec: str, where: str, path: str) -> str:
    if spec == "json":
        return spec
    if spec.startswith("template:"):
        if not (TEMPLATE_DIR / spec.removeprefix("template:")).is_file():
            raise _fail(where, path, f"template file {spec.removeprefix('template:')!r} not found")
        return spec
    if spec.startswith("ntc:") and "/" in spec:
        from collectors.ssh.parse import resolve_ntc

        try:
            resolve_ntc(spec)
        except LookupError as exc:
            raise _fail(where, path, str(exc)) from exc
        return spec
    raise _fail(
        where, path, f"parser must be 'ntc:<platform>/<command>', 'template:<file>' or 'json': {spec!r}"
    )


def _command(raw: object, kind: PollKind, where: str, path: str) -> CommandSpec:
    data = _check_keys(raw, COMMAND_KEYS, where, path)
    fields_raw = _check_keys(data.get("fields", {}), RECORD_FIELDS[kind], where, f"{path}.fields")
    fields = {name: _field(value, where, f"{path}.fields.{name}") for name, value in fields_raw.items()}
    missing = REQUIRED_FIELDS[kind] - set(fields)
    if missing:
        raise _fail(where, f"{path}.fields", f"missing {', '.join(sorted(missing))}")
    parser = _parser(_str(data, "parser", where, path), where, f"{path}.parser")
    if parser == "json" and not isinstance(data.get("rows"), str):
        raise _fail(where, f"{path}.rows", "a json parser needs 'rows' (a dotted path)")
    protocol = data.get("protocol")
    if kind is PollKind.NEIGHBORS and protocol not in ("lldp", "cdp"):
        raise _fail(where, f"{path}.protocol", "neighbors commands need protocol lldp or cdp")
    timeout = data.get("read_timeout_s")
    return CommandSpec(
        command=_str(data, "command", where, path),
        parser=parser,
        fields=fields,
        rows=data.get("rows"),
        explode=data.get("explode"),
        protocol=protocol,
        optional=bool(data.get("optional", False)),
        read_timeout_s=None if timeout is None else float(timeout),
    )


def _config(raw: object, where: str) -> ConfigSpec:
    data = _check_keys(raw, CONFIG_KEYS, where, "config")
    rules = []
    for i, rule in enumerate(data.get("mask", ())):
        r = _check_keys(rule, MASK_KEYS, where, f"config.mask[{i}]")
        rules.append(
            MaskRule(
                pattern=_str(r, "pattern", where, f"config.mask[{i}]"),
                replace=str(r.get("replace", "<masked>")),
            )
        )
    return ConfigSpec(
        command=_str(data, "command", where, "config"),
        mask=tuple(rules),
        skip_lines=tuple(str(s) for s in data.get("skip_lines", ())),
    )


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if key == "commands" and isinstance(value, dict):
            merged[key] = {**base.get("commands", {}), **value}
        else:
            merged[key] = value
    merged.pop("extends", None)
    return merged


def _read(path: Path, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    where = path.name
    data = _check_keys(yaml.safe_load(path.read_text(encoding="utf-8")), TOP_KEYS, where, "")
    parent = data.get("extends")
    if parent is None:
        return data
    if parent in seen:
        raise _fail(where, "extends", f"circular extends via {parent!r}")
    parent_path = path.with_name(f"{parent}.yaml")
    if not parent_path.is_file():
        raise _fail(where, "extends", f"no platform file {parent_path.name}")
    return _merge(_read(parent_path, (*seen, str(data.get("name")))), data)


def load_platform(path: Path) -> Platform:
    """Load and validate one platform file (with its ``extends`` chain)."""
    where = path.name
    data = _read(path)
    name = _str(data, "name", where, "")
    if name != path.stem:
        raise _fail(where, "name", f"must equal the file name {path.stem!r}")
    kinds: dict[PollKind, tuple[CommandSpec, ...]] = {}
    for kind_name, commands in _check_keys(
        data.get("commands", {}), frozenset(k.value for k in RECORD_FIELDS), where, "commands"
    ).items():
        kind = PollKind(kind_name)
        if not isinstance(commands, list) or not commands:
            raise _fail(where, f"commands.{kind_name}", "expected a non-empty list")
        kinds[kind] = tuple(
            _command(c, kind, where, f"commands.{kind_name}[{i}]") for i, c in enumerate(commands)
        )
    connect = _check_keys(data.get("connect", {}), CONNECT_OPTIONS, where, "connect")
    device_type = _str(data, "device_type", where, "")
    if device_type not in CLASS_MAPPER:
        raise _fail(where, "device_type", f"netmiko has no device type {device_type!r}")
    return Platform(
        name=name,
        device_type=device_type,
        template_platform=str(data.get("template_platform", device_type)),
        exit_command=str(data.get("exit_command", "exit")),
        enable=bool(data.get("enable", False)),
        connect=dict(connect),
        error_patterns=tuple(str(p) for p in data.get("error_patterns", ())),
        kinds=kinds,
        config=_config(data["config"], where) if "config" in data else None,
    )


def load_platforms(directory: Path = PLATFORM_DIR) -> dict[str, Platform]:
    """Every platform in a directory, by name (= file stem = netmiko device type)."""
    return {p.stem: load_platform(p) for p in sorted(directory.glob("*.yaml"))}
