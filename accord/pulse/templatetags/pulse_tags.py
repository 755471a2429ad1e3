"""The heatmap's rows, written in Python: a whole-organisation page has hundreds of rows of a dozen
cells, and the template language's per-node cost made them most of the page's time. Same HTML as the
template it replaced; every value is escaped."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accord.pulse.results.heatmaps import HeatRow
from accord.pulse.results.reports import Score

register = template.Library()


def _cell(score: Score) -> str:
    if score.hidden:
        reason = escape(score.hidden)
        return (
            f'<td class="num heat-cell heat-hidden" title="{reason}"><span aria-hidden="true">—</span>'
            f'<span class="visually-hidden">{reason}</span></td>'
        )
    text, words = escape(score.text), escape(score.band_words)
    return (
        f'<td class="num heat-cell band-{escape(score.band)}" title="{escape(score.label)}: {text}, {words}">'
        f'{text}<span class="visually-hidden"> ({words})</span></td>'
    )


@register.simple_tag
def heat_rows(
    rows: Sequence[HeatRow], round_id: int, folded: Collection[str] = (), open_query: str = ""
) -> SafeString:
    """The heatmap's table rows: each team's name links to its results; a folded row with teams below
    it gets an "Open" link (htmx swaps in its sub-teams; without JavaScript the link reloads the page
    with the row open)."""
    results, page = reverse("pulse_results"), reverse("pulse_heatmap")
    cells: dict[int, str] = {}  # rows share their Score objects: each distinct cell is written once
    out: list[str] = []
    for row in rows:
        key, label = escape(row.key), escape(row.label)
        unfold = ""
        if row.key in folded:
            count = f"{row.below} team{'' if row.below == 1 else 's'} below"
            unfold = (
                f' <a class="heat-unfold" href="{page}?round={round_id}{escape(open_query)}&amp;open={key}'
                f'#row-{key}" hx-get="{page}?round={round_id}&amp;unfold={key}" hx-target="closest tr" '
                f'hx-swap="outerHTML">Open<span class="visually-hidden"> {label}</span> ({count})</a>'
            )
        tds = []
        for score in row.cells:
            found = cells.get(id(score))
            if found is None:
                found = cells[id(score)] = _cell(score)
            tds.append(found)
        out.append(
            f'<tr id="row-{key}"><th scope="row" class="heat-team depth-{min(row.level, 9)}">'
            f'<a href="{results}?round={round_id}&amp;group={key}">{label}</a>{unfold}</th>'
            + "".join(tds)
            + "</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
