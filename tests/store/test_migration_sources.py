"""Migration 0005 marks what discovery added as inferred, so discovery may keep inferring it.

A database of the release before (revision 0004) with a declared device, a discovered device and
the site discovery created for it upgrades to: the declared device and site ``declared``, the
discovered device ``inferred`` and its site (kind ``other``, only discovered devices in it)
``inferred``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from inventory.db import make_engine, upgrade_schema


def test_upgrade_marks_discovered_devices_and_their_sites_inferred(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    try:
        upgrade_schema(engine, "0004")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO sites (id, name, kind) VALUES (1, 'Balai Kota', 'core'), "
                              "(2, 'SD Negeri 7', 'other'), (3, 'Gudang', 'other')"))
            conn.execute(text(
                "INSERT INTO devices (id, name, address, snmp_port, ssh_port, role, site_id, enabled, source)"
                " VALUES (1, 'core', '10.0.0.1', 161, 22, 'core', 1, 1, 'declared'),"
                " (2, 'sd-tujuh', '10.0.0.7', 161, 22, 'other', 2, 1, 'discovered'),"
                " (3, 'gudang', '10.0.0.9', 161, 22, 'access', 3, 1, 'declared')"))
        upgrade_schema(engine)
        with engine.connect() as conn:
            devices = dict(conn.execute(text("SELECT name, role_source FROM devices")).all())
            sites = dict(conn.execute(text("SELECT name, kind_source FROM sites")).all())
    finally:
        engine.dispose()
    assert devices == {"core": "declared", "sd-tujuh": "inferred", "gudang": "declared"}
    assert sites == {"Balai Kota": "declared", "SD Negeri 7": "inferred", "Gudang": "declared"}
