"""A writer process for the crash and concurrency tests (run with sys.executable).

Usage: storage_writer.py DB ASSESSMENT_ID NAME CRITERION COUNT TAG [BIG]

Saves COUNT edits of one assessment, each answer's evidence naming TAG and the edit number,
and prints "<version> <edit>" after every committed save. With BIG, each save also carries a
boundary of ~20,000 vertices (about 1 MB), so a kill is likely to land mid-write.
"""

from __future__ import annotations

import math
import sys
from datetime import UTC, datetime

from hiap.assessment import Answer, Assessment
from hiap.storage import AssessmentNotFoundError, AssessmentStore


def big_boundary(n: int) -> dict[str, object]:
    ring = [
        [-0.26 + 0.01 * math.cos(2 * math.pi * k / n), 52.54 + 0.01 * math.sin(2 * math.pi * k / n)]
        for k in range(n)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def main(argv: list[str]) -> None:
    db, ident, name, criterion, count, tag = argv[:6]
    big = len(argv) > 6
    store = AssessmentStore(db)
    try:
        a = store.load(ident)
    except AssessmentNotFoundError:
        now = datetime.now(UTC)
        a = Assessment(id=ident, scheme_name=name, created_at=now, updated_at=now)
    if big:
        a = a.with_changes(boundary=big_boundary(20_000))
    for i in range(int(count)):
        evidence = f"{tag} edit {i}"
        a = a.with_answer(criterion, Answer(score=i % 4, evidence=evidence))
        version = store.save(a, author=tag)
        print(version, i, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
