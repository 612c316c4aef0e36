"""A PyYAML safe loader that remembers where every mapping, key and list item came from.

Inventory errors must say ``file:line``; plain ``yaml.safe_load`` forgets positions. Mappings
load as ``LocatedDict`` (with the line of the mapping and of each key, plus any duplicate keys,
which PyYAML would otherwise silently overwrite) and sequences as ``LocatedList``.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode


class LocatedDict(dict[Any, Any]):
    """A dict with ``line`` (1-based), ``key_lines`` and ``duplicates`` [(key, line)]."""

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int]] = []

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A list with ``line`` and ``item_lines`` (1-based)."""

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlSyntaxError(Exception):
    """YAML that does not parse; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: faster


class _LocatingLoader(_BaseLoader):  # type: ignore[misc]
    pass


def _construct_mapping(loader: _LocatingLoader, node: MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise YamlSyntaxError("a mapping key must be a plain value", line) from None
        if key in result:
            result.duplicates.append((key, line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _LocatingLoader, node: SequenceNode) -> LocatedList:
    result = LocatedList(node.start_mark.line + 1)
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.item_lines.append(item.start_mark.line + 1)
    return result


_LocatingLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)  # type: ignore[arg-type]
_LocatingLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)  # type: ignore[arg-type]


def load_located(text: str) -> Any:
    """Parse one YAML document into LocatedDict/LocatedList/scalars; ``YamlSyntaxError`` if invalid."""
    try:
        return yaml.load(text, Loader=_LocatingLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlSyntaxError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(f"YAML syntax error: {problem or 'cannot parse'}", line) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", 0) from None
