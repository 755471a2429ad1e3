from __future__ import annotations

import re
from collections import Counter

import pytest

from accord.pulse.bank import (
    AGREE5_LABELS,
    BANK,
    CONSTRUCT_HELP,
    CONSTRUCTS,
    FAVOURABLE_MIN,
    BankItem,
    score,
)

SCORED = [item for item in BANK if item.construct != "enps"]

# Wording from licensed or published instruments that must never appear in our own bank.
BLOCKLIST = (
    "know what is expected of me",
    "best friend at work",
    "held against you",
    "bursting with energy",
    "materials and equipment",
    "what i do best every day",
    "opinions seem to count",
    "care about me as a person",
    "cares about me as a person",
    "talked to me about my progress",
    "opportunities at work to learn and grow",
    "time flies when i",
    "safe to take a risk on this team",
    "bring up problems and tough issues",
    "proud to work for",
    "see myself still working",
)


def test_bank_size():
    assert len(BANK) >= 48
    assert all(isinstance(item, BankItem) for item in BANK)


def test_keys_unique_and_slugs():
    keys = [item.key for item in BANK]
    assert len(keys) == len(set(keys))
    for key in keys:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), key
        assert len(key) <= 60  # Question.key is a SlugField(max_length=60)


def test_exactly_one_enps_item():
    enps = [item for item in BANK if item.construct == "enps"]
    assert len(enps) == 1
    (item,) = enps
    assert item.key == "enps"
    assert item.scale == "nps11"
    assert not item.reverse
    assert "{org}" in item.text
    assert item.text.format(org="Acme") == "How likely are you to recommend Acme as a place to work?"


def test_scored_items_use_agree5():
    assert all(item.scale == "agree5" for item in SCORED)
    assert not any("{" in item.text or "}" in item.text for item in SCORED)


def test_each_scored_construct_has_at_least_four_items():
    counts = Counter(item.construct for item in SCORED)
    for construct in CONSTRUCTS:
        if construct == "enps":
            continue
        assert counts[construct] >= 4, construct
    assert len(SCORED) >= 44


def test_constructs_are_labelled_and_explained():
    expected = {
        "engagement",
        "trust_interpersonal",
        "trust_organisational",
        "trust_task",
        "psych_safety",
        "connection",
        "workload",
        "recognition",
        "clarity",
        "manager_support",
        "growth",
        "enps",
    }
    assert set(CONSTRUCTS) == expected
    assert set(CONSTRUCT_HELP) == expected
    assert {item.construct for item in BANK} == expected
    assert CONSTRUCTS["trust_task"] == "Task-based trust"
    for key in expected:
        assert CONSTRUCTS[key].strip()
        assert CONSTRUCT_HELP[key].endswith(".")


def test_reverse_items():
    reverse_by_construct = Counter(item.construct for item in SCORED if item.reverse)
    assert reverse_by_construct["connection"] >= 2
    assert reverse_by_construct["workload"] >= 1
    share = sum(reverse_by_construct.values()) / len(SCORED)
    assert 0.08 <= share <= 0.2


def test_texts_are_short_and_punctuated():
    for item in BANK:
        assert item.text.endswith((".", "?")), item.key
        assert len(item.text) <= 120, item.key
        assert item.text == item.text.strip()


def test_texts_unique():
    texts = [item.text.lower() for item in BANK]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("phrase", BLOCKLIST)
def test_no_licensed_wording(phrase):
    for item in BANK:
        assert phrase not in item.text.lower(), item.key


def test_labels_and_favourable_threshold():
    assert AGREE5_LABELS == (
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    )
    assert FAVOURABLE_MIN == 4
    assert AGREE5_LABELS[FAVOURABLE_MIN - 1] == "Agree"


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_score_agree5(value):
    assert score("agree5", False, value) == value
    assert score("agree5", True, value) == 6 - value


def test_score_reverse_makes_disagree_favourable():
    assert score("agree5", True, 2) >= FAVOURABLE_MIN
    assert score("agree5", True, 4) < FAVOURABLE_MIN


@pytest.mark.parametrize("value", range(11))
def test_score_nps11_unchanged(value):
    assert score("nps11", False, value) == value
    assert score("nps11", True, value) == value


@pytest.mark.parametrize(
    ("scale", "value"),
    [("agree5", 0), ("agree5", 6), ("agree5", -1), ("nps11", -1), ("nps11", 11), ("nps11", 100)],
)
def test_score_out_of_range(scale, value):
    with pytest.raises(ValueError):
        score(scale, False, value)
    with pytest.raises(ValueError):
        score(scale, True, value)


def test_score_rejects_unknown_scale():
    with pytest.raises(ValueError):
        score("stars5", False, 3)
