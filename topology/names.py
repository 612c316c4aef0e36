"""Port-name normalisation: ``Gi0/1`` and ``GigabitEthernet0/1`` are the same port.

Devices name one port differently in ifName, ifDescr, LLDP port IDs and CLI tables. The
abbreviation rules are data (``data/port_names.yaml``); this module only splits a name into
its type and number, maps the type through the table and builds a comparison key. Unknown
types (``xe-0/0/1``, ``ether1``, ``sfp-sfpplus1``) are kept as they are, lower-cased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_SPLIT = re.compile(r"^(?P<type>\d+GE|[A-Za-z][A-Za-z_-]*)\s*(?P<rest>\d.*)?$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class PortNameRules:
    """The abbreviation table: lower-cased alias or full name -> canonical full type name."""

    canonical: dict[str, str]
    short: dict[str, str]
    unit_suffix: re.Pattern[str]


def rules_from_mapping(data: dict[str, Any]) -> PortNameRules:
    """Build the rules from the YAML structure (``types: {Full: [aliases]}``)."""
    canonical: dict[str, str] = {}
    short: dict[str, str] = {}
    for full, aliases in (data.get("types") or {}).items():
        full = str(full)
        names = [str(a) for a in (aliases or [])]
        canonical[full.lower()] = full
        for alias in names:
            canonical.setdefault(alias.lower(), full)
        short[full] = names[0] if names else full
    return PortNameRules(canonical, short, re.compile(str(data.get("unit_suffix") or r"(?!)")))


@lru_cache(maxsize=1)
def default_rules() -> PortNameRules:
    text = resources.files("topology").joinpath("data/port_names.yaml").read_text(encoding="utf-8")
    return rules_from_mapping(yaml.safe_load(text))


def split(name: str) -> tuple[str, str]:
    """``"TenGigabitEthernet 0/31"`` -> (``"TenGigabitEthernet"``, ``"0/31"``); no number -> (name, "")."""
    text = _SPACES.sub(" ", str(name).strip())
    match = _SPLIT.match(text)
    if not match:
        return text, ""
    return match.group("type"), _SPACES.sub("", match.group("rest") or "")


def expand(name: str, rules: PortNameRules | None = None) -> str:
    """The long form: ``Gi0/1`` -> ``GigabitEthernet0/1``; unknown types unchanged."""
    rules = rules or default_rules()
    kind, rest = split(name)
    full = rules.canonical.get(kind.lower())
    return f"{full}{rest}" if full and rest else str(name).strip()


def abbreviate(name: str, rules: PortNameRules | None = None) -> str:
    """The short form: ``GigabitEthernet0/1`` -> ``Gi0/1``; unknown types unchanged."""
    rules = rules or default_rules()
    kind, rest = split(name)
    full = rules.canonical.get(kind.lower())
    return f"{rules.short[full]}{rest}" if full and rest else str(name).strip()


def port_key(name: str, rules: PortNameRules | None = None) -> str:
    """A comparison key equal for every spelling of one port (case, space, abbreviation)."""
    if rules is None:
        return _default_key(name)
    return _key(name, rules)


@lru_cache(maxsize=65536)
def _default_key(name: str) -> str:
    return _key(name, default_rules())


def _key(name: str, rules: PortNameRules) -> str:
    kind, rest = split(name)
    if not rest:
        return _SPACES.sub(" ", str(name).strip()).lower()
    full = rules.canonical.get(kind.lower(), kind)
    return f"{full}{rest}".lower()


def port_keys(name: str, rules: PortNameRules | None = None) -> tuple[str, ...]:
    """The key, then the key without a trailing logical unit (``ge-0/0/0.0`` -> ``ge-0/0/0``)."""
    rules = rules or default_rules()
    key = port_key(name, rules)
    bare = rules.unit_suffix.sub("", key)
    return (key, bare) if bare and bare != key else (key,)


def same_port(a: str, b: str, rules: PortNameRules | None = None) -> bool:
    return port_key(a, rules) == port_key(b, rules)
