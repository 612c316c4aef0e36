"""Inventory import/export against a real database: round trips, idempotence, updates, CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from inventory.db import make_engine, session_scope, upgrade_schema
from inventory.files import export_inventory, import_inventory_file
from inventory.models import Credential, Device, Interface, Link
from inventory.queries import list_links
from inventory.spec import InventoryError
from netops.encryption import FernetSealer
from netops.settings import Settings


def _import(engine: Engine, path: Path, settings: Settings | None = None, dry_run: bool = False):
    sealer = FernetSealer(settings) if settings is not None else None
    with session_scope(engine) as s:
        return import_inventory_file(s, path, sealer, dry_run=dry_run)


def _export(engine: Engine, fmt: str = "yaml") -> str:
    with session_scope(engine) as s:
        return export_inventory(s, fmt).text


def test_import_counts_and_idempotent_reimport(db_engine: Engine, magelang_inventory_yaml: Path) -> None:
    first = _import(db_engine, magelang_inventory_yaml)
    assert first.created == {"credentials": 3, "sites": 6, "devices": 6, "links": 6}
    assert first.totals["updated"] == 0 and first.totals["unchanged"] == 0
    second = _import(db_engine, magelang_inventory_yaml)
    assert second.totals == {"created": 0, "updated": 0, "unchanged": 21}
    with session_scope(db_engine) as s:
        assert s.scalar(select(func.count()).select_from(Interface)) == 12
        link = s.scalars(select(Link)).first()
        assert link is not None and link.declared and link.source == "declared"
        assert all(lk.a_interface_id < lk.b_interface_id for lk in s.scalars(select(Link)))


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_export_import_export_round_trip(
    db_engine: Engine, tmp_path: Path, fmt: str, magelang_inventory_yaml: Path
) -> None:
    _import(db_engine, magelang_inventory_yaml)
    exported = _export(db_engine, fmt)
    dump = tmp_path / f"export.{fmt}"
    dump.write_text(exported)
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade_schema(fresh)
    try:
        report = _import(fresh, dump)
        assert report.totals["created"] == 21
        assert _export(fresh, fmt) == exported
        assert _export(fresh, "yaml") == _export(db_engine, "yaml")
    finally:
        fresh.dispose()
    assert "NETOPS_SNMP_COMMUNITY" in exported


def test_changed_fields_are_updated_and_omitted_fields_reset(
    db_engine: Engine, tmp_path: Path, magelang_inventory_yaml: Path
) -> None:
    _import(db_engine, magelang_inventory_yaml)
    text = magelang_inventory_yaml.read_text()
    changed = text.replace("address: 192.0.2.21, snmp_port: 1161,", "address: 192.0.2.121,").replace(
        "medium: wireless}", "medium: fiber, length_m: 900}"
    )
    path = tmp_path / "changed.yaml"
    path.write_text(changed)
    report = _import(db_engine, path)
    assert report.updated["devices"] == 1 and report.updated["links"] == 1
    assert report.totals["created"] == 0
    with session_scope(db_engine) as s:
        dev = s.scalars(select(Device).where(Device.name == "sw-sdn1")).one()
        assert (dev.address, dev.snmp_port) == ("192.0.2.121", 161)


def test_link_ends_in_either_order_are_the_same_link(
    db_engine: Engine, tmp_path: Path, magelang_inventory_yaml: Path
) -> None:
    _import(db_engine, magelang_inventory_yaml)
    path = tmp_path / "reverse.yaml"
    path.write_text(
        "links:\n  - {a: dist-utara:GigabitEthernet0/0/1, b: core-balaikota:GigabitEthernet1/0/1,"
        " medium: fiber, length_m: 2300}\n"
    )
    report = _import(db_engine, path)
    assert report.unchanged["links"] == 1 and report.totals["created"] == 0
    with session_scope(db_engine) as s:
        links = list_links(s)
    assert len(links) == 6


def test_link_to_discovered_link_marks_it_declared(
    db_engine: Engine, tmp_path: Path, magelang_inventory_yaml: Path
) -> None:
    _import(db_engine, magelang_inventory_yaml)
    with session_scope(db_engine) as s:
        core = s.scalars(select(Device).where(Device.name == "core-balaikota")).one()
        kom = s.scalars(select(Device).where(Device.name == "sw-kominfo")).one()
        a, b = Interface(device_id=core.id, name="Gi1/0/9"), Interface(device_id=kom.id, name="ether9")
        s.add_all([a, b])
        s.flush()
        s.add(
            Link(
                a_interface_id=min(a.id, b.id), b_interface_id=max(a.id, b.id), source="lldp", declared=False
            )
        )
    path = tmp_path / "decl.yaml"
    path.write_text("links:\n  - {a: sw-kominfo:ether9, b: core-balaikota:Gi1/0/9, medium: copper}\n")
    report = _import(db_engine, path)
    assert report.updated["links"] == 1
    with session_scope(db_engine) as s:
        link = s.scalars(select(Link).where(Link.source == "lldp")).one()
        assert link.declared and link.medium == "copper"


def test_dry_run_writes_nothing(db_engine: Engine, magelang_inventory_yaml: Path) -> None:
    report = _import(db_engine, magelang_inventory_yaml, dry_run=True)
    assert report.dry_run and report.totals["created"] == 21
    with session_scope(db_engine) as s:
        assert s.scalar(select(func.count()).select_from(Device)) == 0


def test_invalid_file_leaves_database_unchanged(
    db_engine: Engine, tmp_path: Path, magelang_inventory_yaml: Path
) -> None:
    _import(db_engine, magelang_inventory_yaml)
    before = _export(db_engine)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        magelang_inventory_yaml.read_text()
        .replace("address: 192.0.2.1,", "address: 192.0.2.100,")
        .replace("platform: linux", "platform: windows")
    )
    with pytest.raises(InventoryError) as err:
        _import(db_engine, bad)
    assert len(err.value.problems) == 1 and "platform" in str(err.value)
    assert _export(db_engine) == before


def test_literal_secrets_are_stored_encrypted_and_never_exported(
    db_engine: Engine, tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(
        "credentials:\n  lab: {type: snmp, version: 2c, community: lab-community-42}\n"
        "  lab-ssh: {type: ssh, username: admin, password: hunter2-lab}\n"
    )
    report = _import(db_engine, path, settings)
    assert len(report.warnings) == 2 and not any("lab-community-42" in w for w in report.warnings)
    with session_scope(db_engine) as s:
        stored = s.scalars(select(Credential).where(Credential.name == "lab")).one().community
    assert stored is not None and stored.startswith("enc:") and "lab-community-42" not in stored
    again = _import(db_engine, path, settings)
    assert again.totals == {"created": 0, "updated": 0, "unchanged": 2}
    with session_scope(db_engine) as s:
        exported = export_inventory(s, "yaml")
    assert "lab-community-42" not in exported.text and "hunter2-lab" not in exported.text
    assert stored not in exported.text
    assert "{env: NETOPS_SECRET_LAB_COMMUNITY}" in exported.text
    assert any("not exported" in w for w in exported.warnings)


def test_csv_import_of_sites_then_devices(db_engine: Engine, tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "name,kind,district,latitude,longitude\n"
        "Balai Kota,core,Magelang Tengah,-7.4797,110.2177\n"
        "SD Negeri Magelang 1,school,Magelang Utara,,\n"
    )
    devices = tmp_path / "devices.csv"
    devices.write_text(
        "name,address,site,role,platform,snmp_port,enabled\n"
        "core-balaikota,192.0.2.1,Balai Kota,core,cisco_ios,,\n"
        "sw-sdn1,192.0.2.21,SD Negeri Magelang 1,access,huawei,1161,false\n"
    )
    assert _import(db_engine, sites).created["sites"] == 2
    assert _import(db_engine, devices).created["devices"] == 2
    assert _import(db_engine, devices).totals["unchanged"] == 2
    with session_scope(db_engine) as s:
        sw = s.scalars(select(Device).where(Device.name == "sw-sdn1")).one()
        assert (sw.snmp_port, sw.enabled, sw.site is not None and sw.site.name) == (
            1161,
            False,
            "SD Negeri Magelang 1",
        )


def test_csv_problems_are_located_by_row(db_engine: Engine, tmp_path: Path) -> None:
    devices = tmp_path / "devices.csv"
    devices.write_text(
        "name,address,site,role\n"
        "core-1,192.0.2.1,,core\n"
        "sw-1,999.1.1.1,Nowhere,access\n"
        "core-1,192.0.2.3,,core\n"
    )
    with pytest.raises(InventoryError) as err:
        _import(db_engine, devices)
    text = [str(p) for p in err.value.problems]
    assert any(p.startswith(f"{devices}:3: devices[2].address") for p in text), text
    assert any(p.startswith(f"{devices}:3: devices[2].site: unknown site 'Nowhere'") for p in text), text
    assert any(p.startswith(f"{devices}:4: devices[3].name: duplicate name 'core-1'") for p in text), text
    with session_scope(db_engine) as s:
        assert s.scalar(select(func.count()).select_from(Device)) == 0


HOSTILE = [
    "Kantor: Kec. #1 'A' \"B\"",
    "SMP N 2 – Magelang / ✓ ünïcode",
    "- leading dash, {braces} [brackets] & *star !bang %pct @at `tick`",
    "multi\nline\tand trailing space ",
    "yes",
    "0123",
]


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_hostile_names_and_notes_round_trip(db_engine: Engine, tmp_path: Path, fmt: str) -> None:
    with session_scope(db_engine) as s:
        from inventory.models import Site

        for i, text in enumerate(HOSTILE):
            s.add(Site(name=f"site {i} {text.strip()}", kind="other", notes=text))
    first = _export(db_engine, fmt)
    dump = tmp_path / f"h.{fmt}"
    dump.write_text(first)
    fresh = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    upgrade_schema(fresh)
    try:
        assert _import(fresh, dump).created["sites"] == len(HOSTILE)
        assert _export(fresh, fmt) == first
        with session_scope(fresh) as s:
            notes = sorted(n for n in s.scalars(select(Site.notes)) if n is not None)
    finally:
        fresh.dispose()
    assert notes == sorted(HOSTILE)
