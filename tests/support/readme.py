"""The shell commands of README.md as data: extracted, parsed as synopses, expanded to command lines.

Two places hold commands: the ```sh blocks (one command a line, ``# comment`` after it) and the
first column of the table under ``## Commands`` (commands in backticks; a span that does not
start with ``netops`` continues the previous one's command, as in ``netops inventory import
FILE`` / ``export``). A command may be a synopsis:

- ``[ ... ]`` an optional part, ``( ... )`` a required one; inside either, `` | `` (a pipe with
  spaces) separates alternatives of several words: ``(--snmp-credential NAME | --community C)``;
- ``a|b|c`` (no spaces) alternatives of one word: ``--kind status|counters``;
- ``...`` the previous part may repeat; UPPER-CASE words (``FILE``, ``NAME``) are placeholders.

``expand`` gives every command line a synopsis allows (the test parses each with click);
``variants`` gives a few that together use every alternative once (the test runs those).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*$")
MAX_EXPANSIONS = 512


@dataclass(frozen=True)
class Word:
    text: str
    quoted: bool = False

    @property
    def placeholder(self) -> bool:
        return not self.quoted and bool(PLACEHOLDER.match(self.text))


@dataclass(frozen=True)
class Choice:
    """``a|b|c``: one word out of several."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    alternatives: tuple[tuple[Node, ...], ...]
    optional: bool


Node = Word | Choice | Group


@dataclass(frozen=True)
class Command:
    """One command as the README writes it, where it writes it."""

    text: str
    section: str
    line: int
    source: str  # "sh" or "table"
    nodes: tuple[Node, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.section}): {self.text}"


class SynopsisError(ValueError):
    """A README command that is not a well-formed synopsis."""


# ------------------------------------------------------------------ extraction


def _strip_comment(line: str) -> str:
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip()
    return line.rstrip()


def _normalise(text: str) -> str:
    text = text.strip()
    return text[len(".venv/bin/"):] if text.startswith(".venv/bin/") else text


def extract(readme: str) -> list[Command]:
    """Every command of the sh blocks and of the ``## Commands`` table, in README order."""
    commands: list[Command] = []
    section, in_sh, in_fence = "", False, False
    for number, line in enumerate(readme.splitlines(), start=1):
        if line.startswith("```"):
            in_sh = not in_fence and line.strip() == "```sh"
            in_fence = not in_fence
            continue
        if in_fence:
            if in_sh and (text := _normalise(_strip_comment(line))):
                commands.append(Command(text, section, number, "sh"))
            continue
        if line.startswith("## "):
            section = line[3:].strip()
        elif section == "Commands" and line.startswith("| `"):
            commands += _table_row(line, section, number)
    return [Command(c.text, c.section, c.line, c.source, parse(c.text)) for c in commands]


def _table_row(line: str, section: str, number: int) -> list[Command]:
    cell = re.split(r"(?<!\\)\|", line)[1]
    out: list[Command] = []
    prefix = ""
    for span in re.findall(r"`([^`]+)`", cell):
        span = span.replace("\\|", "|").strip()
        if span.startswith("netops "):
            prefix = " ".join(span.split()[:2])
            out.append(Command(span, section, number, "table"))
        elif prefix:
            out.append(Command(f"{prefix} {span}", section, number, "table"))
    return out


# ------------------------------------------------------------------ parsing


def tokens(text: str) -> list[Word]:
    """Words, quoted strings (kept whole) and the marks ``[ ] ( ) |`` as their own tokens."""
    out: list[Word] = []
    index, current = 0, ""
    while index < len(text):
        char = text[index]
        if char in "\"'":
            end = text.find(char, index + 1)
            if end < 0:
                raise SynopsisError(f"unclosed quote in {text!r}")
            out.append(Word(text[index + 1:end], quoted=True))
            index = end + 1
            continue
        if char.isspace() or char in "[]()":
            if current:
                out.append(Word(current))
                current = ""
            if char in "[]()":
                out.append(Word(char))
        else:
            current += char
        index += 1
    if current:
        out.append(Word(current))
    return out


def parse(text: str) -> tuple[Node, ...]:
    words = tokens(text)
    nodes, rest = _sequence(words, closing="")
    if rest:
        raise SynopsisError(f"unbalanced {rest[0].text!r} in {text!r}")
    return nodes


def _sequence(words: list[Word], closing: str) -> tuple[tuple[Node, ...], list[Word]]:
    """Nodes up to ``closing`` (or a lone ``|`` inside a group); the words left over."""
    nodes: list[Node] = []
    while words:
        word = words[0]
        if not word.quoted and word.text in ("]", ")", "|"):
            if not closing:
                raise SynopsisError(f"unexpected {word.text!r}")
            return tuple(nodes), words
        words = words[1:]
        if not word.quoted and word.text in ("[", "("):
            group, words = _group(words, "]" if word.text == "[" else ")")
            nodes.append(group)
        elif not word.quoted and word.text == "...":
            continue  # "may repeat": once is enough to run it
        elif not word.quoted and "|" in word.text:
            nodes.append(Choice(tuple(w for w in word.text.split("|") if w)))
        else:
            nodes.append(word)
    if closing:
        raise SynopsisError(f"missing {closing!r}")
    return tuple(nodes), words


def _group(words: list[Word], closing: str) -> tuple[Group, list[Word]]:
    alternatives = []
    while True:
        nodes, words = _sequence(words, closing)
        alternatives.append(nodes)
        if not words:
            raise SynopsisError(f"missing {closing!r}")
        mark, words = words[0].text, words[1:]
        if mark == closing:
            return Group(tuple(alternatives), optional=closing == "]"), words
        if mark != "|":
            raise SynopsisError(f"{mark!r} where {closing!r} was expected")


# ------------------------------------------------------------------ expansion


def _expand(nodes: tuple[Node, ...]) -> list[tuple[Word, ...]]:
    options: list[list[tuple[Word, ...]]] = []
    for node in nodes:
        if isinstance(node, Word):
            options.append([(node,)])
        elif isinstance(node, Choice):
            options.append([(Word(w),) for w in node.words])
        else:
            inner = [seq for alt in node.alternatives for seq in _expand(alt)]
            options.append(([()] if node.optional else []) + inner)
    out = []
    for combo in itertools.product(*options):
        out.append(tuple(w for part in combo for w in part))
        if len(out) > MAX_EXPANSIONS:
            raise SynopsisError("too many forms: split the synopsis")
    return out


def expand(command: Command) -> list[tuple[Word, ...]]:
    """Every command line the synopsis allows (placeholders left as they are)."""
    return _expand(command.nodes)


def _width(nodes: tuple[Node, ...]) -> int:
    width = 1
    for node in nodes:
        if isinstance(node, Choice):
            width = max(width, len(node.words))
        elif isinstance(node, Group):
            width = max(width, len(node.alternatives), *(_width(alt) for alt in node.alternatives))
    return width


def _pick(nodes: tuple[Node, ...], index: int, full: bool) -> tuple[Word, ...]:
    out: list[Word] = []
    for node in nodes:
        if isinstance(node, Word):
            out.append(node)
        elif isinstance(node, Choice):
            out.append(Word(node.words[index % len(node.words)]))
        elif full or not node.optional:
            out += _pick(node.alternatives[index % len(node.alternatives)], index, full)
    return tuple(out)


def variants(command: Command) -> list[tuple[Word, ...]]:
    """The shortest form, then forms with every optional part, which together use each
    alternative once (``--kind status``, ``--kind counters``, ...), without repeats."""
    forms = [_pick(command.nodes, 0, False)]
    forms += [_pick(command.nodes, i, True) for i in range(_width(command.nodes))]
    return list(dict.fromkeys(forms))


def readme_commands(root: Path) -> list[Command]:
    return extract((root / "README.md").read_text(encoding="utf-8"))
