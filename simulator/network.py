"""The demo network as data: sites, switches, ports and fibers, generated deterministically.

``generate(seed)`` builds the default Magelang-like network (core at city hall, a 10G ring of
district switches, agencies, health centres, kelurahan offices and schools; some single-homed,
some dual-homed, some chained). ``load_topology(path)`` reads a topology file in the format of
``shared/testbed`` instead. Everything downstream (SNMP agents, inventory file, faults) reads
only these frozen dataclasses, so both sources behave the same.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from dataclasses import dataclass, replace

from simulator import places
from simulator.vendors import ACCESS_MODELS, MODELS, VendorModel

CORE = "core-balaikota"
DEFAULT_BASE = "127.0.100.0"


@dataclass(frozen=True, slots=True)
class DemoSite:
    name: str
    kind: str
    district: str | None
    latitude: float
    longitude: float
    address: str | None = None


@dataclass(frozen=True, slots=True)
class DemoPort:
    if_index: int
    name: str
    descr: str
    inventory_name: str
    speed_mbps: int
    fiber: bool
    virtual: bool = False
    alias: str = ""
    admin_up: bool = True
    local_up: bool = False  # copper/virtual ports: up without a fiber peer


@dataclass(frozen=True, slots=True)
class DemoDevice:
    name: str
    role: str
    model: str
    site: str
    address: str
    location: str
    contact: str
    mac: str
    ports: tuple[DemoPort, ...]
    lldp_port_id: str = "ifname"  # or "mac"

    @property
    def vendor(self) -> VendorModel:
        return MODELS[self.model]

    def port(self, name: str) -> DemoPort:
        for p in self.ports:
            if name in (p.name, p.inventory_name, p.descr):
                return p
        raise KeyError(f"{self.name} has no port {name!r}")

    def ports_by_index(self) -> dict[int, DemoPort]:
        return {p.if_index: p for p in self.ports}

    def port_mac(self, port: DemoPort) -> str:
        return mac_for(self.mac, port.if_index)


@dataclass(frozen=True, slots=True)
class DemoLink:
    a: str
    a_port: str
    b: str
    b_port: str
    speed_mbps: int
    length_m: int

    @property
    def key(self) -> frozenset[str]:
        return frozenset((self.a, self.b))


@dataclass(frozen=True, slots=True)
class DemoNetwork:
    name: str
    sites: tuple[DemoSite, ...]
    devices: tuple[DemoDevice, ...]
    links: tuple[DemoLink, ...]

    def device(self, name: str) -> DemoDevice:
        for d in self.devices:
            if d.name == name:
                return d
        raise KeyError(f"no demo device {name!r}")

    def site(self, name: str) -> DemoSite:
        return next(s for s in self.sites if s.name == name)

    def links_of(self, device: str) -> tuple[DemoLink, ...]:
        return tuple(lk for lk in self.links if device in (lk.a, lk.b))

    def find_link(self, a: str, b: str) -> DemoLink:
        """The fiber between two devices; ``a`` may be ``device:port`` to pick one of several."""
        a_dev, _, a_port = a.partition(":")
        b_dev, _, b_port = b.partition(":")
        for lk in self.links:
            for x, xp, y, yp in ((lk.a, lk.a_port, lk.b, lk.b_port), (lk.b, lk.b_port, lk.a, lk.a_port)):
                if x == a_dev and y == b_dev and a_port in ("", xp) and b_port in ("", yp):
                    return lk
        raise KeyError(f"no fiber between {a} and {b}")


def mac_for(chassis_mac: str, index: int) -> str:
    head = chassis_mac.rsplit(":", 1)[0]
    last = (int(chassis_mac.rsplit(":", 1)[1], 16) + index) % 256
    return f"{head}:{last:02x}"


def address_for(base: str, index: int) -> str:
    """The loopback address of the ``index``-th device (127.x.y.z, never .0 or .255)."""
    octets = [int(o) for o in base.split(".")]
    value = (octets[1] << 16) + (octets[2] << 8) + index // 250 * 256 + index % 250 + 1
    return f"127.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def chassis_mac(model: VendorModel, name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return f"{model.mac_prefix}:{digest[0]:02x}:{digest[1]:02x}:00"


def distance_m(a: DemoSite, b: DemoSite) -> int:
    """Fiber route length: great-circle distance times a street-routing factor."""
    lat = math.radians((a.latitude + b.latitude) / 2)
    dx = (a.longitude - b.longitude) * 111_320 * math.cos(lat)
    dy = (a.latitude - b.latitude) * 110_540
    return max(80, round(math.hypot(dx, dy) * 1.35))


# ---------------------------------------------------------------- building blocks

@dataclass
class _Draft:
    """A device while links are being cabled (mutable, private to the generator)."""

    name: str
    role: str
    model: VendorModel
    site: str
    location: str
    ports: list[DemoPort]
    used: set[str]
    lldp_port_id: str = "ifname"

    def free_fiber(self) -> DemoPort:
        for p in self.ports:
            if p.fiber and p.name not in self.used:
                self.used.add(p.name)
                return p
        raise ValueError(f"{self.name}: no free fiber port")

    def free_fiber_count(self) -> int:
        return sum(1 for p in self.ports if p.fiber and p.name not in self.used)


def _vendor_ports(model: VendorModel, rng: random.Random) -> list[DemoPort]:
    ports: list[DemoPort] = []
    for pattern in model.ports:
        for n in range(pattern.first, pattern.first + pattern.count):
            up = not pattern.fiber and rng.random() < 0.6
            ports.append(DemoPort(
                if_index=len(ports) + 1, name=pattern.if_name.format(n=n), descr=pattern.if_descr.format(n=n),
                inventory_name=pattern.inventory_name.format(n=n), speed_mbps=pattern.speed_mbps,
                fiber=pattern.fiber, alias=rng.choice(places.COPPER_ALIASES) if up else "",
                admin_up=up or pattern.fiber or rng.random() < 0.7, local_up=up,
            ))
    for name in model.virtual:
        ports.append(DemoPort(if_index=len(ports) + 1, name=name, descr=name, inventory_name=name,
                              speed_mbps=1000, fiber=False, virtual=True, local_up=name != "NULL0"))
    return ports


def _site_near(rng: random.Random, name: str, kind: str, district: str) -> DemoSite:
    lat, lon = places.DISTRICTS[district]
    return DemoSite(name=name, kind=kind, district=district,
                    latitude=round(lat + rng.uniform(-0.008, 0.008), 5),
                    longitude=round(lon + rng.uniform(-0.008, 0.008), 5))


def _cable(drafts: dict[str, _Draft], sites: dict[str, DemoSite], a: str, b: str) -> DemoLink:
    da, db = drafts[a], drafts[b]
    pa, pb = da.free_fiber(), db.free_fiber()
    speed = 10000 if da.role != "access" and db.role != "access" else 1000
    for d, p, peer, pp in ((da, pa, db, pb), (db, pb, da, pa)):
        label = "RING" if speed == 10000 else "FO"
        alias = f"{label} to {peer.name} {pp.inventory_name}"
        d.ports[p.if_index - 1] = replace(p, alias=alias, speed_mbps=min(p.speed_mbps, speed))
    return DemoLink(a=a, a_port=pa.name, b=b, b_port=pb.name, speed_mbps=speed,
                    length_m=distance_m(sites[da.site], sites[db.site]))


def _finish(name: str, base: str, drafts: dict[str, _Draft], sites: dict[str, DemoSite],
            links: list[DemoLink]) -> DemoNetwork:
    devices = []
    for i, d in enumerate(drafts.values()):
        devices.append(DemoDevice(
            name=d.name, role=d.role, model=d.model.key, site=d.site, address=address_for(base, i),
            location=d.location, contact="NOC Diskominfo Kota Magelang",
            mac=chassis_mac(d.model, d.name), ports=tuple(d.ports), lldp_port_id=d.lldp_port_id))
    return DemoNetwork(name=name, sites=tuple(sites.values()), devices=tuple(devices), links=tuple(links))


# ---------------------------------------------------------------- the default network

def _access_sites(rng: random.Random) -> list[tuple[str, str, str, str, bool]]:
    """(device name, site name, kind, district, homed to core) of every access site."""
    out = [(f"acc-{short}", site, "agency", district, core)
           for site, short, district, core in places.AGENCIES]
    out += [(f"acc-{short}", site, "health", district, False) for site, short, district in places.HEALTH]
    for district, names in places.KELURAHAN.items():
        for kel in names:
            slug = kel.lower().replace(" ", "-")
            out.append((f"acc-kel-{slug}", f"Kantor Kelurahan {kel}", "agency", district, False))
    out += [(f"acc-{short}", site, "school", district, False) for site, short, district in places.SCHOOLS]
    return out


def _uplinks(device: str, district: str, core_homed: bool) -> tuple[str, ...]:
    short = device.removeprefix("acc-")
    if short in places.DUAL_HOMED:
        return places.DUAL_HOMED[short]
    if short in places.CHAINED:
        return (f"acc-{places.CHAINED[short]}",)
    return (CORE,) if core_homed else (f"dist-{district.split()[-1].lower()}",)


def generate(seed: int = 1, base: str = DEFAULT_BASE) -> DemoNetwork:
    """The default Magelang-like network; the same seed gives the same network."""
    rng = random.Random(seed)
    name, addr, lat, lon = places.CITY_HALL
    sites = {name: DemoSite(name, "core", "Magelang Tengah", lat, lon, addr)}
    drafts = {CORE: _Draft(CORE, "core", MODELS["cisco-c9500"], name, f"{name}, ruang server Diskominfo",
                           _vendor_ports(MODELS["cisco-c9500"], rng), set())}
    for district in places.DISTRICTS:
        dname = f"dist-{district.split()[-1].lower()}"
        sname = f"Kantor Kecamatan {district}"
        sites[sname] = _site_near(rng, sname, "district", district)
        model = MODELS["huawei-s6730"]
        drafts[dname] = _Draft(dname, "distribution", model, sname, f"{sname}, rak jaringan lt. 1",
                               _vendor_ports(model, rng), set())
    access = _access_sites(rng)
    needs_many = set(places.CHAINED.values()) | set(places.DUAL_HOMED)
    for dev, sname, kind, district, _core in access:
        short = dev.removeprefix("acc-")
        choices = ("huawei-s5735", "mikrotik-crs310") if short in needs_many else ACCESS_MODELS
        key = rng.choice(choices)
        sites[sname] = _site_near(rng, sname, kind, district)
        drafts[dev] = _Draft(dev, "access", MODELS[key], sname, sname, _vendor_ports(MODELS[key], rng), set(),
                             "mac" if short in ("bappeda", "pkm-kerkopan") else "ifname")
    ring = [CORE, "dist-utara", "dist-tengah", "dist-selatan", CORE]
    links = [_cable(drafts, sites, a, b) for a, b in itertools.pairwise(ring)]
    for dev, _sname, _kind, district, core_homed in sorted(access, key=lambda a: a[0].removeprefix("acc-")
                                                            in places.CHAINED):
        links += [_cable(drafts, sites, up, dev) for up in _uplinks(dev, district, core_homed)]
    return _finish("magelang-demo", base, drafts, sites, links)
