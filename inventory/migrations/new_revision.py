"""Write the next Alembic migration from the difference between the models and the migrations.

Run ``python -m inventory.migrations.new_revision "what changed"`` after changing a model: it
upgrades an empty SQLite database to the current head, autogenerates the difference as
``versions/NNNN_<slug>.py`` (the next number) and prints its path. The first release's schema is
``0001_baseline``; since then every change is a migration of its own, so an installed database
upgrades in place (``netops init``). ``tests/store/test_migrations.py`` fails while models and
migrations differ, on SQLite and on PostgreSQL. Review the file: renames and data moves need a
hand's touch that autogenerate cannot know.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from inventory.db import MIGRATIONS_DIR, alembic_config, make_engine, upgrade_schema


def next_number() -> str:
    numbers = [int(m.group(1)) for p in (MIGRATIONS_DIR / "versions").glob("*.py")
               if (m := re.match(r"(\d{4})_", p.name))]
    return f"{max(numbers, default=0) + 1:04d}"


def new_revision(message: str) -> Path:
    rev_id = next_number()  # the file is named NNNN_<slug of the message>
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/head.db")
        try:
            upgrade_schema(engine)
            with engine.begin() as connection:
                cfg = alembic_config()
                cfg.attributes["connection"] = connection
                command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()
    script = ScriptDirectory.from_config(alembic_config()).get_revision(rev_id)
    assert script is not None and script.path is not None
    return Path(script.path)


def main() -> int:
    if len(sys.argv) != 2:
        print('usage: python -m inventory.migrations.new_revision "what changed"', file=sys.stderr)
        return 2
    print(new_revision(sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
