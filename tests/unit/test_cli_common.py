"""CLI helpers: JSON output (UTC datetimes, dataclasses), one-line failures, logging levels."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.common import UsageError, fail, setup_logging, to_json


@dataclass(frozen=True)
class _Rec:
    name: str
    at: datetime
    tags: tuple[str, ...]


def test_json_datetimes_are_iso_utc_and_dataclasses_are_objects() -> None:
    wib = timezone(timedelta(hours=7))
    data = {"r": _Rec("x", datetime(2026, 1, 1, 7, 0, tzinfo=wib), ("a",)), "p": Path("/tmp/x"), "s": {2, 1}}
    decoded = json.loads(to_json(data))
    assert decoded == {
        "r": {"name": "x", "at": "2026-01-01T00:00:00Z", "tags": ["a"]},
        "p": "/tmp/x",
        "s": [1, 2],
    }
    assert json.loads(to_json(datetime(2026, 1, 1, tzinfo=UTC))) == "2026-01-01T00:00:00Z"


def test_fail_raises_a_one_line_click_error_with_exit_code() -> None:
    @click.command()
    def cmd() -> None:
        fail("inventory file is bad", 2)

    result = CliRunner().invoke(cmd, [])
    assert result.exit_code == 2
    assert result.output == "Error: inventory file is bad\n"
    with pytest.raises(UsageError):
        fail("x")


@pytest.mark.parametrize(("verbose", "level"), [(0, logging.WARNING), (1, logging.INFO), (2, logging.DEBUG)])
def test_verbosity_sets_the_root_level_with_one_handler(verbose: int, level: int) -> None:
    root = logging.getLogger()
    before = root.level
    try:
        setup_logging(verbose)
        setup_logging(verbose)
        assert root.level == level
        assert sum(1 for h in root.handlers if getattr(h, "_netops", False)) == 1
    finally:
        for handler in [h for h in root.handlers if getattr(h, "_netops", False)]:
            root.removeHandler(handler)
        root.setLevel(before)
