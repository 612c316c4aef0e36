"""A recovery seen in stages is one outage: ``reconcile`` keeps the outage of a restarting switch
open while the fibers behind it still read down, instead of closing it and opening outages of a
few seconds for each of them (what the dead-switch test on the test bed saw under load)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Outage
from netops.monitor.outages import FlapPolicy, reconcile
from topology.assessed import RootCause
from topology.states import Element

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
POLICY = FlapPolicy()
DEAD = RootCause(Element("device", "dist"), "down", devices=("dist", "acc1", "acc2", "acc3"),
                 sites=("Kecamatan", "SD 1", "SD 2", "SMP 3"))
FIBER_1 = RootCause(Element("link", "acc1:sfp1--dist:sfp1"), "down", devices=("acc1",), sites=("SD 1",))
FIBER_2 = RootCause(Element("link", "acc2:sfp1--dist:sfp2"), "down", devices=("acc2",), sites=("SD 2",))
RING = RootCause(Element("link", "dist:xe2--mid:xe1"), "down", degraded_sites=("SMP 3",))
ELSEWHERE = RootCause(Element("link", "acc9:sfp1--mid:sfp9"), "down", devices=("acc9",), sites=("SD 9",))


def _at(session: Session, seconds: float, *causes: RootCause) -> None:
    reconcile(session, causes, T0 + timedelta(seconds=seconds), POLICY)


def _outages(session: Session) -> list[tuple[str, float | None]]:
    rows = session.scalars(select(Outage).order_by(Outage.id))
    return [(o.root_cause, (o.ended_at - o.started_at).total_seconds() if o.ended_at else None) for o in rows]


def test_a_switch_recovering_in_stages_is_one_outage(session: Session) -> None:
    _at(session, 0, DEAD)
    _at(session, 60, FIBER_1, FIBER_2, RING)  # the switch is back, its fibers not yet read up
    assert _outages(session) == [("dist", None)]
    _at(session, 65, FIBER_2)
    assert _outages(session) == [("dist", None)]
    _at(session, 70)
    assert _outages(session) == [("dist", 70.0)]


def test_a_new_failure_outside_the_recovering_outage_is_its_own(session: Session) -> None:
    _at(session, 0, DEAD)
    _at(session, 60, FIBER_1, ELSEWHERE)
    _at(session, 70)
    assert _outages(session) == [("dist", 70.0), ("acc9:sfp1--mid:sfp9", 10.0)]


def test_a_plain_recovery_still_closes_at_once(session: Session) -> None:
    _at(session, 0, DEAD)
    _at(session, 60)
    assert _outages(session) == [("dist", 60.0)]
