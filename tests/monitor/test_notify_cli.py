"""``netops notify routes`` and ``netops notify test ROUTE`` against a real local webhook."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine

from cli import main
from inventory.db import session_scope
from inventory.models import utcnow
from netops.monitor.route_store import save_route
from netops.settings import Settings
from tests.monitor.webhook import WebhookReceiver, refusing_url


def _run(settings: Settings, config: Path, *args: str) -> tuple[int, str]:
    env = {"NETOPS_DATA_DIR": str(settings.data_dir)}
    result = CliRunner().invoke(main, ["--config", str(config), *args], env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_routes_listed_and_tested(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    with WebhookReceiver() as hook:
        config = tmp_path / "netops.toml"
        config.write_text(f'[notifications]\nurls = ["json://127.0.0.1:{hook.port}/all"]\n'
                          f'[notifications.routes.utara]\nurls = ["json://127.0.0.1:{hook.port}/utara"]\n'
                          'districts = ["Utara"]\nlanguage = "id"\nremind_minutes = 15\n'
                          f'[notifications.routes.dead]\nurls = ["{refusing_url()}"]\n')
        with session_scope(engine) as session:
            save_route(session, "pagi",
                       {"urls": ["mailto://user:secret@example.com"], "when": ["mon-fri 07:00-12:00"]},
                       "admin", utcnow(), settings)
        code, out = _run(settings, config, "notify", "routes", "--json")
        assert code == 0
        listed = {r["name"]: r for r in json.loads(out)}
        assert [(n, r["source"]) for n, r in listed.items()] == [
            ("default", "catch-all"), ("utara", "config"), ("dead", "config"), ("pagi", "ui")]
        assert listed["utara"]["remind_minutes"] == 15 and listed["utara"]["districts"] == ["Utara"]
        assert "secret" not in out and listed["pagi"]["urls"] == ["mailto://user:****@example.com/"]
        code, out = _run(settings, config, "notify", "routes")
        assert code == 0 and "districts=Utara" in out and "when=mon-fri 07:00-12:00" in out
        code, out = _run(settings, config, "notify", "test", "utara")
        assert code == 0 and "test message sent" in out
        assert hook.paths == ["/utara"] and hook.messages[0]["title"] == "UJI: netops → utara"
        code, out = _run(settings, config, "notify", "test", "dead")
        assert code == 1 and "route dead" in out
        code, out = _run(settings, config, "notify", "test", "nowhere")
        assert code == 2 and "unknown route 'nowhere'; routes: default, utara, dead, pagi" in out
    assert len(hook.messages) == 1
