"""The Telegram bot through a fake Bot API on 127.0.0.1: real HTTP both ways, the real database.

The network is the web tests' Magelang seed, assessed by the real monitor: SD Negeri 1 Magelang
is offline behind a cut fiber (an open outage), SMP Negeri 1 Magelang is online. Chats are
linked to the seed's users (helpdesk, engineer); acknowledgements and notes go through
``netops.monitor.timeline`` and are read back from the outage's timeline.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from inventory.db import session_scope
from inventory.models import Outage, Site, User
from netops.monitor import maintenance, timeline
from netops.monitor.network_view import NetworkViews
from netops.settings import Settings, TelegramSettings
from netops.telegram import links
from netops.telegram.bot import TelegramBot
from netops.telegram.client import BotApi
from tests.support.fake_telegram import FakeBotApi, fake_bot_api
from tests.web.conftest import login
from tests.web.seed import seed

TOKEN = "123456789:AAH-netops-TEST-secret-token"
CUT = "acc-sdn1:sfp1--dist-utara:sfp2"  # the seed's cut fiber: SD Negeri 1 Magelang offline
HELPDESK_CHAT, ENGINEER_CHAT, STRANGER_CHAT = 1001, 1002, 666

StartBot = Callable[..., TelegramBot]


@pytest.fixture
def net(engine: Engine, session: Session) -> Engine:
    seed(session)
    return engine


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api(TOKEN) as api:
        yield api


def bot_settings(settings: Settings, url: str, **values: object) -> Settings:
    telegram = TelegramSettings(enabled=True, token="env:NETOPS_TEST_BOT_TOKEN", api_url=url,
                                poll_timeout_s=1, **values)  # type: ignore[arg-type]
    return dataclasses.replace(settings, telegram=telegram)


@pytest.fixture
def start_bot(net: Engine, settings: Settings, fake: FakeBotApi) -> Iterator[StartBot]:
    bots: list[TelegramBot] = []

    def start(token: str = TOKEN, **values: object) -> TelegramBot:
        api = BotApi(token, fake.url, timeout_s=1.0)
        bot = TelegramBot(bot_settings(settings, fake.url, **values), net, api, backoff_s=0.05,
                          max_backoff_s=0.2)
        bots.append(bot.start())
        return bot

    yield start
    for bot in bots:
        bot.stop()


def link(engine: Engine, user: str, chat: int) -> None:
    with session_scope(engine) as session:
        links.link_chat(session, user, chat, datetime.now(UTC))


def ask(fake: FakeBotApi, chat: int, text: str) -> str:
    """Send ``text`` from ``chat`` and return the bot's next reply to it."""
    before = len(fake.replies(chat))
    fake.send(chat, text)
    return fake.wait_replies(chat, before + 1)[-1]


def open_outage(engine: Engine) -> int:
    with session_scope(engine) as session:
        found = session.scalar(select(Outage.id).where(Outage.root_cause == CUT, Outage.ended_at.is_(None)))
    assert found is not None
    return found


def test_a_code_links_the_chat_and_cek_gives_the_help_desk_answer_with_typos(
        net: Engine, fake: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    with session_scope(net) as session:
        code = links.new_code(session, "helpdesk", datetime.now(UTC))
    assert "belum terhubung" in ask(fake, HELPDESK_CHAT, "/cek sdn 1 magelang")  # before linking
    assert "salah atau sudah kedaluwarsa" in ask(fake, HELPDESK_CHAT, "/start WRONGCODE1")
    welcome = ask(fake, HELPDESK_CHAT, f"/start {code.lower()}")
    assert "terhubung ke pengguna netops helpdesk (helpdesk)" in welcome and "/gangguan" in welcome
    assert "salah" in ask(fake, ENGINEER_CHAT + 50, f"/start {code}")  # a code works once
    outage = open_outage(net)
    answer = ask(fake, HELPDESK_CHAT, "/cek sd negri 1 magelng")  # two typos
    lines = answer.splitlines()
    assert lines[0] == "SD Negeri 1 Magelang"
    assert re.fullmatch(r"Terputus sejak \d\d:\d\d", lines[1]), lines
    assert lines[2].startswith("Serat optik") and "sekolah ini putus" in lines[2]
    assert f"Gangguan #{outage}" in answer and "Kontak: Bu Sri 0812-2222" in answer
    # plain text is a /cek too; a school that is fine says so, without a cause
    fine = ask(fake, HELPDESK_CHAT, "smpn1").splitlines()
    assert fine[0] == "SMP Negeri 1 Magelang" and fine[1].startswith("Terhubung sejak") and len(fine) == 3
    choose = ask(fake, HELPDESK_CHAT, "/cek negeri 1")
    assert "beberapa lokasi" in choose and "- SD Negeri 1 Magelang: Terputus" in choose \
        and "- SMP Negeri 1 Magelang: Terhubung" in choose
    assert "Tidak ada lokasi" in ask(fake, HELPDESK_CHAT, "/cek puskesmas bandongan")
    assert "/cek diikuti namanya" in ask(fake, HELPDESK_CHAT, "/cek")
    assert "tidak dikenal" in ask(fake, HELPDESK_CHAT, "/hapus 12")
    assert fake.paths and all(p.startswith(f"/bot{TOKEN}/") for p in fake.paths)


def test_cek_says_what_the_web_says(net: Engine, settings: Settings, fake: FakeBotApi,
                                    start_bot: StartBot) -> None:
    from web import create_app

    with session_scope(net) as session:
        user = session.scalar(select(User).where(User.name == "engineer"))
        assert user is not None
        user.language = "en"  # the engineer reads English, in the bot as on the web
    link(net, "engineer", ENGINEER_CHAT)
    start_bot()
    answer = ask(fake, ENGINEER_CHAT, "/check SD Negeri 1 Magelang")
    client = create_app(settings, engine=net, config={"TESTING": True}).test_client()
    login(client, "engineer")
    page = client.get("/sites/SD%20Negeri%201%20Magelang").get_data(as_text=True)
    why = re.search(r'<p class="why">(.*?)</p>', page)
    verdict = re.search(r'<p class="verdict">(\w+)', page)
    assert why and verdict, page[:2000]
    assert html.unescape(why.group(1)) in answer.splitlines()
    assert answer.splitlines()[1].startswith(f"{verdict.group(1)} since ")


def test_gangguan_lists_active_outages_schools_first(
        net: Engine, fake: FakeBotApi, start_bot: StartBot) -> None:
    link(net, "helpdesk", HELPDESK_CHAT)
    start_bot()
    outage = open_outage(net)
    with session_scope(net) as session:
        active = session.scalars(select(Outage).where(Outage.ended_at.is_(None)).order_by(Outage.id)).all()
        others = [o.id for o in active if o.id != outage]
    reply = ask(fake, HELPDESK_CHAT, "/gangguan")
    assert reply.startswith(f"Gangguan aktif ({len(others) + 1}):")
    assert f"#{outage} Serat optik antara" in reply
    assert "terputus (1), 1 sekolah: SD Negeri 1 Magelang" in reply
    first = reply.index(f"#{outage} ")
    assert all(first < reply.index(f"#{other} ") for other in others)  # the school's outage first
    english = ask(fake, HELPDESK_CHAT, "/outages")
    assert english == reply  # same command, same language (the user's, else telegram.language)


def test_ack_and_note_by_a_linked_user_are_on_the_timeline_with_who(
        net: Engine, fake: FakeBotApi, start_bot: StartBot) -> None:
    link(net, "helpdesk", HELPDESK_CHAT)
    start_bot()
    outage = open_outage(net)
    assert ask(fake, HELPDESK_CHAT, f"/ack {outage} tim menuju lokasi") == \
        f"Gangguan #{outage} diambil oleh helpdesk."
    assert ask(fake, HELPDESK_CHAT, f"/catatan #{outage} sambung di tiang 12") == \
        f"Catatan ditambahkan pada gangguan #{outage} oleh helpdesk."
    with session_scope(net) as session:
        row = session.get(Outage, outage)
        assert row is not None and row.acknowledged_by == "helpdesk"
        entries = [(e.kind, e.by, e.text) for e in timeline.entries(session, outage)]
    assert entries[-3:] == [("acknowledged", "helpdesk", ""), ("note", "helpdesk", "tim menuju lokasi"),
                            ("note", "helpdesk", "sambung di tiang 12")]
    answer = ask(fake, HELPDESK_CHAT, "/cek sdn 1 magelang")
    assert re.search(r"Sedang ditangani oleh helpdesk sejak \d\d:\d\d: sambung di tiang 12", answer), answer
    assert ask(fake, HELPDESK_CHAT, "/ack 99999") == "Gangguan #99999 tidak ada."
    assert "Kirim /catatan ID CATATAN" in ask(fake, HELPDESK_CHAT, f"/catatan {outage}")
    assert "Kirim /ack ID" in ask(fake, HELPDESK_CHAT, "/ack besok")
    assert "longer than" in ask(fake, HELPDESK_CHAT, f"/catatan {outage} " + "x" * 2100)


def test_an_unlinked_chat_is_refused_once_and_logged(net: Engine, fake: FakeBotApi, start_bot: StartBot,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="netops.telegram")
    link(net, "helpdesk", HELPDESK_CHAT)
    start_bot()
    outage = open_outage(net)
    refusal = ask(fake, STRANGER_CHAT, f"/ack {outage} saya yang pegang")
    assert "belum terhubung" in refusal and "netops user link-telegram" in refusal
    fake.send(STRANGER_CHAT, "/gangguan")
    fake.send(STRANGER_CHAT, f"/ack {outage} lagi")
    ask(fake, HELPDESK_CHAT, "/bantuan")  # answered after the stranger's two messages
    assert fake.replies(STRANGER_CHAT) == [refusal]  # one polite refusal, then silence
    with session_scope(net) as session:
        row = session.get(Outage, outage)
        assert row is not None and row.acknowledged_by is None
        assert not [e for e in timeline.entries(session, outage) if e.kind in ("acknowledged", "note")]
    assert f"refused chat {STRANGER_CHAT} (tester): not linked" in caplog.text
    assert f"ignored chat {STRANGER_CHAT}" in caplog.text


def test_unlinked_reads_when_allowed_but_never_acts(
        net: Engine, fake: FakeBotApi, start_bot: StartBot) -> None:
    start_bot(allow_unlinked_read=True)
    outage = open_outage(net)
    assert ask(fake, STRANGER_CHAT, "/gangguan").startswith("Gangguan aktif")
    assert ask(fake, STRANGER_CHAT, "/cek sdn 1 magelang").startswith("SD Negeri 1 Magelang")
    assert "belum terhubung" in ask(fake, STRANGER_CHAT, f"/ack {outage} x")
    assert "belum terhubung" in ask(fake, STRANGER_CHAT, f"/catatan {outage} x")  # each time: they read
    with session_scope(net) as session:
        assert session.get(Outage, outage).acknowledged_by is None  # type: ignore[union-attr]


def test_the_role_decides_what_a_chat_may_do(net: Engine, fake: FakeBotApi, start_bot: StartBot,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The help desk may acknowledge (as on the web); were /ack for engineers only, the help
    desk's chat would be refused and the engineer's answered: the check is the user's role."""
    from netops.telegram import bot as bot_module

    monkeypatch.setitem(bot_module.COMMANDS, "ack", bot_module.Command("/ack", bot_module.WRITE, "engineer"))
    link(net, "helpdesk", HELPDESK_CHAT)
    link(net, "engineer", ENGINEER_CHAT)
    start_bot()
    outage = open_outage(net)
    assert ask(fake, HELPDESK_CHAT, f"/ack {outage}") == \
        "Peran Anda (helpdesk) tidak boleh memakai /ack; perlu engineer."
    assert ask(fake, ENGINEER_CHAT, f"/ack {outage}") == f"Gangguan #{outage} diambil oleh engineer."
    with session_scope(net) as session:
        assert [e.by for e in timeline.entries(session, outage) if e.kind == "acknowledged"] == ["engineer"]


def test_a_disabled_user_chat_is_refused(net: Engine, fake: FakeBotApi, start_bot: StartBot) -> None:
    from netops.accounts import set_enabled

    link(net, "engineer", ENGINEER_CHAT)
    start_bot()
    assert ask(fake, ENGINEER_CHAT, "/gangguan").startswith("Gangguan aktif")
    with session_scope(net) as session:
        set_enabled(session, "engineer", False)
    assert "belum terhubung" in ask(fake, ENGINEER_CHAT, "/gangguan")


def test_jadwal_lists_the_planned_works_of_today(net: Engine, settings: Settings, fake: FakeBotApi,
                                                 start_bot: StartBot) -> None:
    link(net, "helpdesk", HELPDESK_CHAT)
    now = datetime.now(UTC)
    view = NetworkViews.from_settings(net, settings).current()
    scope = maintenance.resolve_scope(view.graph, "link", "dist-utara:sfp1,acc-smpn1:sfp1")
    radius = maintenance.blast_radius(view.assessment, scope)
    with session_scope(net) as session:
        today = maintenance.create_window(session, scope, radius, starts_at=now - timedelta(minutes=30),
                                          ends_at=now + timedelta(hours=2), reason="sambung <b>FO</b>",
                                          by="budi", now=now)
        later = maintenance.create_window(session, scope, radius, starts_at=now + timedelta(days=2),
                                          ends_at=now + timedelta(days=2, hours=1), reason="ganti tiang",
                                          by="budi", now=now)
        today_id, later_id = today.id, later.id
    start_bot()
    reply = ask(fake, HELPDESK_CHAT, "/jadwal")
    assert reply.startswith("Pekerjaan terencana hari ini:")
    assert f"#{today_id} link acc-smpn1:sfp1--dist-utara:sfp1: sedang berlangsung, sampai" in reply
    assert "  sambung <b>FO</b>" in reply and "memutus: SMP Negeri 1 Magelang" in reply
    assert f"#{later_id} " not in reply and "ganti tiang" not in reply
    with session_scope(net) as session:
        maintenance.end_window(session, today_id, datetime.now(UTC))
    assert ask(fake, HELPDESK_CHAT, "/schedule") == "Tidak ada pekerjaan terencana hari ini."


def test_an_outage_inside_planned_works_says_so(net: Engine, settings: Settings, fake: FakeBotApi,
                                                start_bot: StartBot) -> None:
    from netops.monitor.monitor import Monitor, Probe
    from tests.web.seed import DEVICES

    link(net, "helpdesk", HELPDESK_CHAT)
    now = datetime.now(UTC)
    view = NetworkViews.from_settings(net, settings).current()
    scope = maintenance.resolve_scope(view.graph, "link", CUT)
    radius = maintenance.blast_radius(view.assessment, scope)
    with session_scope(net) as session:
        window = maintenance.create_window(session, scope, radius, starts_at=now - timedelta(hours=1),
                                           ends_at=now + timedelta(hours=3), reason="penyambungan FO",
                                           by="budi", now=now).id
    with session_scope(net) as session:  # the monitor's next evaluation finds the cut inside the works
        answered = {name: Probe(name, True, source="status poll") for name, *_ in DEVICES}
        Monitor(settings).evaluate(session, answered, now + timedelta(seconds=1))
    outage = open_outage(net)
    start_bot()
    answer = ask(fake, HELPDESK_CHAT, "/cek sdn 1 magelang")
    assert re.search(r"^Pekerjaan terencana sampai \d\d:\d\d: penyambungan FO$", answer, re.M), answer
    assert f"#{outage} Serat optik antara" in (listed := ask(fake, HELPDESK_CHAT, "/gangguan"))
    assert f"[pekerjaan terencana #{window}]" in listed


def test_a_hostile_site_name_is_sent_as_plain_text(
        net: Engine, fake: FakeBotApi, start_bot: StartBot) -> None:
    hostile = "<b>SD</b> & <script>alert(1)</script> Negeri 1"
    with session_scope(net) as session:
        site = session.scalar(select(Site).where(Site.name == "SD Negeri 1 Magelang"))
        assert site is not None
        site.name = hostile
    link(net, "helpdesk", HELPDESK_CHAT)
    start_bot()
    answer = ask(fake, HELPDESK_CHAT, f"/cek {hostile}")
    assert answer.splitlines()[0] == hostile  # shown as typed, never interpreted
    sent = [s for s in fake.sent if s.chat_id == HELPDESK_CHAT]
    assert sent and all("parse_mode" not in s.params for s in sent)


def test_api_errors_and_timeouts_back_off_and_the_bot_keeps_going(
        net: Engine, fake: FakeBotApi, start_bot: StartBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    link(net, "helpdesk", HELPDESK_CHAT)
    fake.fail_next("getUpdates", 500, times=3)
    fake.fail_next("getUpdates", 502)
    fake.stall_next("getUpdates", 4.0)  # the first call: longer than the client waits (1 s poll + 1 s)
    fake.fail_next("sendMessage", 500)  # the first reply is retried
    bot = start_bot()
    assert "Perintah bot netops" in ask(fake, HELPDESK_CHAT, "/bantuan")
    assert bot.running and fake.count("getUpdates") >= 5 and fake.count("sendMessage") == 2
    assert "HTTP 500" in caplog.text and "timed out" in caplog.text
    assert "bot***/getUpdates" in caplog.text  # the 500's description echoed the path: redacted
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text


def test_a_refused_token_stops_the_bot_with_a_clear_error(
        net: Engine, fake: FakeBotApi, start_bot: StartBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "987654321:AAH-revoked-WRONG-token"
    bot = start_bot(token=wrong)
    deadline = time.monotonic() + 10
    while bot.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not bot.running and bot.stopped_reason == "unauthorized"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("refused the token" in e and "HTTP 401" in e and "[telegram] token" in e for e in errors)
    assert wrong not in caplog.text and "WRONG" not in caplog.text
    assert fake.count("getUpdates") == 0  # the fake never saw its own token: nothing was served


def test_the_service_hook_starts_the_bot_from_the_settings(
        net: Engine, settings: Settings, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.telegram_cmds import start_bot as service_bot

    link(net, "helpdesk", HELPDESK_CHAT)
    assert service_bot(settings, net) is None  # [telegram] enabled = false: no bot
    monkeypatch.delenv("NETOPS_TEST_BOT_TOKEN", raising=False)
    assert service_bot(bot_settings(settings, fake.url), net) is None  # no token: logged, no bot
    monkeypatch.setenv("NETOPS_TEST_BOT_TOKEN", TOKEN)
    bot = service_bot(bot_settings(settings, fake.url), net)
    assert bot is not None
    try:
        update = fake.send(HELPDESK_CHAT, "/gangguan")
        assert fake.wait_replies(HELPDESK_CHAT, 1)[0].startswith("Gangguan aktif")
    finally:
        bot.stop()
    assert not bot.running
    method, params = fake.calls[-1]  # on the way out: what was answered is confirmed to Telegram
    assert method == "getUpdates" and params["offset"] == update + 1 and params["timeout"] == 0


def test_netops_run_answers_in_telegram_and_stops_on_ctrl_c(net: Engine, settings: Settings,
                                                             fake: FakeBotApi) -> None:
    """The real service: ``netops run`` with ``[telegram] enabled`` answers through the fake API,
    never prints the token, and Ctrl-C stops it cleanly."""
    import os
    import signal
    import subprocess
    import sys

    link(net, "helpdesk", HELPDESK_CHAT)
    env = {**os.environ, "NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_WEB__PORT": "0",
           "NETOPS_MONITOR__ICMP": "false", "PYTHONUNBUFFERED": "1", "NETOPS_TELEGRAM__ENABLED": "true",
           "NETOPS_TELEGRAM__TOKEN": "env:RUN_TEST_BOT_TOKEN", "RUN_TEST_BOT_TOKEN": TOKEN,
           "NETOPS_TELEGRAM__API_URL": fake.url, "NETOPS_TELEGRAM__POLL_TIMEOUT_S": "1"}
    proc = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "-v", "run", "--no-traps"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        fake.send(HELPDESK_CHAT, "/gangguan")
        assert fake.wait_replies(HELPDESK_CHAT, 1, timeout_s=60)[0].startswith("Gangguan aktif")
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, output
    assert "telegram bot polling" in output and TOKEN.split(":")[1] not in output


def test_a_scoped_user_sees_and_acts_on_its_own_sites_only(
        net: Engine, fake: FakeBotApi, start_bot: StartBot) -> None:
    """Scoped logins hold in Telegram too: the school cut off is outside Dinas Kesehatan's scope."""
    from netops.accounts import set_scope
    from netops.scope import Scope

    with session_scope(net) as session:
        set_scope(session, "helpdesk", Scope.parse(["site=Dinas Kesehatan"]))
    link(net, "helpdesk", HELPDESK_CHAT)
    start_bot()
    outage = open_outage(net)
    assert ask(fake, HELPDESK_CHAT, "/cek SD Negeri 1") == 'Tidak ada lokasi yang cocok dengan "SD Negeri 1".'
    assert ask(fake, HELPDESK_CHAT, "/cek dinas kesehatan").startswith("Dinas Kesehatan\n")
    listed = ask(fake, HELPDESK_CHAT, "/gangguan")
    assert f"#{outage} " not in listed and "SD Negeri 1" not in listed and "acc-sdn1" not in listed
    assert ask(fake, HELPDESK_CHAT, f"/ack {outage} saya ambil") == f"Gangguan #{outage} tidak ada."
    with session_scope(net) as session:
        row = session.get(Outage, outage)
        assert row is not None and row.acknowledged_by is None  # nothing done outside the scope


@pytest.mark.timing
def test_with_two_schedulers_only_the_leader_runs_the_bot(net: Engine, settings: Settings,
                                                         fake: FakeBotApi) -> None:
    """One token is long-polled by one instance: the follower starts the bot only once it leads."""
    import os
    import signal
    import subprocess
    import sys
    import threading

    link(net, "helpdesk", HELPDESK_CHAT)
    env = {**os.environ, "NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_WEB__PORT": "0",
           "NETOPS_MONITOR__ICMP": "false", "PYTHONUNBUFFERED": "1", "NETOPS_TELEGRAM__ENABLED": "true",
           "NETOPS_TELEGRAM__TOKEN": "env:RUN_TEST_BOT_TOKEN", "RUN_TEST_BOT_TOKEN": TOKEN,
           "NETOPS_TELEGRAM__API_URL": fake.url, "NETOPS_TELEGRAM__POLL_TIMEOUT_S": "1",
           "NETOPS_LEADER__LEASE_S": "4", "NETOPS_LEADER__RENEW_S": "1"}
    outputs: dict[str, list[str]] = {"a": [], "b": []}
    procs: dict[str, subprocess.Popen[str]] = {}

    def start(name: str) -> None:
        argv = [sys.executable, "-c", "from cli import main; main()", "-v", "run", "--no-traps"]
        proc = subprocess.Popen(argv, env={**env, "NETOPS_INSTANCE": f"bot-{name}"}, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        procs[name] = proc
        assert proc.stdout is not None
        stream = proc.stdout
        threading.Thread(target=lambda: outputs[name].extend(iter(stream.readline, "")), daemon=True).start()

    def said(name: str, text: str, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(text in line for line in outputs[name]):
                return True
            time.sleep(0.2)
        return False

    try:
        start("a")
        assert said("a", "telegram bot polling", 60), "".join(outputs["a"])
        start("b")
        assert said("b", "scheduler following", 60), "".join(outputs["b"])
        fake.send(HELPDESK_CHAT, "/gangguan")
        assert fake.wait_replies(HELPDESK_CHAT, 1, timeout_s=30)[0].startswith("Gangguan aktif")
        assert not any("telegram bot polling" in line for line in outputs["b"])  # the follower keeps off
        procs["a"].send_signal(signal.SIGKILL)
        procs["a"].wait(10)
        assert said("b", "telegram bot polling", 40), "".join(outputs["b"])  # the new leader takes it
        fake.send(HELPDESK_CHAT, "/gangguan")
        assert len(fake.wait_replies(HELPDESK_CHAT, 2, timeout_s=30)) == 2
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
