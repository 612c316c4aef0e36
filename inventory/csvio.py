"""CSV import and export of the inventory, for people who keep it in spreadsheets.

A CSV file holds sites, devices (the usual case: one file each, recognised by their columns) or,
with a ``record`` column, any mix of credential/site/device/link rows (what ``export --format
csv`` writes). Rows become the same located document as a YAML file, so validation, errors with
file:line and the upsert are shared. Secret cells hold ``env:NAME`` or ``file:PATH``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from inventory.csvcells import restore, safe_cell
from inventory.fields import Reader
from inventory.spec import POLL_INTERVALS
from inventory.yamlsrc import LocatedDict, LocatedList

SITE_COLUMNS = ("name", "kind", "address", "district", "latitude", "longitude", "contact_name",
                "contact_phone", "notes")
DEVICE_COLUMNS = ("name", "address", "site", "role", "platform", "snmp", "ssh", "snmp_port", "ssh_port",
                  "enabled", *(f"{k}_interval_s" for k in POLL_INTERVALS), "poll_group", "notes")
CREDENTIAL_COLUMNS = ("name", "type", "version", "community", "user", "auth_protocol", "auth_key",
                      "priv_protocol", "priv_key", "username", "password", "key_file", "enable_secret")
LINK_COLUMNS = ("a", "b", "medium", "length_m", "notes", "route")
RECORD_COLUMNS = {"credential": CREDENTIAL_COLUMNS, "site": SITE_COLUMNS, "device": DEVICE_COLUMNS,
                  "link": LINK_COLUMNS}
ALL_COLUMNS = ("record", *dict.fromkeys(c for cols in RECORD_COLUMNS.values() for c in cols))
DEVICE_ONLY = set(DEVICE_COLUMNS) - set(SITE_COLUMNS)


def _nested(row: dict[str, str], line: int, pairs: dict[str, str]) -> LocatedDict | None:
    sub = LocatedDict(line)
    for key, column in pairs.items():
        if row.get(column):
            sub[key] = row[column]
            sub.key_lines[key] = line
    return sub or None


def _entity(kind: str, row: dict[str, str], line: int) -> LocatedDict:
    out = LocatedDict(line)

    def put(key: str, value: Any) -> None:
        if value not in (None, ""):
            out[key] = value
            out.key_lines[key] = line

    if kind == "site":
        for col in ("name", "kind", "address", "district", "notes"):
            put(col, row.get(col))
        put("location", _nested(row, line, {"lat": "latitude", "lon": "longitude"}))
        put("contact", _nested(row, line, {"name": "contact_name", "phone": "contact_phone"}))
    elif kind == "device":
        for col in ("name", "address", "site", "role", "platform", "snmp", "ssh", "snmp_port", "ssh_port",
                    "enabled", "poll_group", "notes"):
            put(col, row.get(col))
        put("poll_intervals", _nested(row, line, {k: f"{k}_interval_s" for k in POLL_INTERVALS}))
    elif kind == "credential":
        for col in ("type", "version", "community", "user", "username", "password", "key_file",
                    "enable_secret"):
            put(col, row.get(col))
        put("auth", _nested(row, line, {"protocol": "auth_protocol", "key": "auth_key"}))
        put("priv", _nested(row, line, {"protocol": "priv_protocol", "key": "priv_key"}))
    else:
        for col in LINK_COLUMNS:
            put(col, _route_cell(row[col], line) if col == "route" and row.get(col) else row.get(col))
    return out


def _located(value: Any, line: int) -> Any:
    """Parsed JSON as the located shapes validation reads (every part on the row's line)."""
    if isinstance(value, dict):
        out = LocatedDict(line)
        for key, item in value.items():
            out[key] = _located(item, line)
            out.key_lines[key] = line
        return out
    if isinstance(value, list):
        items = LocatedList(line)
        for item in value:
            items.append(_located(item, line))
            items.item_lines.append(line)
        return items
    return value


def _route_cell(text: str, line: int) -> Any:
    """A route cell is the JSON list of points; text that is not JSON goes on for validation to
    reject with its line."""
    try:
        return _located(json.loads(text), line)
    except ValueError:
        return text


def _add(doc: LocatedDict, section: str, line: int, value: LocatedDict, name: str | None = None) -> None:
    if section == "credentials":
        creds = doc.setdefault("credentials", LocatedDict(line))
        doc.key_lines.setdefault("credentials", line)
        key = name or ""
        if key in creds:
            creds.duplicates.append((key, line))
        creds[key] = value
        creds.key_lines[key] = line
        return
    items = doc.setdefault(section, LocatedList(line))
    doc.key_lines.setdefault(section, line)
    items.append(value)
    items.item_lines.append(line)


def read_csv(text: str, reader: Reader) -> LocatedDict:
    """A located inventory document from CSV text; column problems go to ``reader``."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in (rows.fieldnames or [])]
    rows.fieldnames = header
    doc = LocatedDict(1)
    unknown = [h for h in header if h not in ALL_COLUMNS]
    for column in unknown:
        reader.problem(1, column, f"unknown column (known: {', '.join(ALL_COLUMNS)})")
    if "name" not in header and "record" not in header:
        reader.problem(1, "name", "a CSV inventory needs a 'name' column (or a 'record' column)")
        return doc
    default = "device" if DEVICE_ONLY & set(header) else "site"
    for row in rows:
        line = rows.line_num
        values = {k: restore((v or "") if k == "notes" else (v or "").strip())
                  for k, v in row.items() if k is not None and k not in unknown}
        if not any(values.values()):
            continue
        kind = values.get("record", "").lower() or default
        if kind not in RECORD_COLUMNS:
            known = ", ".join(RECORD_COLUMNS)
            reader.problem(line, "record", f"unknown record type {kind!r} (one of: {known})")
            continue
        for column, value in values.items():
            if value and column != "record" and column not in RECORD_COLUMNS[kind]:
                reader.problem(line, column, f"column does not apply to a {kind} row")
        entity = _entity(kind, values, line)
        name = values.get("name") if kind == "credential" else None
        _add(doc, kind + "s", line, entity, name)
    return doc


def _cells(kind: str, item: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"record": kind}
    if name is not None:
        row["name"] = name
    for key, value in item.items():
        if key == "location":
            row.update({"latitude": value.get("lat"), "longitude": value.get("lon")})
        elif key == "contact":
            row.update({"contact_name": value.get("name"), "contact_phone": value.get("phone")})
        elif key == "route":
            row["route"] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        elif key == "poll_intervals":
            row.update({f"{k}_interval_s": v for k, v in value.items()})
        elif key in ("auth", "priv"):
            row.update({f"{key}_protocol": value.get("protocol"), f"{key}_key": _ref(value.get("key"))})
        elif isinstance(value, dict):
            row[key] = _ref(value)
        elif isinstance(value, bool):
            row[key] = "true" if value else "false"
        else:
            row[key] = value
    return row


def _ref(value: dict[str, str] | None) -> str | None:
    if not value:
        return None
    kind, ref = next(iter(value.items()))
    return f"{kind}:{ref}"


def _safe(row: dict[str, Any]) -> dict[str, Any]:
    return {key: safe_cell(value) for key, value in row.items()}


def to_csv(doc: dict[str, Any]) -> str:
    """The exported document as one CSV with a ``record`` column (re-importable as is)."""
    out = io.StringIO()
    # CRLF rows (RFC 4180): a cell holding a CR is then quoted, so it reads back as written
    writer = csv.DictWriter(out, fieldnames=list(ALL_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for name, body in doc["credentials"].items():
        writer.writerow(_safe(_cells("credential", body, name)))
    for kind, section in (("site", "sites"), ("device", "devices"), ("link", "links")):
        for item in doc[section]:
            writer.writerow(_safe(_cells(kind, item)))
    return out.getvalue()
