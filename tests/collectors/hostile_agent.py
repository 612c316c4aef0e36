"""A hostile recorded agent for snmpsim: every value a real device should never send.

Written as a ``.snmprec`` (OID|tag|value, sorted) beside the LibreNMS recordings and served by
the same snmpsim under community ``hostile``.
"""

from __future__ import annotations

from pathlib import Path

HUGE_ALIAS = "A" * 5000
LLDP = "1.0.8802.1.1.2.1.4.1.1"


def _hex(data: bytes) -> str:
    return data.hex()


ROWS: list[tuple[str, str, str]] = [
    ("1.3.6.1.2.1.1.1.0", "4x", _hex(b"Evil\x00 OS\r\nversion 1\xff\xfe")),  # sysDescr: NUL, CRLF, bad UTF-8
    ("1.3.6.1.2.1.1.2.0", "6", "1.3.6.1.4.1.99999.1"),
    ("1.3.6.1.2.1.1.3.0", "67", "12345"),
    ("1.3.6.1.2.1.1.4.0", "2", "42"),                                          # sysContact as INTEGER
    ("1.3.6.1.2.1.1.5.0", "4x", _hex(b"sw\xe9-core\x00\x00\x00")),              # sysName: Latin-1 + NUL pad
    ("1.3.6.1.2.1.1.6.0", "4", "<script>alert('x')</script> & <private>"),
    ("1.3.6.1.2.1.2.2.1.1.1", "2", "1"),
    ("1.3.6.1.2.1.2.2.1.1.2", "2", "2"),
    ("1.3.6.1.2.1.2.2.1.1.3", "2", "3"),
    ("1.3.6.1.2.1.2.2.1.2.1", "4", "eth0"),
    ("1.3.6.1.2.1.2.2.1.2.2", "4x", _hex(b"port\ntwo\x00")),                    # ifDescr with newline
    ("1.3.6.1.2.1.2.2.1.2.3", "4", "eth0"),
    ("1.3.6.1.2.1.2.2.1.3.1", "2", "6"),
    ("1.3.6.1.2.1.2.2.1.3.2", "4", "ethernet"),                                # ifType as a string
    ("1.3.6.1.2.1.2.2.1.4.1", "2", "-1"),                                      # negative MTU
    ("1.3.6.1.2.1.2.2.1.5.1", "66", "1000000000"),
    ("1.3.6.1.2.1.2.2.1.5.2", "66", "4294967295"),
    ("1.3.6.1.2.1.2.2.1.6.1", "4x", "0011223344"),                             # 5-byte MAC
    ("1.3.6.1.2.1.2.2.1.7.1", "2", "1"),
    ("1.3.6.1.2.1.2.2.1.7.2", "2", "1"),
    ("1.3.6.1.2.1.2.2.1.7.3", "2", "1"),
    ("1.3.6.1.2.1.2.2.1.8.1", "2", "1"),
    ("1.3.6.1.2.1.2.2.1.8.2", "4", "up"),                                      # ifOperStatus as a string
    ("1.3.6.1.2.1.2.2.1.8.3", "2", "99"),                                      # out of range
    ("1.3.6.1.2.1.2.2.1.9.1", "67", "99999999"),                               # ifLastChange after sysUpTime
    ("1.3.6.1.2.1.2.2.1.10.1", "65", "4294967295"),
    ("1.3.6.1.2.1.31.1.1.1.1.1", "4", "eth0"),
    ("1.3.6.1.2.1.31.1.1.1.1.3", "4", "eth0"),                                 # duplicate ifName
    ("1.3.6.1.2.1.31.1.1.1.6.1", "70", "18446744073709551615"),
    ("1.3.6.1.2.1.31.1.1.1.15.1", "2", "-10"),                                 # negative ifHighSpeed
    ("1.3.6.1.2.1.31.1.1.1.18.1", "4", HUGE_ALIAS),
    (f"{LLDP}.4.0.1.1", "2", "4"),
    (f"{LLDP}.4.0.1.2", "2", "77"),                                            # unknown subtype
    (f"{LLDP}.5.0.1.1", "4x", "001122"),                                       # "MAC" of 3 bytes
    (f"{LLDP}.5.0.1.2", "4x", _hex(b"\x00\x01\x02\xff")),
    (f"{LLDP}.6.0.1.1", "2", "3"),
    (f"{LLDP}.7.0.1.1", "4x", "aabbccddeeff"),
    (f"{LLDP}.7.0.1.2", "4", "Gi0/1\x1b[31m"),                                  # ANSI escape
    (f"{LLDP}.9.0.1.1", "4x", _hex(b"peer\x07\x08name")),
    (f"{LLDP}.9.0.1.2", "4", "x" * 3000),
]


def write_hostile(directory: Path) -> None:
    lines = sorted(ROWS, key=lambda row: tuple(int(x) for x in row[0].split(".")))
    (directory / "hostile.snmprec").write_text("".join(f"{o}|{t}|{v}\n" for o, t, v in lines))
