"""Assessments as JSON files: export for sharing or archiving, import with full validation."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from hiap.assessment import Assessment, AssessmentError

if TYPE_CHECKING:
    from hiap.checklists.models import Catalogue

__all__ = ["MAX_IMPORT_BYTES", "read_assessment_json", "write_assessment_json"]

MAX_IMPORT_BYTES = 50 * 1024 * 1024
"""Largest assessment file accepted (a boundary and long evidence fit easily)."""


def write_assessment_json(assessment: Assessment, path: str | Path) -> Path:
    """Write an assessment to a JSON file, atomically.

    Parameters
    ----------
    assessment
        The assessment to write.
    path
        The file; an existing file is replaced only once the new one is complete.

    Returns
    -------
    Path
        The file written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = assessment.to_json(indent=2) + "\n"
    # Write beside the target and rename, so a crash never leaves half a file behind.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_assessment_json(path: str | Path, *, catalogue: Catalogue | None = None) -> Assessment:
    """Read and validate an assessment JSON file.

    Parameters
    ----------
    path
        A file written by :func:`write_assessment_json` (or ``hiap`` export).
    catalogue
        When given, the answers must also fit these checklists (known criterion and topic
        ids, scores within each criterion's scale), as :func:`hiap.scoring.validate_answers`
        checks.

    Returns
    -------
    Assessment
        The validated assessment.

    Raises
    ------
    AssessmentError
        When the file is missing, too large, not UTF-8 JSON, or any field is invalid; the
        message names the file and every field at fault.
    """
    source = Path(path)
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise AssessmentError(
            f"cannot read the file ({exc.strerror}); check the path", source=str(source)
        ) from None
    if size > MAX_IMPORT_BYTES:
        raise AssessmentError(
            f"the file is {size / 1e6:.1f} MB, more than the {MAX_IMPORT_BYTES / 1e6:.0f} MB "
            "an assessment can be; is it the right file?",
            source=str(source),
        )
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AssessmentError(
            f"cannot read the file as UTF-8 text ({exc}); export it again from hiap",
            source=str(source),
        ) from None
    if not text.strip():
        raise AssessmentError("the file is empty; export the assessment again", source=str(source))
    assessment = Assessment.from_json(text, source=str(source))
    if catalogue is not None:
        from hiap.scoring import validate_answers

        problems = validate_answers(assessment, catalogue)
        if problems:
            raise AssessmentError(problems, source=str(source))
    return assessment
