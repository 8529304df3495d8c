"""Load and cross-check the criteria files in ``checklists/``.

Use :func:`load_catalogue` to get everything at once (indicators, scales, the scored
checklists and the HUDU matrix), checked together. The single-file loaders exist for tools
and tests that need one file.

Every problem found is collected and raised together as one :class:`ChecklistError`; each
problem reads ``<file>: <id>: <what is wrong and what to do>`` so an editor of the YAML can
go straight to the entry.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hiap.assessment import Direction
from hiap.checklists.errors import ChecklistError
from hiap.checklists.models import (
    Catalogue,
    Checklist,
    HuduMatrix,
    IndicatorCatalogue,
    IndicatorDirection,
    ScaleSet,
)
from hiap.resources import resource_dir

__all__ = [
    "CHECKLIST_FILES",
    "HUDU_FILE",
    "INDICATORS_FILE",
    "SCALES_FILE",
    "checklist_problems",
    "default_checklist_dir",
    "hudu_problems",
    "load_catalogue",
    "load_checklist",
    "load_hudu",
    "load_indicators",
    "load_scales",
    "read_yaml",
    "validate_yaml",
]

logger = logging.getLogger(__name__)

CHECKLIST_FILES: tuple[str, ...] = ("hnt.yaml", "blue_zones.yaml")
"""The scored checklist files, in the order reports show them."""
INDICATORS_FILE = "indicators.yaml"
SCALES_FILE = "scales.yaml"
HUDU_FILE = "hudu.yaml"

M = TypeVar("M", bound=BaseModel)


def default_checklist_dir() -> Path:
    """Return the ``checklists/`` folder shipped with hiap.

    Returns
    -------
    Path
        The installed package's copy (``hiap.resources.checklists``, read with
        :mod:`importlib.resources`), or the source checkout's ``checklists/``.
    """
    return resource_dir("checklists")


# The libyaml parser, when PyYAML was built with it, reads the files several times faster.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """A safe YAML loader that refuses repeated keys (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def read_yaml(path: Path) -> Any:
    """Read a YAML file safely, refusing repeated keys.

    Parameters
    ----------
    path
        The file to read.

    Returns
    -------
    Any
        The parsed data.

    Raises
    ------
    ChecklistError
        When the file is missing or is not valid YAML; the message gives the line.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ChecklistError(
            f"{path}: cannot read the file ({exc.strerror}); check the path or restore it "
            "from the repository"
        ) from None
    try:
        return yaml.load(
            text, Loader=_UniqueKeyLoader
        )  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        raise ChecklistError(f"{Path(path).name}: not valid YAML: {exc}") from None


def _locate_id(data: Any, loc: Sequence[int | str]) -> str:
    """Return the id of the innermost list item on ``loc`` that has one.

    Only list items count (principles, criteria, topics, indicators...): an indicator rule's
    ``id`` names the indicator, not the criterion the problem is in.
    """
    found = "(top level)"
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
    return found


def _validate(model: type[M], data: Any, name: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            where = ".".join(str(p) for p in loc) or "(file)"
            what = err["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {_locate_id(data, loc)}: {what} (at {where})")
        raise ChecklistError(problems) from None


def validate_yaml(model: type[M], data: Any, name: str) -> M:
    """Validate parsed YAML against a pydantic model, naming the file and id of each problem.

    Parameters
    ----------
    model
        The pydantic model the file follows.
    data
        The parsed YAML (:func:`read_yaml`).
    name
        The file name, for messages.

    Returns
    -------
    M
        The validated model.

    Raises
    ------
    ChecklistError
        With every problem, each as ``<file>: <id>: <what is wrong> (at <where>)``.
    """
    return _validate(model, data, name)


def _duplicates(values: Iterable[str]) -> list[str]:
    return sorted(v for v, n in Counter(values).items() if n > 1)


def load_indicators(path: Path | None = None) -> IndicatorCatalogue:
    """Load ``indicators.yaml``.

    Parameters
    ----------
    path
        The file; ``checklists/indicators.yaml`` of the project by default.

    Returns
    -------
    IndicatorCatalogue
        The validated catalogue.

    Raises
    ------
    ChecklistError
        When the file is malformed or repeats an indicator id.
    """
    path = Path(path) if path is not None else default_checklist_dir() / INDICATORS_FILE
    catalogue = _validate(IndicatorCatalogue, read_yaml(path), path.name)
    problems = [
        f"{path.name}: {dup}: indicator id is used more than once; make ids unique"
        for dup in _duplicates(i.id for i in catalogue.indicators)
    ]
    for ind in catalogue.indicators:
        if ind.minimum is not None and ind.maximum is not None and ind.minimum >= ind.maximum:
            problems.append(f"{path.name}: {ind.id}: minimum must be below maximum")
    if problems:
        raise ChecklistError(problems)
    return catalogue


def load_scales(path: Path | None = None) -> ScaleSet:
    """Load ``scales.yaml``.

    Parameters
    ----------
    path
        The file; ``checklists/scales.yaml`` of the project by default.

    Returns
    -------
    ScaleSet
        The validated scales.

    Raises
    ------
    ChecklistError
        When the file is malformed or repeats a scale id.
    """
    path = Path(path) if path is not None else default_checklist_dir() / SCALES_FILE
    scales = _validate(ScaleSet, read_yaml(path), path.name)
    problems = [
        f"{path.name}: {dup}: scale id is used more than once; make ids unique"
        for dup in _duplicates(s.id for s in scales.scales)
    ]
    if problems:
        raise ChecklistError(problems)
    return scales


def checklist_problems(
    checklist: Checklist, *, indicators: IndicatorCatalogue, scales: ScaleSet, name: str
) -> list[str]:
    """List what is wrong with a structurally valid checklist.

    Parameters
    ----------
    checklist
        The checklist to check.
    indicators
        Known indicators.
    scales
        Known scales.
    name
        File name to cite in each problem.

    Returns
    -------
    list of str
        Problems as ``<file>: <id>: <problem>``; empty when the checklist is sound.
    """
    problems: list[str] = []

    def add(item_id: str, text: str) -> None:
        problems.append(f"{name}: {item_id}: {text}")

    ref_ids = {r.id for r in checklist.references}
    group_ids = {g.id for g in checklist.groups}
    for dup in _duplicates(r.id for r in checklist.references):
        add(dup, "reference id is used more than once; make ids unique")
    for dup in _duplicates(g.id for g in checklist.groups):
        add(dup, "group id is used more than once; make ids unique")
    for dup in _duplicates(p.id for p in checklist.principles):
        add(dup, "principle id is used more than once; make ids unique")
    for dup in _duplicates(c.id for c in checklist.criteria()):
        add(dup, "criterion id is used more than once; give each criterion its own id")

    for principle in checklist.principles:
        expected = f"{checklist.id_prefix}.{principle.number}"
        if principle.id != expected:
            add(
                principle.id,
                f"principle id should be {expected!r} (id_prefix {checklist.id_prefix!r} "
                f"and number {principle.number})",
            )
        if principle.group not in group_ids:
            add(principle.id, f"group {principle.group!r} is not one of {sorted(group_ids)}")
        for ref in principle.sources:
            if ref not in ref_ids:
                add(principle.id, f"source {ref!r} is not in the file's references")
        for criterion in principle.criteria:
            cid = criterion.id
            if not cid.startswith(principle.id + "."):
                add(cid, f"criterion id must start with its principle id {principle.id}.")
            for ref in criterion.sources:
                if ref not in ref_ids:
                    add(cid, f"source {ref!r} is not in the file's references")
            scale = scales.get(criterion.scale)
            if scale is None:
                known = ", ".join(s.id for s in scales.scales)
                add(cid, f"scale {criterion.scale!r} is unknown; use one of: {known}")
            for related in criterion.related_indicators:
                if indicators.get(related) is None:
                    add(cid, f"related indicator {related!r} is not in indicators.yaml")
            for rule in criterion.indicator_rules:  # the preferred rule and its fallbacks
                indicator = indicators.get(rule.id)
                if indicator is None:
                    add(
                        cid,
                        f"indicator {rule.id!r} is not in indicators.yaml; add it there or fix the id",
                    )
                else:
                    wants_higher = indicator.direction is IndicatorDirection.HIGHER_IS_BETTER
                    if wants_higher != rule.higher_is_better:
                        bound = "at_least" if wants_higher else "at_most"
                        add(
                            cid,
                            f"indicator {rule.id} is {indicator.direction.value}, so its "
                            f"thresholds must use {bound}",
                        )
                    for t in rule.thresholds:
                        low, high = indicator.minimum, indicator.maximum
                        if (low is not None and t.bound < low) or (high is not None and t.bound > high):
                            add(
                                cid,
                                f"threshold {t.bound} is outside the range of {rule.id} "
                                f"({low} to {high} {indicator.unit})",
                            )
                if scale is not None:
                    for score in [t.score for t in rule.thresholds] + [rule.otherwise]:
                        if score > scale.max_score:
                            add(
                                cid,
                                f"threshold score {score} is above the maximum "
                                f"{scale.max_score} of scale {scale.id}",
                            )
    return problems


def _raw_duplicate_ids(data: Any, name: str) -> list[str]:
    """Find repeated principle and criterion ids in unvalidated checklist data."""
    ids: list[str] = []
    principles = data.get("principles") if isinstance(data, dict) else None
    for principle in principles if isinstance(principles, list) else []:
        if not isinstance(principle, dict):
            continue
        if isinstance(principle.get("id"), str):
            ids.append(principle["id"])
        criteria = principle.get("criteria")
        for criterion in criteria if isinstance(criteria, list) else []:
            if isinstance(criterion, dict) and isinstance(criterion.get("id"), str):
                ids.append(criterion["id"])
    return [
        f"{name}: {dup}: id is used more than once; make ids unique" for dup in _duplicates(ids)
    ]


def load_checklist(path: Path, *, indicators: IndicatorCatalogue, scales: ScaleSet) -> Checklist:
    """Load one scored checklist file and check it against indicators and scales.

    Parameters
    ----------
    path
        The YAML file (e.g. ``checklists/hnt.yaml``).
    indicators
        Known indicators (:func:`load_indicators`).
    scales
        Known scales (:func:`load_scales`).

    Returns
    -------
    Checklist
        The validated checklist.

    Raises
    ------
    ChecklistError
        With every problem found, each naming the file and the id.
    """
    path = Path(path)
    data = read_yaml(path)
    try:
        checklist = _validate(Checklist, data, path.name)
    except ChecklistError as exc:
        # Structure errors stop the cross-checks; still report repeated ids, the mistake
        # most likely to come with them when criteria are copied and pasted.
        raise ChecklistError(exc.problems + _raw_duplicate_ids(data, path.name)) from None
    problems = checklist_problems(checklist, indicators=indicators, scales=scales, name=path.name)
    if problems:
        raise ChecklistError(problems)
    return checklist


def hudu_problems(hudu: HuduMatrix, *, checklists: Sequence[Checklist], name: str) -> list[str]:
    """List what is wrong with a structurally valid HUDU matrix.

    Parameters
    ----------
    hudu
        The matrix to check.
    checklists
        The scored checklists its cross-walk refers to.
    name
        File name to cite in each problem.

    Returns
    -------
    list of str
        Problems as ``<file>: <id>: <problem>``; empty when the matrix is sound.
    """
    problems: list[str] = []
    criterion_ids = {c.id for checklist in checklists for c in checklist.criteria()}
    for dup in _duplicates(t.id for t in hudu.topics):
        problems.append(f"{name}: {dup}: topic id is used more than once; make ids unique")
    expected_directions = {d.value for d in Direction}
    if set(hudu.directions) != expected_directions:
        problems.append(
            f"{name}: directions: must describe exactly {sorted(expected_directions)}; "
            f"got {sorted(hudu.directions)}"
        )
    for cid in hudu.cross_cutting:
        if cid not in criterion_ids:
            problems.append(f"{name}: cross_cutting: {cid!r} is not a criterion")
    for topic in hudu.topics:
        expected = f"{hudu.id_prefix}.{topic.number}"
        if topic.id != expected:
            problems.append(f"{name}: {topic.id}: topic id should be {expected!r}")
        for dup in _duplicates(topic.crosswalk):
            problems.append(f"{name}: {topic.id}: cross-walk lists {dup} more than once")
        for cid in topic.crosswalk:
            if cid not in criterion_ids:
                problems.append(
                    f"{name}: {topic.id}: cross-walk id {cid!r} is not a criterion of "
                    f"{', '.join(c.id + '.yaml' for c in checklists)}"
                )
    return problems


def load_hudu(path: Path, *, checklists: Sequence[Checklist]) -> HuduMatrix:
    """Load ``hudu.yaml`` and check its cross-walk against the scored checklists.

    Parameters
    ----------
    path
        The YAML file.
    checklists
        The scored checklists the cross-walk refers to.

    Returns
    -------
    HuduMatrix
        The validated matrix.

    Raises
    ------
    ChecklistError
        With every problem found.
    """
    path = Path(path)
    hudu = _validate(HuduMatrix, read_yaml(path), path.name)
    problems = hudu_problems(hudu, checklists=checklists, name=path.name)
    if problems:
        raise ChecklistError(problems)
    return hudu


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Load every criteria file in a folder and check them together.

    Parameters
    ----------
    directory
        Folder holding ``indicators.yaml``, ``scales.yaml``, ``hnt.yaml``,
        ``blue_zones.yaml`` and ``hudu.yaml``; the project's ``checklists/`` by default.

    Returns
    -------
    Catalogue
        Indicators, scales, checklists and HUDU matrix.

    Raises
    ------
    ChecklistError
        With every problem in every file (each naming its file and id).
    """
    folder = Path(directory) if directory is not None else default_checklist_dir()
    if not folder.is_dir():
        raise ChecklistError(
            f"{folder}: checklist folder not found; pass the folder holding hnt.yaml etc."
        )
    problems: list[str] = []
    indicators = scales = None
    try:
        indicators = load_indicators(folder / INDICATORS_FILE)
    except ChecklistError as exc:
        problems += exc.problems
    try:
        scales = load_scales(folder / SCALES_FILE)
    except ChecklistError as exc:
        problems += exc.problems
    if indicators is None or scales is None:
        raise ChecklistError(problems, source=str(folder))

    checklists: list[Checklist] = []
    for file_name in CHECKLIST_FILES:
        try:
            checklists.append(
                load_checklist(folder / file_name, indicators=indicators, scales=scales)
            )
        except ChecklistError as exc:
            problems += exc.problems
    for dup in _duplicates(c.id for c in checklists):
        problems.append(f"{dup}: two checklist files share this checklist id")
    for dup in _duplicates(c.id_prefix for c in checklists):
        problems.append(f"{dup}: two checklist files share this id_prefix")
    hudu = None
    try:
        if len(checklists) == len(CHECKLIST_FILES):
            hudu = load_hudu(folder / HUDU_FILE, checklists=checklists)
        else:
            # A checklist failed to load, so its ids would all look missing from the
            # cross-walk: check the HUDU file's structure only, to avoid false alarms.
            path = folder / HUDU_FILE
            hudu = _validate(HuduMatrix, read_yaml(path), path.name)
    except ChecklistError as exc:
        problems += exc.problems
    if problems or hudu is None:
        raise ChecklistError(problems, source=str(folder))
    logger.debug("loaded %d checklists from %s", len(checklists), folder)
    return Catalogue(indicators=indicators, scales=scales, checklists=tuple(checklists), hudu=hudu)
