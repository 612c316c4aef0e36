"""Unbound Flask extensions (CSRF, Babel) and the Jinja filters, bound by ``init_app``.

Language: the logged-in user's setting, else the one picked on the login page (session),
else the browser's Accept-Language, else the configured default. Times are shown in the
zone of ``web.timezone`` (``NETOPS_WEB__TIMEZONE``; default Asia/Jakarta, WIB, for Magelang).

Every string a template prints goes through ``inventory.display.clean`` (the Jinja
``finalize`` hook, before autoescaping), so a sysName with bidi controls or terminal escapes
shows harmless wherever a template puts it; the ``clean`` filter does the same on demand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, request, session
from flask_babel import Babel, format_datetime, format_time, get_locale, gettext, lazy_gettext, ngettext
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup

from inventory.display import clean
from web.links import cause_headline, element_ends, tel_uri

LANGUAGES = {"en": "English", "id": "Bahasa Indonesia"}

csrf = CSRFProtect()
babel = Babel()


def select_locale() -> str:
    user = g.get("user")
    if user is not None and user.language in LANGUAGES:
        return str(user.language)
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(list(LANGUAGES)) or _default()


def select_timezone() -> str:
    """The configured ``web.timezone`` (validated when the settings were loaded)."""
    from flask import current_app

    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _default() -> str:
    from flask import current_app

    return str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


def init_app(app: Flask) -> None:
    settings = app.extensions["netops.settings"]
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", settings.web.timezone)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.finalize = _finalize
    app.jinja_env.filters.update(
        clean=clean,
        dt=_format_dt,
        hhmm=_format_hhmm,
        duration=format_duration,
        span=format_span,
        bps=format_bps,
        num=_format_num,
        ago=_format_ago,
        dts=_format_dts,
        hms=_format_hms,
        tel=tel_uri,
        capfirst=capfirst,
    )
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, get_locale=get_locale, state_label=state_label, element_ends=element_ends,
        cause_headline=cause_headline,
    )


def _finalize(value: Any) -> Any:
    """Clean every printed text that is not already markup (markup builders clean their own)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value)
    return value


STATE_LABELS = {
    "up": lazy_gettext("up"),
    "down": lazy_gettext("down"),
    "degraded": lazy_gettext("degraded"),
    "unreachable": lazy_gettext("unreachable"),
    "agent_down": lazy_gettext("agent down"),
    "unknown": lazy_gettext("unknown"),
    "online": lazy_gettext("Online"),
    "offline": lazy_gettext("Offline"),
    "connected": lazy_gettext("Online"),  # site states in events
    "disconnected": lazy_gettext("Offline"),
    "paused": lazy_gettext("paused"),
    # job run results and triggers
    "ok": lazy_gettext("ok"),
    "partial": lazy_gettext("partial"),
    "failed": lazy_gettext("failed"),
    "error": lazy_gettext("error"),
    "running": lazy_gettext("running"),
    "aborted": lazy_gettext("aborted"),
    "schedule": lazy_gettext("schedule"),
    "manual": lazy_gettext("manual"),
    "trap": lazy_gettext("trap"),
}


def state_label(state: str) -> str:
    """A state in the reader's language; translated once per request, not once per row."""
    labels: dict[str, str] | None = g.get("state_labels")
    if labels is None:
        labels = g.state_labels = {key: str(text) for key, text in STATE_LABELS.items()}
    return labels.get(state, state)


def _format_dt(value: datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else "–"


def _format_hhmm(value: datetime | None) -> str:
    return format_time(value, "HH:mm") if value else "–"


def _format_dts(value: datetime | None) -> str:
    """Date and time to the second (job runs: cycles a few seconds apart must read apart)."""
    return format_datetime(value, "yyyy-MM-dd HH:mm:ss") if value else "–"


def _format_hms(value: datetime | None) -> str:
    return format_time(value, "HH:mm:ss") if value else "–"


def capfirst(text: str | None) -> str:
    """The first letter in upper case: the wording's phrases start in lower case."""
    return text[:1].upper() + text[1:] if text else ""


def _format_ago(value: datetime | None) -> str:
    return format_duration((datetime.now(UTC) - value).total_seconds()) if value else "–"


def _format_num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def format_duration(seconds: float | None) -> str:
    """'N minutes' under two hours, then hours, then days (translated)."""
    if seconds is None:
        return "–"
    minutes = int(seconds // 60)
    if minutes < 120:
        return str(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    hours = minutes // 60
    if hours < 48:
        return str(ngettext("%(num)d hour", "%(num)d hours", hours))
    return str(ngettext("%(num)d day", "%(num)d days", hours // 24))


def format_span(seconds: float | None) -> str:
    """Like ``format_duration``, in seconds under two minutes ("45 seconds", not "0 minutes")."""
    if seconds is not None and seconds < 120:
        return str(ngettext("%(num)d second", "%(num)d seconds", max(0, round(seconds))))
    return format_duration(seconds)


def format_bps(value: float | None) -> str:
    if value is None:
        return "–"
    for unit, scale in (("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return str(gettext("%(value)d bit/s", value=int(value)))
