"""SQLAlchemy models of the inventory, split by concept; one metadata for Alembic."""

from inventory.models.base import Base, UtcDateTime, iso_utc, utcnow
from inventory.models.credentials import CREDENTIAL_TYPES, Credential
from inventory.models.devices import DEVICE_ROLES, PLATFORMS, Device, ObservedFacts
from inventory.models.interfaces import Interface
from inventory.models.latency import LatencyRollup, LatencySample
from inventory.models.links import LINK_MEDIA, LINK_SOURCES, Link
from inventory.models.monitoring import (
    ApiToken,
    Event,
    JobRun,
    LoginFailure,
    NodePosition,
    Outage,
    PollRun,
    TrapStat,
    User,
)
from inventory.models.observed import (
    ConfigVersion,
    CounterRecord,
    CounterRollup,
    DeviceState,
    LinkState,
    NeighborRecord,
    OpticalRecord,
    SiteState,
    SshHostKey,
)
from inventory.models.operations import MAINTENANCE_SCOPES, TIMELINE_KINDS, MaintenanceWindow, OutageEntry
from inventory.models.scaleout import ForwardedTrap, PollOutcome, PollWorker, SchedulerLease
from inventory.models.sites import SITE_KINDS, Site

__all__ = [
    "CREDENTIAL_TYPES",
    "DEVICE_ROLES",
    "LINK_MEDIA",
    "LINK_SOURCES",
    "MAINTENANCE_SCOPES",
    "PLATFORMS",
    "SITE_KINDS",
    "TIMELINE_KINDS",
    "ApiToken",
    "Base",
    "ConfigVersion",
    "CounterRecord",
    "CounterRollup",
    "Credential",
    "Device",
    "DeviceState",
    "Event",
    "ForwardedTrap",
    "Interface",
    "JobRun",
    "LatencyRollup",
    "LatencySample",
    "Link",
    "LinkState",
    "LoginFailure",
    "MaintenanceWindow",
    "NeighborRecord",
    "NodePosition",
    "ObservedFacts",
    "OpticalRecord",
    "Outage",
    "OutageEntry",
    "PollOutcome",
    "PollRun",
    "PollWorker",
    "SchedulerLease",
    "Site",
    "SiteState",
    "SshHostKey",
    "TrapStat",
    "User",
    "UtcDateTime",
    "iso_utc",
    "utcnow",
]
