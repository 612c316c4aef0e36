"""The located YAML loader keeps line numbers and duplicate keys that plain PyYAML loses."""

from __future__ import annotations

import pytest

from inventory.yamlsrc import LocatedDict, LocatedList, YamlSyntaxError, load_located


def test_lines_of_mappings_keys_and_items() -> None:
    doc = load_located("a: 1\nitems:\n  - {x: 1}\n  - y: 2\n    z: 3\n")
    assert isinstance(doc, LocatedDict) and doc.line == 1
    assert doc.line_of("items") == 2
    items = doc["items"]
    assert isinstance(items, LocatedList) and items.item_lines == [3, 4]
    assert items[1].line_of("z") == 5


def test_duplicate_keys_are_recorded() -> None:
    doc = load_located("a: 1\nb: 2\na: 3\n")
    assert doc.duplicates == [("a", 3)]


def test_syntax_error_has_line() -> None:
    with pytest.raises(YamlSyntaxError) as err:
        load_located("a: 1\nb: [1, 2\nc: 3\n")
    assert err.value.line in (2, 3)
    assert "YAML" in str(err.value)


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(YamlSyntaxError):
        load_located("a: !!python/object/apply:os.system ['true']\n")
