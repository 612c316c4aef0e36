"""The fast path's own request logic on a real UDP socket (a scripted responder on loopback):
answers with a wrong request-id, community, version or PDU type are dropped (the request times
out, as with pysnmp), a late answer to an earlier attempt is taken, an error-index past the
varbinds is clamped as pysnmp does, and the codec choice routes SNMPv3 to pysnmp."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from collectors.errors import SnmpError
from collectors.observations import ErrorKind
from collectors.snmp import fastcodec
from collectors.snmp.fastcodec import _integer, _tlv, decode_response
from collectors.snmp.fastsession import CODEC_ENV, FastEndpoint, FastSnmpHost, SnmpHosts, default_codec
from collectors.snmp.poller import SnmpPoller
from collectors.targets import AuthProtocol, Secret, SnmpV2c, SnmpV3, Target, Timeouts

OID = "1.3.6.1.2.1.1.5.0"
Reply = Callable[[fastcodec.Response, int], bytes | None]


def answer(request: fastcodec.Response, *, request_id: int | None = None, community: bytes | None = None,
           version: int | None = None, pdu: int = fastcodec.RESPONSE,
           error: tuple[int, int] = (0, 0)) -> bytes:
    binds = b"".join(_tlv(0x30, fastcodec.encode_oid(oid) + _tlv(0x04, b"sw1"))
                     for oid, _v in request.varbinds)
    body = (_integer(request.request_id if request_id is None else request_id) + _integer(error[0])
            + _integer(error[1]) + _tlv(0x30, binds))
    head = (_integer(request.version if version is None else version)
            + _tlv(0x04, community or request.community))
    return _tlv(0x30, head + _tlv(pdu, body))


class Responder(asyncio.DatagramProtocol):
    def __init__(self, reply: Reply) -> None:
        self.reply, self.requests, self.seen = reply, 0, []  # type: list[fastcodec.Response]
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        request = decode_response(data)  # the decoder reads any PDU type
        self.seen.append(request)
        self.requests += 1
        out = self.reply(request, self.requests)
        if out is not None:
            self.transport.sendto(out, addr)


def run(reply: Reply, timeout_s: float = 0.3) -> tuple[Any, float, Responder]:
    """One GET through FastSnmpHost against a responder; (result or SnmpError, seconds, responder)."""

    async def go() -> tuple[Any, float, Responder]:
        loop = asyncio.get_running_loop()
        transport, responder = await loop.create_datagram_endpoint(lambda: Responder(reply),
                                                                   local_addr=("127.0.0.1", 0))
        host = FastSnmpHost()
        try:
            port = transport.get_extra_info("sockname")[1]
            ep = await host.endpoint(Target(device_key="t", host="127.0.0.1", snmp_port=port,
                                            snmp=SnmpV2c(Secret("public")),
                                            timeouts=Timeouts(snmp_timeout_s=timeout_s, snmp_retries=1)))
            begin = time.monotonic()
            try:
                result: Any = await host.get(ep, [OID])
            except SnmpError as exc:
                result = exc
            return result, time.monotonic() - begin, responder
        finally:
            host.close()
            transport.close()

    return asyncio.run(go())


def test_good_answer() -> None:
    result, _elapsed, responder = run(lambda req, n: answer(req))
    assert result == (0, 0, [((1, 3, 6, 1, 2, 1, 1, 5, 0), b"sw1")])
    assert responder.requests == 1 and responder.seen[0].pdu == fastcodec.GET


@pytest.mark.parametrize("wrong", ["request-id", "community", "version", "pdu"])
def test_answers_not_for_the_request_are_dropped(wrong: str) -> None:
    def reply(req: fastcodec.Response, _n: int) -> bytes:
        if wrong == "request-id":
            return answer(req, request_id=req.request_id + 1)
        if wrong == "community":
            return answer(req, community=b"private")
        if wrong == "version":
            return answer(req, version=0)
        return answer(req, pdu=fastcodec.GET)

    result, elapsed, responder = run(reply, timeout_s=0.2)
    assert isinstance(result, SnmpError) and result.kind is ErrorKind.TIMEOUT
    assert responder.requests == 2  # timeout x (retries + 1)
    assert 0.35 < elapsed < 2.0


def test_late_answer_to_the_first_attempt_is_taken() -> None:
    first: list[fastcodec.Response] = []

    def reply(req: fastcodec.Response, n: int) -> bytes | None:
        if n == 1:
            first.append(req)
            return None  # silent: the first attempt times out
        return answer(first[0])  # ... and its answer comes during the second attempt

    result, _elapsed, responder = run(reply, timeout_s=0.2)
    assert result == (0, 0, [((1, 3, 6, 1, 2, 1, 1, 5, 0), b"sw1")])
    assert responder.seen[0].request_id != responder.seen[1].request_id


def test_error_index_past_the_varbinds_is_clamped_as_pysnmp_does() -> None:
    result, _elapsed, _responder = run(lambda req, n: answer(req, error=(5, 9)))
    assert result[:2] == (5, 1)


def test_codec_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CODEC_ENV, raising=False)
    assert default_codec() == "fast" and SnmpPoller().codec == "fast"
    monkeypatch.setenv(CODEC_ENV, "pysnmp")
    assert SnmpPoller().codec == "pysnmp" and SnmpPoller(codec="fast").codec == "fast"
    monkeypatch.setenv(CODEC_ENV, "asn1c")
    with pytest.raises(ValueError, match="asn1c"):
        default_codec()
    with pytest.raises(ValueError):
        SnmpHosts("asn1c")

    v2 = Target(device_key="a", host="127.0.0.1", snmp=SnmpV2c(Secret("public")))
    v3 = Target(device_key="b", host="127.0.0.1",
                snmp=SnmpV3(user="u", auth_protocol=AuthProtocol.SHA, auth_key=Secret("authkey123")))

    async def endpoints(codec: str) -> tuple[bool, bool]:
        hosts = SnmpHosts(codec)
        try:
            return isinstance(await hosts.endpoint(v2), FastEndpoint), isinstance(await hosts.endpoint(v3),
                                                                                   FastEndpoint)
        finally:
            hosts.close()

    assert asyncio.run(endpoints("fast")) == (True, False)  # SNMPv3 always through pysnmp
    assert asyncio.run(endpoints("pysnmp")) == (False, False)


def test_codec_setting() -> None:
    from netops.settings import ConfigError, load_settings

    assert load_settings(environ={}).snmp.codec == "fast"
    assert load_settings(environ={CODEC_ENV: "pysnmp"}).snmp.codec == "pysnmp"
    with pytest.raises(ConfigError, match=r"snmp\.codec"):
        load_settings(environ={CODEC_ENV: "asn1c"})
