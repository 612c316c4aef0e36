"""Strict loader of the YAML platform profiles in ``data/``: validate, resolve ``extends``, match.

Every file is checked against ``schema.SCHEMA`` before anything else: an unknown key, a
non-numeric OID or a bad regex raises ``ProfileError`` naming the file and the key path
(``cisco.yaml: neighbors.cdp.columns.devise_id: unknown key``). A vendor profile ``extends``
another (usually ``generic``) and only states what differs; mappings merge key by key and a
``null`` removes an inherited entry. ``ProfileSet.match`` picks the most specific profile whose
rules all hold for a sysObjectID / sysDescr (longest sysObjectID prefix, then a sysDescr
refinement), else ``generic``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from collectors.errors import ProfileError
from collectors.profiles import schema as s

DATA_DIR = Path(__file__).with_name("data")
GENERIC = "generic"


def _leaf_ok(value: Any, kind: str) -> str | None:
    """Return a problem description when ``value`` is not of leaf type ``kind``."""
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if value is None:
        return None if optional else "must not be empty"
    checks: dict[str, tuple[bool, str]] = {
        "str": (isinstance(value, str), "must be a string"),
        "oid": (isinstance(value, str) and bool(s.OID_RE.match(value.lstrip("."))), "must be a numeric OID"),
        "bool": (isinstance(value, bool), "must be true or false"),
        "int": (isinstance(value, int) and not isinstance(value, bool), "must be an integer"),
        "number": (isinstance(value, int | float) and not isinstance(value, bool) and value != 0,
                   "must be a non-zero number"),
        "transform": (value in s.TRANSFORMS, f"must be one of {', '.join(s.TRANSFORMS)}"),
        "neighbor_layout": (value in s.NEIGHBOR_LAYOUTS, f"must be one of {', '.join(s.NEIGHBOR_LAYOUTS)}"),
        "optic_layout": (value in s.OPTIC_LAYOUTS, f"must be one of {', '.join(s.OPTIC_LAYOUTS)}"),
        "int_list": (isinstance(value, list) and all(isinstance(v, int) for v in value),
                     "must be a list of integers"),
        "oid_list": (isinstance(value, list)
                     and all(isinstance(v, str) and s.OID_RE.match(v.lstrip(".")) for v in value),
                     "must be a list of numeric OIDs"),
    }
    if kind == "regex":
        if not isinstance(value, str):
            return "must be a regular expression string"
        try:
            re.compile(value)
        except re.error as exc:
            return f"invalid regular expression: {exc}"
        return None
    ok, problem = checks[kind]
    return None if ok else problem


def validate(node: Any, spec: Any, path: str, source: str) -> None:
    """Raise ProfileError for the first key or value in ``node`` that ``spec`` does not allow."""
    if node is None and path != "name":  # null removes an inherited entry
        return
    if isinstance(spec, str):
        problem = _leaf_ok(node, spec)
        if problem:
            raise ProfileError(source, path, problem)
        return
    if not isinstance(node, dict):
        raise ProfileError(source, path, "must be a mapping")
    for key, value in node.items():
        sub = f"{path}.{key}" if path else str(key)
        child = _child_spec(spec, key)
        if child is None:
            raise ProfileError(source, sub, "unknown key")
        if child == "map-int-key" and not isinstance(key, int):
            raise ProfileError(source, sub, "key must be an integer")
        validate(value, spec[1] if child == "map-int-key" else child, sub, source)


def _child_spec(spec: Any, key: Any) -> Any:
    if isinstance(spec, dict):
        return spec.get(key)
    tag = spec[0]
    if tag == "fields":
        return spec[2] if key in spec[1] else None
    if tag == "map":
        return "map-int-key"
    if tag == "names":
        return spec[1] if isinstance(key, str) and re.match(r"^[a-z0-9_]+$", key) else None
    return None


def merge(base: Any, override: Any) -> Any:
    """Deep-merge mappings; ``None`` in ``override`` deletes; anything else replaces."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    out = copy.deepcopy(base)
    for key, value in override.items():
        if value is None and key in out and isinstance(out[key], dict):
            del out[key]
        elif key in out and isinstance(value, dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_raw(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProfileError(path.name, "", f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(path.name, "", "must be a mapping at the top level")
    validate(data, s.SCHEMA, "", path.name)
    if data.get("name") != path.stem:
        raise ProfileError(path.name, "name", f"must equal the file name {path.stem!r}")
    return data


def _resolve(name: str, raw: Mapping[str, dict[str, Any]],
             seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], int]:
    """Return the merged mapping of profile ``name`` and its depth in the extends chain."""
    if name in seen:
        raise ProfileError(f"{name}.yaml", "extends", f"cycle: {' -> '.join((*seen, name))}")
    data = raw[name]
    parent = data.get("extends")
    if parent is None:
        return copy.deepcopy(data), 0
    if parent not in raw:
        raise ProfileError(f"{name}.yaml", "extends", f"unknown profile {parent!r}")
    base, depth = _resolve(parent, raw, (*seen, name))
    merged = merge(base, {k: v for k, v in data.items() if k != "match"})
    merged["match"] = copy.deepcopy(data.get("match") or {})
    for key in ("vendor", "platform", "version_pattern", "model_pattern"):
        if key in data:
            merged[key] = data[key]
    return merged, depth + 1


def load_profiles(directory: Path | None = None) -> ProfileSet:
    """Load, validate and resolve every ``*.yaml`` profile in ``directory`` (default: ours)."""
    from collectors.profiles.build import build_profile

    folder = directory or DATA_DIR
    raw = {p.stem: read_raw(p) for p in sorted(folder.glob("*.yaml"))}
    if GENERIC not in raw:
        raise ProfileError(str(folder), "", "no generic.yaml profile")
    profiles = []
    for name in raw:
        merged, depth = _resolve(name, raw)
        profiles.append(build_profile(merged, f"{name}.yaml", depth))
    return ProfileSet(profiles)


@lru_cache(maxsize=1)
def default_profiles() -> ProfileSet:
    """The bundled profiles, loaded once per process."""
    return load_profiles()


class ProfileSet:
    """All profiles by name, with vendor detection from sysObjectID / sysDescr."""

    def __init__(self, profiles: Iterable[s.Profile]) -> None:
        self._by_name = {p.name: p for p in profiles}

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str | None) -> s.Profile:
        """The named profile, or ``generic`` when the name is unknown or empty."""
        return self._by_name.get(name or GENERIC) or self._by_name[GENERIC]

    def match(self, sys_object_id: str, sys_descr: str) -> s.Profile:
        """The most specific profile whose rules all hold (sysObjectID prefix and/or sysDescr
        regex): longest prefix first, then a sysDescr refinement, then extends depth."""
        oid = sys_object_id.lstrip(".")
        best: tuple[int, int, int, str] | None = None
        for profile in self._by_name.values():
            rules = profile.match
            if not rules.sys_object_id and rules.sys_descr is None:
                continue
            arcs = max((p.count(".") + 1 for p in rules.sys_object_id
                        if oid == p or oid.startswith(p + ".")), default=0)
            if rules.sys_object_id and not arcs:
                continue
            if rules.sys_descr is not None and not rules.sys_descr.search(sys_descr):
                continue
            score = (arcs, int(rules.sys_descr is not None), profile.specificity, profile.name)
            if best is None or score > best:
                best = score
        return self.get(best[3] if best else GENERIC)
