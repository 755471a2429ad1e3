"""Pulse results in a real browser: the demo manager and the demo admin open results, the heatmap and
trends on a laptop and on a phone. The admin sees Support's task-based trust fall, with the latest change
in words; nothing is fetched from anywhere but the live server; nothing overflows the screen."""

from urllib.parse import urlencode, urlsplit

import pytest

from accord.demo import DEMO_ACCOUNTS, generate_demo
from accord.orgs.models import Person, Team
from accord.pulse import queries
from accord.pulse.gate import Group
from accord.pulse.results import reports, trends

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def overflow(page) -> list[str]:
    """Nothing when the page fits the viewport's width; else the elements reaching furthest right."""
    return page.evaluate(
        """() => {
        if (document.documentElement.scrollWidth <= window.innerWidth) return [];
        const wide = [...document.querySelectorAll("body *")]
          .map(el => [el.getBoundingClientRect().right, `${el.tagName.toLowerCase()}.${el.className}`])
          .filter(([right]) => right > window.innerWidth);
        wide.sort((a, b) => b[0] - a[0]);
        return [`page ${document.documentElement.scrollWidth}px`, ...wide.slice(0, 5).map(w => w.join(" "))];
      }"""
    )


def visible_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def test_demo_manager_and_admin_read_results_heatmap_and_trends(browser, live, settings, shots):
    settings.DEMO = True
    org = generate_demo()
    support = Team.objects.get(org=org, name="Support", parent=None)
    latest = reports.result_rounds(org).first()
    series = trends.trend_series(
        reports.program_history(latest.program), Group(support.pk), "trust_task", None
    )
    # The demo's story: Support's task-based trust falls over the last rounds.
    shown = [r.score.mean for r in series.rows if r.score.mean is not None]
    assert shown[-1] < shown[0] - 0.4, shown
    assert series.change is not None and series.change.words.startswith("down "), series.change
    support_trend = "/pulse/results/trends/?" + urlencode(
        {"program": latest.program_id, "group": f"team-{support.pk}", "construct": "trust_task"}
    )
    manager = Person.objects.get(org=org, email=DEMO_ACCOUNTS["manager"])
    manager_scope = queries.viewer_scope(manager)
    assert manager_scope == frozenset({manager.team_id})
    origin = urlsplit(live.url)
    requests: list[str] = []

    for size, viewport in VIEWPORTS.items():
        for persona in ("manager", "admin"):
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(live.url + "/accounts/login/")
            page.click(f"button[data-demo={persona}]")
            page.wait_for_url(live.url + "/")

            page.goto(live.url + "/pulse/")
            page.get_by_role("link", name="Results", exact=True).click()
            page.wait_for_url(live.url + "/pulse/results/")
            assert page.get_by_role("heading", level=1).inner_text() == "Pulse results"
            text = visible_text(page)
            assert "What is hidden, and why" in text
            if persona == "manager":
                # Lena leads Support Level 1: her picker offers her own team only.
                options = page.locator("#pick-group option").all_inner_texts()
                assert options and all(o.startswith(manager.team.name) for o in options), options
            else:
                assert page.locator("#pick-group option").first.inner_text() == "Whole organisation"
                assert "people invited answered" in text
            page.screenshot(path=shots / f"results-{persona}-{size}.png", full_page=True)
            assert overflow(page) == [], f"results-{persona}-{size}"

            page.goto(live.url + "/pulse/results/heatmap/")
            assert page.get_by_role("heading", level=1).inner_text() == "Pulse heatmap"
            rows = page.locator("table.heat tbody th[scope=row]").all_inner_texts()
            if persona == "manager":
                assert rows == [manager.team.name]
            else:
                assert rows[:2] == ["Whole organisation", "Leadership"] and "Support" in rows
            # Hidden cells say why in text, not only by colour or a dash. The demo's Level 1 answers in
            # full, so its lead may see no hidden cell; the whole organisation always has some.
            hidden = page.locator("table.heat td.heat-hidden")
            assert page.locator("table.heat td.heat-hidden .visually-hidden").count() == hidden.count()
            if persona == "admin":
                assert hidden.count() > 0
            page.screenshot(path=shots / f"heatmap-{persona}-{size}.png", full_page=True)
            assert overflow(page) == [], f"heatmap-{persona}-{size}"

            if persona == "admin":
                page.goto(live.url + support_trend)
                assert f"Latest change: {series.change.words}" in visible_text(page)
                chart = page.locator("svg.trend-chart")
                assert chart.get_attribute("role") == "img"
                assert series.change.words in chart.get_attribute("aria-label")
                assert page.locator("svg.trend-chart circle").count() == sum(
                    1 for r in series.rows if r.y is not None
                )
            else:
                page.goto(live.url + "/pulse/results/trends/?construct=trust_task")
                assert "Task-based trust · " + manager.team.name in visible_text(page)
            page.screenshot(path=shots / f"trends-{persona}-{size}.png", full_page=True)
            assert overflow(page) == [], f"trends-{persona}-{size}"
            context.close()

    foreign = [u for u in requests if urlsplit(u).netloc != origin.netloc and not u.startswith("data:")]
    assert foreign == []
