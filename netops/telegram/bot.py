"""The bot: long polling, one reply per message, as the netops user the chat is linked to.

``TelegramBot.run`` asks ``getUpdates`` with the offset after the last message handled (which
confirms it to Telegram), answers each message in its own database transaction and sends the
reply after the commit, so an acknowledgement is recorded even when the reply cannot be sent.
Network errors, timeouts and 5xx answers back off (doubling up to ``max_backoff_s``) and never
end the loop; a 429 waits what Telegram asks; a 401 (wrong or revoked token) logs one clear
error without the token and stops the bot. A bug in one reply is logged and the next message
is answered.

Who may do what is decided as on the web, from the linked user's role read at every message:
``/cek``, ``/gangguan``, ``/jadwal`` need a linked user (or ``allow_unlinked_read``);
``/ack`` and ``/catatan`` need at least ``helpdesk`` (the help desk takes the calls, so it may
take and annotate outages, as on the outage page) and always a linked user, whose name goes on
the timeline. An unknown chat gets one polite refusal telling how to link, and is logged;
``/start CODE`` links it (five wrong codes per chat and the bot stops reading its codes).
Every log line of this module goes through ``RedactToken``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from inventory.db import session_scope
from netops.accounts import ROLES, CurrentUser
from netops.encryption import ENC_PREFIX, SecretError, decrypt
from netops.monitor import timeline
from netops.monitor.network_view import NetworkViews
from netops.monitor.queries import get_outage
from netops.scope import resolve
from netops.settings import Settings
from netops.telegram import links, replies
from netops.telegram.client import (
    MAX_MESSAGE,
    ApiError,
    BotApi,
    ChatMessage,
    RateLimited,
    Unauthorized,
    redact,
)

log = logging.getLogger(__name__)
MAX_CODE_TRIES = 5
SEND_ATTEMPTS = 3
MAX_RATE_WAIT_S = 60.0
MAX_REMEMBERED_CHATS = 10000  # refused chats and code tries kept in memory (a flood cannot grow them more)

READ, WRITE = "read", "write"


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # the Indonesian name, used in messages
    access: str  # READ or WRITE
    role: str  # the least role of a linked user


COMMANDS: dict[str, Command] = {}
for _names, _command in (
    (("cek", "check", "status"), Command("/cek", READ, "helpdesk")),
    (("gangguan", "outages"), Command("/gangguan", READ, "helpdesk")),
    (("jadwal", "schedule"), Command("/jadwal", READ, "helpdesk")),
    (("ack",), Command("/ack", WRITE, "helpdesk")),
    (("catatan", "note"), Command("/catatan", WRITE, "helpdesk")),
    (("bantuan", "help"), Command("/bantuan", READ, "helpdesk")),
):
    for _name in _names:
        COMMANDS[_name] = _command


class RedactToken(logging.Filter):
    """Formats each record of the bot's logger with the token replaced by ``***`` (message,
    arguments and traceback), before any handler sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.tokens:
            return True
        message = record.getMessage()
        trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else record.exc_text
        for token in self.tokens:
            message = redact(message, token)
            trace = redact(trace, token) if trace else trace
        record.msg, record.args, record.exc_info, record.exc_text = message, None, None, trace
        return True


_REDACT = RedactToken()
log.addFilter(_REDACT)


def read_token(settings: Settings) -> str:
    """The token behind ``[telegram] token`` (``env:NAME``, ``file:PATH`` first line, ``enc:...``)."""
    import os
    from pathlib import Path

    ref = settings.telegram.token or ""
    if ref.startswith("env:"):
        name = ref[len("env:"):]
        if not os.environ.get(name):
            raise SecretError(f"telegram.token: environment variable {name} is not set")
        return os.environ[name].strip()
    if ref.startswith("file:"):
        path = Path(ref[len("file:"):]).expanduser()
        try:
            lines = path.read_text().splitlines()
        except OSError as exc:
            raise SecretError(f"telegram.token: cannot read {path}: {exc.strerror}") from None
        if not lines or not lines[0].strip():
            raise SecretError(f"telegram.token: {path} is empty")
        return lines[0].strip()
    if ref.startswith(ENC_PREFIX):
        return decrypt(ref, settings)
    raise SecretError("telegram.token: set it to a reference (env:NAME or file:PATH)")


def parse(text: str) -> tuple[str | None, str]:
    """``("cek", "sdn 1")`` for ``/cek@netops_bot sdn 1``; ``(None, text)`` for plain text."""
    text = text.strip()
    if not text.startswith("/"):
        return None, text
    head, _, rest = text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    return name, rest.strip()


def _outage_and_text(args: str) -> tuple[int | None, str]:
    head, _, rest = args.strip().partition(" ")
    head = head.lstrip("#")
    return (int(head), rest.strip()) if head.isdigit() and len(head) < 12 else (None, args)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Telegram takes at most ``limit`` characters a message: a long list goes in several, cut
    between lines (a single line longer than that is cut where it must)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current:
        parts.append(current)
    return parts or [""]


class TelegramBot:
    """The bot's loop in a thread (``start``/``stop``) or in the foreground (``run``)."""

    def __init__(self, settings: Settings, engine: Engine, api: BotApi, *, backoff_s: float = 1.0,
                 max_backoff_s: float = 60.0, now: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.api = api
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._now = now or (lambda: datetime.now(UTC))
        self._views = NetworkViews.from_settings(engine, settings)
        self._zone = ZoneInfo(settings.web.timezone)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._refused: set[int] = set()
        self._code_tries: dict[int, int] = {}
        self.offset: int | None = None
        self.stopped_reason: str | None = None  # "unauthorized" when the API refused the token
        self.handled = 0
        _REDACT.tokens.add(api.token)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, **kwargs: object) -> TelegramBot:
        """Raises ``SecretError`` (no token) with a message naming the setting, never the token."""
        api = BotApi(read_token(settings), settings.telegram.api_url)
        return cls(settings, engine, api, **kwargs)  # type: ignore[arg-type]

    # -- running -----------------------------------------------------------------------------
    def start(self) -> TelegramBot:
        self._thread = threading.Thread(target=self.run, name="netops-telegram", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 3.0) -> None:
        """Ask the loop to end; a long poll in progress ends by itself (the thread is a daemon)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        """Poll and answer until ``stop`` or a 401."""
        delay = self.backoff_s
        log.info("telegram bot polling %s", self.api.api_url)
        while not self._stop.is_set():
            try:
                updates = self.api.get_updates(self.offset, self.settings.telegram.poll_timeout_s)
            except Unauthorized as exc:
                self._unauthorized(exc)
                return
            except RateLimited as exc:
                log.warning("%s; waiting %.0f s", exc, exc.retry_after)
                self._stop.wait(min(exc.retry_after, MAX_RATE_WAIT_S))
                continue
            except ApiError as exc:
                log.warning("%s; retrying in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, self.max_backoff_s)
                continue
            except Exception:  # a bug here must not end the bot either
                log.exception("telegram getUpdates failed; retrying in %.1f s", delay)
                self._stop.wait(delay)
                delay = min(delay * 2, self.max_backoff_s)
                continue
            delay = self.backoff_s
            for message in updates:
                self.offset = max(self.offset or 0, message.update_id + 1)
                try:
                    self.handle(message)
                except Unauthorized as exc:
                    self._unauthorized(exc)
                    return
                except Exception:  # one bad reply must not stop the help desk's bot
                    log.exception("telegram: answering update %s failed", message.update_id)
                self.handled += 1
        self._confirm()
        log.info("telegram bot stopped")

    def _confirm(self) -> None:
        """Tell Telegram the messages answered so far are done, so a restart does not answer (and
        acknowledge) them again; Telegram forgets unconfirmed updates after 24 hours anyway."""
        if self.offset is None:
            return
        try:
            self.api.get_updates(self.offset, 0)
        except ApiError as exc:
            log.info("%s; the last answered messages may be delivered again", exc)

    def _unauthorized(self, exc: ApiError) -> None:
        self.stopped_reason = "unauthorized"
        log.error("telegram bot stopped: the Bot API refused the token (%s); check [telegram] token "
                  "(a revoked token needs a new one from @BotFather)", exc)

    # -- one message -------------------------------------------------------------------------
    def handle(self, message: ChatMessage) -> None:
        if message.chat_id == 0 or not message.text.strip():
            return
        with session_scope(self.engine) as session:
            reply = self.reply(session, message)
        if reply:
            self._send(message.chat_id, reply)

    def _send(self, chat_id: int, text: str) -> None:
        for part in split_message(text):
            self._send_one(chat_id, part)

    def _send_one(self, chat_id: int, text: str) -> None:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                self.api.send_message(chat_id, text)
                return
            except Unauthorized:
                raise
            except RateLimited as exc:
                wait = min(exc.retry_after, MAX_RATE_WAIT_S)
            except ApiError as exc:
                wait = self.backoff_s * attempt
                if attempt == SEND_ATTEMPTS:
                    log.warning("%s; reply to chat %s dropped", exc, chat_id)
                    return
            if self._stop.wait(wait):
                return

    def reply(self, session: Session, message: ChatMessage) -> str | None:
        """The answer to one message (None: stay silent), written in ``session``."""
        name, args = parse(message.text)
        user = links.user_of_chat(session, message.chat_id)
        if name == "start":
            return self._start(session, message, args, user)
        lang = (user.language if user and user.language in replies.PHRASES else None) \
            or self.settings.telegram.language
        if name is None:
            name = "cek"  # plain text from a chat: the site it names
        command = COMMANDS.get(name)
        if user is None:
            if self.settings.telegram.allow_unlinked_read and command is not None:
                if command.access == READ:
                    return self._run(session, name, args, None, lang)
                log.warning("telegram: refused %s from chat %s (%s): not linked", command.name,
                            message.chat_id, message.sender)
                return replies.say("not_linked", lang)
            return self._refuse(message, lang)
        if command is None:
            return replies.say("unknown_command", lang, command="/" + name[:32])
        if ROLES.index(user.role) < ROLES.index(command.role):
            return replies.say("role_needed", lang, role=user.role, command=command.name, needed=command.role)
        return self._run(session, name, args, user, lang)

    def _refuse(self, message: ChatMessage, lang: str) -> str | None:
        if message.chat_id in self._refused:
            log.info("telegram: ignored chat %s (%s): not linked", message.chat_id, message.sender)
            return None
        if len(self._refused) >= MAX_REMEMBERED_CHATS:
            self._refused.clear()
        self._refused.add(message.chat_id)
        log.warning("telegram: refused chat %s (%s): not linked to a netops user", message.chat_id,
                    message.sender)
        return replies.say("not_linked", lang)

    def _start(self, session: Session, message: ChatMessage, code: str,
               user: CurrentUser | None) -> str | None:
        lang = self.settings.telegram.language
        if not code:
            if user is None:
                return self._refuse(message, lang)
            lang = user.language or lang
            return replies.say("linked_as", lang, user=user.name, role=user.role) + "\n\n" + \
                replies.say("help", lang)
        tries = self._code_tries.get(message.chat_id, 0)
        if tries >= MAX_CODE_TRIES:
            log.warning("telegram: chat %s (%s) sent another code after %d wrong ones: ignored",
                        message.chat_id, message.sender, tries)
            return None
        linked = links.redeem(session, code, message.chat_id, self._now())
        if linked is None:
            if len(self._code_tries) >= MAX_REMEMBERED_CHATS:
                self._code_tries = {k: v for k, v in self._code_tries.items() if v >= MAX_CODE_TRIES}
            self._code_tries[message.chat_id] = tries + 1
            log.warning("telegram: chat %s (%s) sent a wrong or expired code", message.chat_id,
                        message.sender)
            return replies.say("bad_code", lang)
        self._refused.discard(message.chat_id)
        log.warning("telegram: chat %s (%s) linked to netops user %s", message.chat_id, message.sender,
                    linked.name)
        lang = linked.language or lang
        return replies.say("linked_as", lang, user=linked.name, role=linked.role) + "\n\n" + \
            replies.say("help", lang)

    def _run(self, session: Session, name: str, args: str, user: CurrentUser | None, lang: str) -> str:
        command = COMMANDS[name]
        if command.name == "/bantuan":
            return replies.say("help", lang)
        visible = resolve(session, user.scope) if user is not None and user.scope else None
        ctx = replies.Context(session, self._views.current(), lang, self._zone, self._now(), visible)
        if command.name == "/cek":
            return replies.check_site(ctx, args)
        if command.name == "/gangguan":
            return replies.outages(ctx)
        if command.name == "/jadwal":
            return replies.works_today(ctx)
        assert user is not None  # writes always need a linked user
        return self._act(ctx, command.name, args, user)

    def _act(self, ctx: replies.Context, command: str, args: str, user: CurrentUser) -> str:
        session, lang = ctx.session, ctx.lang
        outage_id, text = _outage_and_text(args)
        usage = "ack_usage" if command == "/ack" else "note_usage"
        if outage_id is None or (command == "/catatan" and not text):
            return replies.say(usage, lang)
        if ctx.visible is not None:  # an outage outside a scoped user's part is as if it did not exist
            found = get_outage(session, outage_id, self._now())
            if found is None or not replies.outage_in(ctx, found):
                return replies.say("no_outage", lang, id=outage_id)
        try:
            if command == "/ack":
                timeline.acknowledge(session, outage_id, user.name, self._now(), text or None)
                done = replies.say("acked", lang, id=outage_id, user=user.name)
            else:
                timeline.add_note(session, outage_id, user.name, text, self._now())
                done = replies.say("noted", lang, id=outage_id, user=user.name)
        except timeline.UnknownOutage:
            session.rollback()
            return replies.say("no_outage", lang, id=outage_id)
        except timeline.HandlingError as exc:
            session.rollback()
            return str(exc)
        log.info("telegram: %s %s on outage #%s by %s", command, "with a note" if text else "", outage_id,
                 user.name)
        return done
