"""A small Magelang-like network for the web tests: what polls observed, then the real monitor.

core -- dist-utara -- acc-smpn1 (school), dist-utara -- acc-sdn1 (school, behind a fiber we
cut), a dual-homed office with one of its two fibers down, a device whose sysName is a script
tag. The observed data (facts, ports, counters, a past outage, job runs) is written into the
models; every state, event, open outage and site state comes from the real monitor
(``netops.monitor.monitor``) assessing it, as in the service. The web only reads.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from inventory.models import (
    CounterRecord,
    Device,
    Interface,
    JobRun,
    Link,
    ObservedFacts,
    Outage,
    PollRun,
    Site,
    User,
)
from netops.monitor.monitor import Monitor, Probe
from netops.settings import load_settings

XSS = "<script>alert(1)</script>"
PASSWORDS = {"helpdesk": "help-desk-pass", "engineer": "engineer-pass", "admin": "admin-pass-123"}

SITES = [
    ("Balai Kota Magelang", "core", "Magelang Tengah", "NOC Diskominfo", "0293-111"),
    ("Kantor Kecamatan Magelang Utara", "district", "Magelang Utara", None, None),
    ("SMP Negeri 1 Magelang", "school", "Magelang Utara", "Pak Budi (TU)", "0812-1111"),
    ("SD Negeri 1 Magelang", "school", "Magelang Utara", "Bu Sri", "0812-2222"),
    ("Dinas Kesehatan", "agency", "Magelang Tengah", None, None),
]
DEVICES = [  # name, role, site index, state
    ("core-balaikota", "core", 0, "up"),
    ("dist-utara", "distribution", 1, "up"),
    ("acc-smpn1", "access", 2, "up"),
    ("acc-sdn1", "access", 3, "up"),
    ("acc-dinkes", "access", 4, "up"),
]
LINKS = [  # a, a port, b, b port, state
    ("core-balaikota", "xe1", "dist-utara", "xe1", "up"),
    ("dist-utara", "sfp1", "acc-smpn1", "sfp1", "up"),
    ("dist-utara", "sfp2", "acc-sdn1", "sfp1", "down"),
    ("core-balaikota", "sfp1", "acc-dinkes", "sfp1", "up"),
    ("core-balaikota", "sfp2", "acc-dinkes", "sfp2", "down"),
]


def seed(session: Session) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    sites = [Site(name=n, kind=k, district=d, contact_name=c, contact_phone=p) for n, k, d, c, p in SITES]
    session.add_all(sites)
    devices = {}
    for i, (name, role, site, _state) in enumerate(DEVICES):
        dev = Device(name=name, address=f"198.51.100.{i + 2}", role=role, site=sites[site], platform="linux")
        dev.facts = ObservedFacts(
            sys_name=XSS if name == "acc-dinkes" else name, sys_descr="Linux", learned_at=now
        )
        devices[name] = dev
        session.add(dev)
    session.flush()
    ports: dict[tuple[str, str], Interface] = {}
    for a, ap, b, bp, _state in LINKS:
        for dev, port in ((a, ap), (b, bp)):
            iface = Interface(
                device=devices[dev],
                name=port,
                if_index=10 + len(ports),
                speed_bps=10**9,
                oper_status="up",  # every fiber worked until 17 minutes ago
                admin_status="up",
                alias=XSS if dev == "acc-dinkes" else None,
                in_bps=2e6,
                out_bps=1e6,
                utilization_pct=12.5,
                rx_dbm=-7.5,
                tx_dbm=-2.1,
            )
            ports[(dev, port)] = iface
            session.add(iface)
        session.flush()
        link = Link(
            a_interface_id=ports[(a, ap)].id,
            b_interface_id=ports[(b, bp)].id,
            declared=True,
            source="declared",
        )
        session.add(link)
        session.flush()
    for k in range(6):
        session.add(
            CounterRecord(
                interface_id=ports[("acc-smpn1", "sfp1")].id,
                sampled_at=now - timedelta(minutes=5 * (6 - k)),
                in_bps=1e6 * k,
                out_bps=5e5 * k,
            )
        )
    old = Outage(
        root_cause_type="device",
        root_cause="acc-smpn1",
        started_at=now - timedelta(days=3),
        ended_at=now - timedelta(days=3) + timedelta(hours=2),
        affected_sites=["SMP Negeri 1 Magelang"],
        affected_devices=["acc-smpn1"],
    )
    session.add(old)
    run = JobRun(
        job="status",
        started_at=now - timedelta(minutes=1),
        finished_at=now,
        duration_s=3.2,
        devices_polled=5,
        devices_failed=0,
        result="ok",
    )
    session.add(run)
    session.flush()
    session.add(
        PollRun(
            job_run_id=run.id,
            device_id=devices["acc-smpn1"].id,
            job="status",
            transport="snmp",
            started_at=now - timedelta(minutes=1),
            duration_s=0.2,
            ok=True,
            completed="interfaces",
        )
    )
    for role, password in PASSWORDS.items():  # a cheap hash keeps the tests fast; login checks any method
        hashed = generate_password_hash(password, method="pbkdf2:sha256:1000")
        session.add(User(name=role, password_hash=hashed, role=role, created_at=now))
    session.flush()
    monitor = Monitor(load_settings(environ={}))
    answered = {name: Probe(name, True, source="status poll") for name, *_ in DEVICES}
    monitor.evaluate(session, answered, now - timedelta(days=2))
    for a, ap, b, bp, state in LINKS:  # 17 minutes ago two fibers went down, both ends say so
        ports[(a, ap)].oper_status = ports[(b, bp)].oper_status = state
    monitor.evaluate(session, answered, now - timedelta(minutes=17))
    monitor.evaluate(session, answered, now)
    session.commit()
