"""Secret references resolve at use time; literals are encrypted with the data-dir key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from collectors.targets import Secret
from netops.encryption import FernetSealer, encrypt, ensure_key
from netops.secret_policy import ReferencePolicy, refused_for_everyone
from netops.secrets import SecretError, check_key_file, resolve
from netops.settings import Settings, load_settings


def test_env_file_and_literal_references(settings: Settings, tmp_path: Path) -> None:
    secret_file = tmp_path / "community.txt"
    secret_file.write_text("from-file\n")
    assert resolve("env:SNMP_C", settings, {"SNMP_C": "from-env"}) == Secret("from-env")
    assert resolve(f"file:{secret_file}", settings) == Secret("from-file")
    assert resolve("plain-literal", settings) == Secret("plain-literal")
    assert resolve(None, settings) is None and resolve("", settings) is None


def test_unresolvable_references_raise_without_revealing(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="MISSING_VAR is not set"):
        resolve("env:MISSING_VAR", settings, {})
    with pytest.raises(SecretError, match="cannot read secret file"):
        resolve(f"file:{tmp_path / 'absent'}", settings)
    with pytest.raises(SecretError, match="netops init"):
        resolve("enc:gAAAA", settings)


def test_key_file_created_once_with_private_mode(settings: Settings) -> None:
    assert ensure_key(settings) is True
    mode = stat.S_IMODE(settings.secret_key_path.stat().st_mode)
    assert mode == 0o600
    first = settings.secret_key_path.read_bytes()
    assert ensure_key(settings) is False
    assert settings.secret_key_path.read_bytes() == first


def test_encrypted_literal_round_trips_and_hides(settings: Settings) -> None:
    token = encrypt("s3cret-community", settings)
    assert token.startswith("enc:") and "s3cret-community" not in token
    value = resolve(token, settings)
    assert value is not None and value.reveal() == "s3cret-community"
    assert "s3cret" not in repr(value) and str(value) == "***"


def test_sealer_recognises_the_same_literal(settings: Settings) -> None:
    sealer = FernetSealer(settings)
    stored = sealer.seal("abc")
    assert sealer.matches(stored, "abc")
    assert not sealer.matches(stored, "abd")
    assert not sealer.matches("env:X", "abc")


def test_token_from_another_key_is_rejected(settings: Settings, tmp_path: Path) -> None:
    token = encrypt("x", settings)
    settings.secret_key_path.unlink()
    ensure_key(settings)
    with pytest.raises(SecretError, match="does not match"):
        resolve(token, settings)


def test_a_secret_file_gives_its_first_line_only(settings: Settings, tmp_path: Path) -> None:
    """The README promises the first line; the probe read whole files (keys, configs) instead."""
    secret_file = tmp_path / "community.txt"
    secret_file.write_text("first-line\r\nsecond-line-never-sent\nthird\n")
    assert resolve(f"file:{secret_file}", settings) == Secret("first-line")
    no_newline = tmp_path / "bare.txt"
    no_newline.write_text("only-line")
    assert resolve(f"file:{no_newline}", settings) == Secret("only-line")


def test_a_fifo_or_directory_is_refused_without_hanging(settings: Settings, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(SecretError, match="not a regular file"):
        resolve(f"file:{fifo}", settings)
    with pytest.raises(SecretError, match=r"not a regular file|cannot read"):
        resolve(f"file:{tmp_path}", settings)


@pytest.mark.parametrize("name", ["NETOPS_WEB__SECRET_KEY", "NETOPS_DATABASE_URL", "NETOPS_CONFIG",
                                  "NETOPS_DATA_DIR", "NETOPS_NOTIFICATIONS__URLS"])
def test_netops_setting_variables_are_never_secrets(settings: Settings, name: str) -> None:
    with pytest.raises(SecretError, match="is a netops setting"):
        resolve(f"env:{name}", settings, {name: "the-value"})


def test_the_data_directory_is_never_read_even_through_a_symlink(settings: Settings, tmp_path: Path) -> None:
    ensure_key(settings)
    (settings.data_dir / "web-secret.key").write_text("web-key\n")
    link = tmp_path / "innocent.txt"
    link.symlink_to(settings.data_dir / "web-secret.key")
    for path in (settings.secret_key_path, settings.data_dir / "web-secret.key", link,
                 settings.data_dir / "netops.db", settings.data_dir / ".." / settings.data_dir.name / "x"):
        with pytest.raises(SecretError, match="netops data directory"):
            resolve(f"file:{path}", settings)
    with pytest.raises(SecretError, match="netops data directory"):
        check_key_file(str(settings.secret_key_path), settings)


def test_a_sqlite_database_outside_the_data_directory_is_protected(tmp_path: Path) -> None:
    elsewhere = tmp_path / "db" / "netops.sqlite"
    settings = load_settings(environ={"NETOPS_DATA_DIR": str(tmp_path / "var"),
                                      "NETOPS_DATABASE_URL": f"sqlite:///{elsewhere}"})
    for suffix in ("", "-wal", "-shm"):
        assert refused_for_everyone("file", f"{elsewhere}{suffix}", settings) is not None
    assert refused_for_everyone("file", str(tmp_path / "db" / "other.txt"), settings) is None


def test_service_user_policy_allows_any_other_reference(settings: Settings) -> None:
    cli = ReferencePolicy(settings, restricted=False)
    assert cli.refusal("env", "HOME") is None
    assert cli.refusal("file", "/etc/netops/community") is None
    assert cli.refusal("key_file", "/home/netops/.ssh/id_ed25519") is None
    assert cli.refusal("env", "NETOPS_WEB__SECRET_KEY") is not None
    assert cli.refusal("file", str(settings.secret_key_path)) is not None


def test_upload_policy_applies_the_allow_lists(tmp_path: Path) -> None:
    allowed = tmp_path / "secrets"
    allowed.mkdir()
    settings = load_settings(environ={"NETOPS_DATA_DIR": str(tmp_path / "var"),
                                      "NETOPS_SECRETS__ENV_PREFIXES": "NETOPS_,CITY_",
                                      "NETOPS_SECRETS__FILE_DIRS": str(allowed)})
    web = ReferencePolicy(settings, restricted=True)
    assert web.refusal("env", "NETOPS_SNMP_COMMUNITY") is None and web.refusal("env", "CITY_SSH") is None
    assert "must start with NETOPS_ or CITY_" in str(web.refusal("env", "HOME"))
    assert "is a netops setting" in str(web.refusal("env", "NETOPS_WEB__SECRET_KEY"))
    assert web.refusal("file", str(allowed / "community")) is None
    assert "must be inside" in str(web.refusal("file", "/etc/shadow"))
    assert "must be inside" in str(web.refusal("file", str(allowed / ".." / "escape")))
    escape = allowed / "to-etc"
    escape.symlink_to("/etc")
    assert "must be inside" in str(web.refusal("file", str(escape / "shadow")))
    assert "must be inside" in str(web.refusal("key_file", "/root/.ssh/id_rsa"))
    default = ReferencePolicy(load_settings(environ={"NETOPS_DATA_DIR": str(tmp_path / "v2")}),
                              restricted=True)
    assert "secrets.file_dirs is empty" in str(default.refusal("file", str(allowed / "community")))
