"""A release's table shows the words of coded values (sex, minor or adult, countries) in the
reader's language; its CSV keeps the codes, as the data standard writes them."""

from types import SimpleNamespace

from django.utils import translation

from bridgeway.stats.views import release_csv, release_shown


def _release():
    return SimpleNamespace(
        kind="crosstab", k=11, suppressed=0, dimensions=["sex", "citizenship"],
        generalisations=[], result={"dimensions": ["sex", "citizenship"], "cells": [
            {"values": ["TransgenderNonConforming", "MD"], "count": 14},
            {"values": ["Female", "UA"], "count": None}]})


def test_the_table_shows_words_and_the_csv_keeps_codes():
    release = _release()
    with translation.override("en"):
        table = release_shown(release)["table"]
    assert table["rows"][0][0] == "Transgender or non-conforming"
    assert table["rows"][0][1] not in ("MD", "")  # the country's name, not its ISO code
    assert table["rows"][0][2] == 14
    assert table["rows"][1][2] == "<11"
    csv = release_csv(release)
    assert "TransgenderNonConforming,MD,14" in csv


def test_the_words_follow_the_readers_language():
    with translation.override("uk"):
        table = release_shown(_release())["table"]
    assert table["rows"][0][0] not in ("TransgenderNonConforming", "Transgender or non-conforming")
