"""Web commands: ``netops serve``, ``netops user add|list``, ``netops token create|revoke``.

``serve`` runs the web UI and API alone (no scheduler: job buttons answer 503; ``netops run``
runs both). Users and tokens are managed here so the first admin exists before anyone can
log in; a new token is printed once, on the last line, and only its hash is stored.
"""

from __future__ import annotations

import sys

import click

from cli.common import engine_from, fail, settings_from


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default: web.host, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default: web.port, 8000).")
@click.pass_context
def serve_cmd(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the web UI and the JSON API (without the scheduler)."""
    from werkzeug.serving import make_server

    from web import create_app

    settings = settings_from(ctx)
    app = create_app(settings, engine=engine_from(ctx))
    bind_host, bind_port = host or settings.web.host, port or settings.web.port
    try:
        server = make_server(bind_host, bind_port, app, threaded=True)
    except OSError as exc:
        fail(f"cannot listen on {bind_host}:{bind_port}: {exc.strerror or exc}")
    click.echo(f"netops web on http://{bind_host}:{server.server_port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.group("user")
def user_group() -> None:
    """Manage web users (roles: helpdesk < engineer < admin)."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["helpdesk", "engineer", "admin"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--language", type=click.Choice(["en", "id"]), default=None)
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, password_stdin: bool, language: str | None) -> None:
    """Add a user; the password is prompted for (or read from stdin) and stored hashed."""
    from inventory.db import session_scope
    from netops.accounts import AccountError, add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope(engine_from(ctx)) as session:
            add_user(session, name, password, role, language)
    except AccountError as exc:
        fail(str(exc))
    click.echo(f"user {name} added with role {role}")


@user_group.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List users and their roles."""
    from inventory.db import session_scope
    from netops.accounts import list_users

    with session_scope(engine_from(ctx)) as session:
        for user in list_users(session):
            click.echo(f"{user.name}\t{user.role}\t{user.language or ''}")


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
