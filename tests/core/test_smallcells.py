from bridgeway.core.smallcells import shown_count


def test_a_small_count_is_hidden_behind_the_threshold():
    assert [shown_count(n, 11) for n in (1, 5, 10)] == ["<11", "<11", "<11"]


def test_nobody_and_large_counts_are_shown_as_they_are():
    assert shown_count(0, 11) == 0
    assert shown_count(None, 11) == 0
    assert shown_count(11, 11) == 11
    assert shown_count(250, 5) == 250


def test_threshold_zero_shows_an_organisation_its_own_small_counts():
    assert shown_count(3, 0) == 3
