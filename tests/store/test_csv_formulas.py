"""Every CSV netops writes is safe to open in a spreadsheet, and the inventory CSV still round-trips.

Device-supplied strings (a discovered device is named by its sysName, its site by its
sysLocation) that start with ``= + - @``, TAB or CR are written with a leading ``'`` by
``netops inventory export --format csv`` and by the web's outages CSV (one helper,
``inventory.csvcells``); ``netops inventory import`` removes exactly that quote, so export →
import into an empty database → export gives the same file.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import yaml
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cli import main
from inventory.csvcells import FORMULA_STARTS, neutralise, restore
from inventory.models import Credential, Device, Interface, Link, Outage, Site
from netops.accounts import add_user
from netops.settings import Settings
from tests.web.conftest import csrf_from
from web import create_app

FORMULAS = ['=HYPERLINK("http://evil.example/","click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+9)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "'=already quoted", "''-twice", "'plain"]


@given(st.text())
def test_restore_undoes_neutralise_for_every_string(text: str) -> None:
    safe = neutralise(text)
    assert restore(safe) == text
    assert not safe.startswith(FORMULA_STARTS)


def _cli(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"NETOPS_DATA_DIR": str(data_dir), "NETOPS_CONFIG": ""},
                              catch_exceptions=False)


def _discovered(engine: Engine) -> None:
    """What discovery stores from hostile agents: devices named by sysName in sites named by sysLocation."""
    with Session(engine) as s:
        cred = Credential(name="=cred", type="snmp", snmp_version="2c", community="env:NETOPS_C")
        ports = []
        for i, text in enumerate(FORMULAS):
            site = Site(name=f"{text} site", kind="other", contact_phone="+62 293 362033", notes=text)
            device = Device(name=f"{text}{i}", address=f"127.0.0.{i + 10}", site=site, role="other",
                            source="discovered", snmp_credential=cred, notes=text, poll_group="-grp")
            ports.append(Interface(device=device, name=f"-{i}/1"))
            s.add_all([site, device, ports[-1]])
        s.flush()
        s.add(Link(a_interface_id=ports[0].id, b_interface_id=ports[1].id, source="declared", declared=True,
                   medium="fiber", notes="=link"))
        s.commit()


def test_inventory_csv_export_has_no_formula_cells_and_round_trips(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _discovered(engine)
    exported = tmp_path / "inventory.csv"
    run = _cli(settings.data_dir, "inventory", "export", "--format", "csv", "-o", str(exported))
    assert run.exit_code == 0, run.output
    text = exported.read_text(encoding="utf-8")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert "'=HYPERLINK(\"http://evil.example/\",\"click\")0" in cells and "'+62 293 362033" in cells

    fresh = tmp_path / "fresh"
    assert _cli(fresh, "init").exit_code == 0
    imported = _cli(fresh, "inventory", "import", str(exported))
    assert imported.exit_code == 0, imported.output
    again = tmp_path / "again.csv"
    assert _cli(fresh, "inventory", "export", "--format", "csv", "-o", str(again)).exit_code == 0
    assert again.read_text(encoding="utf-8") == text
    original_yaml = _cli(settings.data_dir, "inventory", "export").stdout
    assert _cli(fresh, "inventory", "export").stdout == original_yaml  # the very same strings
    names = {d["name"] for d in yaml.safe_load(original_yaml)["devices"]}
    assert names == {f"{text}{i}" for i, text in enumerate(FORMULAS)}  # YAML keeps values as they are
    reimported = _cli(fresh, "inventory", "import", str(exported))
    assert "0 created, 0 updated" in reimported.output  # idempotent


def test_outages_csv_uses_the_same_rule(engine: Engine, settings: Settings) -> None:
    now = datetime.now(UTC)
    with Session(engine) as s:
        add_user(s, "help", "help-desk-pass", "helpdesk")
        s.add(Outage(root_cause_type="device", root_cause="=cmd|' /C calc'!A0", started_at=now,
                     affected_sites=["@SUM(1)", "SD Negeri 1"], affected_devices=["-dev"], cause_text="x"))
        s.commit()
    client = create_app(settings, engine=engine, config={"TESTING": True}).test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    form = {"name": "help", "password": "help-desk-pass", "csrf_token": csrf_from(page)}
    assert client.post("/auth/login", data=form).status_code == 302
    body = client.get("/outages.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["root_cause"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["affected_sites"] == "'@SUM(1); SD Negeri 1"
    assert rows[0]["affected_devices"] == "'-dev"
    assert not [c for row in csv.reader(io.StringIO(body)) for c in row if c.startswith(FORMULA_STARTS)]
