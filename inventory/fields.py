"""Typed field readers over located YAML/CSV mappings that record problems instead of raising.

Validation must report every problem of a file at once, so each reader returns a value (or
None) and appends a ``Problem`` with the file, the line of the key and the field path when the
value is missing, of the wrong type or out of range.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from inventory.spec import Problem, SecretInput
from inventory.suggest import did_you_mean
from inventory.yamlsrc import LocatedDict

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Reader:
    """Collects problems and warnings for one file while fields are read."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))

    def mapping(self, value: Any, line: int, field: str) -> LocatedDict | None:
        if isinstance(value, LocatedDict):
            self.duplicate_keys(value, field)
            return value
        self.problem(line, field, f"expected a mapping, got {_shown(value)}")
        return None

    def duplicate_keys(self, data: LocatedDict, field: str) -> None:
        for key, line in data.duplicates:
            self.problem(line, f"{field}.{key}" if field else str(key), "key given twice")

    def unknown_keys(self, data: LocatedDict, allowed: Iterable[str], field: str) -> None:
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                self.problem(data.line_of(key), f"{field}.{key}",
                             f"unknown field{did_you_mean(str(key), allowed, quote=True)} "
                             f"(known: {', '.join(allowed)})")

    def text(self, data: LocatedDict, key: str, field: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(data.line_of(key), f"{field}.{key}", "required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(data.line_of(key), f"{field}.{key}", f"expected text, got {_shown(value)}")
            return None
        return value if isinstance(value, str) else str(value)

    def number(self, data: LocatedDict, key: str, field: str, low: float, high: float,
               integer: bool = False) -> Any:
        value = data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = _parse_number(value)
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            kind = "an integer" if integer else "a number"
            self.problem(data.line_of(key), f"{field}.{key}", f"expected {kind}, got {_shown(data.get(key))}")
            return None
        if not low <= value <= high:
            self.problem(data.line_of(key), f"{field}.{key}", f"{value} is outside {low:g}..{high:g}")
            return None
        return value if integer else float(value)

    def flag(self, data: LocatedDict, key: str, field: str, default: bool) -> bool:
        value = data.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
            return value.strip().lower() in ("true", "yes", "1")
        if not isinstance(value, bool):
            self.problem(data.line_of(key), f"{field}.{key}", f"expected true or false, got {_shown(value)}")
            return default
        return value

    def choice(self, data: LocatedDict, key: str, field: str, choices: Iterable[str],
               default: str | None) -> str | None:
        value = self.text(data, key, field)
        if value is None:
            return default
        allowed = tuple(choices)
        if value.lower() not in allowed:
            self.problem(data.line_of(key), f"{field}.{key}",
                         f"unknown value {value!r}{did_you_mean(value, allowed, quote=True)} "
                         f"(one of: {', '.join(allowed)})")
            return default
        return value.lower()

    def secret(self, data: LocatedDict, key: str, field: str) -> SecretInput | None:
        """``{env: NAME}``, ``{file: PATH}``, an ``env:``/``file:`` string, or a literal (warned)."""
        value = data.get(key)
        where = f"{field}.{key}"
        if value is None or value == "":
            return None
        if isinstance(value, LocatedDict):
            return self._secret_reference(value, where)
        if isinstance(value, str | int) and not isinstance(value, bool):
            text = str(value)
            if text.startswith(("env:", "file:")):
                kind, _, ref = text.partition(":")
                return self._secret_ref_value(kind, ref.strip(), data.line_of(key), where)
            self.warnings.append(f"{self.file}:{data.line_of(key)}: {where}: literal secret accepted "
                                 "(labs only); it is stored encrypted, use {env: NAME} or {file: PATH}")
            return SecretInput(literal=text)
        self.problem(data.line_of(key), where, "expected {env: NAME}, {file: PATH} or a literal string")
        return None

    def _secret_reference(self, value: LocatedDict, where: str) -> SecretInput | None:
        self.duplicate_keys(value, where)
        if len(value) != 1 or next(iter(value)) not in ("env", "file"):
            self.problem(value.line, where, "a secret reference is {env: NAME} or {file: PATH}")
            return None
        kind = next(iter(value))
        ref = value[kind]
        if not isinstance(ref, str) or not ref.strip():
            self.problem(value.line_of(kind), f"{where}.{kind}", f"expected text, got {_shown(ref)}")
            return None
        return self._secret_ref_value(kind, ref.strip(), value.line_of(kind), where)

    def _secret_ref_value(self, kind: str, ref: str, line: int, where: str) -> SecretInput | None:
        if kind == "env" and not ENV_NAME.match(ref):
            self.problem(line, f"{where}.env", f"{ref!r} is not an environment variable name")
            return None
        if kind == "file" and not ref:
            self.problem(line, f"{where}.file", "empty path")
            return None
        return SecretInput(ref=f"{kind}:{ref}")


def _parse_number(text: str) -> Any:
    text = text.strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # decimal comma, as Indonesian spreadsheets write it
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
