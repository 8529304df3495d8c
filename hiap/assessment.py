"""The assessment of one scheme: answers to checklist criteria and the HUDU matrix.

An :class:`Assessment` is what storage saves, reports print and app pages edit. It is a
plain, frozen pydantic model that round-trips through JSON::

    data = assessment.model_dump(mode="json")      # JSON-safe dict (or .to_json())
    same = Assessment.model_validate(data)          # (or Assessment.from_json(text))

It holds ids and answers only; the criteria themselves live in ``checklists/*.yaml``
(:mod:`hiap.checklists`) and scores are computed on demand by :mod:`hiap.scoring`, so a
saved assessment never carries stale scores. Edits return new objects
(:meth:`Assessment.with_answer`, :meth:`Assessment.with_hudu`) and bump ``updated_at``.

Rules checked on every construction (a ``pydantic.ValidationError``, which is a
``ValueError``, otherwise; :meth:`Assessment.from_json` turns it into an
:class:`AssessmentError` listing every problem):

- a not-applicable answer has no score and gives a reason;
- a score that differs from the score suggested by a measured indicator carries a
  written ``override_justification``;
- a suggested score comes with the indicator id and measured value it came from;
- the boundary, when given, is GeoJSON in WGS84 longitude/latitude.

Whether a score fits the criterion's scale, and whether criterion ids exist, depends on the
checklists and is checked by :func:`hiap.scoring.validate_answers`.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hiap.errors import ProblemsError
from hiap.hia.record import HiaRecord, Likelihood, Magnitude

__all__ = [
    "ASSESSMENT_SCHEMA_VERSION",
    "DEFAULT_CHECKLIST_IDS",
    "Answer",
    "Assessment",
    "AssessmentError",
    "Direction",
    "HuduEntry",
    "upgrade_document",
]

ASSESSMENT_SCHEMA_VERSION = 2
"""Version of the saved JSON layout; storage can migrate older rows by this number.

1: answers and the HUDU matrix (direction, evidence, mitigation).
2: adds the HIA stages (``hia``) and, per HUDU topic, magnitude, likelihood, groups affected
and the residual direction after mitigation; a topic may be a draft without a direction.
"""

DEFAULT_CHECKLIST_IDS: tuple[str, ...] = ("hnt", "blue_zones")
"""The scored checklists a new assessment uses (the HUDU matrix is always present)."""

# Criterion ids look like ``HNT.5.2`` or ``BZ.1.3``; HUDU topic ids like ``HUDU.4``.
_CRITERION_ID = re.compile(r"^[A-Z][A-Z0-9]*(\.[0-9]+)+$")
_CHECKLIST_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_PROPOSAL_LAYER = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TEXT_MAX = 20_000  # generous, but stops a pasted document bloating the database
_GEOJSON_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
    "Feature",
    "FeatureCollection",
}


class AssessmentError(ProblemsError):
    """Saved or uploaded assessment data cannot be used.

    Parameters
    ----------
    problems
        Every problem found, each a sentence that names the remedy.
    source
        Where the data came from (file name, database row), if known.
    """


class Direction(StrEnum):
    """Direction of a health impact in the HUDU Rapid HIA matrix."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    UNCERTAIN = "uncertain"


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class Answer(BaseModel):
    """The assessor's answer to one checklist criterion.

    Parameters
    ----------
    score
        Points on the criterion's scale (``0`` not addressed, ``1`` partly, ``2`` fully,
        ``3`` exemplary on the default scale); ``None`` while unanswered or not applicable.
    not_applicable
        True when the criterion does not apply to this scheme; it then leaves the maximum.
    na_reason
        Why the criterion does not apply (required when ``not_applicable``).
    evidence
        What the score rests on: documents, plan references, measurements.
    measured_value
        The indicator value measured for this scheme, in the indicator's unit.
    suggested_score
        The score the indicator thresholds suggest for ``measured_value``.
    indicator_id
        The indicator (``checklists/indicators.yaml``) the measurement belongs to.
    override_justification
        Why the score differs from ``suggested_score`` (required when it does).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    score: int | None = Field(default=None, ge=0)
    not_applicable: bool = False
    na_reason: str | None = Field(default=None, max_length=_TEXT_MAX)
    evidence: str = Field(default="", max_length=_TEXT_MAX)
    measured_value: float | None = Field(default=None, allow_inf_nan=False)
    suggested_score: int | None = Field(default=None, ge=0)
    indicator_id: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    override_justification: str | None = Field(default=None, max_length=_TEXT_MAX)

    _blank_texts = field_validator("na_reason", "override_justification", mode="before")(
        _blank_to_none
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        problems: list[str] = []
        if self.not_applicable:
            if self.score is not None:
                problems.append(
                    "a not-applicable answer cannot have a score; clear the score or "
                    "untick 'not applicable'"
                )
            if self.na_reason is None:
                problems.append("a not-applicable answer needs na_reason saying why")
        elif self.na_reason is not None:
            problems.append("na_reason is only for not-applicable answers; remove it")
        if self.suggested_score is not None:
            if self.indicator_id is None:
                problems.append("a suggested_score needs the indicator_id it came from")
            if self.measured_value is None:
                problems.append("a suggested_score needs the measured_value it came from")
        if self.measured_value is not None and self.indicator_id is None:
            problems.append("a measured_value needs the indicator_id it measures")
        if (
            self.score is not None
            and self.suggested_score is not None
            and self.score != self.suggested_score
            and self.override_justification is None
        ):
            problems.append(
                f"score {self.score} differs from the suggested score {self.suggested_score} "
                "(from the measured indicator); write an override_justification or use the "
                "suggested score"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def is_answered(self) -> bool:
        """True when the criterion is scored or marked not applicable."""
        return self.not_applicable or self.score is not None

    @property
    def is_override(self) -> bool:
        """True when the score departs from the indicator's suggestion."""
        return (
            self.score is not None
            and self.suggested_score is not None
            and self.score != self.suggested_score
        )


class HuduEntry(BaseModel):
    """One row of the HUDU Rapid HIA matrix: a topic's likely health impact.

    Parameters
    ----------
    direction
        Positive, negative, neutral or uncertain impact on health; ``None`` while the row is
        a draft (evidence or mitigation typed before a direction is chosen is kept).
    evidence
        What the judgement rests on.
    mitigation
        Recommended mitigation or enhancement.
    suggested_direction
        The direction suggested by the cross-walked checklist scores, if any.
    magnitude
        How large the impact is (minor, moderate, major).
    likelihood
        How likely it is (possible, probable, definite).
    groups
        Population group ids (``checklists/hia.yaml``) who bear the impact.
    residual_direction
        The direction once the mitigation is secured.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    direction: Direction | None = None
    evidence: str = Field(default="", max_length=_TEXT_MAX)
    mitigation: str = Field(default="", max_length=_TEXT_MAX)
    suggested_direction: Direction | None = None
    magnitude: Magnitude | None = None
    likelihood: Likelihood | None = None
    groups: tuple[str, ...] = ()
    residual_direction: Direction | None = None

    @property
    def is_draft(self) -> bool:
        """True while no direction has been chosen."""
        return self.direction is None


def _iter_positions(coords: object) -> Iterator[list[Any]]:
    """Yield every innermost position (a list of numbers) of GeoJSON coordinates."""
    if isinstance(coords, list | tuple):
        if coords and all(isinstance(c, int | float) for c in coords):
            yield list(coords)
        else:
            for item in coords:
                yield from _iter_positions(item)


def _check_geojson(obj: Mapping[str, Any], where: str, problems: list[str]) -> None:
    kind = obj.get("type")
    if kind not in _GEOJSON_TYPES:
        problems.append(f"{where}: GeoJSON 'type' {kind!r} is not a GeoJSON type")
        return
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            problems.append(f"{where}: a FeatureCollection needs a 'features' list")
            return
        for i, feature in enumerate(features):
            if isinstance(feature, Mapping):
                _check_geojson(feature, f"{where}.features[{i}]", problems)
            else:
                problems.append(f"{where}.features[{i}] is not an object")
        return
    if kind == "Feature":
        geometry = obj.get("geometry")
        if geometry is None:
            return
        if isinstance(geometry, Mapping):
            _check_geojson(geometry, f"{where}.geometry", problems)
        else:
            problems.append(f"{where}.geometry is not an object")
        return
    if kind == "GeometryCollection":
        for i, geom in enumerate(obj.get("geometries") or []):
            if isinstance(geom, Mapping):
                _check_geojson(geom, f"{where}.geometries[{i}]", problems)
        return
    for pos in _iter_positions(obj.get("coordinates")):
        if len(pos) < 2:
            problems.append(f"{where}: position {pos} has fewer than 2 numbers")
            return
        lon, lat = pos[0], pos[1]
        if not (math.isfinite(lon) and math.isfinite(lat)):
            problems.append(f"{where}: position {pos} is not finite")
            return
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(
                f"{where}: position {pos[:2]} is not WGS84 longitude/latitude "
                "(British National Grid metres?); reproject to EPSG:4326 first"
            )
            return


def _check_item_id(value: str) -> str:
    if not _CRITERION_ID.match(value):
        raise ValueError(f"{value!r} is not a criterion or topic id like 'HNT.5.2' or 'HUDU.4'")
    return value


# Keys are validated on their own so that a bad key and a bad answer are both reported.
_ItemId = Annotated[str, AfterValidator(_check_item_id)]


class Assessment(BaseModel):
    """A health impact assessment of one scheme, as saved and reported.

    Parameters
    ----------
    id
        UUID (string) of the assessment; stable across saves.
    scheme_name
        Name of the scheme assessed (e.g. "Northstowe Phase 3A").
    scheme_reference
        Planning application or project reference, if any.
    scheme_metadata
        Free JSON-safe details of the scheme (dwellings, area_ha, local authority...).
    boundary
        The scheme boundary as GeoJSON (geometry, Feature or FeatureCollection) in WGS84.
    checklist_ids
        The scored checklists used (``hnt``, ``blue_zones``).
    answers
        Answers keyed by criterion id (``HNT.5.2``); missing ids are unanswered.
    hudu
        HUDU Rapid HIA entries keyed by topic id (``HUDU.4``).
    assessor
        Name of the person assessing.
    created_at, updated_at
        Timezone-aware timestamps (UTC when made by hiap).
    weights
        Optional weights keyed by principle id (``HNT.5``); principles not listed weigh 1.
    hia
        The HIA stages: screening decision, scope, gateways, recommendations, monitoring
        plan and Building for a Healthy Life lights (:mod:`hiap.hia.record`).
    proposal
        The scheme's proposal layers, when one was drawn or given (layer name such as
        ``homes`` -> GeoJSON FeatureCollection in WGS84; read back through
        :func:`hiap.schemes.drawn.read_drawn_proposal`).
    schema_version
        Layout version of the saved JSON.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    scheme_name: str = Field(min_length=1, max_length=300)
    scheme_reference: str | None = Field(default=None, max_length=300)
    scheme_metadata: dict[str, Any] = Field(default_factory=dict)
    boundary: dict[str, Any] | None = None
    checklist_ids: tuple[str, ...] = DEFAULT_CHECKLIST_IDS
    answers: dict[_ItemId, Answer] = Field(default_factory=dict)
    hudu: dict[_ItemId, HuduEntry] = Field(default_factory=dict)
    assessor: str | None = Field(default=None, max_length=300)
    created_at: AwareDatetime
    updated_at: AwareDatetime
    weights: dict[str, float] | None = None
    hia: HiaRecord = Field(default_factory=HiaRecord)
    proposal: dict[str, dict[str, Any]] | None = None
    schema_version: int = ASSESSMENT_SCHEMA_VERSION

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        # Every way in (storage, import, upload) reads older layouts the same way.
        if isinstance(data, Mapping) and isinstance(data.get("schema_version", 1), int):
            return upgrade_document(data)
        return data

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ValueError(f"id {value!r} is not a UUID") from None

    @field_validator("scheme_name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("scheme_name is blank; give the scheme a name")
        return value.strip()

    @field_validator("scheme_metadata")
    @classmethod
    def _check_metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"scheme_metadata must be JSON-safe: {exc}") from None
        return value

    @field_validator("boundary")
    @classmethod
    def _check_boundary(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        problems: list[str] = []
        _check_geojson(value, "boundary", problems)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("proposal")
    @classmethod
    def _check_proposal(cls, value: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]] | None:
        if value is None:
            return None
        problems: list[str] = []
        for layer, collection in value.items():
            if not _PROPOSAL_LAYER.match(layer):
                problems.append(f"proposal layer name {layer!r} is not a lower_snake_case name")
            elif collection.get("type") != "FeatureCollection":
                problems.append(f"proposal.{layer} is not a GeoJSON FeatureCollection")
            else:
                _check_geojson(collection, f"proposal.{layer}", problems)
        if len(value) > 20:
            problems.append(f"proposal has {len(value)} layers; a proposal has at most 20")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("checklist_ids")
    @classmethod
    def _check_checklist_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in value if not _CHECKLIST_ID.match(c)]
        if bad:
            raise ValueError(f"checklist ids {bad} are not lower_snake_case ids")
        if len(set(value)) != len(value):
            raise ValueError(f"checklist ids {list(value)} repeat an id")
        return value

    @field_validator("weights")
    @classmethod
    def _check_weights(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        problems = []
        for key, weight in value.items():
            if not _CRITERION_ID.match(key):
                problems.append(f"weight key {key!r} is not a principle id like 'HNT.5'")
            if not math.isfinite(weight) or weight < 0:
                problems.append(f"weight of {key} is {weight}; use a finite number >= 0")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @model_validator(mode="after")
    def _check_times(self) -> Self:
        if self.updated_at < self.created_at:
            raise ValueError("updated_at is earlier than created_at")
        return self

    @classmethod
    def new(
        cls,
        *,
        scheme_name: str,
        scheme_reference: str | None = None,
        scheme_metadata: Mapping[str, Any] | None = None,
        boundary: Mapping[str, Any] | None = None,
        checklist_ids: tuple[str, ...] | list[str] = DEFAULT_CHECKLIST_IDS,
        assessor: str | None = None,
        weights: Mapping[str, float] | None = None,
        now: datetime | None = None,
    ) -> Assessment:
        """Start a new, empty assessment with a fresh UUID.

        Parameters
        ----------
        scheme_name
            Name of the scheme.
        scheme_reference
            Planning application or project reference.
        scheme_metadata
            JSON-safe details of the scheme.
        boundary
            GeoJSON boundary in WGS84.
        checklist_ids
            Scored checklists to use.
        assessor
            Name of the assessor.
        weights
            Principle weights (principle id -> weight).
        now
            Creation time (timezone-aware); the current UTC time by default.

        Returns
        -------
        Assessment
            The new assessment, with no answers.
        """
        stamp = now or datetime.now(UTC)
        return cls(
            id=str(uuid.uuid4()),
            scheme_name=scheme_name,
            scheme_reference=scheme_reference,
            scheme_metadata=dict(scheme_metadata or {}),
            boundary=dict(boundary) if boundary is not None else None,
            checklist_ids=tuple(checklist_ids),
            assessor=assessor,
            weights=dict(weights) if weights is not None else None,
            created_at=stamp,
            updated_at=stamp,
        )

    def _touched(self, update: dict[str, Any], now: datetime | None) -> Assessment:
        data = self.model_dump()
        data.update(update)
        data["updated_at"] = max(now or datetime.now(UTC), self.created_at)
        # Re-validate so an edit can never produce an invalid assessment.
        return type(self).model_validate(data)

    def with_answer(
        self, criterion_id: str, answer: Answer | None, *, now: datetime | None = None
    ) -> Assessment:
        """Return a copy with one answer set (or removed when ``answer`` is None).

        Parameters
        ----------
        criterion_id
            Criterion id such as ``HNT.5.2``.
        answer
            The new answer; ``None`` clears it back to unanswered.
        now
            Edit time; the current UTC time by default.

        Returns
        -------
        Assessment
            A new assessment; this one is unchanged.
        """
        answers = dict(self.answers)
        if answer is None:
            answers.pop(criterion_id, None)
        else:
            answers[criterion_id] = answer
        return self._touched({"answers": answers}, now)

    def with_hudu(
        self, topic_id: str, entry: HuduEntry | None, *, now: datetime | None = None
    ) -> Assessment:
        """Return a copy with one HUDU entry set (or removed when ``entry`` is None).

        Parameters
        ----------
        topic_id
            HUDU topic id such as ``HUDU.4``.
        entry
            The new entry; ``None`` removes it.
        now
            Edit time; the current UTC time by default.

        Returns
        -------
        Assessment
            A new assessment; this one is unchanged.
        """
        hudu = dict(self.hudu)
        if entry is None:
            hudu.pop(topic_id, None)
        else:
            hudu[topic_id] = entry
        return self._touched({"hudu": hudu}, now)

    def with_hia(self, record: HiaRecord, *, now: datetime | None = None) -> Assessment:
        """Return a copy with the HIA stage data replaced.

        Parameters
        ----------
        record
            The new HIA record.
        now
            Edit time; the current UTC time by default.

        Returns
        -------
        Assessment
            A new assessment; this one is unchanged.
        """
        return self._touched({"hia": record}, now)

    def with_changes(self, *, now: datetime | None = None, **changes: Any) -> Assessment:
        """Return a validated copy with other fields changed (name, boundary, weights...).

        Parameters
        ----------
        now
            Edit time; the current UTC time by default.
        **changes
            Field values to replace; ``id`` and ``created_at`` cannot change.

        Returns
        -------
        Assessment
            A new assessment; this one is unchanged.

        Raises
        ------
        AssessmentError
            When a change names ``id``, ``created_at`` or an unknown field.
        """
        fixed = {"id", "created_at", "updated_at"} & changes.keys()
        unknown = changes.keys() - type(self).model_fields.keys()
        if fixed or unknown:
            raise AssessmentError(
                [f"field {name!r} cannot be changed" for name in sorted(fixed)]
                + [f"unknown field {name!r}" for name in sorted(unknown)]
            )
        return self._touched(dict(changes), now)

    def to_json(self, *, indent: int | None = None) -> str:
        """Serialise to JSON text (the same content as ``model_dump(mode="json")``)."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str | None = None) -> Assessment:
        """Read an assessment from JSON text, reporting every problem at once.

        Parameters
        ----------
        text
            JSON produced by :meth:`to_json` (or ``json.dumps(model_dump(mode="json"))``).
        source
            Where the text came from, for error messages.

        Returns
        -------
        Assessment
            The validated assessment.

        Raises
        ------
        AssessmentError
            When the JSON is malformed or any field is invalid.
        """
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            raise AssessmentError(_problems(exc), source=source) from None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> Assessment:
        """Validate a JSON-safe dict (from ``model_dump(mode="json")``) into an assessment.

        Parameters
        ----------
        data
            The dict to validate.
        source
            Where the data came from, for error messages.

        Returns
        -------
        Assessment
            The validated assessment.

        Raises
        ------
        AssessmentError
            When any field is invalid; every problem is listed.
        """
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise AssessmentError(_problems(exc), source=source) from None


def upgrade_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """Bring a saved assessment document up to the current layout, one step at a time.

    Parameters
    ----------
    document
        A ``model_dump(mode="json")`` document of any layout up to
        :data:`ASSESSMENT_SCHEMA_VERSION`.

    Returns
    -------
    dict
        A new document in the current layout; the input is not changed.
    """
    data = dict(document)
    layout = data.get("schema_version", 1)
    if layout == 1:
        # Layout 2 only adds fields with defaults (the HIA stages, HUDU magnitude etc.), so a
        # layout-1 document reads as it is; stamping the layout records the upgrade.
        data["schema_version"] = 2
    return data


def _problems(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "assessment"
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"{loc}: {msg}")
    return out
