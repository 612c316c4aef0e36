"""Web commands: ``netops serve``, ``netops user add|list|delete|disable|enable|passwd|role|scope``,
``netops token create|revoke``.

``serve`` runs the web UI and API alone (no scheduler: job buttons answer 503; ``netops run``
runs both). Users and tokens are managed here so the first admin exists before anyone can
log in; a new token is printed once, on the last line, and only its hash is stored.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from cli.common import engine_from, fail, settings_from

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from netops.scope import Scope


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default: web.host, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default: web.port, 8000).")
@click.option("--workers", default=1, type=click.IntRange(1, 64), envvar="NETOPS_WEB_WORKERS",
              show_default=True,
              help="Processes: 1 serves with waitress in this process; 2 or more with gunicorn (pre-fork, "
                   "web.threads threads each).")
@click.option("--timeout", "timeout_s", default=60, type=click.IntRange(5, 3600), show_default=True,
              help="With --workers 2+: a worker busy on one request this many seconds is replaced.")
@click.pass_context
def serve_cmd(ctx: click.Context, host: str | None, port: int | None, workers: int, timeout_s: int) -> None:
    """Serve the web UI and the JSON API (without the scheduler)."""
    from cli.web_server import WebServer, create_web_app, serve_with_gunicorn

    settings = settings_from(ctx)
    bind_host, bind_port = host or settings.web.host, settings.web.port if port is None else port
    if workers > 1:
        engine_from(ctx).dispose()  # a database must exist; each worker opens its own engine
        click.echo(f"netops web on http://{bind_host}:{bind_port}/ with {workers} gunicorn workers "
                   "(Ctrl-C to stop)")
        try:
            serve_with_gunicorn(settings, bind_host, bind_port, workers, timeout_s)
        except KeyboardInterrupt:  # Ctrl-C before gunicorn's arbiter took over its signals
            click.echo("netops web stopped", err=True)
        return
    app = create_web_app(settings, engine_from(ctx))
    try:
        server = WebServer(app, settings, bind_host, bind_port)
    except OSError as exc:
        fail(f"cannot listen on {bind_host}:{bind_port}: {exc.strerror or exc}")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        click.echo(f"netops web on {server.url} (Ctrl-C to stop)")
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@click.group("user")
def user_group() -> None:
    """Manage web users (roles: helpdesk < engineer < admin)."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["helpdesk", "engineer", "admin"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--language", type=click.Choice(["en", "id"]), default=None)
@click.option("--scope", "scope_entries", multiple=True, metavar="district=NAME|kind=KIND|site=NAME",
              help="Limit the user to these sites (repeat; see `netops user scope`).")
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, password_stdin: bool, language: str | None,
             scope_entries: tuple[str, ...]) -> None:
    """Add a user; the password is prompted for (or read from stdin) and stored hashed."""
    from inventory.db import session_scope
    from netops.accounts import AccountError, add_user

    scope = _parse_scope(scope_entries)
    password = _read_password(password_stdin, "Password")
    try:
        with session_scope(engine_from(ctx)) as session:
            add_user(session, name, password, role, language, scope)
    except AccountError as exc:
        fail(str(exc))
    click.echo(f"user {name} added with role {role}" + (f", scope {scope.describe()}" if scope else ""))


def _parse_scope(entries: tuple[str, ...]) -> Scope | None:
    from netops.scope import Scope, ScopeError

    try:
        return Scope.parse(entries) or None
    except ScopeError as exc:
        fail(str(exc))


@user_group.command("scope")
@click.argument("name")
@click.option("--scope", "scope_entries", multiple=True, metavar="district=NAME|kind=KIND|site=NAME",
              help="A district, site kind or named site the user may see (repeat).")
@click.option("--clear", is_flag=True, help="Remove the scope: the user sees everything again.")
@click.pass_context
def user_scope(ctx: click.Context, name: str, scope_entries: tuple[str, ...], clear: bool) -> None:
    """Limit a user to sites: the named sites, plus the sites in any of the districts given that are
    of any of the kinds given (district=A district=B kind=school: the schools of A and B)."""
    from netops.accounts import set_scope

    if clear == bool(scope_entries):
        fail("give one or more --scope entries, or --clear")
    scope = None if clear else _parse_scope(scope_entries)
    done = (f"user {name} sees everything" if scope is None
            else f"user {name} is limited to {scope.describe()}")
    _change_user(ctx, lambda s: set_scope(s, name, scope), done)


@user_group.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List users, their roles and whether they may log in."""
    from inventory.db import session_scope
    from netops.accounts import list_users

    with session_scope(engine_from(ctx)) as session:
        for user in list_users(session):
            state = "" if user.enabled else "disabled"
            scope = user.scope.describe() if user.scope else ""
            click.echo(f"{user.name}\t{user.role}\t{user.language or ''}\t{state}\t{scope}".rstrip("\t"))


def _change_user(ctx: click.Context, change: Callable[[Session], object], done: str) -> None:
    """Run one account change in a transaction; print ``done`` or fail with the reason."""
    from inventory.db import session_scope
    from netops.accounts import AccountError

    try:
        with session_scope(engine_from(ctx)) as session:
            change(session)
    except AccountError as exc:
        fail(str(exc))
    click.echo(done)


@user_group.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def user_delete(ctx: click.Context, name: str, yes: bool) -> None:
    """Delete a user and their API tokens (their sessions end)."""
    from netops.accounts import delete_user

    if not yes:
        click.confirm(f"delete user {name} and their API tokens?", abort=True)
    _change_user(ctx, lambda s: delete_user(s, name), f"user {name} deleted")


@user_group.command("disable")
@click.argument("name")
@click.pass_context
def user_disable(ctx: click.Context, name: str) -> None:
    """Disable a user: no login, API tokens refused, sessions ended."""
    from netops.accounts import set_enabled

    _change_user(ctx, lambda s: set_enabled(s, name, False), f"user {name} disabled")


@user_group.command("enable")
@click.argument("name")
@click.pass_context
def user_enable(ctx: click.Context, name: str) -> None:
    """Enable a disabled user again."""
    from netops.accounts import set_enabled

    _change_user(ctx, lambda s: set_enabled(s, name, True), f"user {name} enabled")


@user_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@click.pass_context
def user_passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password (prompted for, or read from stdin); the user's sessions end."""
    from netops.accounts import set_password

    password = _read_password(password_stdin, "New password")
    _change_user(ctx, lambda s: set_password(s, name, password), f"password of {name} changed")


@user_group.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["helpdesk", "engineer", "admin"]))
@click.pass_context
def user_role(ctx: click.Context, name: str, role: str) -> None:
    """Change a user's role; the user's sessions end."""
    from netops.accounts import set_role

    _change_user(ctx, lambda s: set_role(s, name, role), f"user {name} is now {role}")


def _read_password(from_stdin: bool, prompt: str) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return password


@click.group("token")
def token_group() -> None:
    """Manage API tokens (Authorization: Bearer <token>)."""


@token_group.command("create")
@click.argument("user")
@click.pass_context
def token_create(ctx: click.Context, user: str) -> None:
    """Create a token for USER and print it on the last line (shown only this once)."""
    from inventory.db import session_scope
    from netops.accounts import AccountError, create_token

    try:
        with session_scope(engine_from(ctx)) as session:
            token = create_token(session, user)
    except AccountError as exc:
        fail(str(exc))
    click.echo(f"token for {user} (store it now; it is not shown again):")
    click.echo(token)


@token_group.command("revoke")
@click.argument("token")
@click.pass_context
def token_revoke(ctx: click.Context, token: str) -> None:
    """Revoke TOKEN, given in full or by its first 12 characters."""
    from inventory.db import session_scope
    from netops.accounts import AccountError, revoke_token

    try:
        with session_scope(engine_from(ctx)) as session:
            count = revoke_token(session, token)
    except AccountError as exc:
        fail(str(exc))
    click.echo(f"revoked {count} token(s)")


def register(group: click.Group) -> None:
    group.add_command(serve_cmd)
    group.add_command(user_group)
    group.add_command(token_group)
