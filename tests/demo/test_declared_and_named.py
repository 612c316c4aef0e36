"""The demo declares its fibers by default (so the cabling audit shows them confirmed, not "53
seen but not declared"), and a fault command naming a fiber that does not exist lists the ones
that do. The running demo's audit is checked in ``tests/integration/test_readme_commands.py``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import main
from cli.demo_runner import DemoOptions, read_fibers, write_fibers
from simulator.inventory import inventory_document
from simulator.network import generate
from topology.hints import missing_fiber

NETWORK = generate(1)


def test_fibers_are_declared_unless_asked_not_to() -> None:
    assert DemoOptions().declare_links is True
    declared = inventory_document(NETWORK, 16161)["links"]
    assert len(declared) == len(NETWORK.links) == 53
    assert {"a": "core-balaikota:TenGigabitEthernet1/0/1", "b": "dist-utara:XGE0/0/1", "medium": "fiber",
            "length_m": declared[0]["length_m"], "route": declared[0]["route"]} in declared
    assert "links" not in inventory_document(NETWORK, 16161, declare_links=False)
    assert "--no-declare-links" in CliRunner().invoke(main, ["demo", "--help"]).output


def test_a_fiber_that_does_not_exist_lists_those_that_do(tmp_path: Path) -> None:
    write_fibers(NETWORK, tmp_path)
    devices, fibers = read_fibers(tmp_path)
    assert len(devices) == 50 and len(fibers) == 53
    assert missing_fiber("dist-utara", "acc-smpn2", fibers, devices) == (
        "no fiber between dist-utara and acc-smpn2; acc-smpn2's fibers: acc-kel-wates:sfp-sfpplus2 "
        "(at GigabitEthernet0/0/9)")
    assert missing_fiber("dist-utara", "acc-smpn", fibers, devices) == (
        "no device 'acc-smpn'; did you mean acc-smpn1, acc-smpn2 or acc-smpn3?")
    wrong_port = missing_fiber("acc-kel-wates", "acc-smpn2:Gi0/0/9", fibers, devices)
    assert wrong_port.endswith("acc-kel-wates and acc-smpn2 are linked by: "
                               "acc-kel-wates:sfp-sfpplus2 - acc-smpn2:GigabitEthernet0/0/9")
    many = missing_fiber("dist-utara", "core-balaikota:Te1/0/9", fibers, devices)
    assert "and 1 more" not in many and many.count("(at ") <= 8
    assert read_fibers(tmp_path / "nothing") == ([], [])


def test_the_fault_command_answers_with_the_fibers_of_the_running_demo(tmp_path: Path) -> None:
    """Without a running demo the command says so; the hint needs the demo's own answer."""
    result = CliRunner().invoke(main, ["demo", "fault", "cut-link", "dist-utara", "acc-smpn2"],
                                env={"NETOPS_DATA_DIR": str(tmp_path / "var"), "NETOPS_CONFIG": ""})
    assert result.exit_code == 1 and "no demo is running" in result.output
