"""Settings: defaults, the TOML file, NETOPS_* overrides, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.settings import ConfigError, default_data_dir, load_settings


def test_defaults_without_file_or_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    home = default_data_dir({})  # /var/lib/netops for root, ~/.local/share/netops for a user
    assert s.data_dir == home and tmp_path not in s.data_dir.parents, "never the working directory"
    assert s.effective_database_url == f"sqlite:///{home / 'netops.db'}"
    assert (s.web.host, s.web.port, s.snmp.timeout_s, s.ssh.host_key_policy) == (
        "127.0.0.1",
        8000,
        1.0,
        "accept-new",
    )
    assert s.monitor.roots == () and s.notifications.urls == ()
    assert s.secret_key_path == home / "secret.key"


def test_file_sections_map_to_settings(tmp_path: Path) -> None:
    cfg = tmp_path / "netops.toml"
    cfg.write_text(
        'data_dir = "/srv/netops"\n[web]\nport = 9000\nsecret_key = "s3cr3t"\n'
        '[monitor]\nroots = ["core-balaikota"]\nicmp = false\n[snmp]\ntimeout_s = 2\n'
    )
    s = load_settings(cfg, environ={})
    assert s.data_dir == Path("/srv/netops")
    assert s.web.port == 9000
    assert s.monitor.roots == ("core-balaikota",) and s.monitor.icmp is False
    assert s.snmp.timeout_s == 2.0 and isinstance(s.snmp.timeout_s, float)
    assert "s3cr3t" not in repr(s)


def test_environment_overrides_file(tmp_path: Path) -> None:
    cfg = tmp_path / "netops.toml"
    cfg.write_text("[web]\nport = 9000\n")
    env = {
        "NETOPS_WEB__PORT": "8080",
        "NETOPS_MONITOR__ROOTS": "core-a, core-b",
        "NETOPS_TRAPS__ENABLED": "no",
        "NETOPS_DATABASE_URL": "postgresql://u@h/db",
        "NETOPS_SNMP_COMMUNITY": "not-a-setting",
        "NETOPS_SSH__SESSION_LOG_DIR": "/tmp/logs",
    }
    s = load_settings(cfg, environ=env)
    assert s.web.port == 8080
    assert s.monitor.roots == ("core-a", "core-b")
    assert s.traps.enabled is False
    assert s.effective_database_url == "postgresql://u@h/db"
    assert s.ssh.session_log_dir == "/tmp/logs"


def test_config_path_from_netops_config(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[polling]\nstatus_interval_s = 30\n")
    assert load_settings(environ={"NETOPS_CONFIG": str(cfg)}).polling.status_interval_s == 30


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[web]\nportx = 1\n", "web.portx"),
        ("[webb]\nport = 1\n", "webb"),
        ("colour = 1\n", "colour"),
        ('[web]\nport = "eighty"\n', "web.port"),
        ("[monitor]\nicmp = 1\n", "monitor.icmp"),
        ("[web\n", "invalid TOML"),
    ],
)
def test_bad_file_raises_error_naming_key_and_file(tmp_path: Path, text: str, fragment: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, environ={})
    assert fragment in str(err.value) and str(cfg) in str(err.value)


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"NETOPS_WEB__PORTX": "1"}, "NETOPS_WEB__PORTX: unknown setting web.portx"),
        ({"NETOPS_NOPE__X": "1"}, "NETOPS_NOPE__X"),
        ({"NETOPS_WEB__PORT": "eighty"}, "NETOPS_WEB__PORT: expected an integer"),
        ({"NETOPS_MONITOR__ROOTS": "[1, 2]"}, "NETOPS_MONITOR__ROOTS"),
    ],
)
def test_bad_environment_raises_error_naming_variable(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(environ=env)
    assert fragment in str(err.value)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml", environ={})
