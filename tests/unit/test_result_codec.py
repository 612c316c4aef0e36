"""A poll result crosses from a Celery worker to the scheduler as JSON and comes back equal."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.observations import (
    AdminStatus,
    ConfigSnapshot,
    CounterSample,
    DeviceFacts,
    ErrorKind,
    IdKind,
    InterfaceState,
    Neighbor,
    NeighborProtocol,
    OperStatus,
    OpticalReading,
    PollError,
    PollKind,
    PollResult,
)
from netops.polling.executor import NotPolled
from netops.polling.result_codec import decode, encode


def test_every_field_survives_the_round_trip() -> None:
    at = datetime(2026, 5, 1, 8, 0, 0, 123456, tzinfo=UTC)
    result = PollResult(
        device_key="sw-<1>", profile="cisco_ios", transport="snmp", started_at=at, finished_at=at,
        completed=frozenset({PollKind.FACTS, PollKind.INTERFACES}),
        facts=DeviceFacts("sw1", "IOS \"15\"", "1.3.6.1.4.1.9", uptime_s=12.5, serial="X1"),
        interfaces=(InterfaceState("Gi0/1", 1, admin_status=AdminStatus.UP,
                                   oper_status=OperStatus.LOWER_LAYER_DOWN, speed_bps=10**9),),
        counters=(CounterSample("Gi0/1", 1, 2**63, None, counter_bits=64),),
        neighbors=(Neighbor("Gi0/1", NeighborProtocol.LLDP, "aa:bb", IdKind.MAC, "Gi0/2",
                            IdKind.INTERFACE_NAME, system_name="sw2", local_if_index=1),),
        optics=(OpticalReading("Gi0/1", 1, None, -7.5, -2.0),),
        config=ConfigSnapshot("hostname sw1\n", "show run"),
        errors=(PollError(ErrorKind.TIMEOUT, "no answer", PollKind.OPTICS), PollError(ErrorKind.PARSE, "x")),
    )
    assert decode(encode(result)) == result


def test_not_polled_names_the_devices_by_reason() -> None:
    error = NotPolled({"b": "no worker for group south", "a": "no worker for group south",
                       "c": "no result within 90 s from group north"})
    assert str(error) == ("not polled: no worker for group south: a, b; "
                          "not polled: no result within 90 s from group north: c")
