"""CSV import and export of people: the organisation chart as a spreadsheet.

Format (UTF-8, comma-separated, one header row, then one row per person):

=============== ======== ====================================================================
column          required value
=============== ======== ====================================================================
email           yes      the person's email; rows are matched to people by it, ignoring case
name            yes      full name
title                    job title
team                     team path from the top, levels separated by "/": ``Support/Level 1``
manager_email            email of their manager, who is in the same file or already in the org
timezone                 IANA zone such as ``Europe/Berlin`` (blank: UTC)
work_hours               ``09:00-17:30`` in their own time zone (blank: 09:00-17:00); a night
                         shift says so: ``22:00-06:00 overnight``
work_days                ``Mon-Fri``, ``Sun-Thu``, ``Mon,Tue,Thu`` or ISO digits ``12345`` (blank: Mon-Fri)
location                 free text, for example a city
start_date               ``YYYY-MM-DD``
birthday                 ``MM-DD``, no year; opt-in, leave blank for none
role                     ``member``, ``admin`` or ``owner`` (blank: member)
=============== ======== ====================================================================

Rules:

- Columns may come in any order; only ``email`` and ``name`` must be present. A column left out
  of the header leaves that value alone on people who already exist; a blank cell means the default
  (or nothing) shown above.
- The import is all or nothing. ``parse_people_csv`` checks every row first and reports every bad
  row with its line number (the header is line 1); ``apply_import`` refuses a plan with errors.
- Existing people are updated in place, new ones created. People missing from the file are left
  exactly as they are: the import never removes, deactivates or demotes anyone who is not in it.
- Importing the same file twice changes nothing the second time, and so does importing an export.
- Matching by email includes deactivated people; the import updates them but does not reactivate
  them. The export lists active people only.
- The import never touches sign-ins (accounts.User). Emails are how rows are matched, so an import
  never changes anyone's address: a row with a new address adds a new person. A new person has no
  sign-in until they accept an invitation, even when an account with that address exists: its owner
  joins by signing in on the invitation, which an organisation's file cannot do for them.
- Cells that would start with ``=``, ``+``, ``-``, ``@``, a tab or a CR, in any column (an email may
  start with ``=`` too), are written with a leading apostrophe by the export, so spreadsheets do not
  run them as formulas; the import removes that apostrophe from any column.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accord.lib.text import line_problem

from .actions import save_team, team_path, update_fields
from .csv_cells import (
    escape,
    format_time,
    format_work_days,
    parse_birthday,
    parse_days,
    parse_hours,
    parse_start_date,
    parse_timezone,
    unescape,
)
from .models import Organisation, Person, Role, Team

COLUMNS = [
    "email",
    "name",
    "title",
    "team",
    "manager_email",
    "timezone",
    "work_hours",
    "work_days",
    "location",
    "start_date",
    "birthday",
    "role",
]
REQUIRED_COLUMNS = ["email", "name"]
TEAM_NAME_MAX = 120  # Team.name's max_length


# Which CSV column a model field's own validation error belongs to.
FIELD_COLUMN = {
    "email": "email",
    "name": "name",
    "title": "title",
    "location": "location",
    "timezone": "timezone",
    "work_start": "work_hours",
    "work_end": "work_hours",
    "work_overnight": "work_hours",
    "work_days": "work_days",
    "start_date": "start_date",
    "birthday_month": "birthday",
    "birthday_day": "birthday",
    "role": "role",
}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str  # a CSV column, or "file", "header" or "row" for problems that are not one cell's
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass
class PersonRow:
    """One checked row. Only columns present in the header appear in `values`."""

    line: int
    email: str
    values: dict[str, Any] = field(default_factory=dict)
    team: tuple[str, ...] | None = None  # None: no team column; (): no team
    manager_email: str | None = None  # None: no manager_email column; "": no manager


@dataclass
class ImportPlan:
    org: Organisation
    create_teams: bool
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Counts cover the rows that have no errors of their own.
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    teams_to_create: list[str] = field(default_factory=list)
    # What the checks were made against, so applying does not load it again.
    people: dict[str, Person] = field(default_factory=dict, repr=False)
    teams: dict[tuple[str, ...], Team] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    teams_created: int


class ImportHasErrors(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"The file has {len(errors)} error(s); nothing was imported.")
        self.errors = errors


# ---------------------------------------------------------------------------------------------
# Parsing and checking


def parse_people_csv(org: Organisation, text: str | bytes, *, create_teams: bool = False) -> ImportPlan:
    """Check a whole file against the organisation and plan the import; writes nothing.

    Takes the raw upload (bytes, which must be UTF-8, with or without a byte-order mark) or text.
    """
    plan = ImportPlan(org=org, create_teams=create_teams)
    if isinstance(text, bytes):
        data = text
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad_line = data[: exc.start].count(b"\n") + 1
            plan.errors.append(
                RowError(
                    1,
                    "file",
                    f"The file is not UTF-8 text (the first bad byte is on line {bad_line}). "
                    "Save it as “CSV UTF-8” and try again.",
                )
            )
            return plan
    text = text.removeprefix("\ufeff")
    if not text.strip():
        plan.errors.append(RowError(1, "file", "The file is empty."))
        return plan
    if "\x00" in text:
        # Spreadsheets never write NUL; it means a binary file, and PostgreSQL cannot store it anyway.
        line = text[: text.index("\x00")].count("\n") + 1
        plan.errors.append(
            RowError(line, "file", "The file contains a NUL character; is it really a CSV file?")
        )
        return plan

    records = _read_records(text, plan.errors)
    if records is None:
        return plan
    (_, header), *body = records
    columns = _check_header(header, plan.errors)
    if columns is None:
        return plan
    if not body:
        plan.errors.append(RowError(2, "file", "There are no people under the header."))
        return plan

    people = {p.email.lower(): p for p in Person.objects.filter(org=org)}
    all_teams = list(Team.objects.filter(org=org))
    by_id = {t.pk: t for t in all_teams}
    teams = {_team_key(team_path(t, by_id).split("/")): t for t in all_teams}
    plan.people, plan.teams = people, teams

    first_line: dict[str, int] = {}
    bad_lines: set[int] = set()
    for line, cells in body:
        row, row_errors = _check_row(line, cells, columns, first_line)
        if row is not None:
            plan.rows.append(row)
        if row_errors:
            plan.errors.extend(row_errors)
            bad_lines.add(line)

    rows_by_email = {r.email: r for r in plan.rows}
    _check_teams(plan, bad_lines)
    _check_managers(plan, rows_by_email, bad_lines)
    _check_owner_left(plan, bad_lines)
    plan.errors.sort(key=lambda e: (e.line, _column_order(e.column)))
    _count(plan, bad_lines)
    return plan


def _read_records(text: str, errors: list[RowError]) -> list[tuple[int, list[str]]] | None:
    """Non-blank records with the line each starts on (a quoted cell may span several lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            errors.append(RowError(reader.line_num, "row", f"This line cannot be read as CSV: {exc}."))
            return None
        if any(c.strip() for c in cells):
            records.append((start, cells))
        elif not records:
            errors.append(RowError(1, "header", "The first line must be the header (email,name,…)."))
            return None
        start = reader.line_num + 1


def _check_header(header: list[str], errors: list[RowError]) -> list[str] | None:
    names = [h.strip().lower() for h in header]
    before = len(errors)
    if len(names) == 1 and ";" in names[0]:
        errors.append(
            RowError(1, "header", "Cells must be separated by commas, but this file uses semicolons.")
        )
        return None
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(RowError(1, "header", f"The column “{name}” appears more than once."))
    for name in names:
        if name not in COLUMNS:
            errors.append(
                RowError(1, "header", f"Unknown column “{name}”. The columns are: {', '.join(COLUMNS)}.")
            )
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        errors.append(RowError(1, "header", f"Missing required column(s): {', '.join(missing)}."))
    return None if len(errors) > before else names


def _check_row(
    line: int, cells: list[str], columns: list[str], first_line: dict[str, int]
) -> tuple[PersonRow | None, list[RowError]]:
    """The row's values and its errors; no row when it cannot be told apart from others by email."""
    errors: list[RowError] = []
    if len(cells) != len(columns):
        message = f"Expected {len(columns)} cells, as in the header, but found {len(cells)}."
        return None, [RowError(line, "row", message)]
    raw = {col: unescape(cell.strip()) for col, cell in zip(columns, cells, strict=True)}

    def bad(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    email = raw["email"].lower()
    if not email:
        bad("email", "An email is required.")
        return None, errors
    try:
        validate_email(email)
    except ValidationError:
        bad("email", f"“{raw['email']}” is not a valid email address.")
        return None, errors
    if email in first_line:
        bad("email", f"{email} appears twice in the file; the first is on line {first_line[email]}.")
        return None, errors
    first_line[email] = line

    row = PersonRow(line=line, email=email)
    values = row.values
    if not raw["name"]:
        bad("name", "A name is required.")
    values["name"] = raw["name"]
    for column in ("title", "location"):
        if column in raw:
            values[column] = raw[column]

    if "team" in raw:
        parts = tuple(p.strip() for p in raw["team"].split("/")) if raw["team"] else ()
        if any(not p for p in parts):
            bad("team", f"“{raw['team']}” has an empty level; separate team names with a single “/”.")
        elif problem := next(filter(None, map(line_problem, parts)), None):
            bad("team", problem)  # new teams are created from these names without a form
        else:
            row.team = parts

    if "manager_email" in raw:
        manager = raw["manager_email"].lower()
        try:
            if manager:
                validate_email(manager)
            row.manager_email = manager
        except ValidationError:
            bad("manager_email", f"“{raw['manager_email']}” is not a valid email address.")

    if "timezone" in raw:
        zone = parse_timezone(raw["timezone"])
        if zone is None:
            bad("timezone", f"Unknown time zone “{raw['timezone']}”; use an IANA name such as Europe/Berlin.")
        else:
            values["timezone"] = zone

    if "work_hours" in raw:
        try:
            values["work_start"], values["work_end"], values["work_overnight"] = parse_hours(
                raw["work_hours"]
            )
        except ValueError as exc:
            bad("work_hours", str(exc))

    if "work_days" in raw:
        days = parse_days(raw["work_days"])
        if days is None:
            bad(
                "work_days",
                f"Unrecognised working days “{raw['work_days']}”; write them like Mon-Fri, "
                "Mon,Tue,Thu or 12345.",
            )
        else:
            values["work_days"] = days

    if "start_date" in raw:
        try:
            values["start_date"] = parse_start_date(raw["start_date"])
        except ValueError as exc:
            bad("start_date", str(exc))

    if "birthday" in raw:
        try:
            values["birthday_month"], values["birthday_day"] = parse_birthday(raw["birthday"])
        except ValueError as exc:
            bad("birthday", str(exc))

    if "role" in raw:
        role = raw["role"].lower() or Role.MEMBER
        if role not in Role.values:
            bad("role", f"Unknown role “{raw['role']}”; use member, admin or owner.")
        else:
            values["role"] = role

    _check_model_rules(row, errors)
    return row, errors


def _check_model_rules(row: PersonRow, errors: list[RowError]) -> None:
    """The model's own field rules (lengths, validators), for cells the parsing above accepted."""
    already = {e.column for e in errors}
    person = Person(email=row.email, **row.values)
    checked = {"email", *row.values}
    exclude = [f.name for f in Person._meta.fields if f.name not in checked]
    try:
        person.clean_fields(exclude=exclude)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = FIELD_COLUMN.get(name, name)
            if column not in already:
                errors.append(RowError(row.line, column, " ".join(messages)))
                already.add(column)


def _check_teams(plan: ImportPlan, bad_lines: set[int]) -> None:
    missing: dict[tuple[str, ...], tuple[str, ...]] = {}  # key -> names as first written
    for row in plan.rows:
        if not row.team or _team_key(row.team) in plan.teams:
            continue
        path = "/".join(row.team)
        if not plan.create_teams:
            plan.errors.append(
                RowError(
                    row.line,
                    "team",
                    f"There is no team “{path}”. Create it first, or choose to create missing teams.",
                )
            )
            bad_lines.add(row.line)
            continue
        too_long = [name for name in row.team if len(name) > TEAM_NAME_MAX]
        if too_long:
            plan.errors.append(RowError(row.line, "team", f"The team name “{too_long[0]}” is too long."))
            bad_lines.add(row.line)
            continue
        for depth in range(1, len(row.team) + 1):
            key = _team_key(row.team[:depth])
            if key not in plan.teams:
                missing.setdefault(key, row.team[:depth])
    plan.teams_to_create = ["/".join(names) for names in sorted(missing.values(), key=_team_key)]


def _check_managers(plan: ImportPlan, rows_by_email: dict[str, PersonRow], bad_lines: set[int]) -> None:
    known = set(plan.people) | set(rows_by_email)
    # Who reports to whom once the file is applied: the file's say where it has one, else today's.
    email_by_id = {p.pk: email for email, p in plan.people.items()}
    reports_to: dict[str, str] = {
        email: email_by_id[p.manager_id] for email, p in plan.people.items() if p.manager_id in email_by_id
    }
    for row in plan.rows:
        if row.manager_email is None:
            continue
        reports_to.pop(row.email, None)
        if not row.manager_email:
            continue
        if row.manager_email not in known:
            plan.errors.append(
                RowError(
                    row.line,
                    "manager_email",
                    f"No one with the email {row.manager_email} is in this file or in the organisation.",
                )
            )
            bad_lines.add(row.line)
        else:
            reports_to[row.email] = row.manager_email

    for loop in _loops(reports_to):
        for i, email in enumerate(loop):
            in_file = rows_by_email.get(email)
            if in_file is None:
                continue
            chain = [*loop[i:], *loop[:i], email]
            plan.errors.append(
                RowError(
                    in_file.line,
                    "manager_email",
                    f"This would make a reporting loop: {' → '.join(chain)}.",
                )
            )
            bad_lines.add(in_file.line)


def _loops(reports_to: dict[str, str]) -> list[list[str]]:
    """Every cycle in a graph where each node has at most one outgoing edge."""
    loops: list[list[str]] = []
    done: set[str] = set()
    for start in reports_to:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = reports_to.get(node)
        if node is not None and node in on_path:
            loops.append(path[on_path[node] :])
        done.update(path)
    return loops


def _check_owner_left(plan: ImportPlan, bad_lines: set[int]) -> None:
    """An organisation must keep at least one owner; an import cannot demote the last of them."""
    final_role = {email: p.role for email, p in plan.people.items()}
    demoting: list[PersonRow] = []
    for row in plan.rows:
        role = row.values.get("role")
        if role is None:
            continue
        current = plan.people.get(row.email)
        if current is not None and current.role == Role.OWNER and role != Role.OWNER:
            demoting.append(row)
        final_role[row.email] = role
    if demoting and Role.OWNER not in final_role.values():
        for row in demoting:
            plan.errors.append(
                RowError(row.line, "role", "This would leave the organisation without an owner.")
            )
            bad_lines.add(row.line)


def _count(plan: ImportPlan, bad_lines: set[int]) -> None:
    email_by_id = {p.pk: email for email, p in plan.people.items()}
    for row in plan.rows:
        if row.line in bad_lines:
            continue
        person = plan.people.get(row.email)
        if person is None:
            plan.to_create += 1
            continue
        changed = any(getattr(person, k) != v for k, v in _comparable(person, row.values).items())
        if row.team is not None:
            team = plan.teams.get(_team_key(row.team)) if row.team else None
            # A team that is still to be created is a change even for someone with no team today.
            changed |= (bool(row.team) and team is None) or (team.pk if team else None) != person.team_id
        if row.manager_email is not None:
            changed |= email_by_id.get(person.manager_id or 0, "") != row.manager_email
        if changed:
            plan.to_update += 1
        else:
            plan.unchanged += 1


# ---------------------------------------------------------------------------------------------
# Cells


def _team_key(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(n.strip().casefold() for n in names)


def _comparable(person: Person, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with work days kept as stored when only their order differs, so that is no change."""
    days = values.get("work_days")
    if days is not None and set(days) == set(person.work_days):
        return {**values, "work_days": person.work_days}
    return values


def _column_order(column: str) -> int:
    order = ["file", "header", "row", *COLUMNS]
    return order.index(column) if column in order else len(order)


# ---------------------------------------------------------------------------------------------
# Applying


def apply_import(plan: ImportPlan) -> ImportResult:
    """Write a checked plan in one transaction: every row, or nothing.

    Raises ImportHasErrors for a plan with errors. People absent from the file are not touched.
    Managers are linked in a second pass, once every person in the file exists. Emails are the match key
    and never written to existing people, so no address (nor the invitations bound to it) changes here.
    """
    if plan.errors:
        raise ImportHasErrors(plan.errors)
    people = plan.people
    with transaction.atomic():
        teams_created = _create_teams(plan)
        created: list[Person] = []
        changed: dict[str, Person] = {}
        changed_fields: set[str] = set()
        for row in plan.rows:
            data = dict(row.values)
            if row.team is not None:
                data["team_id"] = plan.teams[_team_key(row.team)].pk if row.team else None
            person = people.get(row.email)
            if person is None:
                created.append(Person(org=plan.org, email=row.email, **data))
                continue
            diff = {k for k, v in _comparable(person, data).items() if update_fields(person, {k: v})}
            if diff:
                changed[row.email] = person
                changed_fields |= diff
        Person.objects.bulk_create(created)
        people.update((p.email, p) for p in created)

        # Second pass: everyone in the file now has a primary key to point at.
        new_emails = {p.email for p in created}
        new_with_manager: list[Person] = []
        for row in plan.rows:
            if row.manager_email is None:
                continue
            person = people[row.email]
            manager_id = people[row.manager_email].pk if row.manager_email else None
            if not update_fields(person, {"manager_id": manager_id}):
                continue
            if row.email in new_emails:
                new_with_manager.append(person)
            else:
                changed[row.email] = person
                changed_fields.add("manager_id")
        if changed:
            Person.objects.bulk_update(changed.values(), sorted(changed_fields), batch_size=500)
        if new_with_manager:
            Person.objects.bulk_update(new_with_manager, ["manager_id"], batch_size=500)
    return ImportResult(
        created=len(created),
        updated=len(changed),
        unchanged=len(plan.rows) - len(created) - len(changed),
        teams_created=teams_created,
    )


def _create_teams(plan: ImportPlan) -> int:
    count = 0
    for path in plan.teams_to_create:
        names = path.split("/")
        key = _team_key(names)
        if key in plan.teams:
            continue
        parent = plan.teams[key[:-1]] if len(key) > 1 else None
        plan.teams[key] = save_team(Team(org=plan.org, name=names[-1], parent=parent))
        count += 1
    return count


# ---------------------------------------------------------------------------------------------
# Export


def export_people_csv(org: Organisation) -> str:
    """The organisation's active people in the import format; importing it back changes nothing."""
    everyone = list(Person.objects.filter(org=org).order_by("name", "email"))
    email_by_id = {p.pk: p.email for p in everyone}
    by_id = {t.pk: t for t in Team.objects.filter(org=org)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in everyone:
        if not p.is_active:
            continue
        team = by_id.get(p.team_id) if p.team_id else None
        row = [
            p.email,
            p.name,
            p.title,
            team_path(team, by_id) if team else "",
            email_by_id.get(p.manager_id, "") if p.manager_id else "",
            p.timezone,
            f"{format_time(p.work_start)}-{format_time(p.work_end)}"
            + (" overnight" if p.work_overnight else ""),
            format_work_days(p.work_days),
            p.location,
            p.start_date.isoformat() if p.start_date else "",
            f"{p.birthday_month:02d}-{p.birthday_day:02d}" if p.birthday_month and p.birthday_day else "",
            p.role,
        ]
        # Every column, not only the free-text ones: whatever a cell holds, no spreadsheet runs it.
        writer.writerow([escape(cell) for cell in row])
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Command line (wired to `accord import-people` and `accord export-people`)


def import_people_cli(org_slug: str, path: str, *, apply: bool, create_teams: bool) -> int:
    """Check (and with `apply`, import) a file; print errors and counts. 0 if all went well, else 1."""
    org = Organisation.objects.filter(slug=org_slug).first()
    if org is None:
        print(f"No organisation with the slug “{org_slug}”.", file=sys.stderr)
        return 1
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        print(f"Cannot read {path}: {exc.strerror}.", file=sys.stderr)
        return 1
    plan = parse_people_csv(org, data, create_teams=create_teams)
    for error in plan.errors:
        print(error, file=sys.stderr)
    if plan.errors:
        print(f"{len(plan.errors)} error(s); nothing was imported.", file=sys.stderr)
        return 1
    print(summary(plan))
    if apply:
        result = apply_import(plan)
        print(
            f"Imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
            f"{f', {result.teams_created} teams created' if result.teams_created else ''}."
        )
    else:
        print("Dry run: nothing was changed. Add --apply to import.")
    return 0


def export_people_cli(org_slug: str) -> str:
    org = Organisation.objects.filter(slug=org_slug).first()
    if org is None:
        raise LookupError(f"No organisation with the slug “{org_slug}”.")
    return export_people_csv(org)


def summary(plan: ImportPlan) -> str:
    text = f"{plan.to_create} to create, {plan.to_update} to update, {plan.unchanged} unchanged"
    if plan.teams_to_create:
        text += f"; new teams: {', '.join(plan.teams_to_create)}"
    return text + "."
