from hiap.wording import count


def test_count_is_singular_only_for_one() -> None:
    assert count(1, "indicator") == "1 indicator"
    assert count(0, "indicator") == "0 indicators"
    assert count(2, "area") == "2 areas"
    assert count(1204, "home point") == "1,204 home points"
    assert count(3, "analysis", "analyses") == "3 analyses"
