"""AssessmentStore: versions, list, history, duplicate, compare, delete."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hiap.assessment import Answer, Assessment
from hiap.storage import (
    AssessmentNotFoundError,
    AssessmentStore,
    ConfirmationError,
    StorageError,
    VersionConflictError,
)
from tests.storage.builders import T0, build_assessment


def test_save_appends_versions_and_skips_identical(
    store: AssessmentStore, assessment: Assessment
) -> None:
    assert store.save(assessment, author="R. Patel") == 1
    assert store.save(assessment, author="someone else") == 1  # identical: nothing written
    edited = assessment.with_answer("HNT.5.2", Answer(score=2, evidence="Play strategy"), now=T0)
    assert store.save(edited, author="J. Okafor") == 2
    assert [v.version for v in store.history(assessment.id)] == [1, 2]
    assert [v.author for v in store.history(assessment.id)] == ["R. Patel", "J. Okafor"]
    assert store.latest_version(assessment.id) == 2


def test_load_latest_and_given_version(store: AssessmentStore, assessment: Assessment) -> None:
    store.save(assessment, author="a")
    edited = assessment.with_answer("HNT.1.1", Answer(score=3, evidence="new"), now=T0)
    store.save(edited, author="a")
    assert store.load(assessment.id) == edited
    assert store.load(assessment.id, version=1) == assessment
    assert store.load(assessment.id, version=1) is not store.load(assessment.id, version=1)
    with pytest.raises(AssessmentNotFoundError, match="no version 7"):
        store.load(assessment.id, version=7)
    with pytest.raises(AssessmentNotFoundError, match="No assessment with id"):
        store.load("0d3c1f0a-0000-4000-8000-000000000000")


def test_list_summarises_each_assessment(store: AssessmentStore) -> None:
    first, second = build_assessment("Alpha"), build_assessment("Beta")
    store.save(first, author="a")
    store.save(second, author="b")
    store.save(second.with_answer("HNT.9.1", Answer(score=1), now=T0), author="c")
    rows = {row.id: row for row in store.list()}
    assert set(rows) == {first.id, second.id}
    assert (rows[first.id].scheme_name, rows[first.id].versions, rows[first.id].author) == (
        "Alpha",
        1,
        "a",
    )
    assert (rows[second.id].versions, rows[second.id].author) == (2, "c")
    assert rows[second.id].reference == "21/01234/OUT"
    assert store.list()[0].id == second.id  # most recently changed first
    assert rows[second.id].updated_at >= rows[second.id].created_at


def test_duplicate_makes_an_independent_copy(
    store: AssessmentStore, assessment: Assessment
) -> None:
    store.save(assessment, author="a")
    new_id = store.duplicate(assessment.id, new_name="Hampton Vale option B", author="b")
    assert new_id != assessment.id
    copy = store.load(new_id)
    assert copy.scheme_name == "Hampton Vale option B"
    assert copy.answers == assessment.answers and copy.boundary == assessment.boundary
    assert [v.author for v in store.history(new_id)] == ["b"]
    store.save(copy.with_answer("HNT.1.1", Answer(score=0), now=T0), author="b")
    assert store.load(assessment.id) == assessment  # the original is untouched


def test_compare_lists_changes_per_criterion(
    store: AssessmentStore, assessment: Assessment
) -> None:
    store.save(assessment, author="a")
    v2 = assessment.with_answer("HNT.2.1", Answer(score=3, evidence="Now fully met"))
    v2 = v2.with_answer("HNT.7.4", Answer(score=1, evidence="Added"))
    v2 = v2.with_answer("HNT.3.1", None)
    store.save(v2, author="b")
    diffs = store.compare(assessment.id, 1, 2)
    by_item = {(d.item, d.field): d for d in diffs}
    assert by_item[("HNT.2.1", "score")].before == 2
    assert by_item[("HNT.2.1", "score")].after == 3
    assert by_item[("HNT.2.1", "evidence")].after == "Now fully met"
    assert by_item[("HNT.7.4", "HNT.7.4")].before is None
    assert by_item[("HNT.3.1", "HNT.3.1")].after is None
    assert all(d.path != "updated_at" for d in diffs)
    assert store.compare(assessment.id, 2, 2) == []


def test_delete_needs_the_name_or_id(store: AssessmentStore, assessment: Assessment) -> None:
    store.save(assessment, author="a")
    with pytest.raises(ConfirmationError, match="Hampton Vale extension"):
        store.delete(assessment.id, confirm="yes")
    assert store.exists(assessment.id)
    store.delete(assessment.id, confirm="  Hampton Vale extension ")
    assert not store.exists(assessment.id)
    with pytest.raises(AssessmentNotFoundError):
        store.history(assessment.id)
    other = build_assessment("Other")
    store.save(other, author="a")
    store.delete(other.id, confirm=other.id)
    assert store.list() == []


def test_base_version_detects_a_concurrent_edit(
    store: AssessmentStore, assessment: Assessment
) -> None:
    store.save(assessment, author="a")
    mine = assessment.with_answer("HNT.1.1", Answer(score=3), now=T0)
    theirs = assessment.with_answer("HNT.1.1", Answer(score=0), now=T0)
    assert store.save(theirs, author="them", base_version=1) == 2
    with pytest.raises(VersionConflictError, match="version 2"):
        store.save(mine, author="me", base_version=1)
    assert store.load(assessment.id) == theirs


def test_author_is_required(store: AssessmentStore, assessment: Assessment) -> None:
    with pytest.raises(ValueError, match="author"):
        store.save(assessment, author="  ")


def test_sessions_on_different_assessments_stay_separate(tmp_path: Path) -> None:
    # Two app sessions (threads, each with its own store object on the same file).
    path = tmp_path / "shared.sqlite"
    errors: list[BaseException] = []

    def session(name: str, criterion: str) -> None:
        try:
            store = AssessmentStore(path)
            a = build_assessment(name, answers=0)
            for i in range(20):
                a = a.with_answer(criterion, Answer(score=i % 4, evidence=f"{name} {i}"))
                store.save(a, author=name)
                loaded = store.load(a.id)
                assert loaded == a
                assert set(loaded.answers) == {criterion}
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    threads = [
        threading.Thread(target=session, args=("North", "HNT.1.1")),
        threading.Thread(target=session, args=("South", "BZ.2.1")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = AssessmentStore(path).list()
    assert sorted(r.scheme_name for r in rows) == ["North", "South"]
    assert all(r.versions == 20 for r in rows)


def test_a_document_from_a_newer_hiap_is_refused(
    store: AssessmentStore, assessment: Assessment
) -> None:
    import json
    import sqlite3

    store.save(assessment, author="a")
    conn = sqlite3.connect(store.path)
    data = json.loads(conn.execute("SELECT document FROM versions").fetchone()[0])
    data["schema_version"] = 99
    conn.execute("UPDATE versions SET document = ?", (json.dumps(data),))
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="newer hiap"):
        store.load(assessment.id)


def test_saving_edits_of_a_deleted_assessment_is_flagged(
    store: AssessmentStore, assessment: Assessment
) -> None:
    store.save(assessment, author="a")
    store.delete(assessment.id, confirm=assessment.id)
    with pytest.raises(VersionConflictError, match="was deleted"):
        store.save(
            assessment.with_answer("HNT.1.1", Answer(score=1), now=T0), author="b", base_version=1
        )
    assert not store.exists(assessment.id)
    assert store.save(assessment, author="b") == 1  # restoring it on purpose is allowed


def test_a_failed_save_changes_nothing(store: AssessmentStore, assessment: Assessment) -> None:
    import sqlite3

    store.save(assessment, author="a")
    before = store.list()
    conn = sqlite3.connect(store.path)
    # Simulate a failure after the assessments row was updated, inside the same transaction.
    conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON versions WHEN NEW.author = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    conn.commit()
    conn.close()
    edited = assessment.with_answer("HNT.1.1", Answer(score=0), now=T0).with_changes(
        scheme_name="Renamed", now=T0
    )
    with pytest.raises(StorageError, match=r"disk on fire.*last saved version is intact"):
        store.save(edited, author="boom")
    assert store.list() == before  # the name and time were rolled back with the version
    assert store.load(assessment.id) == assessment
    assert store.save(edited, author="ok") == 2


def test_a_layout_1_save_still_opens_and_compares(tmp_path: Path) -> None:
    """Work saved before the HIA stages (layout 1) opens, compares and saves on as layout 2."""
    import json
    import sqlite3

    from hiap.assessment import Assessment, Direction, HuduEntry
    from hiap.storage import AssessmentStore

    store = AssessmentStore(tmp_path / "old.sqlite")
    a = Assessment.new(scheme_name="Old Site").with_hudu(
        "HUDU.1", HuduEntry(direction=Direction.POSITIVE, evidence="e")
    )
    store.save(a, author="Sam")
    # Rewrite the stored document as hiap wrote it before layout 2: no "hia", no new fields.
    with sqlite3.connect(store.path) as conn:
        (text,) = conn.execute("SELECT document FROM versions").fetchone()
        old = json.loads(text)
        del old["hia"]
        old["schema_version"] = 1
        old["hudu"]["HUDU.1"] = {"direction": "positive", "evidence": "e", "mitigation": "",
                                 "suggested_direction": None}  # fmt: skip
        conn.execute("UPDATE versions SET document = ?", (json.dumps(old),))
    loaded = store.load(a.id)
    assert loaded.schema_version == 2 and loaded.hia.is_empty
    assert loaded.hudu["HUDU.1"].direction is Direction.POSITIVE
    store.save(loaded.with_hudu("HUDU.1", None), author="Sam")
    assert any(d.item == "HUDU.1" for d in store.compare(a.id, 1, 2))
