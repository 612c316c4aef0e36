"""Regenerate ``versions/0001_baseline.py`` from ``inventory.models`` (no database is deployed yet).

Run ``python -m inventory.migrations.regenerate_baseline`` after changing a model: it deletes the
baseline, autogenerates it again against an empty SQLite database and prints the new file's
path. ``tests/store/test_migrations.py`` fails while models and migrations differ.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from inventory.db import MIGRATIONS_DIR, alembic_config, make_engine

BASELINE = MIGRATIONS_DIR / "versions" / "0001_baseline.py"


def regenerate() -> Path:
    for old in (MIGRATIONS_DIR / "versions").glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/baseline.db"
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                cfg = alembic_config()
                cfg.attributes["connection"] = connection
                command.revision(cfg, message="baseline", autogenerate=True, rev_id="0001")
        finally:
            engine.dispose()
    _tidy(BASELINE)
    return BASELINE


def _tidy(path: Path) -> None:
    """Drop the generated 'please adjust' comments and trailing blanks."""
    lines = [line.rstrip() for line in path.read_text().splitlines()
             if "please adjust" not in line and "end Alembic commands" not in line]
    path.write_text("\n".join(lines).rstrip() + "\n")


def main() -> int:
    print(regenerate())
    return 0


if __name__ == "__main__":
    sys.exit(main())
