"""Every string the UI asks for exists in both languages; every CLI command has --help."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import build_parser
from kiosk import i18n

ROOT = Path(__file__).parent.parent
KEY_USE = re.compile(r"""(?:tr\._|translate|_)\(\s*['"]([a-z_]+(?:\.[a-z0-9_]+)+)['"]""")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("kiosk", "screens"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".kv"):
                keys |= set(KEY_USE.findall(path.read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_used_key_is_translated(language: str) -> None:
    missing = sorted(k for k in used_keys() if k not in i18n.catalog(language))
    assert not missing, f"missing in kiosk/locale/{language}: {missing}"


def test_translation_switch_and_fallback() -> None:
    assert i18n.translate("home.start", language="zh_CN") == "点击开始办理"
    assert i18n.translate("home.start", language="en") == "Tap to start"
    assert i18n.translate("no.such.key") == "no.such.key"


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_foundation_commands_exist() -> None:
    assert {"demo", "run", "sandbox", "screenshots"} <= set(subcommands())


@pytest.mark.parametrize("command", subcommands())
def test_every_command_has_help(command: str) -> None:
    result = subprocess.run([sys.executable, "-m", "cli.main", command, "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "usage: kiosk" in result.stdout
