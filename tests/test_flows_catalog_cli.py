"""``kiosk catalog check``: a good file passes, a bad one names every problem with file, item and field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cli.main import main
from kiosk.sandbox.store import DATA_DIR

RAW = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))


def test_the_demo_catalog_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "check", str(DATA_DIR / "catalog.json")]) == 0
    assert "ok (20 items)" in capsys.readouterr().out


def test_a_bad_catalog_names_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = copy.deepcopy(RAW)
    items = {item["code"]: item for item in raw["items"]}
    items["MZ-001"]["guide"]["materials"].append({"name": "其他材料"})
    items["HJ-001"]["guide"]["commitment_text"] = ""
    items["SB-001"]["guide"]["fee"] = {"amount_yuan": 10}
    items["GJJ-002"]["fields"][1]["type"] = "money"
    items["YJS-001"]["bundle_items"].append("XX-999")
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert main(["catalog", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: item MZ-001: guide.materials.3.name: material '其他材料' is vague" in out
    assert f"{path}: item HJ-001: guide: 告知承诺 is allowed: give commitment_text" in out
    assert f"{path}: item SB-001: guide.fee: a fee needs its legal basis" in out
    assert f"{path}: item GJJ-002: fields.1.type:" in out
    assert f"{path}: item YJS-001: bundle_items.4: bundle member XX-999 is not in the catalog" in out
    assert "5 problem(s)" in out


def test_conflicting_bundle_fields_and_broken_json_are_reported(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    raw = copy.deepcopy(RAW)
    for item in raw["items"]:
        if item["code"] == "YB-002":
            item["fields"][0] = {"key": "child_name", "label": "新生儿出生日期", "type": "date"}
    conflicting = tmp_path / "conflict.json"
    conflicting.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": "1", "items": [', encoding="utf-8")
    assert main(["catalog", "check", str(conflicting), str(broken)]) == 1
    out = capsys.readouterr().out
    assert "item YJS-001: bundle_items: field 'child_name' is text in WJ-001 but date in YB-002" in out
    assert f"{broken}: line 1 column 28: not valid JSON" in out


def test_help_describes_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["catalog", "check", "--help"])
    assert exited.value.code == 0 and "FILE: item CODE: FIELD: MESSAGE" in capsys.readouterr().out
