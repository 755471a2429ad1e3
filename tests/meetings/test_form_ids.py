"""The 1:1 series page holds three forms whose field is called "text"; each label must focus its own box."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_series_page_has_no_duplicate_ids_and_each_label_finds_its_field(client, series, manager):
    html = login(client, manager).get(reverse("one_on_one", args=[series.pk])).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    for label, target in [("Add to the agenda", "id_agenda_text"), ("Action item", "id_text")]:
        assert f'<label for="{target}">{label}</label>' in html
    assert '<input type="text" name="text" id="id_agenda_text"' in html  # what it posts is unchanged
