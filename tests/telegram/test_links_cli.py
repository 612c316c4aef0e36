"""Linking chats on the command line, the one-time codes, the bot's settings and ``netops telegram run``.

``netops user link-telegram NAME`` prints a code the bot redeems (``/start CODE``), with a
CHAT_ID it links at once; ``netops telegram run`` against the fake Bot API answers, and stops
with one clear line (no token) when the API refuses the token.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from inventory.db import session_scope
from netops.accounts import add_user
from netops.runtime import open_database
from netops.settings import ConfigError, load_settings
from netops.telegram import links
from netops.telegram.bot import TelegramBot, parse, split_message
from netops.telegram.client import BotApi
from tests.support.fake_telegram import fake_bot_api

TOKEN = "555000111:AAE-cli-TEST-token-value"


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"NETOPS_DATA_DIR": str(tmp_path / "var"), **more}


def _init_with_user(tmp_path: Path) -> dict[str, str]:
    env = _env(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    added = runner.invoke(main, ["user", "add", "budi", "--role", "helpdesk", "--password-stdin"],
                          input="budi-password\n", env=env)
    assert added.exit_code == 0, added.output
    return env


def test_link_by_code_or_chat_id_list_and_unlink(tmp_path: Path) -> None:
    env = _init_with_user(tmp_path)
    runner = CliRunner()
    made = runner.invoke(main, ["user", "link-telegram", "budi"], env=env)
    assert made.exit_code == 0, made.output
    code = made.output.strip().splitlines()[-1].removeprefix("/start ")
    assert len(code) == links.CODE_LENGTH and "within 15 minutes" in made.output
    engine = open_database(load_settings(environ=env))
    try:
        with session_scope(engine) as session:
            user = links.redeem(session, code, 4242, datetime.now(UTC))
            assert user is not None and user.name == "budi"
            assert links.redeem(session, code, 4343, datetime.now(UTC)) is None  # once only
    finally:
        engine.dispose()
    direct = runner.invoke(main, ["user", "link-telegram", "budi", "-100123"], env=env)  # a group chat
    assert direct.exit_code == 0 and "chat -100123 linked to budi" in direct.output
    listed = runner.invoke(main, ["telegram", "links"], env=env)
    assert listed.output.splitlines() == ["budi\t-100123", "budi\t4242"]
    unknown = runner.invoke(main, ["user", "link-telegram", "nobody"], env=env)
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output
    one = runner.invoke(main, ["user", "unlink-telegram", "budi", "4242"], env=env)
    assert one.exit_code == 0 and "1 chat(s) of budi unlinked" in one.output
    assert runner.invoke(main, ["telegram", "links"], env=env).output.splitlines() == ["budi\t-100123"]
    assert "1 chat(s)" in runner.invoke(main, ["user", "unlink-telegram", "budi"], env=env).output
    assert runner.invoke(main, ["telegram", "links"], env=env).output.strip() == "no linked chats"


def test_codes_expire_and_a_new_code_replaces_the_old(tmp_path: Path) -> None:
    settings = load_settings(environ=_env(tmp_path))
    engine = open_database(settings)
    now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    try:
        with session_scope(engine) as session:
            add_user(session, "sri", "sri-password", "engineer")
            old = links.new_code(session, "sri", now)
            new = links.new_code(session, "sri", now)
            assert links.redeem(session, old, 1, now) is None  # replaced
            late = now + links.CODE_TTL + timedelta(seconds=1)
            assert links.redeem(session, new, 1, late) is None  # expired, and gone
            fresh = links.new_code(session, "sri", now)
            assert links.redeem(session, fresh, 7, now + timedelta(minutes=1)) is not None
            assert links.user_of_chat(session, 7) is not None and links.user_of_chat(session, 8) is None
            links.link_chat(session, "sri", 7, now)  # again: still one link for the chat
            assert [c.chat_id for c in links.linked_chats(session, "sri")] == [7]
    finally:
        engine.dispose()


def test_wrong_codes_are_limited_per_chat(tmp_path: Path) -> None:
    settings = load_settings(environ=_env(tmp_path))
    engine = open_database(settings)
    try:
        with session_scope(engine) as session:
            add_user(session, "sri", "sri-password", "engineer")
            code = links.new_code(session, "sri", datetime.now(UTC))
        with fake_bot_api(TOKEN) as fake:
            bot = TelegramBot(settings, engine, BotApi(TOKEN, fake.url), backoff_s=0.05).start()
            try:
                for n in range(5):
                    fake.send(9, f"/start WRONG{n}")
                fake.wait_replies(9, 5)
                fake.send(9, f"/start {code}")  # the right one, too late: this chat guessed enough
                fake.send(10, "/start")  # another chat's message is answered after it
                fake.wait_replies(10, 1)
                assert len(fake.replies(9)) == 5
            finally:
                bot.stop()
        with session_scope(engine) as session:
            assert links.user_of_chat(session, 9) is None
    finally:
        engine.dispose()


def test_long_replies_are_split_between_lines() -> None:
    lines = [f"#{n} " + "x" * 50 for n in range(200)]
    parts = split_message("\n".join(lines), limit=4096)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts).splitlines() == lines  # nothing lost, no line cut
    assert split_message("y" * 9000, limit=4096) == ["y" * 4096, "y" * 4096, "y" * 808]


def test_commands_are_parsed_with_bot_names_and_case() -> None:
    assert parse("/Cek@netops_bot  SDN 1 ") == ("cek", "SDN 1")
    assert parse("sdn 1 magelang") == (None, "sdn 1 magelang")
    assert parse("/gangguan") == ("gangguan", "")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("NETOPS_TELEGRAM__TOKEN", "123:ABC", "write a reference"),
    ("NETOPS_TELEGRAM__API_URL", "http://api.telegram.org", "expected an https URL"),
    ("NETOPS_TELEGRAM__LANGUAGE", "fr", "expected en or id"),
    ("NETOPS_TELEGRAM__POLL_TIMEOUT_S", "900", "between 0 and 300"),
])
def test_bad_telegram_settings_are_refused(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(environ={key: value})
    assert "ABC" not in str(caught.value)
    good = load_settings(environ={"NETOPS_TELEGRAM__TOKEN": "env:BOT", "NETOPS_TELEGRAM__API_URL":
                                  "http://127.0.0.1:8081", "NETOPS_TELEGRAM__ENABLED": "true"})
    assert good.telegram.enabled and good.telegram.language == "id"
    assert "env:BOT" not in repr(good)


def test_telegram_run_answers_and_stops_on_a_refused_token(tmp_path: Path) -> None:
    env = _init_with_user(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["user", "link-telegram", "budi", "77"], env=env).exit_code == 0
    with fake_bot_api(TOKEN) as fake:
        common = {**env, "NETOPS_TELEGRAM__API_URL": fake.url, "NETOPS_TELEGRAM__TOKEN": "env:TEST_BOT",
                  "NETOPS_TELEGRAM__POLL_TIMEOUT_S": "1"}
        missing = runner.invoke(main, ["telegram", "run"], env=common)
        assert missing.exit_code == 1 and "TEST_BOT is not set" in missing.output
        fake.send(77, "/bantuan")
        done: list[object] = []

        def stop_when_answered() -> None:  # the command runs until a 401: revoke the token once answered
            fake.wait_replies(77, 1)
            fake.token = "revoked"
            done.append(True)

        watcher = threading.Thread(target=stop_when_answered, daemon=True)
        watcher.start()
        started = time.monotonic()
        result = runner.invoke(main, ["telegram", "run"], env={**common, "TEST_BOT": TOKEN})
        watcher.join(5)
    assert done and time.monotonic() - started < 30
    assert "Perintah bot netops" in fake.replies(77)[0]
    assert result.exit_code == 1 and "refused the token (HTTP 401)" in result.output
    assert TOKEN not in result.output


@pytest.mark.postgres
def test_a_supergroup_id_links_on_postgres(pg_migrated_url: str) -> None:
    """Supergroup chat ids pass 32 bits (-100xxxxxxxxxx): the column is a BIGINT."""
    from inventory.db import make_engine

    engine = make_engine(pg_migrated_url)
    big = -1001234567890
    try:
        with session_scope(engine) as session:
            add_user(session, "sri", "sri-password", "helpdesk")
            links.link_chat(session, "sri", big, datetime.now(UTC))
        with session_scope(engine) as session:
            found = links.user_of_chat(session, big)
            assert found is not None and found.name == "sri"
    finally:
        engine.dispose()
