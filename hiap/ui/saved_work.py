"""Actions of the Saved work page: open, duplicate, delete, import and prepare reports.

Each action is a button callback: it runs before the page is drawn again, so the list the
user then sees already reflects it. Its outcome is left in :data:`FLASH_KEY` as
``("success" | "info" | "error", message)`` for the page to show; no action ever raises into the page.
Widget keys used here are the ones the page gives its widgets.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import streamlit as st

from hiap.access.keys import report_key
from hiap.assessment import Assessment, AssessmentError
from hiap.errors import HiapError
from hiap.scoring import validate_answers
from hiap.storage import AssessmentStore
from hiap.storage.transfer import MAX_IMPORT_BYTES
from hiap.ui.checklist_form import criteria_catalogue
from hiap.ui.evidence import measured_report
from hiap.ui.jobs import heavy_job
from hiap.ui.settings import app_settings
from hiap.ui.state import ASSESSMENT_ID_KEY, current_scheme
from hiap.ui.store import assessment_store, assessor_name, forget_draft, open_assessment

if TYPE_CHECKING:
    from hiap.reports import ReportSection

__all__ = [
    "FLASH_KEY",
    "REPORT_KEY",
    "SELECTED_KEY",
    "access_for_report",
    "delete_selected",
    "duplicate_selected",
    "export_text",
    "import_upload",
    "open_selected",
    "prepare_report",
    "prepared_report",
    "report_evidence",
]

logger = logging.getLogger(__name__)

FLASH_KEY = "hiap.saved.flash"
REPORT_KEY = "hiap.saved.report"
SELECTED_KEY = "hiap.saved.selected"
UPLOAD_KEY = "hiap.saved.upload"
COPY_KEY = "hiap.saved.copy"


def _flash(kind: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (kind, message)


def _selected() -> str | None:
    value = st.session_state.get(SELECTED_KEY)
    return str(value) if value else None


def _author() -> str | None:
    author = assessor_name()
    if author is None:
        _flash("error", "Enter your name in the sidebar first: it is recorded with the change.")
    return author


def open_selected() -> None:
    """Make the selected assessment the one the assessment pages work on."""
    assessment_id = _selected()
    if assessment_id is None:
        return
    try:
        name = assessment_store().load(assessment_id).scheme_name
    except HiapError as error:
        _flash("error", f"Cannot open it: {error}")
        return
    open_assessment(assessment_id)
    _flash("success", f"Opened the assessment of {name}. The assessment pages now show it.")


def duplicate_selected() -> None:
    """Copy the selected assessment under the name typed for the copy, and select the copy."""
    assessment_id = _selected()
    author = _author()
    if assessment_id is None or author is None:
        return
    name = str(st.session_state.get(f"hiap.saved.copy_name.{assessment_id}", "")).strip()
    if not name:
        _flash("error", "Give the copy a name (e.g. the option it explores).")
        return
    try:
        new_id = assessment_store().duplicate(assessment_id, new_name=name, author=author)
    except (HiapError, ValueError) as error:
        _flash("error", f"Not duplicated: {error}")
        return
    st.session_state[SELECTED_KEY] = new_id
    _flash("success", f"Saved a copy named {name!r} (its history starts at version 1).")


def delete_selected() -> None:
    """Delete the selected assessment if the typed confirmation matches its name."""
    assessment_id = _selected()
    if assessment_id is None:
        return
    typed = str(st.session_state.get(f"hiap.saved.confirm.{assessment_id}", ""))
    try:
        assessment_store().delete(assessment_id, confirm=typed)
    except (HiapError, ValueError) as error:
        _flash("error", str(error))
        return
    if st.session_state.get(ASSESSMENT_ID_KEY) == assessment_id:
        forget_draft()
    st.session_state.pop(SELECTED_KEY, None)
    _flash("success", "Deleted the assessment and its whole history.")


def _as_copy(assessment: Assessment) -> Assessment:
    data = assessment.model_dump()
    stamp = datetime.now(UTC)
    data.update(id=str(uuid.uuid4()), created_at=stamp, updated_at=stamp)
    return Assessment.model_validate(data)


def import_upload() -> None:
    """Validate the uploaded JSON file in full and save it (as a copy if asked)."""
    upload = st.session_state.get(UPLOAD_KEY)
    author = _author()
    if author is None:
        return
    if upload is None:
        _flash("error", "Choose a JSON file exported from hiap first.")
        return
    name = getattr(upload, "name", "upload.json")
    data: bytes = upload.getvalue()
    if len(data) > MAX_IMPORT_BYTES:
        _flash(
            "error",
            f"{name}: the file is {len(data) / 1e6:.1f} MB, more than the "
            f"{MAX_IMPORT_BYTES / 1e6:.0f} MB an assessment can be; is it the right file?",
        )
        return
    if not data.strip():
        _flash("error", f"{name}: the file is empty; export the assessment again from hiap.")
        return
    try:
        assessment = Assessment.from_json(data, source=name)
    except AssessmentError as error:
        _flash("error", f"Not imported. {error}")
        return
    problems = validate_answers(assessment, criteria_catalogue())
    if problems:
        listed = "\n".join(f"- {p}" for p in problems)
        _flash("error", f"Not imported: {name} does not fit hiap's checklists:\n{listed}")
        return
    store = assessment_store()
    try:
        as_copy = bool(st.session_state.get(COPY_KEY))
        if as_copy:
            assessment = _as_copy(assessment)
        existed = store.exists(assessment.id)
        before = store.latest_version(assessment.id) if existed else 0
        version = store.save(assessment, author=author)
    except HiapError as error:
        _flash("error", f"Not imported: {error}")
        return
    st.session_state[SELECTED_KEY] = assessment.id
    if version == before:
        # save() writes nothing when the content equals the latest version: say so.
        _flash(
            "info",
            f"Nothing new in {name}: {assessment.scheme_name} is already saved with exactly this "
            f"content (v{version}), so no version was added.",
        )
        return
    what = "as a new version of the saved assessment" if existed else "as a new assessment"
    _flash("success", f"Imported {assessment.scheme_name} from {name} {what} (v{version}).")


def export_text(store: AssessmentStore, assessment_id: str, *, version: int | None = None) -> str:
    """Return a saved version (latest by default) as the JSON text of an export file.

    Parameters
    ----------
    store
        The assessment store.
    assessment_id
        The assessment.
    version
        The version; ``None`` for the latest.

    Returns
    -------
    str
        Indented JSON that :meth:`hiap.assessment.Assessment.from_json` reads back.
    """
    document = store.load_document(assessment_id, version=version)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def prepared_report(assessment_id: str, version: int, fmt: str) -> bytes | None:
    """Return a report prepared in this session for this version and format, if still current.

    A report carries the evidence this session measured (an access run, indicators, a
    scenario, a proposal comparison, a bus ranking); one prepared before that evidence arrived
    or changed is dropped here (its key, :func:`hiap.access.keys.report_key`, holds the
    evidence's content digest), so the page offers to prepare it again.

    Parameters
    ----------
    assessment_id
        The assessment.
    version
        The saved version reported.
    fmt
        ``html``, ``pdf`` or ``docx``.

    Returns
    -------
    bytes or None
        The file's bytes; None when none was prepared or its evidence changed since.
    """
    ready = st.session_state.get(REPORT_KEY, {})
    for key in [k for k in ready if k[:3] == (assessment_id, version, fmt)]:
        scheme_name, made_with = key[3], key[4]
        data = ready[key]
        if made_with == report_key(assessment_id, version, fmt, _session_evidence(scheme_name)):
            return data if isinstance(data, bytes) else None
        del ready[key]  # the evidence changed since: a stale report is never offered
    return None


def _session_evidence(scheme_name: str) -> dict[str, Any]:
    """Return what this session measured that a report of ``scheme_name`` carries.

    The bus ranking is county-wide (any scheme); the rest only when the current scheme is the
    one assessed. :func:`report_evidence` draws the chapters from exactly these objects.
    """
    from hiap.ui.access import session_access_note, session_access_result
    from hiap.ui.buses import session_ranking
    from hiap.ui.cache import scheme_digest
    from hiap.ui.proposal import session_comparison
    from hiap.ui.scenario import session_scenario_result

    evidence: dict[str, Any] = {"ranking": session_ranking()}
    scheme = current_scheme()
    if scheme is None or scheme.name != scheme_name:
        return evidence
    digest = scheme_digest(scheme)
    # The run the user saw on the Access page, as it was: never recomputed with defaults.
    walk = session_access_result(scheme.name, digest)
    evidence.update(
        scheme=scheme,
        scenario=session_scenario_result(scheme.name),
        indicators=measured_report(scheme),
        walk=walk,
        walk_note=None if walk is None else session_access_note(scheme.name, digest),
        comparison=session_comparison(scheme_name),
    )
    return evidence


def report_evidence(assessment: Assessment) -> list[ReportSection]:
    """Return the evidence chapters this session measured for the assessment's scheme.

    The spatial indicators come from the evidence page (:func:`hiap.ui.evidence.measured_report`),
    walking access from the access page's run and the transport scenario from the scenario
    page's last run around the scheme (:func:`hiap.ui.scenario.session_scenario_result`), when
    the current scheme is the one assessed; the Buses page's ranking for any scheme.

    Parameters
    ----------
    assessment
        The saved version being reported.

    Returns
    -------
    list of ReportSection
        Empty when nothing was measured for this scheme in this session.
    """
    return _evidence_sections(assessment, _session_evidence(assessment.scheme_name))


def _evidence_sections(assessment: Assessment, evidence: dict[str, Any]) -> list[ReportSection]:
    """Draw the report chapters of :func:`_session_evidence`'s objects."""
    from hiap.reports.evidence import SchemeEvidence, evidence_sections, scenario_section

    bus: list[ReportSection] = []
    if evidence["ranking"] is not None:
        from hiap.reports.bus_priorities import bus_priorities_section

        bus = [bus_priorities_section(evidence["ranking"],
                                      note="As shown on the Buses page in this session.")]
    scheme = evidence.get("scheme")
    if scheme is None:
        return bus
    scenario, indicators, walk = evidence["scenario"], evidence["indicators"], evidence["walk"]
    sections: list[ReportSection] = []
    if indicators is None and walk is None:
        sections = [scenario_section(scenario)] if scenario is not None else []
    else:
        scheme_evidence = SchemeEvidence(
            indicators=indicators, walk=walk, new_residents=scheme.new_residents,
            walk_note=evidence["walk_note"],
        )
        sections = list(evidence_sections(scheme_evidence, boundary=assessment.boundary,
                                          scenario=scenario, settings=app_settings()))  # fmt: skip
    comparison = evidence["comparison"]
    if comparison is not None:  # the "What the scheme changes" page ran for this scheme
        from hiap.reports.scheme_change import scheme_change_section

        sections.extend(scheme_change_section(comparison, settings=app_settings()))
    return [*sections, *bus]


def access_for_report(scheme_name: str) -> None:
    """Say how the report's access run was made and offer to recompute it on request.

    The run is the one the Access page showed for the current scheme in this session
    (:mod:`hiap.ui.access`); recomputing it uses exactly its options and data, and drops the
    reports prepared with the old run.

    Parameters
    ----------
    scheme_name
        The scheme of the assessment reported (the current scheme must be it).
    """
    from hiap.ui.access import recompute_access_control
    from hiap.ui.settings import app_settings

    scheme = current_scheme()
    recompute_access_control(
        app_settings(), scheme if scheme is not None and scheme.name == scheme_name else None,
        on_done=lambda: st.session_state.pop(REPORT_KEY, None),
    )


def prepare_report(assessment_id: str, version: int, fmt: str) -> None:
    """Render the HTML, PDF or Word report of one saved version and keep it for download.

    Parameters
    ----------
    assessment_id
        The assessment.
    version
        The saved version to report.
    fmt
        ``html``, ``pdf`` or ``docx``.
    """
    from hiap.reports.render import render_html, render_pdf
    from hiap.reports.word import render_docx
    from hiap.ui.hia_form import baseline_profile

    try:
        with heavy_job(f"preparing the {fmt.upper()} report"):
            assessment = assessment_store().load(assessment_id, version=version)
            evidence = _session_evidence(assessment.scheme_name)
            made_with = report_key(assessment_id, version, fmt, evidence)
            catalogue = criteria_catalogue()
            baseline = baseline_profile(assessment.boundary)
            if fmt == "docx":
                data = render_docx(
                    assessment, checklists=catalogue, version=version, baseline=baseline,
                    settings=app_settings(),
                    extra_sections=_evidence_sections(assessment, evidence),
                )
            elif fmt == "pdf":
                sections = _evidence_sections(assessment, evidence)
                data = render_pdf(
                    assessment,
                    checklists=catalogue,
                    version=version,
                    extra_sections=sections,
                    baseline=baseline,
                    settings=app_settings(),
                )
            else:
                sections = _evidence_sections(assessment, evidence)
                data = render_html(
                    assessment,
                    checklists=catalogue,
                    version=version,
                    extra_sections=sections,
                    baseline=baseline,
                    settings=app_settings(),
                ).encode("utf-8")
    except (HiapError, ValueError, OSError) as error:
        logger.exception("report of %s v%d failed", assessment_id, version)
        _flash("error", f"The {fmt.upper()} report could not be made: {error}")
        return
    # Keep only the latest few: reports can be megabytes and live in this session's memory.
    ready: dict[tuple[str, int, str, str, str], bytes] = st.session_state.setdefault(REPORT_KEY, {})
    for key in [k for k in ready if k[:2] != (assessment_id, version) or k[2] == fmt]:
        del ready[key]
    # why: keyed by the evidence it carries, so a later access run or ranking outdates it
    ready[(assessment_id, version, fmt, assessment.scheme_name, made_with)] = data
