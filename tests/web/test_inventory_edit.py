"""Inventory edits in the browser: file import (dry run, then confirm) and device enable/disable.

The import goes through the real ``inventory.files`` importer on the test database; checks
read the database with a fresh session, so "nothing written" means nothing was committed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cli import main
from inventory.models import Credential, Device, Site
from netops.encryption import ensure_key
from netops.settings import Settings, load_settings
from tests.support.udp import UdpListener
from tests.web.conftest import FakeScheduler, csrf_from, login
from web import create_app
from web.uploads import MAX_UPLOAD_BYTES

Client = Callable[[str | None], FlaskClient]
HOSTILE = "<script>alert(1)</script>"

VALID_YAML = f"""\
credentials:
  smk-snmp: {{type: snmp, version: 2c, community: literal-community-xyz}}
sites:
  - {{name: SMK Negeri 3 Magelang, kind: school, district: Magelang Selatan}}
devices:
  - {{name: acc-smkn3, address: 127.0.0.33, site: SMK Negeri 3 Magelang, role: access, snmp: smk-snmp}}
  - {{name: "{HOSTILE}", address: 127.0.0.34, site: SMK Negeri 3 Magelang, role: access}}
"""

ENGINEER_YAML = f"""\
credentials:
  smk-snmp: {{type: snmp, version: 2c, community: literal-community-xyz}}
sites:
  - {{name: SMK Negeri 3 Magelang, kind: school, district: Magelang Selatan}}
devices:
  - {{name: acc-smkn3, address: 127.0.0.33, site: SMK Negeri 3 Magelang, role: access}}
  - {{name: "{HOSTILE}", address: 127.0.0.34, site: SMK Negeri 3 Magelang, role: access}}
"""

INVALID_YAML = """\
sites:
  - {name: SMK Negeri 3 Magelang, kind: school}
devices:
  - {name: acc-smkn3, address: 127.0.0.33, site: SMK Negeri 3 Magelang, role: access, snmp_port: many}
  - {name: acc-smkn4, address: 127.0.0.35, site: No Such Site, role: access}
"""

VALID_CSV = """\
record,name,kind,district,address,site,role
site,SMK Negeri 4 Magelang,school,Magelang Utara,,,
"""


def _devices(engine: Engine) -> set[str]:
    with Session(engine) as s:
        return set(s.scalars(select(Device.name)))


def _sites(engine: Engine) -> set[str]:
    with Session(engine) as s:
        return set(s.scalars(select(Site.name)))


def _upload(client: FlaskClient, text: str | bytes, filename: str, token: str | None = None) -> str:
    if token is None:
        token = csrf_from(client.get("/inventory").get_data(as_text=True))
    data = text.encode() if isinstance(text, str) else text
    response = client.post(
        "/inventory/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _credentials(engine: Engine) -> dict[str, str | None]:
    with Session(engine) as s:
        return {c.name: c.community for c in s.scalars(select(Credential))}


def _counts(html: str) -> dict[str, tuple[int, int, int]]:
    rows = re.findall(r'<tr data-kind="(\w+)"><td>\w+</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>', html)
    return {kind: (int(c), int(u), int(n)) for kind, c, u, n in rows}


def test_engineer_dry_runs_then_applies_a_yaml_file(
    client_as: Client, engine: Engine, settings: Settings
) -> None:
    client = client_as("engineer")
    before = _devices(engine)
    html = _upload(client, ENGINEER_YAML, "smk.yaml")
    assert _counts(html) == {
        "credentials": (0, 0, 0), "sites": (1, 0, 0), "devices": (2, 0, 0), "links": (0, 0, 0)
    }
    assert "literal-community-xyz" not in html
    assert "smk.yaml:1: credentials: credentials are admin-only: 1 credential(s) ignored" in html
    assert str(settings.data_dir) not in html
    assert HOSTILE not in html
    assert _devices(engine) == before  # a dry run writes nothing
    staged = list((settings.data_dir / "uploads").iterdir())
    assert len(staged) == 1 and staged[0].suffix == ".yaml"

    response = client.post("/inventory/import/confirm", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    assert _devices(engine) == before | {"acc-smkn3", HOSTILE}
    assert _credentials(engine) == {}  # the ignored credential was never written
    assert list((settings.data_dir / "uploads").iterdir()) == []  # the temp file is gone

    page = client.get("/inventory").get_data(as_text=True)
    assert "Inventory imported: 3 created, 0 updated, 0 unchanged." in page
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    again = _upload(client, ENGINEER_YAML, "smk.yaml")
    assert _counts(again)["devices"] == (0, 0, 2)
    assert client.post("/inventory/import/cancel", data={"csrf_token": csrf_from(again)}).status_code == 302
    assert list((settings.data_dir / "uploads").iterdir()) == []


def test_admin_imports_credentials_with_literal_sealed(client_as: Client, engine: Engine) -> None:
    client = client_as("admin")
    html = _upload(client, VALID_YAML, "smk.yaml")
    assert _counts(html)["credentials"] == (1, 0, 0) and _counts(html)["devices"] == (2, 0, 0)
    assert "smk.yaml:2: credentials.smk-snmp.community: literal secret accepted" in html  # named by upload
    assert "literal-community-xyz" not in html
    client.post("/inventory/import/confirm", data={"csrf_token": csrf_from(html)})
    community = _credentials(engine)["smk-snmp"]
    assert community is not None and community.startswith("enc:")  # the literal was sealed


def test_csv_file_is_imported_by_extension(client_as: Client, engine: Engine) -> None:
    client = client_as("admin")
    html = _upload(client, VALID_CSV, "sites.CSV")
    assert _counts(html)["sites"] == (1, 0, 0)
    assert "SMK Negeri 4 Magelang" not in _sites(engine)
    client.post("/inventory/import/confirm", data={"csrf_token": csrf_from(html)})
    assert "SMK Negeri 4 Magelang" in _sites(engine)


def test_invalid_file_shows_located_problems_and_writes_nothing(
    client_as: Client, engine: Engine, settings: Settings
) -> None:
    client = client_as("engineer")
    before_sites, before_devices = _sites(engine), _devices(engine)
    html = _upload(client, INVALID_YAML, "bad.yaml")
    problems = re.findall(r"<tr><td>(\d*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    located = {(line, field) for line, field, _ in problems}
    assert located == {("4", "devices[1].snmp_port"), ("5", "devices[2].site")}, problems
    assert "2 problems, nothing written" in html
    assert "ui.inventory_import_confirm" not in html and "/inventory/import/confirm" not in html
    assert str(settings.data_dir) not in html  # the temp path is never shown
    assert list((settings.data_dir / "uploads").iterdir()) == []
    # nothing staged: a forged confirm imports nothing
    response = client.post("/inventory/import/confirm", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    assert (_sites(engine), _devices(engine)) == (before_sites, before_devices)


def test_wrong_type_and_oversized_uploads_are_refused(client_as: Client, engine: Engine) -> None:
    client = client_as("engineer")
    token = csrf_from(client.get("/inventory").get_data(as_text=True))
    response = client.post(
        "/inventory/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"x"), "inventory.exe")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Only .yaml, .yml and .csv files can be imported." in response.get_data(as_text=True)
    big = b"# padding\n" * (MAX_UPLOAD_BYTES // 10 + 10_000)
    response = client.post(
        "/inventory/import",
        data={"csrf_token": token, "file": (io.BytesIO(big), "big.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "at most 2 MB" in response.get_data(as_text=True)


def test_helpdesk_gets_403(client_as: Client, engine: Engine) -> None:
    client = client_as("helpdesk")
    before = _devices(engine)
    token = csrf_from(client.get("/").get_data(as_text=True))  # a valid token: the role check refuses
    data = {"csrf_token": token, "file": (io.BytesIO(VALID_YAML.encode()), "smk.yaml")}
    assert client.post("/inventory/import", data=data, content_type="multipart/form-data").status_code == 403
    assert client.post("/inventory/import/confirm", data={"csrf_token": token}).status_code == 403
    toggle = {"csrf_token": token, "enabled": "0"}
    assert client.post("/devices/acc-sdn1/enabled", data=toggle).status_code == 403
    assert _devices(engine) == before
    with Session(engine) as s:
        assert s.scalars(select(Device.enabled).where(Device.name == "acc-sdn1")).one() is True


def test_forms_without_csrf_token_are_rejected(client_as: Client, engine: Engine, settings: Settings) -> None:
    client = client_as("engineer")
    data = {"file": (io.BytesIO(ENGINEER_YAML.encode()), "smk.yaml")}
    assert client.post("/inventory/import", data=data, content_type="multipart/form-data").status_code == 400
    assert not (settings.data_dir / "uploads").exists() or not any((settings.data_dir / "uploads").iterdir())
    html = _upload(client, ENGINEER_YAML, "smk.yaml")
    assert client.post("/inventory/import/confirm", data={"csrf_token": "forged"}).status_code == 400
    assert "acc-smkn3" not in _devices(engine)
    assert client.post("/devices/acc-sdn1/enabled", data={"enabled": "0"}).status_code == 400
    with Session(engine) as s:
        assert s.scalars(select(Device.enabled).where(Device.name == "acc-sdn1")).one() is True
    client.post("/inventory/import/confirm", data={"csrf_token": csrf_from(html)})
    assert "acc-smkn3" in _devices(engine)


def _enabled(engine: Engine, name: str) -> bool:
    with Session(engine) as s:
        return bool(s.scalars(select(Device.enabled).where(Device.name == name)).one())


def test_enable_and_disable_toggle_the_flag(client_as: Client, engine: Engine) -> None:
    client = client_as("engineer")
    page = client.get("/devices/acc-sdn1").get_data(as_text=True)
    assert "Polling enabled." in page
    response = client.post("/devices/acc-sdn1/enabled", data={"csrf_token": csrf_from(page), "enabled": "0"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/devices/acc-sdn1")
    assert _enabled(engine, "acc-sdn1") is False
    page = client.get("/devices/acc-sdn1").get_data(as_text=True)
    assert "Device acc-sdn1 disabled: it is no longer polled." in page and "Polling disabled." in page
    client.post("/devices/acc-sdn1/enabled", data={"csrf_token": csrf_from(page), "enabled": "1"})
    assert _enabled(engine, "acc-sdn1") is True
    assert client.post("/devices/no-such/enabled", data={"csrf_token": csrf_from(page), "enabled": "1"}
                       ).status_code == 404
    assert client.post("/devices/acc-sdn1/enabled", data={"csrf_token": csrf_from(page), "enabled": "x"}
                       ).status_code == 400


def test_hostile_device_name_is_escaped_on_the_device_form(client_as: Client, engine: Engine) -> None:
    name = "<img src=x onerror=alert(1)>"
    with Session(engine) as s:
        s.add(Device(name=name, address="127.0.0.40", role="access"))
        s.commit()
    client = client_as("engineer")
    page = client.get(f"/devices/{name}").get_data(as_text=True)
    assert page.count(name) == 0 and "&lt;img src=x onerror=alert(1)&gt;" in page
    client.post(f"/devices/{name}/enabled", data={"csrf_token": csrf_from(page), "enabled": "0"})
    assert _enabled(engine, name) is False
    flashed = client.get(f"/devices/{name}").get_data(as_text=True)
    assert name not in flashed and "Device &lt;img src=x onerror=alert(1)&gt; disabled" in flashed


# -- the security probe: references to server files and variables through an upload -------------

@pytest.fixture
def listeners() -> Iterator[tuple[UdpListener, UdpListener]]:
    pair = (UdpListener("127.0.0.61"), UdpListener("127.0.0.62"))
    try:
        yield pair
    finally:
        for one in pair:
            one.close()


def _poll_now(settings: Settings) -> Result:
    """``netops poll``: what the next scheduled poll does with every enabled device."""
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_SNMP__TIMEOUT_S": "0.3",
           "NETOPS_SNMP__RETRIES": "0"}
    return CliRunner().invoke(main, ["poll"], env=env, catch_exceptions=False)


def test_probe_engineer_cannot_send_server_secrets_to_an_address_of_their_choice(
    client_as: Client, engine: Engine, settings: Settings, listeners: tuple[UdpListener, UdpListener],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The probe: an engineer uploads a credential whose community is the web secret key (a setting
    variable) or the Fernet key file, for a device at an address where they listen. Nothing is
    stored and the poll sends nothing there; the admin's credential they tried to re-point stays."""
    control, trap = listeners
    web_key = "web-session-signing-key-0123456789"
    monkeypatch.setenv("NETOPS_WEB__SECRET_KEY", web_key)
    monkeypatch.setenv("NETOPS_CONTROL_COMMUNITY", "control-community-1")
    ensure_key(settings)
    fernet_key = settings.secret_key_path.read_text().strip()
    admin = client_as("admin")
    control_yaml = f"""\
credentials:
  control-snmp: {{type: snmp, version: 2c, community: {{env: NETOPS_CONTROL_COMMUNITY}}}}
devices:
  - {{name: control, address: {control.host}, snmp_port: {control.port}, snmp: control-snmp}}
"""
    html = _upload(admin, control_yaml, "control.yaml")
    admin.post("/inventory/import/confirm", data={"csrf_token": csrf_from(html)})
    assert "control" in _devices(engine)

    engineer = client_as("engineer")
    before = (_devices(engine), _credentials(engine))
    attack = f"""\
credentials:
  probe-env: {{type: snmp, version: 2c, community: {{env: NETOPS_WEB__SECRET_KEY}}}}
  probe-file: {{type: snmp, version: 2c, community: {{file: {settings.secret_key_path}}}}}
devices:
  - {{name: probe-env, address: {trap.host}, snmp_port: {trap.port}, snmp: probe-env}}
  - {{name: probe-file, address: {trap.host}, snmp_port: {trap.port}, snmp: probe-file}}
"""
    html = _upload(engineer, attack, "probe.yaml")
    problems = re.findall(r"<tr><td>(\d*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    located = {(line, field) for line, field, _ in problems}
    assert located == {("5", "devices[1].snmp"), ("6", "devices[2].snmp")}
    assert all("credentials are admin-only" in message for _, _, message in problems), problems
    assert web_key not in html and fernet_key not in html
    engineer.post("/inventory/import/confirm", data={"csrf_token": csrf_from(html)})  # nothing staged
    # re-pointing the admin's credential at the web secret: ignored, said so, nothing else lost
    repoint = """\
credentials:
  control-snmp: {type: snmp, version: 2c, community: {env: NETOPS_WEB__SECRET_KEY}}
sites:
  - {name: Probe Site, kind: other}
"""
    html = _upload(engineer, repoint, "repoint.yaml")
    assert "credentials are admin-only: 1 credential(s) ignored" in html
    engineer.post("/inventory/import/confirm", data={"csrf_token": csrf_from(html)})
    assert (_devices(engine), _credentials(engine)) == before
    assert "Probe Site" in _sites(engine)

    run = _poll_now(settings)
    assert run.exit_code == 3, run.output  # polled; nothing answers (listeners, no credentials)
    assert trap.drain() == []  # nothing was sent to the engineer's address
    sent = control.drain()
    assert sent and all(b"control-community-1" in p for p in sent)  # the listener does hear polls
    assert not any(web_key.encode() in p or fernet_key.encode() in p for p in sent)


def test_admin_upload_may_name_only_allow_listed_references(
    client_as: Client, engine: Engine, settings: Settings
) -> None:
    admin = client_as("admin")
    before = _credentials(engine)
    data_dir = settings.data_dir
    text = f"""\
credentials:
  a: {{type: snmp, version: 2c, community: {{env: NETOPS_WEB__SECRET_KEY}}}}
  b: {{type: snmp, version: 2c, community: {{file: {data_dir}/secret.key}}}}
  c: {{type: snmp, version: 2c, community: {{file: {data_dir}/web-secret.key}}}}
  d: {{type: snmp, version: 2c, community: {{env: HOME}}}}
  e: {{type: snmp, version: 2c, community: {{file: /etc/hostname}}}}
  f: {{type: ssh, username: u, key_file: /root/.ssh/id_rsa}}
  g: {{type: snmp, version: 3, user: u, auth: {{protocol: sha, key: {{file: {data_dir}/netops.db}}}}}}
  h: {{type: snmp, version: 2c, community: {{file: relative.txt}}}}
  ok: {{type: snmp, version: 2c, community: {{env: NETOPS_SNMP_COMMUNITY}}}}
"""
    html = _upload(admin, text, "admin.yaml")
    problems = re.findall(r"<tr><td>(\d*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    by_field = {field: (line, message) for line, field, message in problems}
    assert set(by_field) == {"credentials.a.community.env", "credentials.b.community.file",
                             "credentials.c.community.file", "credentials.d.community.env",
                             "credentials.e.community.file", "credentials.f.key_file",
                             "credentials.g.auth.key.file", "credentials.h.community.file"}, problems
    assert by_field["credentials.a.community.env"][0] == "2"
    assert "is a netops setting" in by_field["credentials.a.community.env"][1]
    assert "netops data directory" in by_field["credentials.b.community.file"][1]
    assert "secrets.env_prefixes" in by_field["credentials.d.community.env"][1]
    assert "secrets.file_dirs" in by_field["credentials.e.community.file"][1]
    assert "(upload)" in by_field["credentials.h.community.file"][1]
    assert str(data_dir / "uploads") not in html  # the staging path is never shown
    assert _credentials(engine) == before


def test_admin_file_reference_inside_file_dirs_sends_the_first_line_only(
    app: Flask, engine: Engine, settings: Settings, tmp_path: Path, listeners: tuple[UdpListener, UdpListener]
) -> None:
    device, _ = listeners
    allowed = tmp_path / "secrets"
    allowed.mkdir()
    (allowed / "community").write_text("first-line-community\nsecond-line-never-sent\n")
    allowing = load_settings(environ={"NETOPS_DATA_DIR": str(settings.data_dir),
                                      "NETOPS_SECRETS__FILE_DIRS": str(allowed)})
    client = create_app(allowing, engine=engine, scheduler_control=FakeScheduler(),
                        config={"TESTING": True}).test_client()
    login(client, "admin")
    text = f"""\
credentials:
  city: {{type: snmp, version: 2c, community: {{file: {allowed / "community"}}}}}
devices:
  - {{name: filed, address: {device.host}, snmp_port: {device.port}, snmp: city}}
"""
    html = _upload(client, text, "city.yaml")
    assert _counts(html)["credentials"] == (1, 0, 0), html
    client.post("/inventory/import/confirm", data={"csrf_token": csrf_from(html)})
    assert _credentials(engine)["city"] == f"file:{allowed / 'community'}"
    assert _poll_now(settings).exit_code == 3  # polled; the listener never answers
    sent = device.drain()
    assert sent and all(b"first-line-community" in p and b"second-line" not in p for p in sent)
