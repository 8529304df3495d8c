"""diff_documents: per-criterion differences between two JSON documents."""

from __future__ import annotations

from hiap.storage import Difference, diff_documents


def test_equal_documents_have_no_differences() -> None:
    doc = {"a": 1, "answers": {"HNT.1.1": {"score": 2}}, "tags": [1, 2]}
    assert diff_documents(doc, doc) == []


def test_mapping_keys_that_are_ids_name_the_item() -> None:
    before = {"answers": {"HNT.1.1": {"score": 2, "evidence": "a"}}, "scheme_name": "X"}
    after = {"answers": {"HNT.1.1": {"score": 3, "evidence": "a"}}, "scheme_name": "Y"}
    assert diff_documents(before, after) == [
        Difference("answers.HNT.1.1.score", "HNT.1.1", "score", 2, 3),
        Difference("scheme_name", None, "scheme_name", "X", "Y"),
    ]


def test_lists_of_keyed_items_are_matched_by_key_not_position() -> None:
    before = {"rows": [{"id": "T1", "v": 1}, {"id": "T2", "v": 2}]}
    after = {"rows": [{"id": "T2", "v": 5}, {"id": "T1", "v": 1}, {"id": "T3", "v": 0}]}
    assert diff_documents(before, after) == [
        Difference("rows[T2].v", "T2", "v", 2, 5),
        Difference("rows[T3]", "T3", "rows", None, {"id": "T3", "v": 0}),
    ]


def test_plain_lists_and_type_changes_are_reported_whole() -> None:
    before = {"checklist_ids": ["hnt", "blue_zones"], "n": 1}
    after = {"checklist_ids": ["hnt"], "n": 1.0}
    diffs = diff_documents(before, after)
    assert diffs[0] == Difference(
        "checklist_ids", None, "checklist_ids", ["hnt", "blue_zones"], ["hnt"]
    )
    assert diffs[1].path == "n" and diffs[1].after == 1.0


def test_removed_answers_are_listed() -> None:
    before = {"answers": {"BZ.1.1": {"score": 1}}}
    after: dict[str, dict[str, object]] = {"answers": {}}
    assert diff_documents(before, after) == [
        Difference("answers.BZ.1.1", "BZ.1.1", "BZ.1.1", {"score": 1}, None)
    ]


def test_differences_read_as_sentences() -> None:
    from hiap.storage.diff import describe_difference

    before = {
        "answers": {"HNT.3.2": {"score": 1, "evidence": "a"}},
        "hudu": {},
        "assessor": "A",
        "hia": {"recommendations": [{"id": "R1", "action": "Fund a surgery", "trigger": "t"}]},
    }
    after = {
        "answers": {"HNT.3.2": {"score": 2, "evidence": "a"}},
        "hudu": {"HUDU.4": {"direction": "negative", "evidence": "Road noise 62 dB"}},
        "assessor": "B",
        "hia": {"recommendations": []},
    }
    sentences = [describe_difference(d) for d in diff_documents(before, after)]
    assert sentences == [
        "HNT.3.2: score changed from 1 to 2.",
        "HUDU.4: impact matrix entry added (direction of impact \u201cnegative\u201d, "
        "evidence \u201cRoad noise 62 dB\u201d).",
        "Scheme: assessor changed from \u201cA\u201d to \u201cB\u201d.",
        "HIA: recommendation changed from 1 item to nothing.",
    ]
    assert not any("{" in s for s in sentences)  # no raw JSON
