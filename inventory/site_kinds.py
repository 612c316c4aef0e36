"""Site kinds inferred from site names, by rules kept as data (``site_kinds.yaml``).

Discovery creates a site from each sysLocation it reads; without a kind the help desk's school
check finds no school on a discovered network. The rules say which words make a name a school,
a health centre, a district office, an agency or the core (Bahasa Indonesia and English), the
first matching rule wins, and matching is case-insensitive by whole word (``SDN 2`` is a school,
``Dinas Pendidikan`` an agency). A kind declared in an inventory file is never replaced: callers
apply a rule's answer only to sites whose ``kind_source`` is ``inferred``.

The file is checked strictly when loaded: an unknown key, a kind that is not a site kind or an
empty word raises ``KindRulesError`` naming the file and the place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from inventory.models.sites import SITE_KINDS

RULES_FILE = Path(__file__).with_name("site_kinds.yaml")
_SEPARATOR = r"[\s_-]+"  # between the parts of a phrase: "Balai Kota", "Balai-Kota", "balai_kota"
_BEFORE = r"(?<![^\W_])"  # not after a letter or digit
_AFTER = r"(?![^\W\d_])"  # not before a letter (a number may follow: "SDN2")


class KindRulesError(ValueError):
    """A rules file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True, slots=True)
class KindRule:
    kind: str
    words: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class KindRules:
    rules: tuple[KindRule, ...]

    def infer(self, name: str) -> str | None:
        """The kind of the first rule with a word in ``name``; None when no rule matches."""
        for rule in self.rules:
            if rule.pattern.search(name):
                return rule.kind
        return None

    def kind_of(self, name: str) -> str:
        """``infer``, with ``other`` when no rule matches."""
        return self.infer(name) or "other"


def compile_words(words: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive whole-word pattern for ``words`` (longest first, phrases flexible)."""
    alternatives = []
    for word in sorted(words, key=len, reverse=True):
        parts = [re.escape(p) for p in re.split(r"[\s_-]+", word.strip()) if p]
        alternatives.append(_SEPARATOR.join(parts))
    return re.compile(f"{_BEFORE}(?:{'|'.join(alternatives)}){_AFTER}", re.IGNORECASE)


def _rule(data: Any, where: str) -> KindRule:
    if not isinstance(data, dict):
        raise KindRulesError(f"{where}: expected a mapping with kind and words")
    unknown = sorted(set(data) - {"kind", "words"})
    if unknown:
        raise KindRulesError(f"{where}: unknown key {unknown[0]!r} (keys: kind, words)")
    kind = data.get("kind")
    if kind not in SITE_KINDS:
        raise KindRulesError(f"{where}.kind: {kind!r} is not a site kind ({', '.join(SITE_KINDS)})")
    words = data.get("words")
    if not isinstance(words, list) or not words:
        raise KindRulesError(f"{where}.words: expected a list of words")
    for i, word in enumerate(words):
        if not isinstance(word, str) or not word.strip(" -_"):
            raise KindRulesError(f"{where}.words[{i}]: expected a word, got {word!r}")
    return KindRule(kind, tuple(words), compile_words(tuple(words)))


def parse_rules(data: Any, source: str) -> KindRules:
    """Rules from the loaded YAML document ``data``; ``source`` names the file in errors."""
    if not isinstance(data, dict) or set(data) != {"rules"} or not isinstance(data["rules"], list):
        raise KindRulesError(f"{source}: expected one key, rules: a list of {{kind, words}}")
    return KindRules(tuple(_rule(item, f"{source}: rules[{i}]") for i, item in enumerate(data["rules"])))


def load_rules(path: str | Path | None = None) -> KindRules:
    """The rules of ``path`` (default: the built-in ``site_kinds.yaml``, read once)."""
    if path is None:
        return _builtin()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _builtin() -> KindRules:
    return _load(RULES_FILE)


def _load(path: Path) -> KindRules:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KindRulesError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KindRulesError(f"{path}: invalid YAML: {exc}") from None
    return parse_rules(data, path.name)
