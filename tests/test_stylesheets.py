"""Every stylesheet Accord serves parses cleanly and points only at files we serve.

A browser forgives an unclosed block: it closes it at the end of the file, so every rule after a missing
brace silently moves inside an `@media (max-width: ...)` and the laptop layout of whole sections vanishes
(issue #13: the team map showed raw digits). tinycss2 parses like a browser does, so this test compares
what it had to close itself with what the file closes, and reads every declaration for parse errors.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

import pytest
import tinycss2
from django.contrib.staticfiles import finders

# At-rules whose block holds rules rather than declarations.
RULE_BLOCKS = {"media", "supports", "layer", "container", "document", "scope", "starting-style"}


def served_stylesheets() -> list[tuple[str, str]]:
    """(static path, file system path) of every .css file the static files finders serve."""
    found = {}
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if path.endswith(".css") and path not in found:
                found[path] = storage.path(path)
    return sorted(found.items())


def _urls(tokens) -> list[str]:
    urls = []
    for token in tokens:
        if token.type == "url":
            urls.append(token.value)
        elif token.type == "function" and token.lower_name in {"url", "src"}:
            urls += [arg.value for arg in token.arguments if arg.type == "string"]
        elif token.type == "function":
            urls += _urls(token.arguments)
        elif token.type in {"() block", "[] block", "{} block"}:
            urls += _urls(token.content)
    return urls


def problems(css: str, static_path: str) -> list[str]:
    """What is wrong with one stylesheet, as sentences naming the line; [] when nothing is."""
    found: list[str] = []
    tokens = tinycss2.parse_component_value_list(css)
    # tinycss2 closes what the file leaves open, as a browser does; its serialisation then has more
    # closing brackets than the source (comments and strings are kept, so they count on both sides).
    redone = tinycss2.serialize(tokens)
    for opener, closer in ("{}", "()", "[]"):
        missing = redone.count(closer) - css.count(closer)
        if missing:
            found.append(f"{missing} unclosed '{opener}' block(s): the rules after it change meaning")

    def contents(rule):
        return tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)

    def walk(rules) -> None:
        for rule in rules:
            if rule.type == "error":
                found.append(f"line {rule.source_line}: {rule.message}")
            elif rule.type == "at-rule" and rule.lower_at_keyword in RULE_BLOCKS and rule.content is not None:
                walk(contents(rule))
            elif rule.type in {"qualified-rule", "at-rule"} and rule.content is not None:
                for item in contents(rule):
                    if item.type == "error":
                        found.append(f"line {item.source_line}: {item.message}")

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))

    folder = PurePosixPath(static_path).parent
    for url in _urls(tokens):
        target = url.split("#")[0].split("?")[0]
        if url.startswith("data:") or not target:
            continue
        if "//" in url:
            found.append(f"url({url}) loads from another host: every asset must come from Accord")
        elif finders.find(posixpath.normpath(str(folder / target))) is None:
            found.append(f"url({url}) names a file that is not served")
    return found


@pytest.mark.parametrize(("static_path", "file"), served_stylesheets(), ids=lambda v: str(v))
def test_every_served_stylesheet_parses_and_finds_its_assets(static_path, file):
    with open(file, encoding="utf-8") as f:
        assert problems(f.read(), static_path) == []


def test_our_own_stylesheet_is_among_those_checked():
    assert "accord/accord.css" in dict(served_stylesheets())


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        # The defect of issue #13: a phone-only block left open swallows the laptop rules after it.
        ("@media (max-width: 700px) {\n  .a { color: red; }\n.tl { height: 1.5rem; }\n", "unclosed '{'"),
        (".a { color: red;\n", "unclosed '{'"),
        (".a { width: calc(100% - 1rem; }\n", "unclosed '('"),
        (".a { color red; }\n", "line 1: "),
        ("@media print { .a { color red; } }\n", "line 1: "),
        (".a { background: url(missing.png); }\n", "url(missing.png) names a file that is not served"),
        ('.a { background: url("https://cdn.example/x.png"); }\n', "loads from another host"),
    ],
)
def test_the_check_finds_each_kind_of_defect(css, expected):
    assert any(expected in p for p in problems(css, "accord/sample.css")), problems(css, "accord/sample.css")


def test_the_check_accepts_what_a_browser_reads_as_written():
    css = '@media (max-width: 700px) { .a::after { content: "} ) ]"; } }\n'
    css += ".b { background: url(favicon.svg); }\n"
    assert problems(css, "accord/sample.css") == []


def test_form_fields_take_the_error_colour_only_when_they_have_an_error():
    """Issue #13: the check-in's blocker box had a red label and border on an untouched form."""
    css = (finders.find("accord/accord.css") or "").strip()
    with open(css, encoding="utf-8") as f:
        rules = tinycss2.parse_stylesheet(f.read(), skip_comments=True, skip_whitespace=True)
    flat = []
    for rule in rules:
        inner = rule.type == "at-rule" and rule.lower_at_keyword in RULE_BLOCKS and rule.content is not None
        flat += [r for r in tinycss2.parse_rule_list(rule.content, True, True)] if inner else [rule]
    wrong = []
    for rule in flat:
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        field = re.search(r"\b(input|textarea|select|label)\b", selector)
        if field and "error" not in selector and "var(--bad)" in tinycss2.serialize(rule.content):
            wrong.append(selector)
    assert wrong == []
