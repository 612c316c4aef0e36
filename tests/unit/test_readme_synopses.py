"""Every form of every README command is a command line ``netops`` accepts (parsed by click, not run).

``tests/integration/test_readme_commands.py`` runs the commands against a demo; this checks,
in a second, every combination a synopsis allows (``--kind ssh``, ``--format csv``, ``demo
--topology FILE`` ...): each subcommand, option and choice exists. Also the synopsis grammar
of ``tests.support.readme`` itself.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import click
import pytest

from cli import main
from netops.settings import TOP_LEVEL_ENV
from tests.support.readme import (
    Choice,
    Command,
    Group,
    SynopsisError,
    Word,
    expand,
    extract,
    parse,
    readme_commands,
    variants,
)

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = readme_commands(ROOT)
# FILE exists: --topology
DUMMY = {"FILE": str(ROOT / "README.md"), "N": "1", "S": "30", "ROLE": "engineer", "ID": "1",
         "CHAT_ID": "4242"}


def click_parse(argv: list[str]) -> click.Command:
    """Parse ``argv`` (without ``netops``) down to the leaf command, as click would; nothing runs."""
    command: click.Command = main
    ctx = command.make_context("netops", list(argv))
    while isinstance(command, click.Group):
        with warnings.catch_warnings():  # click 8.2+: protected_args is going away
            warnings.simplefilter("ignore", DeprecationWarning)
            rest = [*getattr(ctx, "protected_args", []), *ctx.args]
        if not rest:
            break
        name, sub, args = command.resolve_command(ctx, rest)
        assert sub is not None and name is not None
        command, ctx = sub, sub.make_context(name, args, parent=ctx)
    return command


def _fill(words: tuple[Word, ...]) -> list[str]:
    return [DUMMY.get(w.text, "x") if w.placeholder else w.text for w in words]


def _ids(commands: list[Command]) -> list[str]:
    return [f"line{c.line}-{c.text[:40]}" for c in commands]


@pytest.mark.parametrize("command", COMMANDS, ids=_ids(COMMANDS))
def test_every_form_of_every_readme_command_parses(command: Command) -> None:
    if command.text.startswith("make "):
        target = command.text.split()[1]
        assert re.search(rf"^{re.escape(target)}:", (ROOT / "Makefile").read_text(), re.M), command
        return
    if command.text.startswith("export "):
        assert command.text.split()[1].partition("=")[0] in TOP_LEVEL_ENV, command
        return
    assert command.text.startswith("netops "), f"{command}: a README command starts with netops or make"
    for words in expand(command):
        argv = _fill(words)[1:]
        try:
            click_parse(argv)
        except click.ClickException as exc:
            pytest.fail(f"{command}\n  netops {' '.join(argv)}: {exc.format_message()}")


def test_the_readme_has_commands_in_its_sh_blocks_and_its_table() -> None:
    sources = {c.source for c in COMMANDS}
    assert sources == {"sh", "table"}
    assert len(COMMANDS) > 40


def test_synopsis_grammar() -> None:
    nodes = parse('netops status ["SMP Negeri 2"] [--kind a|b] (--x N | --y) ...')
    assert nodes[0] == Word("netops") and nodes[1] == Word("status")
    assert nodes[2] == Group(((Word("SMP Negeri 2", quoted=True),),), optional=True)
    assert nodes[3] == Group(((Word("--kind"), Choice(("a", "b"))),), optional=True)
    assert nodes[4] == Group(((Word("--x"), Word("N")), (Word("--y"),)), optional=False)
    assert Word("N").placeholder and not Word("SMP", quoted=True).placeholder
    command = Command("netops poll [--kind a|b|c] [--json]", "s", 1, "sh",
                      parse("netops poll [--kind a|b|c] [--json]"))
    assert len(expand(command)) == 8
    shown = [" ".join(w.text for w in form) for form in variants(command)]
    assert shown == ["netops poll", "netops poll --kind a --json", "netops poll --kind b --json",
                     "netops poll --kind c --json"]
    for bad in ("netops [x", "netops x]", 'netops "open'):
        with pytest.raises(SynopsisError):
            parse(bad)


def test_extraction_reads_sh_blocks_comments_and_table_continuations() -> None:
    readme = ("## Tour\n\n```sh\n.venv/bin/netops outages --active   # what is down\nmake run\n```\n"
              "```toml\nnot = 'a command'\n```\n## Commands\n\n| command | what |\n|---|---|\n"
              "| `netops inventory import FILE` / `show [--json]` | the `inventory` |\n")
    texts = [(c.text, c.section, c.source) for c in extract(readme)]
    assert texts == [("netops outages --active", "Tour", "sh"), ("make run", "Tour", "sh"),
                     ("netops inventory import FILE", "Commands", "table"),
                     ("netops inventory show [--json]", "Commands", "table")]
