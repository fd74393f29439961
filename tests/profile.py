"""Which Hypothesis profile this run uses: "dev" (the default), "ci" (the thorough one) or
"mutation" (scripts/mutation.sh's: the dev profile's sizes, the same examples every run).

``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``, or implied by ``CI``) selects the thorough
profile; the conftest loads it, and the tests that have a cheaper development form (the
local variants' proofs) read :data:`THOROUGH`.
"""

from __future__ import annotations

import os

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
THOROUGH = PROFILE == "ci"
