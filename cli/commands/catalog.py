"""``kiosk catalog check FILE…``: validate a catalog file before it is published to kiosks, naming every
problem (file, item code, field) so a catalog editor fixes them all in one pass."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a catalog command runs: `kiosk demo` registers this module too (issue #16)
    from kiosk.catalog import CatalogProblem


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "catalog", help="work with service catalog files (办事指南)",
        description="Service catalog files: the items, their office guides, forms and bundles.",
    )
    commands = parser.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND", required=True)
    check = commands.add_parser(
        "check", help="validate catalog files and name every problem",
        description="Validates each catalog JSON file: every item's guide (legal basis, every material named, "
                    "time limits (the promise shorter than the law), fee with its legal basis, 告知承诺 "
                    "wording, 审查标准, 查询渠道, 救济途径, no vague material), typed form fields, print template, "
                    "and that bundles list existing items whose fields can be merged. Prints one line per "
                    "problem as FILE: item CODE: FIELD: MESSAGE. Exit status 0 when every file is valid, 1 if not.",
    )
    check.add_argument("files", nargs="+", type=Path, metavar="FILE", help="catalog JSON file(s) to check")
    check.set_defaults(handler=_check)


def problems_in(path: Path) -> tuple[list[CatalogProblem], int]:
    """(problems, number of items) of one catalog file."""
    from kiosk.catalog import CatalogProblem, check_catalog, guide_gaps, parse_catalog
    from kiosk.rules.bundles import BundleError, merge_bundle

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [CatalogProblem(str(path), "", "(file)", "file not found; check the path")], 0
    except UnicodeDecodeError:
        return [CatalogProblem(str(path), "", "(file)", "not UTF-8 text; save the file as UTF-8")], 0
    except json.JSONDecodeError as error:
        return [CatalogProblem(str(path), "", f"line {error.lineno} column {error.colno}",
                               f"not valid JSON: {error.msg}")], 0
    problems = check_catalog(data, str(path))
    if problems:
        return problems, len(data.get("items") or []) if isinstance(data, dict) else 0
    catalog = parse_catalog(data, str(path))
    for item in catalog.items:
        problems.extend(CatalogProblem(str(path), item.code, field, message) for field, message in guide_gaps(item))
        if item.kind == "bundle":
            try:
                merge_bundle(catalog, item)
            except BundleError as error:
                problems.append(CatalogProblem(str(path), item.code, "bundle_items", str(error)))
    return problems, len(catalog.items)


def _check(args: argparse.Namespace) -> int:
    failed = False
    for path in args.files:
        problems, count = problems_in(path)
        for problem in problems:
            print(problem)
        if problems:
            failed = True
            print(f"{path}: {len(problems)} problem(s); fix them and run `kiosk catalog check` again")
        else:
            print(f"{path}: ok ({count} items)")
        for warning in english_warnings(path) if not problems else ():
            print(f"{warning} (warning only)")
    return 1 if failed else 0


def english_warnings(path: Path) -> list[str]:
    """Items lacking English (issue #13): a warning, never a refusal; such an item shows in Chinese."""
    from kiosk.catalog import CatalogProblem, load_catalog_file, translation_gaps

    return [str(CatalogProblem(str(path), item.code, field, message))
            for item in load_catalog_file(path).items for field, message in translation_gaps(item)]
