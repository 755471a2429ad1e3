"""The people export quotes every cell a spreadsheet would run as a formula, in every column (email and
manager email included), and importing the export back still changes nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.forms.models import model_to_dict

from accord.orgs.csv_cells import FORMULA_STARTS, escape, unescape
from accord.orgs.models import Person
from accord.orgs.people_csv import apply_import, export_people_csv, parse_people_csv

from ..factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db


def snapshot(org) -> list[dict]:
    return [model_to_dict(p) for p in Person.objects.filter(org=org).order_by("email")]


@pytest.fixture
def formulas(org):
    boss = PersonFactory(org=org, email="+boss@acme.test", name="Bea Boss", title="CEO", location="")
    return PersonFactory(
        org=org,
        email="=hyperlink@acme.test",
        name="'=not a formula",
        title="@sum",
        team=TeamFactory(org=org, name="-Ops"),
        manager=boss,
        location="'plain apostrophe",
    )


def test_no_exported_cell_starts_a_formula(formulas):
    rows = list(csv.reader(io.StringIO(export_people_csv(formulas.org))))
    by_email = {row[0]: row for row in rows[1:]}
    assert by_email["'=hyperlink@acme.test"][:5] == [
        "'=hyperlink@acme.test",
        "''=not a formula",
        "'@sum",
        "'-Ops",
        "'+boss@acme.test",
    ]
    assert by_email["'=hyperlink@acme.test"][8] == "'plain apostrophe"
    assert [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)] == []


def test_the_export_imports_back_unchanged(org, formulas):
    before = snapshot(org)
    plan = parse_people_csv(org, export_people_csv(org))
    assert plan.errors == []
    assert (plan.to_create, plan.to_update, plan.unchanged) == (0, 0, 2)
    apply_import(plan)
    assert snapshot(org) == before


def test_the_export_recreates_the_chart_in_another_org(org, other_org, formulas):
    plan = parse_people_csv(other_org, export_people_csv(org), create_teams=True)
    assert plan.errors == []
    apply_import(plan)
    copied = Person.objects.get(org=other_org, email="=hyperlink@acme.test")
    assert (copied.name, copied.title, copied.team.name, copied.manager.email, copied.location) == (
        "'=not a formula",
        "@sum",
        "-Ops",
        "+boss@acme.test",
        "'plain apostrophe",
    )


@pytest.mark.parametrize(
    "value", ["=1+1", "+1", "-1", "@a", "\t=1", "\r=1", "'=1", "''", "'", "'a", "a'=", ""]
)
def test_escape_then_unescape_gives_the_value_back(value):
    assert unescape(escape(value)) == value
    assert not escape(value).startswith(FORMULA_STARTS)


def test_team_names_in_an_import_are_one_line(org):
    text = 'email,name,team\r\nann@acme.test,Ann,"Support/Level\u202e 1"\r\n'
    assert [(e.line, e.column, e.message) for e in parse_people_csv(org, text, create_teams=True).errors] == [
        (2, "team", "Remove the invisible character U+202E (right-to-left override).")
    ]
