"""The audit log from the command line: ``netops user``/``token``/``inventory import`` leave entries
as the OS user from ``cli:<user>``; ``netops audit`` filters them; no secret is in the table or the output."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select, text

from cli import main
from netops.audit import os_user
from netops.runtime import open_database
from netops.settings import load_settings

PASSWORD, NEW_PASSWORD, COMMUNITY = "budi-first-pass", "budi-second-pass", "cli-literal-community-77"
CHANGED_COMMUNITY = "cli-other-community-88"
INVENTORY = f"""\
credentials:
  core-snmp: {{type: snmp, version: 2c, community: {COMMUNITY}}}
sites:
  - {{name: Balai Kota, kind: core, district: Magelang Tengah}}
devices:
  - {{name: core-1, address: 127.0.0.41, site: Balai Kota, role: core, snmp: core-snmp}}
"""


def test_cli_changes_are_audited_without_secrets(tmp_path: Path) -> None:
    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> str:
        result = runner.invoke(main, list(args), input=stdin, env=env)
        assert result.exit_code == 0, result.output
        return result.output

    run("init")
    run("user", "add", "ani", "--role", "admin", "--password-stdin", stdin="ani-admin-pass\n")
    run("user", "add", "budi", "--role", "engineer", "--password-stdin", stdin=PASSWORD + "\n")
    run("user", "role", "budi", "admin")
    run("user", "passwd", "budi", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    token = run("token", "create", "budi").strip().splitlines()[-1]
    run("token", "revoke", token[:12])
    run("user", "disable", "budi")
    (tmp_path / "city.yaml").write_text(INVENTORY)
    run("inventory", "import", str(tmp_path / "city.yaml"))
    run("inventory", "import", str(tmp_path / "city.yaml"))  # unchanged: no entry
    changed = INVENTORY.replace(COMMUNITY, CHANGED_COMMUNITY).replace("Magelang Tengah", "Magelang Utara")
    (tmp_path / "changed.yaml").write_text(changed)
    run("inventory", "import", str(tmp_path / "changed.yaml"))
    [update] = json.loads(run("audit", "--action", "inventory.import", "--json"))[:1]
    assert update["target"].endswith("changed.yaml")
    assert update["before"] == {
        "credentials": {"updated": {"core-snmp": {"community": "(set)"}}},
        "sites": {"updated": {"Balai Kota": {"district": "Magelang Tengah"}}},
    }
    assert update["after"] == {
        "credentials": {"updated": {"core-snmp": {"community": "(changed)"}}},
        "sites": {"updated": {"Balai Kota": {"district": "Magelang Utara"}}},
        "totals": {"created": 0, "updated": 2, "unchanged": 1},
    }

    entries = json.loads(run("audit", "--json"))
    me = os_user()
    assert [e["action"] for e in reversed(entries)] == [
        "user.add",
        "user.add",
        "user.role",
        "user.password",
        "token.create",
        "token.revoke",
        "user.enabled",
        "inventory.import",
        "inventory.import",
    ]
    assert {(e["user"], e["origin"], e["token"]) for e in entries} == {(me, f"cli:{me}", None)}
    by_action = {e["action"]: e for e in entries}  # the first of each
    assert (by_action["user.role"]["before"], by_action["user.role"]["after"]) == (
        {"role": "engineer"},
        {"role": "admin"},
    )
    assert by_action["user.password"]["after"] == {"password": "(set)"}
    assert by_action["token.create"]["after"] == {"user": "budi", "prefix": token[:12]}
    assert by_action["token.revoke"]["target"] == f"token:{token[:12]}"
    imported = by_action["inventory.import"]
    assert imported["before"] is None and imported["after"]["totals"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert imported["after"]["credentials"]["created"]["core-snmp"]["community"] == "(set)"
    assert imported["after"]["devices"]["created"]["core-1"]["address"] == "127.0.0.41"

    assert [e["action"] for e in json.loads(run("audit", "--action", "token", "--json"))] == [
        "token.revoke",
        "token.create",
    ]
    assert json.loads(run("audit", "--user", "nobody", "--json")) == []
    shown = run("audit", "--action", "user.role")
    assert f"{me} from cli:{me}: user.role budi" in shown and 'after  {"role": "admin"}' in shown
    assert "no audit entries" in run("audit", "--since", "2100-01-01T00:00")
    bad = runner.invoke(main, ["audit", "--since", "last week"], env=env)
    assert bad.exit_code != 0 and "--since" in bad.output

    settings = load_settings(environ=env)
    engine = open_database(settings)
    with engine.connect() as conn:
        dump = "\n".join(repr(tuple(r)) for r in conn.execute(text("SELECT * FROM audit_log")))
        hashes = [h for (h,) in conn.execute(text("SELECT password_hash FROM users"))]
    engine.dispose()
    everything = dump + run("audit") + run("audit", "--json")
    for secret in (PASSWORD, NEW_PASSWORD, "ani-admin-pass", COMMUNITY, CHANGED_COMMUNITY, token, *hashes):
        assert secret not in everything


def test_cli_planned_works_and_outage_handling_are_audited(tmp_path: Path) -> None:
    """``maintenance add|end`` and ``outages ack|note|assign`` share the service functions the web
    uses; from the terminal the entry names the OS user and ``cli:<user>``, ``--by`` is in the values."""
    from inventory.db import session_scope
    from inventory.models import Outage
    from tests.web.seed import seed

    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    engine = open_database(load_settings(environ=env))
    with session_scope(engine) as session:
        seed(session)
        outage = session.scalar(select(Outage.id).where(Outage.ended_at.is_(None)).order_by(Outage.id))
    engine.dispose()

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    run(
        "maintenance",
        "add",
        "--site",
        "SMP Negeri 1 Magelang",
        "--start",
        "2030-01-06T10:00",
        "--duration",
        "2h",
        "--reason",
        "UPS swap",
        "--json",
    )
    run("maintenance", "end", "1")
    run("outages", "ack", str(outage), "--note", "crew on the way", "--by", "budi")
    run("outages", "note", str(outage), "splice at pole 12")
    run("outages", "assign", str(outage), "sri")
    entries = {e["action"]: e for e in json.loads(run("audit", "--json"))}
    me = os_user()
    assert set(entries) == {
        "maintenance.add",
        "maintenance.end",
        "outage.ack",
        "outage.note",
        "outage.assign",
    }
    assert {(e["user"], e["origin"]) for e in entries.values()} == {(me, f"cli:{me}")}
    added = entries["maintenance.add"]["after"]
    assert (added["scope"], added["target"], added["reason"], added["starts_at"]) == (
        "site",
        "SMP Negeri 1 Magelang",
        "UPS swap",
        "2030-01-06T03:00:00Z",
    )
    assert entries["maintenance.end"]["target"] == "planned works #1"
    assert entries["maintenance.end"]["before"] == {"ended_at": None}
    assert entries["outage.ack"]["after"] == {
        "acknowledged_by": "budi",
        "by": "budi",
        "note": "crew on the way",
    }
    assert entries["outage.note"]["after"] == {"by": me, "note": "splice at pole 12"}
    assert (entries["outage.assign"]["before"], entries["outage.assign"]["after"]) == (
        {"assignee": None},
        {"assignee": "sri", "by": me},
    )
