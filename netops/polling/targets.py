"""Build collector ``Target``s from inventory devices: address, profile, resolved credentials.

This is the one place where stored secret references become ``Secret`` values, just before a
poll; collectors never read the database, files or environment variables themselves. In a
polling cycle a secret that does not resolve costs only the transport that needs it: a device
whose SSH password variable is unset is still polled over SNMP, with one warning naming the
device and the reference.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from collectors.targets import (
    AuthProtocol,
    PrivProtocol,
    SnmpV2c,
    SnmpV3,
    SshCredentials,
    Target,
    Timeouts,
)
from inventory.models import Credential, Device
from netops.secrets import SecretError, check_key_file, resolve
from netops.settings import Settings

log = logging.getLogger(__name__)
Environ = Mapping[str, str] | None


class TargetError(Exception):
    """A device cannot be turned into a target (unknown name, unresolvable secret, bad protocol)."""


def _snmp(cred: Credential | None, settings: Settings, env: Environ) -> SnmpV2c | SnmpV3 | None:
    if cred is None or cred.type != "snmp":
        return None
    if cred.snmp_version == "3":
        return SnmpV3(
            user=cred.username or "",
            auth_protocol=AuthProtocol(cred.auth_protocol) if cred.auth_protocol else None,
            auth_key=resolve(cred.auth_key, settings, env),
            priv_protocol=PrivProtocol(cred.priv_protocol) if cred.priv_protocol else None,
            priv_key=resolve(cred.priv_key, settings, env),
        )
    community = resolve(cred.community, settings, env)
    if community is None:
        raise TargetError(f"credential {cred.name}: no community")
    return SnmpV2c(community=community, version=cred.snmp_version or "2c")


def _ssh(cred: Credential | None, settings: Settings, env: Environ) -> SshCredentials | None:
    if cred is None or cred.type != "ssh":
        return None
    check_key_file(cred.key_file, settings)
    return SshCredentials(
        username=cred.username or "",
        password=resolve(cred.password, settings, env),
        key_file=cred.key_file,
        enable_secret=resolve(cred.enable_secret, settings, env),
    )


def timeouts_from(settings: Settings) -> Timeouts:
    return Timeouts(
        snmp_timeout_s=settings.snmp.timeout_s, snmp_retries=settings.snmp.retries,
        ssh_connect_s=settings.ssh.connect_timeout_s, ssh_command_s=settings.ssh.command_timeout_s,
        deadline_s=settings.ssh.deadline_s, snmp_deadline_s=settings.snmp.deadline_s,
        snmp_max_rows=settings.snmp.max_rows,
    )


def build_target(device: Device, settings: Settings, environ: Mapping[str, str] | None = None) -> Target:
    """The target of one device with its secrets resolved; ``TargetError`` when that fails."""
    try:
        snmp = _snmp(device.snmp_credential, settings, environ)
        ssh = _ssh(device.ssh_credential, settings, environ)
    except (SecretError, ValueError) as exc:
        raise TargetError(f"device {device.name}: {exc}") from None
    return _target(device, settings, snmp, ssh)


def _target(device: Device, settings: Settings, snmp: SnmpV2c | SnmpV3 | None,
            ssh: SshCredentials | None) -> Target:
    return Target(
        device_key=device.name,
        host=device.address,
        platform=device.platform,
        profile=device.facts.profile if device.facts is not None else None,
        snmp=snmp,
        snmp_port=device.snmp_port,
        ssh=ssh,
        ssh_port=device.ssh_port,
        timeouts=timeouts_from(settings),
        session_log=settings.ssh.session_log_dir is not None,
    )


def build_cycle_target(device: Device, settings: Settings, environ: Mapping[str, str] | None = None
                       ) -> Target | None:
    """The device's target with the transports whose secrets resolve; one warning per lost transport.

    None (with a warning) when the device has credentials and none of them resolves.
    """
    snmp = ssh = None
    try:
        snmp = _snmp(device.snmp_credential, settings, environ)
    except (SecretError, ValueError, TargetError) as exc:
        _warn_lost(device, "SNMP", device.snmp_credential, exc)
    try:
        ssh = _ssh(device.ssh_credential, settings, environ)
    except (SecretError, ValueError) as exc:
        _warn_lost(device, "SSH", device.ssh_credential, exc)
    if snmp is None and ssh is None and (device.snmp_credential or device.ssh_credential) is not None:
        log.warning("device %s: not polled this cycle, none of its credentials resolves", device.name)
        return None
    return _target(device, settings, snmp, ssh)


def _warn_lost(device: Device, transport: str, cred: Credential | None, exc: Exception) -> None:
    name = cred.name if cred is not None else "?"
    log.warning("device %s: %s credential %s: %s; not polled over %s this cycle",
                device.name, transport, name, exc, transport)


def build_targets(
    session: Session, settings: Settings, names: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[Target]:
    """Targets of the named devices (any state; unknown names or bad secrets raise ``TargetError``),
    or of every enabled device (a secret that does not resolve drops only its transport, warned)."""
    stmt = select(Device).options(
        selectinload(Device.snmp_credential), selectinload(Device.ssh_credential), selectinload(Device.facts),
    ).order_by(Device.name)
    if names is not None:
        wanted = list(dict.fromkeys(names))
        devices = list(session.scalars(stmt.where(Device.name.in_(wanted))))
        unknown = sorted(set(wanted) - {d.name for d in devices})
        if unknown:
            raise TargetError(f"unknown device(s): {', '.join(unknown)}")
        order = {name: i for i, name in enumerate(wanted)}
        return [build_target(d, settings, environ) for d in sorted(devices, key=lambda d: order[d.name])]
    targets = []
    for device in session.scalars(stmt.where(Device.enabled.is_(True))):
        target = build_cycle_target(device, settings, environ)
        if target is not None:
            targets.append(target)
    return targets
