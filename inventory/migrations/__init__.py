"""Alembic migrations of the netops schema, configured in code by ``inventory.db.alembic_config``."""
