"""Search over JSON: the same search and access rules as the top bar's box."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from accord.lib.api import ApiRequest, Text, current_person

from .queries import MAX_LENGTH, search

router = Router(tags=["search"])


class PersonHit(Schema):
    id: int
    name: str
    title: str
    team: str | None = Field(description="The person's team, if any.")


class TeamHit(Schema):
    id: int
    name: str
    parent: str | None = Field(description="The team it sits in, if any.")


class GoalHit(Schema):
    id: int
    title: str
    level: str
    private: bool


class SearchParams(Schema):
    q: Text = Field(..., min_length=2, max_length=MAX_LENGTH, description="Two to 100 characters.")


class SearchOut(Schema):
    q: str = Field(description="The query as searched (spaces collapsed, at most 100 characters).")
    people: list[PersonHit]
    teams: list[TeamHit]
    goals: list[GoalHit] = Field(description="Only goals the caller may see.")


@router.get("/search", response=SearchOut, summary="Search people, teams and goals")
def search_all(request: ApiRequest, params: Query[SearchParams]) -> SearchOut:
    """Up to 8 of each kind, by name; goals only where the caller could open them."""
    found = search(current_person(request), params.q)
    return SearchOut(
        q=found.q,
        people=[
            PersonHit(id=p.pk, name=p.name, title=p.title, team=p.team.name if p.team else None)
            for p in found.people
        ],
        teams=[
            TeamHit(id=t.pk, name=t.name, parent=t.parent.name if t.parent else None) for t in found.teams
        ],
        goals=[GoalHit(id=g.pk, title=g.title, level=g.level, private=g.private) for g in found.goals],
    )
