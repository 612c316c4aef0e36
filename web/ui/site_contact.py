"""Whom to call at a site: the engineers' small form that keeps ``Site.contact_name/contact_phone``.

The help desk reads the contact on every answer (name and a ``tel:`` link); engineers correct
it on the site page. The form is CSRF-protected like every form (``CSRFProtect``), validated
here (lengths of the columns, a phone number of digits, spaces and ``+ ( ) . / -``) and only
these two declared fields change: an edit never touches what polls observed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from inventory.models import Site
from netops.audit import record_change

PHONE_PATTERN = r"^\+?[0-9][0-9 ().\/-]{2,48}[0-9]$"


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class ContactForm(FlaskForm):  # type: ignore[misc]
    contact_name = StringField(
        _l("Contact name"),
        filters=[_strip],
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
    )
    contact_phone = StringField(
        _l("Phone"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=50, message=_l("At most %(max)d characters.")),
            Regexp(PHONE_PATTERN, message=_l("A phone number: digits, spaces and + ( ) . / - only.")),
        ],
    )


def save_contact(session: Session, site: str, name: str | None, phone: str | None) -> bool:
    """Set the site's contact (empty text clears it); False when there is no such site."""
    row = session.scalars(select(Site).where(Site.name == site)).first()
    if row is None:
        return False
    before = {"contact_name": row.contact_name, "contact_phone": row.contact_phone}
    after = {"contact_name": name or None, "contact_phone": phone or None}
    if after != before:
        record_change(session, "site.contact", site, before, after)
    row.contact_name, row.contact_phone = after["contact_name"], after["contact_phone"]
    return True
