"""Setting scopes: ``netops user add/scope --scope`` and the users page, with clear errors for names
that do not exist; and the scope rule itself (dimensions narrow, entries of one dimension add up)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli import main
from inventory.models import User
from netops.scope import Scope, ScopeError
from tests.web.conftest import csrf_from, login

MAGELANG = Path(__file__).resolve().parents[1] / "data" / "magelang.yaml"


def test_the_rule_intersects_dimensions_and_adds_named_sites() -> None:
    scope = Scope.parse(["district=Magelang Utara", "district=Magelang Tengah", "kind=school",
                         "site=Puskesmas Jurangombo"])
    assert scope.matches("SD 1", "Magelang Utara", "school")
    assert scope.matches("SD 2", "Magelang Tengah", "school")
    assert not scope.matches("Kantor Kecamatan", "Magelang Utara", "district")
    assert not scope.matches("SD 3", "Magelang Selatan", "school")
    assert scope.matches("Puskesmas Jurangombo", "Magelang Selatan", "health")
    only_sites = Scope.parse(["site=SD 1"])
    assert only_sites.matches("SD 1", None, "school") and not only_sites.matches("SD 2", None, "school")
    assert Scope.parse(["kind=school"]).matches("SD 9", None, "school")
    for bad in ("district", "zone=x", "kind=", "=school"):
        with pytest.raises(ScopeError, match="district=NAME, kind=KIND or site=NAME"):
            Scope.parse([bad])


def test_cli_sets_and_clears_a_scope(tmp_path: Path) -> None:
    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
        result = runner.invoke(main, list(args), input=stdin, env=env)
        return result.exit_code, result.output

    assert run("init")[0] == 0
    assert run("inventory", "import", str(MAGELANG))[0] == 0
    code, out = run("user", "add", "dikpora", "--role", "helpdesk", "--scope", "district=Magelang Utara",
                    "--scope", "kind=school", "--password-stdin", stdin="dikpora-password\n")
    assert code == 0
    assert out == "user dikpora added with role helpdesk, scope district=Magelang Utara; kind=school\n"
    assert "dikpora\thelpdesk\t\t\tdistrict=Magelang Utara; kind=school" in run("user", "list")[1]
    code, out = run("user", "add", "x", "--role", "helpdesk", "--scope", "district=Magelang Utra",
                    "--password-stdin", stdin="xxxxxxxx-pass\n")
    assert code == 1 and "no district 'Magelang Utra'; did you mean 'Magelang Utara'" in out
    assert "x\t" not in run("user", "list")[1]  # nothing added
    code, out = run("user", "scope", "dikpora", "--scope", "site=SD Negeri Magelang 2")
    assert code == 1 and "no site 'SD Negeri Magelang 2'" in out and "SD Negeri Magelang 1" in out
    assert "kind=school" in run("user", "list")[1]  # unchanged
    assert run("user", "scope", "dikpora", "--scope", "site=SD Negeri Magelang 1") == (
        0, "user dikpora is limited to site=SD Negeri Magelang 1\n")
    assert run("user", "scope", "dikpora", "--scope", "kind=sekolah")[0] == 1
    assert run("user", "scope", "dikpora")[0] == 1  # neither entries nor --clear
    assert run("user", "scope", "dikpora", "--clear") == (0, "user dikpora sees everything\n")
    assert run("user", "list")[1].splitlines()[0].rstrip() == "dikpora\thelpdesk"
    code, out = run("user", "add", "boss", "--role", "admin", "--scope", "kind=school",
                    "--password-stdin", stdin="boss-password\n")
    assert code == 1 and "admin cannot be limited" in out


def test_admins_set_a_scope_on_the_users_page(app: Flask, session: Session) -> None:
    client = app.test_client()
    login(client, "admin")
    page = client.get("/users", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Cakupan" in page and "Atur cakupan" in page
    csrf = csrf_from(page)
    helpdesk = session.scalar(select(User).where(User.name == "helpdesk"))
    assert helpdesk is not None
    answer = client.post(f"/users/{helpdesk.id}/scope",
                         data={"csrf_token": csrf, "scope": "district=Magelang Utara; kind=schol"})
    assert answer.status_code == 302
    page = client.get("/users").get_data(as_text=True)
    assert "Not changed: no site kind &#39;schol&#39;" in page
    session.expire_all()
    assert session.get(User, helpdesk.id).scope is None  # type: ignore[union-attr]
    client.post(f"/users/{helpdesk.id}/scope", data={"csrf_token": csrf, "scope": "district=Magelang Utara;"
                                                                                   "kind=school"})
    session.expire_all()
    assert session.get(User, helpdesk.id).scope == {  # type: ignore[union-attr]
        "districts": ["Magelang Utara"], "kinds": ["school"], "sites": []}
    assert 'value="district=Magelang Utara; kind=school"' in client.get("/users").get_data(as_text=True)
    # the scoped helpdesk sees it in the header, and only its schools
    other = app.test_client()
    login(other, "helpdesk")
    page = other.get("/schools?kind=all").get_data(as_text=True)
    assert "only district=Magelang Utara; kind=school" in page
    assert "SD Negeri 1 Magelang" in page and "Dinas Kesehatan" not in page
    client.post(f"/users/{helpdesk.id}/scope", data={"csrf_token": csrf, "scope": ""})
    assert "Dinas Kesehatan" in other.get("/schools?kind=all").get_data(as_text=True)


def test_redacting_keeps_inside_names_whole(session: Session) -> None:
    """An outside name inside an inside one ("SD 1" in "SD 1 Magelang") is not cut out of it."""
    from inventory.models import Device, Site
    from netops.scope import resolve

    inside = Site(name="SD 1 Magelang", kind="school", district="Utara")
    outside = Site(name="SD 1", kind="school", district="Selatan")
    session.add_all([inside, outside,
                     Device(name="sw-sd1-magelang", address="192.0.2.1", role="access",
                            site=inside),
                     Device(name="sw-sd1", address="192.0.2.2", role="access", site=outside)])
    session.flush()
    seen = resolve(session, Scope.parse(["district=Utara"]))
    assert seen.sites == {"SD 1 Magelang"} and seen.devices == {"sw-sd1-magelang"}
    assert seen.redact("SD 1 Magelang via sw-sd1 (SD 1); sw-sd1-magelang:ge1--sw-sd1:ge2") == (
        "SD 1 Magelang via … (…); sw-sd1-magelang:ge1--…:ge2")
    assert seen.link("sw-sd1", "sw-sd1-magelang") and not seen.link("sw-sd1", "sw-sd1")
