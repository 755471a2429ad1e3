"""Plans never feed team health or any other figure: no other app reads the plans app (the demo, which
only writes a story through its actions, is the one exception)."""

from __future__ import annotations

from pathlib import Path

import accord


def test_no_other_app_reads_plans():
    root = Path(accord.__file__).parent
    readers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.parts[len(root.parts)] not in {"plans", "demo"}
        and ("accord.plans" in path.read_text() or "from ..plans" in path.read_text())
    )
    # Registration only: the app list, the URL conf and the API's router table name it.
    assert readers == ["api.py", "settings.py", "urls.py"]
