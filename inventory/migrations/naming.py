"""Options shared by migration runs, autogenerate and the models-vs-migrations check.

Custom column types are rendered as their plain SQLAlchemy equivalent so that revision scripts
never import model code (a later model change must not rewrite history).
"""

from __future__ import annotations

from typing import Any

from inventory.models.base import UtcDateTime


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render ``UtcDateTime`` as ``sa.DateTime(timezone=True)``; everything else as usual."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def compare_options() -> dict[str, Any]:
    return {"compare_type": True, "compare_server_default": False, "render_item": render_item}
