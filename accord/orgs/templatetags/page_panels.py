"""`{% render_panel panel %}`: one page section rendered on its own, so its template's defect costs only
that section (see accord/orgs/panels.py)."""

from __future__ import annotations

import logging

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from ..panels import FAILED_TEMPLATE, Panel

register = template.Library()
logger = logging.getLogger("accord.orgs.panels")


@register.simple_tag(takes_context=True)
def render_panel(context: Context, panel: Panel) -> SafeString:
    engine = context.template.engine  # type: ignore[union-attr]
    try:
        # Rendered as `{% include %}` would: the page's context (me, request, csrf_token) plus `panel`.
        with context.push(panel=panel.context):
            return mark_safe(engine.get_template(panel.template).render(context))
    except Exception:
        logger.exception("The %r panel's template %s failed; placeholder shown.", panel.key, panel.template)
    with context.push(panel={"key": panel.key}):
        return mark_safe(engine.get_template(FAILED_TEMPLATE).render(context))
