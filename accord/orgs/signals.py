"""Events orgs announces so other apps can react without orgs importing them.

`organisation_created` is sent (with `organisation=`) inside the transaction that creates an
organisation and its owner; receivers make what the organisation needs from its first day, such as the
rows the schedulers plan from. Apps connect their receivers in their `AppConfig.ready()`.
"""

from __future__ import annotations

from django.dispatch import Signal

organisation_created = Signal()
