"""Differential tests of netops' own SNMP codec (``fastcodec``) against pysnmp/pyasn1.

Random varbind lists of every SNMP type and edge value encoded by pysnmp decode to the same
values with ours; requests encoded by ours decode in pysnmp to the same PDU; values pyasn1
refuses are read as NULL with the same reasons as the pysnmp path's repair (``ber.repair``);
random and mutated bytes raise nothing but ``SnmpDecodeError``, and whatever pyasn1 reads whole
we read to the same values.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder, encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import univ
from pysnmp.proto import rfc1905
from pysnmp.proto.api import v1, v2c

from collectors.snmp import ber, decode, fastcodec
from collectors.snmp.fastcodec import (
    END_OF_MIB_VIEW,
    GET,
    GETBULK,
    GETNEXT,
    NO_SUCH_INSTANCE,
    NO_SUCH_OBJECT,
    NULL,
    SnmpDecodeError,
    decode_response,
    encode_oid,
    encode_request,
)

FAST = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MODULES: dict[int, Any] = {0: v1, 1: v2c}
BIG = (bytes(range(256)) * 256)[:65535]  # 64 KiB - 1: the largest OCTET STRING SNMP allows

arcs = st.one_of(st.integers(0, 127), st.integers(128, 2**28 - 1), st.integers(2**28, 2**32 - 1))
oids = st.one_of(
    st.tuples(st.integers(0, 1), st.integers(0, 39)),
    st.tuples(st.just(2), st.integers(0, 2**32 - 81)),
).flatmap(lambda head: st.lists(arcs, max_size=30).map(lambda tail: (*head, *tail)))
long_oids = st.lists(arcs, min_size=100, max_size=128).map(lambda tail: (1, 3, *tail))
strings = st.one_of(st.binary(max_size=40), st.just(b""), st.just(BIG))
u32 = st.one_of(st.integers(0, 2**32 - 1), st.sampled_from([0, 2**31, 2**32 - 1]))


def values(version: int) -> st.SearchStrategy[tuple[Any, Any]]:
    """(pysnmp value, the plain value we must decode) of every type of the version."""
    m = MODULES[version]
    ints = st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([-(2**31), -1, 0, 2**31 - 1]))
    common = [
        ints.map(lambda n: (m.Integer(n), n)),
        strings.map(lambda b: (m.OctetString(b), b)),
        st.one_of(oids, long_oids).map(lambda o: (m.ObjectIdentifier(o), o)),
        st.binary(min_size=4, max_size=4).map(lambda b: (m.IpAddress(b), b)),
        u32.map(lambda n: ((v1.Counter if version == 0 else v2c.Counter32)(n), n)),
        u32.map(lambda n: ((v1.Gauge if version == 0 else v2c.Gauge32)(n), n)),
        u32.map(lambda n: (m.TimeTicks(n), n)),
        strings.map(lambda b: (m.Opaque(b), b)),
        st.just((m.Null(""), NULL)),
    ]
    if version == 1:
        common += [
            st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 2**63, 2**64 - 1])).map(
                lambda n: (v2c.Counter64(n), n)),
            st.sampled_from([(rfc1905.noSuchObject, NO_SUCH_OBJECT),
                             (rfc1905.noSuchInstance, NO_SUCH_INSTANCE),
                             (rfc1905.endOfMibView, END_OF_MIB_VIEW)]),
        ]
    return st.one_of(*common)


@st.composite
def responses(draw: st.DrawFn, max_varbinds: int = 12) -> tuple[bytes, dict[str, Any]]:
    """A response message encoded by pysnmp, and what it holds in plain values."""
    version = draw(st.sampled_from([0, 1]))
    m = MODULES[version]
    binds = draw(st.lists(st.tuples(st.one_of(oids, long_oids), values(version)), max_size=max_varbinds))
    fields = {"version": version, "community": draw(st.binary(max_size=32)),
              "request_id": draw(st.integers(-(2**31), 2**31 - 1)),
              "error_status": draw(st.integers(0, 18)), "error_index": draw(st.integers(0, 2**31 - 1)),
              "varbinds": [(oid, plain) for oid, (_value, plain) in binds]}
    pdu = m.GetResponsePDU()
    m.apiPDU.set_defaults(pdu)
    m.apiPDU.set_request_id(pdu, fields["request_id"])
    m.apiPDU.set_error_status(pdu, fields["error_status"])
    m.apiPDU.set_error_index(pdu, fields["error_index"])
    m.apiPDU.set_varbinds(pdu, [(m.ObjectIdentifier(oid), value) for oid, (value, _plain) in binds])
    msg = m.Message()
    m.apiMessage.set_defaults(msg)
    m.apiMessage.set_community(msg, fields["community"])
    m.apiMessage.set_pdu(msg, pdu)
    return encoder.encode(msg), fields


def plain(value: Any) -> Any:
    """A pysnmp value as the plain value our codec gives."""
    if isinstance(value, rfc1905.NoSuchObject):
        return NO_SUCH_OBJECT
    if isinstance(value, rfc1905.NoSuchInstance):
        return NO_SUCH_INSTANCE
    if isinstance(value, rfc1905.EndOfMibView):
        return END_OF_MIB_VIEW
    if isinstance(value, univ.Null):
        return NULL
    if isinstance(value, univ.ObjectIdentifier):
        return tuple(value.asTuple())
    if isinstance(value, univ.Integer):
        return int(value)
    if isinstance(value, univ.OctetString):
        return bytes(value.asOctets())
    if isinstance(value, univ.Choice):  # SNMPv1 NetworkAddress
        return plain(value.getComponent())
    raise AssertionError(f"unexpected pysnmp value {value!r}")


def pysnmp_read(data: bytes) -> dict[str, Any]:
    """What pysnmp reads from a message (raises PyAsn1Error and friends when it cannot)."""
    version = int(decoder.decode(data, asn1Spec=v2c.Message())[0]["version"]) if data else -1
    m = MODULES.get(version)
    if m is None:
        raise PyAsn1Error("not v1/v2c")
    msg, rest = decoder.decode(data, asn1Spec=m.Message())
    if rest:
        raise PyAsn1Error("trailing bytes")
    pdu = m.apiMessage.get_pdu(msg)
    return {"version": version, "community": bytes(m.apiMessage.get_community(msg).asOctets()),
            "request_id": int(m.apiPDU.get_request_id(pdu)),
            "error_status": int(m.apiPDU.get_error_status(pdu)),
            "error_index": int(pdu[2]),  # raw; pysnmp's sessions clamp it to the varbind count, as ours do
            "varbinds": [(tuple(name.asTuple()), plain(value)) for name, value in m.apiPDU.get_varbinds(pdu)],
            "pdu": pdu}


def ours(data: bytes) -> dict[str, Any]:
    answer = decode_response(data)
    return {"version": answer.version, "community": answer.community, "request_id": answer.request_id,
            "error_status": answer.error_status, "error_index": answer.error_index,
            "varbinds": answer.varbinds}


@FAST
@given(responses())
def test_responses_encoded_by_pysnmp_decode_to_the_same_values(message: tuple[bytes, dict[str, Any]]) -> None:
    data, fields = message
    answer = decode_response(data)
    assert answer.bad == [] and answer.pdu == fastcodec.RESPONSE
    assert ours(data) == fields
    reference = pysnmp_read(data)
    del reference["pdu"]
    assert reference == fields  # the strategy's plain values are pysnmp's too


@FAST
@given(st.sampled_from([(0, GET), (0, GETNEXT), (1, GET), (1, GETNEXT), (1, GETBULK)]),
       st.binary(max_size=32), st.integers(0, 2**31 - 1), st.lists(st.one_of(oids, long_oids), max_size=20),
       st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1), st.booleans())
def test_requests_encoded_by_us_decode_in_pysnmp_to_the_same_pdu(
        kind: tuple[int, int], community: bytes, request_id: int, names: list[tuple[int, ...]],
        non_repeaters: int, max_repetitions: int, as_text: bool) -> None:
    version, pdu_tag = kind
    m = MODULES[version]
    request = [".".join(map(str, o)) for o in names] if as_text else names
    data = encode_request(version, community, pdu_tag, request_id, request, non_repeaters, max_repetitions)
    msg, rest = decoder.decode(data, asn1Spec=m.Message())
    assert rest == b""
    assert int(m.apiMessage.get_version(msg)) == version
    assert bytes(m.apiMessage.get_community(msg).asOctets()) == community
    pdu = m.apiMessage.get_pdu(msg)
    expected_type = {GET: m.GetRequestPDU, GETNEXT: m.GetNextRequestPDU}.get(pdu_tag, v2c.GetBulkRequestPDU)
    assert pdu.tagSet == expected_type.tagSet
    assert int(m.apiPDU.get_request_id(pdu)) == request_id
    if pdu_tag == GETBULK:
        assert int(v2c.apiBulkPDU.get_non_repeaters(pdu)) == non_repeaters
        assert int(v2c.apiBulkPDU.get_max_repetitions(pdu)) == max_repetitions
    else:
        assert (int(m.apiPDU.get_error_status(pdu)), int(m.apiPDU.get_error_index(pdu))) == (0, 0)
    binds = m.apiPDU.get_varbinds(pdu)
    assert [tuple(n.asTuple()) for n, _v in binds] == names
    assert all(isinstance(v, univ.Null) for _n, v in binds)
    # and pysnmp's own encoding of that PDU is byte for byte ours
    assert encoder.encode(msg) == data


def test_bad_oids_are_refused_on_encoding() -> None:
    for bad in ("1", "3.1", "1.40", "1.3.-6", "1.3.x"):
        with pytest.raises(ValueError):
            encode_request(1, b"public", GET, 1, [bad])


# --- values pyasn1 refuses: NULL plus a reason, as the pysnmp path's repair does ---------------

def _tlv(tag: int, body: bytes) -> bytes:
    return fastcodec._tlv(tag, body)


def _signed(tag: int, number: int) -> bytes:
    size = max(1, (number + (number < 0)).bit_length() // 8 + 1)
    return _tlv(tag, number.to_bytes(size, "big", signed=True))


def bad_values(version: int) -> st.SearchStrategy[bytes]:
    out = [
        st.tuples(st.sampled_from([0x41, 0x42, 0x43]), st.integers(-(2**40), -1)).map(lambda t: _signed(*t)),
        st.tuples(st.sampled_from([0x41, 0x42, 0x43]), st.integers(2**32, 2**40)).map(lambda t: _signed(*t)),
        st.integers(-(2**70), -1).map(lambda n: _signed(0x46, n)),
        st.integers(2**64, 2**70).map(lambda n: _signed(0x46, n)),
        st.binary(max_size=12).filter(lambda b: len(b) != 4).map(lambda b: _tlv(0x40, b)),
        st.binary(min_size=1, max_size=4).map(lambda b: _tlv(0x05, b)),
        st.tuples(st.sampled_from([0x45, 0x47, 0x49, 0x83, 0x01, 0x03, 0x0A]), st.binary(max_size=6)).map(
            lambda t: _tlv(*t)),
        st.sampled_from([b"\x06\x00", b"\x06\x02\x2b\x80", b"\x06\x02\x80\x01"]),  # broken OID values
    ]
    if version == 0:  # SNMPv1's INTEGER has no range, its OCTET STRING no size limit
        out += [st.integers(0, 2**64 - 1).map(lambda n: _signed(0x46, n)),
                st.sampled_from([b"\x80\x00", b"\x81\x00", b"\x82\x00"])]
    else:
        out += [st.tuples(st.sampled_from([0x80, 0x81, 0x82]), st.binary(min_size=1, max_size=3)).map(
            lambda t: _tlv(*t)),
                st.integers(2**31, 2**40).map(lambda n: _signed(0x02, n)),
                st.integers(-(2**40), -(2**31) - 1).map(lambda n: _signed(0x02, n)),
                st.just(_tlv(0x04, BIG + b"!"))]
    return st.one_of(*out)


@st.composite
def spoiled(draw: st.DrawFn) -> tuple[bytes, int]:
    """A pysnmp-encoded response with some varbinds' values replaced by values pyasn1 refuses."""
    data, fields = draw(responses(max_varbinds=8))
    frame = ber.frame(data)
    binds = [data[s:e] for s, e, _n, _v in ber._varbinds(data, *frame.varbinds)]
    spoil = bad_values(fields["version"])
    for i, bind in enumerate(binds):
        if draw(st.booleans()):
            _tag, name_start, _end = ber.read_tlv(bind, 0, len(bind))
            _tag, _s, name_end = ber.read_tlv(bind, name_start, len(bind))
            binds[i] = _tlv(0x30, bind[name_start:name_end] + draw(spoil))
    pdu = _tlv(frame.pdu_tag, data[slice(*frame.pdu_header)] + _tlv(0x30, b"".join(binds)))
    return _tlv(0x30, data[slice(*frame.head)] + pdu), fields["version"]


@FAST
@given(spoiled())
def test_refused_values_spoil_only_their_varbind_as_in_the_pysnmp_path(case: tuple[bytes, int]) -> None:
    data, _version = case
    answer = decode_response(data)
    repaired, bad = ber.repair(data)
    assert answer.bad == bad
    reference = pysnmp_read(repaired)
    assert answer.varbinds == reference["varbinds"]
    nulls = {".".join(map(str, oid)) for oid, value in answer.varbinds if value is NULL}
    assert {b.oid for b in bad} <= nulls


# --- garbage: only our error, and agreement wherever pyasn1 reads the message whole --------------

@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(responses(max_varbinds=6))[0])
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if action == "flip" and data:
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif action == "set" and data:
            data[where] = draw(st.sampled_from([0x00, 0x7F, 0x80, 0x81, 0x82, 0x84, 0xFF, 0x30, 0x06, 0x41]))
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=3))
        elif action == "delete" and data:
            del data[where]
        elif action == "truncate":
            del data[where:]
    return bytes(data)


def _agrees_with_pysnmp(data: bytes) -> None:
    try:
        answer = ours(data)
        bad = decode_response(data).bad
    except SnmpDecodeError:
        answer, bad = None, []
    try:
        reference = pysnmp_read(data)
    except Exception:  # pyasn1 refuses it: we may refuse it or save what BER allows
        return
    assert answer is not None, "pysnmp read a message we refused"
    del reference["pdu"]
    assert bad == []
    assert answer == reference


@FAST
@given(mutated())
def test_mutated_messages_raise_only_our_error_and_agree_with_pysnmp(data: bytes) -> None:
    _agrees_with_pysnmp(data)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_our_error(data: bytes) -> None:
    with contextlib.suppress(SnmpDecodeError):
        decode_response(data)


@pytest.mark.parametrize("data", [
    b"", b"\x30", b"\x30\x00", b"\x30\x84\xff\xff\xff\xff", b"\x30\x80\x00\x00", b"\x30\x03\x02\x01\x03",
    b"\x30\x0b\x02\x01\x01\x04\x00\xa2\x04\x02\x01\x01\x02",  # cut inside the PDU header
    bytes.fromhex("302402010104067075626c6963a217020101020100020100300c300a0606" + "2b" * 1),
])
def test_broken_messages_are_our_error(data: bytes) -> None:
    with pytest.raises(SnmpDecodeError):
        decode_response(data)


def test_huge_varbind_counts_and_long_values() -> None:
    binds = [_tlv(0x30, encode_oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, i)) + _signed(0x41, i))
             for i in range(50_000)]
    binds.append(_tlv(0x30, encode_oid("1.3.6.1.2.1.1.1.0") + _tlv(0x04, BIG)))
    pdu = _tlv(0xA2, _signed(2, 7) + _signed(2, 0) + _signed(2, 0) + _tlv(0x30, b"".join(binds)))
    answer = decode_response(_tlv(0x30, _signed(2, 1) + _tlv(0x04, b"public") + pdu))
    assert len(answer.varbinds) == 50_001 and answer.bad == []
    assert answer.varbinds[12_345] == ((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 12_345), 12_345)
    assert answer.varbinds[-1][1] == BIG


def test_readers_see_plain_values_as_they_see_pysnmp_values() -> None:
    """decode.* gives the same for a plain value and its pysnmp twin (what the readers use)."""
    twins: list[tuple[Any, Any]] = [
        (v2c.Integer32(-5), -5), (v2c.Counter64(2**64 - 1), 2**64 - 1), (v2c.TimeTicks(12345), 12345),
        (v2c.OctetString(b"sw\x00-1\n"), b"sw\x00-1\n"),
        (v2c.IpAddress(b"\x0a\x00\x00\x01"), b"\x0a\x00\x00\x01"),
        (v2c.ObjectIdentifier((1, 3, 6, 1, 4, 1, 9)), (1, 3, 6, 1, 4, 1, 9)), (v2c.Null(""), NULL),
        (rfc1905.noSuchObject, NO_SUCH_OBJECT), (rfc1905.endOfMibView, END_OF_MIB_VIEW),
        (v2c.Opaque(b"\x9f\x78\x04"), b"\x9f\x78\x04"),
    ]
    functions = (decode.text, decode.integer, decode.non_negative, decode.oid_text, decode.mac,
                 decode.raw_bytes, decode.timeticks_s, decode.is_missing)
    for reference, value in twins:
        for function in functions:
            assert function(value) == function(reference), (function.__name__, reference)
