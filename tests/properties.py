"""How many examples a property test tries: all of them in CI (``CI`` set, as ``.ci/run`` does),
a fifth on a developer's machine, so that one layer runs in seconds in the inner loop."""

from __future__ import annotations

import os

THOROUGH = bool(os.environ.get("CI"))


def examples(count: int) -> int:
    return count if THOROUGH else max(10, count // 5)
