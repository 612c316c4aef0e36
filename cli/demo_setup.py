"""Demo set-up steps on the service's database: one login per role, the first discovery.

Kept apart from ``runner`` (which starts and stops the parts): both are plain functions on the
settings and the engine, used once per ``netops demo`` start.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select

from inventory.db import session_scope
from netops.settings import Settings
from simulator.network import DemoNetwork

ROLES = ("helpdesk", "engineer", "admin")
Echo = Callable[[str], None]


def demo_logins(engine: Engine, directory: Path) -> dict[str, str]:
    """One user per role; passwords are kept in ``logins.json`` (0600) and reset on each start."""
    from werkzeug.security import generate_password_hash

    from inventory.models import User
    from netops.accounts import add_user

    path = directory / "logins.json"
    try:
        logins: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        logins = {role: secrets.token_urlsafe(9) for role in ROLES}
        path.unlink(missing_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(logins))  # created private: never readable by others, not even briefly
    path.chmod(0o600)  # a file left by an older version was 0644
    with session_scope(engine) as session:
        for role in ROLES:
            user = session.scalar(select(User).where(User.name == role))
            if user is None:
                add_user(session, role, logins[role], role)
            else:
                user.password_hash, user.role = generate_password_hash(logins[role]), role
    return logins


def first_discovery(settings: Settings, engine: Engine, network: DemoNetwork, port: int, community: str,
                    echo: Echo) -> None:
    """LLDP discovery (``netops.polling.discovery``) of every switch before the web opens, so the map
    already has every fiber; switches whose walk did not complete are asked again (twice)."""
    import asyncio

    from collectors.observations import PollKind
    from collectors.targets import Secret, SnmpV2c
    from inventory.models import Link
    from netops.polling import discovery
    from netops.polling import poll_task as tasks

    started = time.monotonic()
    pending = [d.address for d in network.devices]
    for _attempt in range(3):
        try:
            crawl = discovery.crawl(pending, SnmpV2c(Secret(community)), settings, max_depth=0, port=port)
            report = asyncio.run(crawl)
        finally:
            tasks.close_pollers()
        with session_scope(engine) as session:
            discovery.store_discovery(session, report, None, settings, port=port)
        complete = {f.address for f in report.found if PollKind.NEIGHBORS in f.result.completed}
        pending = [a for a in pending if a not in complete]
        if not pending:
            break
    with session_scope(engine) as session:
        seen = session.scalar(select(func.count()).select_from(Link).where(Link.last_seen.is_not(None)))
        declared = session.scalar(select(func.count()).select_from(Link).where(Link.declared.is_(True)))
    echo(f"discovery: {len(network.devices) - len(pending)} switches walked, {seen} fibers seen by LLDP "
         f"({declared} declared) in {time.monotonic() - started:.1f} s")
