"""Observed state: neighbors, counter history, optics history, config snapshots, device states."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models.base import Base


class NeighborRecord(Base):
    """An LLDP/CDP neighbor as advertised; kept until N consecutive completed reads miss it."""

    __tablename__ = "neighbors"
    __table_args__ = (Index("ix_neighbors_device_port", "device_id", "local_port"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    local_port: Mapped[str] = mapped_column(String(100))
    protocol: Mapped[str] = mapped_column(String(10))
    chassis_id: Mapped[str] = mapped_column(String(255))
    chassis_id_kind: Mapped[str] = mapped_column(String(30))
    port_id: Mapped[str] = mapped_column(String(255))
    port_id_kind: Mapped[str] = mapped_column(String(30))
    port_description: Mapped[str | None] = mapped_column(String(255))
    system_name: Mapped[str | None] = mapped_column(String(255))
    system_description: Mapped[str | None] = mapped_column(Text)
    management_address: Mapped[str | None] = mapped_column(String(100))
    platform: Mapped[str | None] = mapped_column(String(255))
    transport: Mapped[str] = mapped_column(String(10), default="snmp")
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    miss_count: Mapped[int] = mapped_column(Integer, default=0)


class CounterRecord(Base):
    """Raw counter samples (history); downsampled by retention into ``counter_rollups``."""

    __tablename__ = "counter_samples"
    __table_args__ = (Index("ix_counter_samples_iface_time", "interface_id", "sampled_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    interface_id: Mapped[int] = mapped_column(ForeignKey("interfaces.id", ondelete="CASCADE"))
    sampled_at: Mapped[datetime]
    in_octets: Mapped[int | None] = mapped_column(BigInteger)
    out_octets: Mapped[int | None] = mapped_column(BigInteger)
    in_errors: Mapped[int | None] = mapped_column(BigInteger)
    out_errors: Mapped[int | None] = mapped_column(BigInteger)
    in_discards: Mapped[int | None] = mapped_column(BigInteger)
    out_discards: Mapped[int | None] = mapped_column(BigInteger)
    counter_bits: Mapped[int] = mapped_column(Integer, default=64)
    uptime_s: Mapped[float | None]
    in_bps: Mapped[float | None]
    out_bps: Mapped[float | None]


class CounterRollup(Base):
    """Hourly averages and maxima of rates, kept long after raw samples are purged."""

    __tablename__ = "counter_rollups"
    __table_args__ = (Index("ix_counter_rollups_iface_hour", "interface_id", "hour", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interface_id: Mapped[int] = mapped_column(ForeignKey("interfaces.id", ondelete="CASCADE"))
    hour: Mapped[datetime]
    samples: Mapped[int] = mapped_column(Integer, default=0)
    in_bps_avg: Mapped[float | None]
    out_bps_avg: Mapped[float | None]
    in_bps_max: Mapped[float | None]
    out_bps_max: Mapped[float | None]
    errors: Mapped[int | None] = mapped_column(BigInteger)


class OpticalRecord(Base):
    """Optical levels history per interface."""

    __tablename__ = "optical_readings"
    __table_args__ = (Index("ix_optical_iface_time", "interface_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interface_id: Mapped[int] = mapped_column(ForeignKey("interfaces.id", ondelete="CASCADE"))
    read_at: Mapped[datetime]
    lane: Mapped[int | None]
    rx_dbm: Mapped[float | None]
    tx_dbm: Mapped[float | None]
    temperature_c: Mapped[float | None]


class ConfigVersion(Base):
    """A running configuration, secrets masked; a new row only when the text changed."""

    __tablename__ = "config_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    collected_at: Mapped[datetime]
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    diff: Mapped[str | None] = mapped_column(Text)


class DeviceState(Base):
    """The monitor's current verdict on a device: up, down, unreachable, agent_down or unknown."""

    __tablename__ = "device_states"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="unknown")
    since: Mapped[datetime | None]
    last_poll_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    icmp_ok: Mapped[bool | None]


class LinkState(Base):
    """The monitor's current verdict on a link: up, down, degraded or unknown."""

    __tablename__ = "link_states"

    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="unknown")
    since: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)


class SiteState(Base):
    """The one assessment's verdict on a site, as the help desk shows it, and the outage behind it.

    ``causes`` lists the root-cause elements the site's state points at (``{"type", "name"}``);
    ``outage_id`` is the open outage of the first of them; ``since`` is when the site entered
    its state, so "offline since" is when it lost its connection, not when a cause first failed.
    """

    __tablename__ = "site_states"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="unknown")
    reason: Mapped[str] = mapped_column(String(30), default="")
    causes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id", ondelete="SET NULL"))
    since: Mapped[datetime | None]


class SshHostKey(Base):
    """SSH host keys recorded on first contact; a changed key is reported, not trusted."""

    __tablename__ = "ssh_host_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(100))
    port: Mapped[int] = mapped_column(Integer, default=22)
    key_type: Mapped[str] = mapped_column(String(50))
    fingerprint: Mapped[str] = mapped_column(String(200))
    key_base64: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime]
