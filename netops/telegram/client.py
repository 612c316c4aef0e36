"""A small Telegram Bot API client over HTTPS: ``getUpdates`` (long polling) and ``sendMessage``.

Why not python-telegram-bot: the bot needs two methods, and that library brings an asyncio
application framework, httpx and its own retry and threading model into a service whose other
parts are plain threads; its base-URL setting works, but a direct client is twenty lines, has
no new dependency (``urllib.request`` of the standard library) and is exactly what the tests
drive through a fake Bot API on 127.0.0.1. ``api_url`` is the configurable base URL.

The token is a secret: it is part of every request URL (``/bot<TOKEN>/method``), so no URL and no
exception text leaves this module unredacted. Every failure is one of three errors carrying a
message with the token replaced by ``***``: ``Unauthorized`` (401: the token is wrong or revoked;
the bot stops), ``RateLimited`` (429 with Telegram's ``retry_after``) and ``ApiError`` (network,
timeouts, 5xx, malformed answers, other refusals).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

DEFAULT_API_URL = "https://api.telegram.org"
MAX_MESSAGE = 4096  # Telegram's limit for one message's text
MAX_ANSWER_BYTES = 4 * 1024 * 1024


class ApiError(Exception):
    """The Bot API could not be reached or refused a request (message without the token)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Unauthorized(ApiError):
    """HTTP 401: the token is wrong or revoked. Retrying cannot help."""


class RateLimited(ApiError):
    """HTTP 429: Telegram asks to wait ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, 429)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """The part of an incoming message the bot reads."""

    update_id: int
    chat_id: int
    text: str
    sender: str  # the Telegram username or first name, for the log


def redact(text: str, token: str) -> str:
    return text.replace(token, "***") if token else text


class BotApi:
    """``getUpdates`` and ``sendMessage`` against ``api_url`` with one token."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, timeout_s: float = 10.0) -> None:
        if not token:
            raise ValueError("telegram: no bot token")
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"BotApi({self.api_url!r}, token='***')"

    @property
    def token(self) -> str:
        """For redaction only (``bot.RedactToken``); never shown."""
        return self._token

    def _redact(self, text: str) -> str:
        return redact(text, self._token)

    def call(self, method: str, params: dict[str, Any], timeout_s: float | None = None) -> Any:
        """POST ``params`` as JSON to ``method``; the ``result`` of an ``ok`` answer."""
        url = f"{self.api_url}/bot{self._token}/{method}"
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked by the settings
            url, data=json.dumps(params).encode(), method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "netops-telegram"})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s or self.timeout_s) as answer:  # noqa: S310
                body = answer.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            raise self._http_error(method, exc) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:  # timeouts too
            reason = getattr(exc, "reason", exc)
            raise ApiError(self._redact(f"telegram {method}: {reason}")) from None
        try:
            data = json.loads(body)
        except ValueError:
            raise ApiError(f"telegram {method}: the answer is not JSON") from None
        if not isinstance(data, dict) or not data.get("ok"):
            text = data.get("description", "") if isinstance(data, dict) else ""
            raise ApiError(self._redact(f"telegram {method}: refused: {text}"))
        return data.get("result")

    def _http_error(self, method: str, exc: urllib.error.HTTPError) -> ApiError:
        description = ""
        retry_after = 5.0
        try:
            data = json.loads(exc.read(65536) or b"{}")
            if isinstance(data, dict):
                description = str(data.get("description", ""))
                params = data.get("parameters")
                if isinstance(params, dict) and isinstance(params.get("retry_after"), int | float):
                    retry_after = float(params["retry_after"])
        except (ValueError, OSError):
            pass
        message = self._redact(f"telegram {method}: HTTP {exc.code} {description or exc.reason}".rstrip())
        exc.close()
        if exc.code == 401:
            return Unauthorized(message, 401)
        if exc.code == 429:
            return RateLimited(message, retry_after)
        return ApiError(message, exc.code)

    def get_updates(self, offset: int | None, timeout_s: int) -> list[ChatMessage]:
        """Messages after ``offset`` (which confirms the ones before it), waiting up to ``timeout_s``."""
        params: dict[str, Any] = {"timeout": timeout_s, "allowed_updates": ["message"]}
        if offset is not None:
            params["offset"] = offset
        result = self.call("getUpdates", params, timeout_s=timeout_s + self.timeout_s)
        if not isinstance(result, list):
            raise ApiError("telegram getUpdates: the result is not a list")
        return [m for m in (_message(u) for u in result if isinstance(u, dict)) if m is not None]

    def send_message(self, chat_id: int, text: str) -> None:
        """Plain text (no parse mode: a site named ``<b>`` shows as typed), cut at Telegram's limit."""
        self.call("sendMessage", {"chat_id": chat_id, "text": text[:MAX_MESSAGE],
                                  "disable_web_page_preview": True})


def _message(update: dict[str, Any]) -> ChatMessage | None:
    """The message of an update; an update without a text message (a photo, an edit) comes back
    with chat id 0: nothing to answer, but the offset moves past it."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int):
        return None
    message = update.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    text = message.get("text") if isinstance(message, dict) else None
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), int) or not isinstance(text, str):
        return ChatMessage(update_id, 0, "", "")
    assert isinstance(message, dict)
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    name = str(sender.get("username") or sender.get("first_name") or "?") if sender else "?"
    return ChatMessage(update_id, chat["id"], text, name[:64])

