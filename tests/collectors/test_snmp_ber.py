"""The small BER reader that saves the good varbinds of a response pysnmp refused
(``collectors.snmp.ber``): bad values become NULL, a broken message is refused whole, and
the repaired message is exactly what pysnmp decodes."""

from __future__ import annotations

import pytest
from pyasn1.codec.ber import decoder
from pysnmp.proto.api import v2c

from collectors.snmp import ber
from tests.collectors.hostile_udp_agent import enc_int, enc_oid, enc_str

IN_ERRORS_2 = (1, 3, 6, 1, 2, 1, 2, 2, 1, 14, 2)
NAME_1 = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1, 1)


def response(binds: list[tuple[tuple[int, ...], bytes]], version: int = 1) -> bytes:
    body = enc_int(1234) + enc_int(0) + enc_int(0)
    body += ber.tlv(0x30, b"".join(ber.tlv(0x30, enc_oid(o) + v) for o, v in binds))
    return ber.tlv(0x30, enc_int(version) + ber.tlv(0x04, b"public") + ber.tlv(0xA2, body))


def decoded(message: bytes) -> list[tuple[str, object]]:
    msg, rest = decoder.decode(message, asn1Spec=v2c.Message())
    assert rest == b""
    binds = v2c.apiPDU.get_varbinds(v2c.apiMessage.get_pdu(msg))
    return [(".".join(map(str, name)), value) for name, value in binds]


def test_good_message_is_left_as_it_is() -> None:
    message = response([(NAME_1, enc_str("ge-0/0/1")), (IN_ERRORS_2, enc_int(7, 0x41))])
    repaired, bad = ber.repair(message)
    assert bad == [] and repaired == message


@pytest.mark.parametrize(("value", "reason"), [
    (b"\x41\x01\xfb", "Counter32 -5 out of range"),
    (enc_int(2**40, 0x42), "Gauge32 1099511627776 out of range"),
    (enc_int(2**33), "INTEGER 8589934592 out of range"),
    (b"\x40\x03\x0a\x00\x00", "undecodable IpAddress of 3 bytes"),
    (b"\x49\x01\x07", "undecodable unknown type (tag 0x49) of 1 bytes"),
    (b"\x30\x00", "undecodable unknown type (tag 0x30) of 0 bytes"),
])
def test_bad_value_becomes_null_and_the_rest_is_kept(value: bytes, reason: str) -> None:
    third = ((*IN_ERRORS_2[:-1], 3), enc_int(9))
    message = response([(NAME_1, enc_str("ge-0/0/1")), (IN_ERRORS_2, value), third])
    with pytest.raises(Exception):  # noqa: B017 - what pysnmp meets: the whole message refused
        decoder.decode(message, asn1Spec=v2c.Message())
    repaired, bad = ber.repair(message)
    assert bad == [ber.BadValue("1.3.6.1.2.1.2.2.1.14.2", reason)]
    (name, first), (second_name, second), (_third_name, third) = decoded(repaired)
    assert name == "1.3.6.1.2.1.31.1.1.1.1.1" and bytes(first) == b"ge-0/0/1"
    assert second_name == "1.3.6.1.2.1.2.2.1.14.2" and second.tagSet == v2c.Null().tagSet
    assert int(third) == 9


def test_snmpv1_has_no_counter64() -> None:
    _repaired, bad = ber.repair(response([(IN_ERRORS_2, enc_int(5, 0x46))], version=0))
    assert bad == [ber.BadValue("1.3.6.1.2.1.2.2.1.14.2", "Counter64 is not SNMPv1")]


def test_long_messages_keep_their_lengths_right() -> None:
    binds = [((*IN_ERRORS_2[:-1], i), enc_str("x" * 300)) for i in range(1, 40)]
    binds[20] = (binds[20][0], b"\x41\x01\xff")
    repaired, bad = ber.repair(response(binds))
    assert [b.oid for b in bad] == ["1.3.6.1.2.1.2.2.1.14.21"]
    assert len(decoded(repaired)) == 39


@pytest.mark.parametrize("message", [
    response([(NAME_1, enc_str("ge-0/0/1"))])[:-5],               # truncated
    b"\xde\xad\xbe\xef",                                            # garbage
    response([(NAME_1, enc_str("ge-0/0/1"))], version=3),         # not v1/v2c
    response([(NAME_1, enc_str("x"))]) + b"\x00",                  # trailing bytes
    b"\x30\x03\x02\x01\x01",                                        # no community, no PDU
])
def test_broken_messages_are_refused_whole(message: bytes) -> None:
    with pytest.raises(ber.BerError):
        ber.repair(message)


def test_a_bad_name_is_not_repaired() -> None:
    bad_name = ber.tlv(0x30, ber.tlv(0x06, b"\x2b\x86") + enc_int(1))  # OID ends inside an arc
    body = enc_int(1) + enc_int(0) + enc_int(0) + ber.tlv(0x30, bad_name)
    message = ber.tlv(0x30, enc_int(1) + ber.tlv(0x04, b"public") + ber.tlv(0xA2, body))
    with pytest.raises(ber.BerError):
        ber.repair(message)
