"""SQLAlchemy models of the inventory, split by concept; one metadata for Alembic."""

from inventory.models.audit import AuditEntry
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
from inventory.models.notices import (
    NOTICE_KINDS,
    NOTICE_OUTCOMES,
    NotificationRoute,
    OutageNotice,
    WorksNotice,
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
from inventory.models.telegram import TelegramLink

__all__ = [
    "CREDENTIAL_TYPES",
    "DEVICE_ROLES",
    "LINK_MEDIA",
    "LINK_SOURCES",
    "MAINTENANCE_SCOPES",
    "NOTICE_KINDS",
    "NOTICE_OUTCOMES",
    "PLATFORMS",
    "SITE_KINDS",
    "TIMELINE_KINDS",
    "ApiToken",
    "AuditEntry",
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
    "NotificationRoute",
    "ObservedFacts",
    "OpticalRecord",
    "Outage",
    "OutageEntry",
    "OutageNotice",
    "PollOutcome",
    "PollRun",
    "PollWorker",
    "SchedulerLease",
    "Site",
    "SiteState",
    "SshHostKey",
    "TelegramLink",
    "TrapStat",
    "User",
    "UtcDateTime",
    "WorksNotice",
    "iso_utc",
    "utcnow",
]
