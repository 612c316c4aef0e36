"""Credentials as admins may see them: names, types, protocols and how each secret is stored.

Never a secret value, not even a masked one: a row says "community: env" or "priv_key:
encrypted", which is what an admin needs to spot a literal secret left in the database.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Credential, Device
from web.views import CredentialView

SECRET_FIELDS = ("community", "auth_key", "priv_key", "password", "key_file", "enable_secret")


def _secret_kind(ref: str) -> str:
    for prefix, kind in (("env:", "env"), ("file:", "file"), ("enc:", "encrypted")):
        if ref.startswith(prefix):
            return kind
    return "literal"


def list_credentials(session: Session) -> list[CredentialView]:
    """Credentials without their secrets: only which fields are set and how they are stored."""
    users: Counter[int] = Counter()
    for snmp_id, ssh_id in session.execute(select(Device.snmp_credential_id, Device.ssh_credential_id)):
        users.update(i for i in (snmp_id, ssh_id) if i is not None)
    return [
        CredentialView(
            name=c.name,
            type=c.type,
            snmp_version=c.snmp_version,
            username=c.username,
            auth_protocol=c.auth_protocol,
            priv_protocol=c.priv_protocol,
            secrets=tuple((f, _secret_kind(v)) for f in SECRET_FIELDS if (v := getattr(c, f))),
            used_by=users[c.id],
        )
        for c in session.scalars(select(Credential).order_by(Credential.name))
    ]
