"""Secret references resolve at use time; literals are encrypted with the data-dir key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from collectors.targets import Secret
from netops.encryption import FernetSealer, encrypt, ensure_key
from netops.secrets import SecretError, resolve
from netops.settings import Settings


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
