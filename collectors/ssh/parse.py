"""Turn one command's raw output into rows, as a platform file's ``parser`` says.

Three parsers, all data-driven: ``ntc:<platform>/<command>`` (an ntc-templates template,
resolved once and checked to be the template *of that command*: the index matches by prefix,
so ``show interfaces terse`` would otherwise silently get the ``show interfaces`` template),
``template:<file>`` (a TextFSM template of ours in ``collectors/ssh/templates``) and ``json``
(``rows`` is a dotted path to the list of records; fields are dotted paths inside a record).
Rows are dicts with lower-case keys whose values are strings or lists of strings (TextFSM) or
any JSON value. Errors raise ``ParseError`` with one plain sentence.
"""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path
from typing import Any

import textfsm
from textfsm import clitable

TEMPLATE_DIR = Path(__file__).with_name("templates")

Row = dict[str, Any]


class ParseError(ValueError):
    """The output did not match its parser (TextFSM Error state, bad JSON, missing path)."""


@functools.cache
def _ntc_index() -> clitable.CliTable:
    from ntc_templates.parse import _get_template_dir

    return clitable.CliTable("index", _get_template_dir())


def _expected_name(platform: str, command: str) -> str:
    return f"{platform}_{command.strip().lstrip('/').replace(' ', '_')}.textfsm"


@functools.cache
def resolve_ntc(spec: str) -> Path:
    """The ntc-templates file for ``ntc:<platform>/<command>``; LookupError if none or a wrong one."""
    platform, _, command = spec.removeprefix("ntc:").partition("/")
    table = _ntc_index()
    row = table.index.GetRowMatch({"Platform": platform, "Command": command})
    if row <= 0:
        raise LookupError(f"ntc-templates has no template for {platform} {command!r}")
    names = str(table.index.index[row]["Template"]).split(":")
    if _expected_name(platform, command) not in names:
        raise LookupError(
            f"ntc-templates maps {platform} {command!r} to {names[0]}, a template written "
            f"for another command; ship a template of ours instead"
        )
    return Path(table.template_dir) / names[0]


@functools.cache
def _template_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _textfsm(path: Path, output: str) -> list[Row]:
    try:
        fsm = textfsm.TextFSM(io.StringIO(_template_text(path)))
        rows = fsm.ParseTextToDicts(output)
    except textfsm.TextFSMError as exc:
        raise ParseError(f"output did not match template {path.name}: {exc}") from exc
    return [{str(k).lower(): v for k, v in row.items()} for row in rows]


def lookup(record: Any, path: str) -> Any:
    """A dotted path inside a row; ``a|b`` tries alternatives, the first non-empty wins.

    One-element lists (lldpcli ``json0``) are stepped through unless the next part is an index.
    """
    if "|" in path:
        for alternative in path.split("|"):
            value = lookup(record, alternative)
            if value not in (None, "", []):
                return value
        return None
    value = record
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
            continue
        while isinstance(value, list) and len(value) == 1:
            value = value[0]
        value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return None
    while isinstance(value, list) and len(value) == 1 and not isinstance(value[0], str):
        value = value[0]
    return value


def _json(output: str, rows_path: str) -> list[Row]:
    start = min((i for i in (output.find("{"), output.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise ParseError("output holds no JSON document")
    try:
        document = json.loads(output[start:])
    except ValueError as exc:
        raise ParseError(f"output is not valid JSON: {exc}") from exc
    rows = document
    for part in rows_path.split(".") if rows_path != "." else ():
        rows = (
            rows.get(part)
            if isinstance(rows, dict)
            else (
                rows[0].get(part) if rows and isinstance(rows, list) and isinstance(rows[0], dict) else None
            )
        )
        if rows is None:
            return []
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list):
        raise ParseError(f"JSON path {rows_path!r} is not a list of records")
    return [r for r in rows if isinstance(r, dict)]


def parse(parser: str, output: str, rows_path: str | None = None) -> list[Row]:
    """Rows of one command output, by parser spec."""
    if parser == "json":
        return _json(output, rows_path or ".")
    if parser.startswith("template:"):
        return _textfsm(TEMPLATE_DIR / parser.removeprefix("template:"), output)
    return _textfsm(resolve_ntc(parser), output)
