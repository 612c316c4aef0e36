"""``netops.audit.redact``: secrets become markers, never values nor hashes, whatever shape they come in."""

from __future__ import annotations

import json

import pytest
from werkzeug.security import generate_password_hash

from netops.audit import CHANGED, REMOVED, SET, UNCHANGED, Actor, is_secret_key, redact

SECRET = "Hunter2-very-secret"


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "Password",
        "PASSWORD",
        "new_password",
        "passwd",
        "passphrase",
        "secret",
        "enable_secret",
        "community",
        "snmp-community",
        "auth_key",
        "authKey",
        "AUTH-KEY",
        "priv_key",
        "privKey",
        "private_key",
        "token",
        "api_token",
        "X-Api-Token",
        "token_hash",
        "password_hash",
        "hash",
        "key",
        "psk",
        "database_url",
        "urls",
        "NETOPS_WEB__SECRET_KEY",
        "NETOPS_DATABASE_URL",
        "netops_notifications__urls",
        "metrics_token",
        "secret_key",
    ],
)
def test_secret_field_names(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "role",
        "enabled",
        "username",
        "auth_protocol",
        "priv_protocol",
        "key_file",
        "public_url",
        "tile_url",
        "name",
        "target",
        "reason",
        "prefix",
        "language",
    ],
)
def test_plain_field_names(key: str) -> None:
    assert not is_secret_key(key)


def _text(*values: object) -> str:
    return json.dumps(values, ensure_ascii=False)


def test_markers_say_what_happened_without_the_value() -> None:
    before = {
        "community": "old-community",
        "auth_key": SECRET,
        "password": "same-pass",
        "priv_key": "gone-key",
        "username": "netops",
    }
    after = {
        "community": "new-community",
        "auth_key": SECRET,
        "password": "same-pass",
        "priv_key": None,
        "enable_secret": "fresh-one",
        "username": "netops2",
    }
    out_before, out_after = redact(before, after)
    assert out_before == {
        "community": SET,
        "auth_key": SET,
        "password": SET,
        "priv_key": SET,
        "username": "netops",
    }
    assert out_after == {
        "community": CHANGED,
        "auth_key": UNCHANGED,
        "password": UNCHANGED,
        "priv_key": REMOVED,
        "enable_secret": SET,
        "username": "netops2",
    }
    text = _text(out_before, out_after)
    for value in ("old-community", "new-community", SECRET, "same-pass", "gone-key", "fresh-one"):
        assert value not in text


def test_hostile_shapes() -> None:
    """Nested, listed, odd keys, secrets in free text, hashes, tokens, URLs with passwords."""
    hashed = generate_password_hash(SECRET)
    token = "nto_" + "A1b2C3d4" * 5
    value = {
        "credentials": [{"name": "core", "Community": SECRET}, {"name": "v3", "nested": {"authKey": SECRET}}],
        "note": f"the password is {SECRET} (do not tell)",
        "stored": hashed,
        "sha": "ab" * 32,
        "enc": "enc:gAAAAABkZ9xExampleFernetTokenValue==",
        "apprise": f"mailtos://ops:{SECRET}@mail.example.go.id",
        "call": f"curl -H 'Authorization: Bearer {token}'",
        7: {"secret": SECRET},
        SECRET: "a secret as a key",
        "deep": [[[[[[[[[[[[[[[[{"password": SECRET}]]]]]]]]]]]]]]]],
        "bytes": SECRET.encode(),
        "set": {SECRET},
    }
    out_before, out_after = redact(None, value, scrub=(SECRET,))
    text = _text(out_before, out_after)
    for leaked in (SECRET, hashed, hashed.split("$")[-1], token, "ab" * 32, "ExampleFernetTokenValue"):
        assert leaked not in text
    assert out_after["credentials"][0] == {"name": "core", "Community": SET}
    assert out_after["note"] == "the password is (secret) (do not tell)"
    assert out_after["apprise"] == "mailtos://ops:(secret)@mail.example.go.id"
    assert out_after["stored"] == "(hash)"


def test_without_scrub_known_shapes_are_still_cut() -> None:
    hashed = generate_password_hash("another-password")
    _, after = redact(None, {"text": f"hash {hashed} and postgresql://netops:pw123456@db/netops"})
    assert hashed not in after["text"] and "pw123456" not in after["text"]


def test_a_secret_key_with_an_empty_value_stays_empty() -> None:
    assert redact({"password": None}, {"password": ""}) == ({"password": None}, {"password": None})


def test_token_actor_names_the_token_and_its_owner() -> None:
    assert Actor("budi", "10.0.0.5", "nto_abcdefgh").who == "token:nto_abcdefgh (budi)"
    assert Actor("budi", "cli:budi").who == "budi"


def test_nested_secrets_are_compared_at_the_same_path() -> None:
    before = {
        "credentials": {"updated": {"core": {"community": "enc:aaaaaaaaaaaaaaaaaaaaaaaa", "username": "a"}}}
    }
    after = {
        "credentials": {
            "updated": {"core": {"community": "enc:bbbbbbbbbbbbbbbbbbbbbbbb", "username": "b"}},
            "created": {"new": {"auth_key": {"env": "NETOPS_V3_AUTH"}}},
        }
    }
    out_before, out_after = redact(before, after)
    assert out_before == {"credentials": {"updated": {"core": {"community": SET, "username": "a"}}}}
    assert out_after == {
        "credentials": {
            "updated": {"core": {"community": CHANGED, "username": "b"}},
            "created": {"new": {"auth_key": SET}},
        }
    }
