"""Small networks for topology tests: the testbed's Magelang plant and ways to break it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from tests.support.synthetic import from_topology
from topology.snapshot import NetworkSnapshot

MAGELANG_JSON = Path(__file__).resolve().parents[2].parent / "shared" / "testbed" / "magelang.json"


def magelang() -> NetworkSnapshot:
    return from_topology(json.loads(MAGELANG_JSON.read_text(encoding="utf-8")))


def cut(snapshot: NetworkSnapshot, *ends: str, status: str = "down") -> NetworkSnapshot:
    """Ports (``dev:port``) reported with ``status`` (a fiber cut reports both ends down)."""
    wanted = {tuple(e.split(":", 1)) for e in ends}
    ifaces = tuple(
        replace(i, oper_status=status) if (i.device, i.name) in wanted else i for i in snapshot.interfaces
    )
    return replace(snapshot, interfaces=ifaces)


def cut_link(snapshot: NetworkSnapshot, a: str, b: str) -> NetworkSnapshot:
    return cut(snapshot, a, b)


def power_off(snapshot: NetworkSnapshot, device: str, neighbours_see_it: bool = True) -> NetworkSnapshot:
    """A device goes silent; its neighbours' ports towards it go down."""
    devices = tuple(replace(d, state="down") if d.name == device else d for d in snapshot.devices)
    snap = replace(snapshot, devices=devices)
    if neighbours_see_it:
        far = [
            f"{lk.b_device}:{lk.b_port}" if lk.a_device == device else f"{lk.a_device}:{lk.a_port}"
            for lk in snapshot.links
            if device in (lk.a_device, lk.b_device)
        ]
        snap = cut(snap, *far)
    return snap


def site_of(snapshot: NetworkSnapshot, device: str) -> str:
    return next(d.site for d in snapshot.devices if d.name == device) or ""
