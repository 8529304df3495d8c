"""Generate the JSON Schemas of the criteria files from the pydantic models.

The schemas in ``checklists/schema/`` let editors validate and autocomplete the YAML files
(e.g. with a ``# yaml-language-server: $schema=...`` comment). They are generated, never
edited by hand; a test fails when the committed copies drift from the models. Regenerate
with::

    python -m hiap.checklists.schema            # write checklists/schema/*.json
    python -m hiap.checklists.schema --check    # exit 1 if they are out of date
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from hiap.checklists.loader import default_checklist_dir
from hiap.checklists.models import Checklist, HuduMatrix, IndicatorCatalogue, ScaleSet

__all__ = ["SCHEMA_MODELS", "generate_schemas", "main", "stale_schemas", "write_schemas"]

logger = logging.getLogger(__name__)

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "checklist.schema.json": Checklist,
    "hudu.schema.json": HuduMatrix,
    "indicators.schema.json": IndicatorCatalogue,
    "scales.schema.json": ScaleSet,
}
"""Schema file name -> the model it is generated from."""

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def generate_schemas() -> dict[str, str]:
    """Return the JSON text of every schema, keyed by file name.

    Returns
    -------
    dict of str to str
        File name -> pretty-printed JSON Schema ending in a newline.
    """
    out = {}
    for name, model in SCHEMA_MODELS.items():
        schema = {"$schema": _DIALECT, **model.model_json_schema(mode="validation")}
        out[name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def stale_schemas(directory: Path | None = None) -> list[str]:
    """Return the names of schema files that are missing or differ from the models.

    Parameters
    ----------
    directory
        Folder of the schema files; ``checklists/schema`` of the project by default.

    Returns
    -------
    list of str
        File names to regenerate; empty when all are current.
    """
    folder = Path(directory) if directory is not None else default_checklist_dir() / "schema"
    stale = []
    for name, text in generate_schemas().items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


def write_schemas(directory: Path | None = None) -> list[Path]:
    """Write every schema file.

    Parameters
    ----------
    directory
        Folder to write to (created if missing); ``checklists/schema`` by default.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(directory) if directory is not None else default_checklist_dir() / "schema"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate_schemas().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
        logger.info("wrote %s", path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate (or with ``--check``, verify) the schema files.

    Parameters
    ----------
    argv
        Command-line arguments (defaults to ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 1 when ``--check`` finds stale files.
    """
    parser = argparse.ArgumentParser(prog="python -m hiap.checklists.schema")
    parser.add_argument("--dir", type=Path, default=None, help="schema folder")
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_schemas(args.dir)
        for name in stale:
            print(f"out of date: {name} (run python -m hiap.checklists.schema)")
        return 1 if stale else 0
    for path in write_schemas(args.dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
