"""Every user-facing string is translated to Bahasa Indonesia, and the shipped .mo matches the .po."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "web"
PO = WEB / "translations" / "id" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _extracted() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    ids: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, keywords=KEYWORDS):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_every_message_is_translated() -> None:
    catalog = read_po(PO.open("rb"))
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id: m.string for m in catalog if m.id}
    extracted = _extracted()
    assert len(extracted) > 100
    missing = sorted(
        i
        for i in extracted
        if not translated.get(i) or (isinstance(translated[i], tuple) and not all(translated[i]))
    )
    assert missing == []


def test_compiled_catalog_is_up_to_date() -> None:
    fresh = io.BytesIO()
    write_mo(fresh, read_po(PO.open("rb")))
    fresh.seek(0)
    shipped, rebuilt = read_mo(MO.open("rb")), read_mo(fresh)

    def pairs(catalog: object) -> dict[str, str]:
        return {str(m.id): str(m.string) for m in catalog if m.id}  # type: ignore[attr-defined]

    assert pairs(shipped) == pairs(rebuilt)
