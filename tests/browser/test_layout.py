"""Every page, as the first demo persona who can open it, checked in Chromium for what a new user calls
broken: on a laptop (1280 px) and a phone (390 px) nothing is wider than the screen, the page does not
scroll sideways, the top bar is one row, bars have a size, cards neither overlap nor touch, the page has
a phone viewport and no id twice, and (on the laptop) no button's label wraps; and axe-core finds no
serious or critical accessibility violation, in the light and the dark colour scheme.

One browser page visits each URL once; the widths and colour schemes are switched on the loaded page.
A screenshot of each page at each width lands in test-artifacts/screenshots/layout/ for a person to look at.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from accord.demo import DEMO_ACCOUNTS, generate_demo
from accord.orgs.models import Person
from tests.pages import signed_in_pages, signed_out_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = {"laptop": (1280, 800), "phone": (390, 844)}
# To re-check a few pages: ACCORD_LAYOUT_ONLY=rhythm_map,login pytest tests/browser/test_layout.py
ONLY = {n for n in os.environ.get("ACCORD_LAYOUT_ONLY", "").split(",") if n}
DOWNLOADS = {"people_export", "rhythm_meeting_ics", "calendar_feed"}
# Answers that are a piece of a page for htmx, not a page (the person picker's matches).
FRAGMENTS = {"person_pick", "team_pick"}
# Pages checked with a query string too, as people mostly see them (search with results).
QUERIES = {"search": "?q=an"}

# Bars whose size comes from the stylesheet: a lost rule leaves them 0 px wide or high (issue #13's map).
BARS = ".tl, .tl-bar, .tl-scale span, .tl-cov span, .results-bar, .progress, .heat-cell"
CARDS = ".card, .goal-card"

# Returns what is wrong with the layout at the current width, as short sentences.
LAYOUT = """([bars, cards, laptop]) => {
  const vw = window.innerWidth, found = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].slice(0, 3).map((c) => "." + c).join("");
  const shown = (el) => el.checkVisibility({ visibilityProperty: true });
  const scrolled = document.scrollingElement.scrollWidth;
  // Without it a phone lays the page out at about 980px and shrinks it (the API docs used to).
  if (!document.querySelector('meta[name=viewport][content*="width=device-width"]')) {
    found.push("no viewport meta: a phone shows the page at desktop width");
  }
  // Two elements with one id: a label or aria reference finds the wrong one (the 1:1 page's "text" boxes).
  const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
  const twice = new Set(ids.filter((id, i) => ids.indexOf(id) !== i));
  for (const id of twice) found.push(`id "${id}" is used twice`);
  if (scrolled > vw) found.push(`the page scrolls sideways: ${scrolled}px wide in a ${vw}px window`);
  // Outermost elements that stick out of the window, outside any box that scrolls or clips them.
  const walk = (el, clipped) => {
    for (const child of el.children) {
      if (!shown(child)) continue;
      const r = child.getBoundingClientRect();
      if (!clipped && (r.right > vw + 1 || r.width > vw + 1)) {
        found.push(`${name(child)} reaches ${Math.round(r.right)}px in a ${vw}px window`);
        continue;
      }
      walk(child, clipped || getComputedStyle(child).overflowX !== "visible");
    }
  };
  walk(document.body, false);
  // The top bar keeps its items on one row: the brand, the search box, the links and the personal menu
  // on a laptop, the brand, the search box and the menu button on a phone (issue #13: the search box
  // pushed the personal menu to a second row at 1280px). One row: every item's box spans a common line.
  const bar = document.querySelector(".topbar");
  if (bar) {
    const items = [...bar.children].flatMap((el) => (el.matches(".nav") ? [...el.children] : [el]))
      .filter((el) => shown(el) && getComputedStyle(el).position !== "absolute");
    const rects = items.map((el) => el.getBoundingClientRect());
    const lowestTop = Math.max(...rects.map((r) => r.top));
    const highestBottom = Math.min(...rects.map((r) => r.bottom));
    if (items.length && lowestTop >= highestBottom) {
      const low = items[rects.findIndex((r) => r.top === lowestTop)];
      found.push(`the top bar takes more than one row: ${name(low)} starts at y=${Math.round(lowestTop)}`);
    }
  }
  for (const el of document.querySelectorAll(bars)) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) found.push(`${name(el)} is ${r.width}x${r.height}px`);
  }
  const boxes = [...document.querySelectorAll(cards)].filter(shown);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      if (a.contains(b) || b.contains(a)) continue;
      const [p, q] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
      // Touching counts: two borders drawn against each other read as one box.
      const apart = p.right < q.left || q.right < p.left || p.bottom < q.top || q.bottom < p.top;
      if (!apart) found.push(`${name(a)} and ${name(b)} overlap or touch at y=${Math.round(q.top)}`);
    }
  }
  // On a laptop a button's label fits on one line ("Open a round now" used to take three).
  for (const el of laptop ? document.querySelectorAll(".btn") : []) {
    // Some buttons are two lines on purpose: a block inside them (the demo sign-in's address) says so.
    const blocks = [...el.querySelectorAll("*")].some((c) => getComputedStyle(c).display === "block");
    if (!shown(el) || blocks) continue;
    const s = getComputedStyle(el);
    // ...and is not cut off by a table that scrolls sideways on a laptop.
    let box = el.parentElement;
    const open = (b) => b === document.body || getComputedStyle(b).overflowX === "visible";
    while (box && box !== document.body && open(box)) box = box.parentElement;
    const cut = box && box !== document.body;
    if (cut && el.getBoundingClientRect().right > box.getBoundingClientRect().right + 1) {
      found.push(`${name(el)} "${el.innerText.trim()}" is cut off by ${name(box)}`);
    }
    const inner = el.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
    if (inner > 1.5 * parseFloat(s.lineHeight)) found.push(`${name(el)} "${el.innerText.trim()}" wraps`);
  }
  return found;
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}) x${v.nodes.length}: `
      + [...new Set(v.nodes.map((n) => n.target.join(" ").slice(0, 60) + " " + (n.any[0] || {}).message))]
        .slice(0, 40).join(" | "));
}"""


def sign_in(page, live, persona: str) -> None:
    page.goto(live.url + "/accounts/login/")
    page.click(f"button[data-demo={persona}]")
    page.wait_for_url(live.url + "/")


def check_page(page, label: str, shots: Path, found: dict[str, list[str]]) -> None:
    """Layout at both widths and axe in both colour schemes, on the page as it is loaded."""
    if "api/docs" in page.url:
        page.locator(".opblock").first.wait_for()  # Swagger UI draws the operations after loading
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        found[f"layout {width}"] += [
            f"{label}: {p}" for p in page.evaluate(LAYOUT, [BARS, CARDS, width == "laptop"])
        ]
        page.screenshot(path=shots / f"{label}-{width}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS["laptop"][0], "height": WIDTHS["laptop"][1]})
    page.add_script_tag(path=AXE)
    for scheme in ["light", "dark"]:
        page.emulate_media(color_scheme=scheme)
        found[f"axe {scheme}"] += [f"{label}: {v}" for v in page.evaluate(AXE_RUN)]
        if scheme == "dark":
            page.screenshot(path=shots / f"{label}-laptop-dark.png", full_page=True)
    page.emulate_media(color_scheme="light")


def test_every_page_keeps_its_layout_and_passes_axe(browser, live, settings, shots):
    settings.DEMO = True
    generate_demo()
    folder = shots / "layout"
    folder.mkdir(exist_ok=True)
    found: dict[str, list[str]] = {k: [] for k in ["layout laptop", "layout phone", "axe light", "axe dark"]}
    checked: dict[str, str] = {}

    # bypass_csp: Playwright adds axe as a script element, which the page's own policy would refuse.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    for name, path in signed_out_pages():
        if ONLY and name not in ONLY:
            continue
        response = page.goto(live.url + path)
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            continue  # the health checks answer JSON for machines, not a page
        check_page(page, f"signed-out-{name}", folder, found)
        checked[name] = "signed out"
    context.close()

    for persona in ["member", "manager", "admin"]:
        viewer = Person.objects.select_related("org", "team").get(email=DEMO_ACCOUNTS[persona])
        context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        page = context.new_page()
        sign_in(page, live, persona)
        for name, path in signed_in_pages(viewer):
            path += QUERIES.get(name, "")
            if name in DOWNLOADS or name in FRAGMENTS or name in checked or (ONLY and name not in ONLY):
                continue
            response = page.goto(live.url + path)
            if response is None or response.status != 200:
                continue  # a page this persona may not open is checked as the next one who may
            check_page(page, f"{persona}-{name}", folder, found)
            checked[name] = persona
        if persona == "member" and not ONLY:
            # Error pages: an unknown address, and an admin page a member follows a link to.
            for name, path in [("error_404", "/no-such-page/"), ("error_admin_page", "/teams/new/")]:
                assert page.goto(live.url + path).status == 404
                check_page(page, f"member-{name}", folder, found)
                checked[name] = persona
        context.close()

    summary = {check: len(problems) for check, problems in found.items()} | {"pages": len(checked)}
    (folder / "summary.json").write_text(json.dumps({"counts": summary, "found": found}, indent=1))
    assert ONLY or len(checked) > 60, checked
    assert found == {k: [] for k in found}, summary
