"""The inventory: SQLAlchemy models, Alembic migrations, inventory files and read queries.

Operators declare sites, devices, links and credentials; polls observe facts, interface states,
counters, neighbors and optics. Both live here in separate tables, so an edit never changes an
observed state and a poll never changes a declaration. This package imports nothing else of
netops: ``topology`` and ``web`` read it through ``inventory.queries`` and its record types.
"""
