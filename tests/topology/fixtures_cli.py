"""Real LLDP/CDP outputs from ../shared/fixtures/cli, parsed with ntc-templates, as neighbor views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ntc_templates.parse import parse_output

from inventory.records import NeighborRecordView

CLI = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "cli"
LIBRENMS = CLI.parent / "librenms" / "expected"

COMMANDS = {
    ("cisco_ios", "show_lldp_neighbors_detail"): ("show lldp neighbors detail", "lldp"),
    ("cisco_ios", "show_cdp_neighbors_detail"): ("show cdp neighbors detail", "cdp"),
    ("huawei_vrp", "display_lldp_neighbor"): ("display lldp neighbor", "lldp"),
    ("juniper_junos", "show_lldp_neighbors"): ("show lldp neighbors", "lldp"),
    ("arista_eos", "show_lldp_neighbors_detail"): ("show lldp neighbors detail", "lldp"),
    ("hp_procurve", "show_lldp_info_remote-device_detail"): ("show lldp info remote-device detail", "lldp"),
    ("aruba_aoscx", "show_lldp_neighbors-info_detail"): ("show lldp neighbors-info detail", "lldp"),
}


def parsed_rows() -> list[tuple[str, dict[str, Any]]]:
    """(file name, parsed row) for every LLDP/CDP row of every fixture file."""
    out = []
    for (platform, folder), (command, _proto) in COMMANDS.items():
        for raw in sorted((CLI / platform / folder).glob("*.raw")):
            rows = parse_output(platform=platform, command=command, data=raw.read_text(encoding="utf-8"))
            out += [(f"{platform}/{raw.name}", row) for row in rows]
    return out


def _kind(text: str | None) -> str:
    low = (text or "local").lower().replace(" ", "")
    return "interface_name" if "name" in low else "mac" if "mac" in low else "local"


def as_view(row: dict[str, Any], device: str = "local-sw") -> NeighborRecordView:
    """A stored neighbor as the SSH collector would record the row (port id, else description)."""
    port_id = row.get("neighbor_port_id") or row.get("neighbor_interface") or ""
    descr = (
        row.get("neighbor_interface")
        if row.get("neighbor_port_id")
        else row.get("neighbor_interface_description")
    )
    return NeighborRecordView(
        device=device,
        local_port=row.get("local_interface") or "?",
        protocol="lldp",
        chassis_id=row.get("chassis_id") or "",
        chassis_id_kind="mac",
        port_id=port_id,
        port_id_kind=_kind(row.get("port_id_type")),
        port_description=descr or None,
        system_name=row.get("neighbor_name") or None,
        management_address=row.get("mgmt_address") or None,
    )
