"""``netops telegram run|links`` and ``netops user link-telegram|unlink-telegram``: the help-desk bot.

``telegram run`` runs the bot alone in the foreground (``netops run`` starts it beside the
scheduler when ``[telegram] enabled``, through ``start_bot``). ``user link-telegram NAME``
prints a one-time code the user sends to the bot as ``/start CODE``; with a CHAT_ID it links
that chat at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from cli.common import engine_from, fail, settings_from, setup_logging

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from netops.settings import Settings
    from netops.telegram.bot import TelegramBot

log = logging.getLogger(__name__)
NEGATIVE_IDS = {"ignore_unknown_options": True}  # a group chat's id is negative: -100123, not an option


def start_bot(settings: Settings, engine: Engine) -> TelegramBot | None:
    """The bot in a thread when ``[telegram] enabled``; a token that cannot be read is logged
    and the service runs without the bot."""
    if not settings.telegram.enabled:
        return None
    from netops.encryption import SecretError
    from netops.telegram.bot import TelegramBot

    try:
        bot = TelegramBot.from_settings(settings, engine)
    except (SecretError, ValueError) as exc:
        log.error("telegram bot disabled: %s", exc)
        return None
    return bot.start()


@click.group("telegram")
def telegram_group() -> None:
    """The Telegram bot of the help desk: /cek, /gangguan, /ack, /catatan, /jadwal."""


@telegram_group.command("run")
@click.pass_context
def run_cmd(ctx: click.Context) -> None:
    """Run the bot alone in the foreground (Ctrl-C stops it)."""
    from netops.encryption import SecretError
    from netops.telegram.bot import TelegramBot

    settings, engine = settings_from(ctx), engine_from(ctx)
    setup_logging(int(ctx.find_root().obj.get("verbose", 0) or 0), service=True)
    try:
        bot = TelegramBot.from_settings(settings, engine)
    except (SecretError, ValueError) as exc:
        fail(str(exc))
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        bot.start()
        click.echo(f"telegram bot polling {settings.telegram.api_url} (Ctrl-C to stop)", err=True)
        while bot.running and not stop.wait(0.5):
            pass
    finally:
        bot.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if bot.stopped_reason == "unauthorized":
        fail("the Telegram Bot API refused the token (HTTP 401); check [telegram] token")
    click.echo("telegram bot stopped", err=True)


@telegram_group.command("links")
@click.pass_context
def links_cmd(ctx: click.Context) -> None:
    """Chats linked to netops users."""
    from inventory.db import session_scope
    from netops.telegram.links import linked_chats

    with session_scope(engine_from(ctx)) as session:
        rows = linked_chats(session)
    if not rows:
        click.echo("no linked chats")
    for row in rows:
        click.echo(f"{row.user}\t{row.chat_id}")


@click.command("link-telegram", context_settings=NEGATIVE_IDS)
@click.argument("name")
@click.argument("chat_id", required=False, type=int)
@click.pass_context
def link_cmd(ctx: click.Context, name: str, chat_id: int | None) -> None:
    """Print a one-time code NAME sends to the bot as /start CODE (or link CHAT_ID at once)."""
    from inventory.db import session_scope
    from netops.accounts import AccountError
    from netops.telegram.links import CODE_TTL, link_chat, new_code

    now = datetime.now(UTC)
    try:
        with session_scope(engine_from(ctx)) as session:
            if chat_id is not None:
                link_chat(session, name, chat_id, now)
            else:
                code = new_code(session, name, now)
    except AccountError as exc:
        fail(str(exc))
    if chat_id is not None:
        click.echo(f"chat {chat_id} linked to {name}")
        return
    minutes = int(CODE_TTL.total_seconds() // 60)
    click.echo(f"{name}: send this to the netops bot within {minutes} minutes (shown once):")
    click.echo(f"/start {code}")


@click.command("unlink-telegram", context_settings=NEGATIVE_IDS)
@click.argument("name")
@click.argument("chat_id", required=False, type=int)
@click.pass_context
def unlink_cmd(ctx: click.Context, name: str, chat_id: int | None) -> None:
    """Unlink NAME's chats (or only CHAT_ID) and drop unused codes."""
    from inventory.db import session_scope
    from netops.accounts import AccountError
    from netops.telegram.links import unlink

    try:
        with session_scope(engine_from(ctx)) as session:
            count = unlink(session, name, chat_id)
    except AccountError as exc:
        fail(str(exc))
    click.echo(f"{count} chat(s) of {name} unlinked")


def register(group: click.Group) -> None:
    group.add_command(telegram_group)
    users = group.commands.get("user")
    if isinstance(users, click.Group):
        users.add_command(link_cmd)
        users.add_command(unlink_cmd)
