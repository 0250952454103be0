"""``kiosk print-test`` and ``kiosk receipt-render`` run as a technician would run them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

KIOSK = Path(sys.executable).with_name("kiosk")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(KIOSK)] if KIOSK.exists() else [sys.executable, "-m", "cli.main"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", ["print-test", "receipt-render"])
def test_help(command: str, tmp_path: Path) -> None:
    result = run(command, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "usage: kiosk " + command in result.stdout


def test_print_test_to_the_virtual_printer_writes_bin_and_png(tmp_path: Path) -> None:
    result = run("print-test", "--printer", f"sim://{tmp_path}/out", "--document", "receipt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    png = tmp_path / "out" / "job-0001.png"
    assert f"image: {png}" in result.stdout
    assert any("SL20240603000123" in r.text for r in zxingcpp.read_barcodes(Image.open(png)))


def test_print_test_to_a_file_then_render_it(tmp_path: Path) -> None:
    result = run("print-test", "--printer", "file://job.bin", "--document", "notice", "--profile", "58mm",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "job.bin").read_bytes().startswith(b"\x1b@")
    rendered = run("receipt-render", "job.bin", "job.png", "--profile", "58mm", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    image = Image.open(tmp_path / "job.png")
    assert image.width == 384 and image.height > 800


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["receipt-render", "missing.bin", "out.png"], "missing.bin: no such file"),
        (["receipt-render", "picture.png", "out.png"], "does not look like ESC/POS"),
        (["print-test", "--printer", "bogus://x"], "unknown scheme"),
        (["print-test", "--printer", "serial:///dev/ttyNOPE0"], "dialout"),
    ],
)
def test_bad_input_is_one_clear_line_and_nonzero(args: list[str], message: str, tmp_path: Path) -> None:
    Image.new("RGB", (64, 64), "red").save(tmp_path / "picture.png")
    result = run(*args, cwd=tmp_path)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("kiosk:")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("condition", "words"), [("paper_out", "paper roll is empty"), ("no_answer", "does not answer")])
def test_print_test_refuses_a_printer_with_a_fault(condition: str, words: str, tmp_path: Path) -> None:
    result = run("print-test", "--printer", f"sim://{tmp_path}/out?simulate={condition}", cwd=tmp_path)
    assert result.returncode == 2 and words in result.stderr
    assert not list((tmp_path / "out").glob("*.bin"))
