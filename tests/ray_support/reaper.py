"""`python -m tests.ray_support.reaper OWNER ROOT`: stop the test cluster under ROOT once process OWNER is gone.

Ray's daemons outlive a killed pytest (they are not its children); this keeps a crashed or interrupted run from
leaving a cluster behind. It exits by itself when the cluster was stopped normally (ROOT removed)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from tests.ray_support.cluster import kill_all, processes_under


def main(owner: int, root: Path) -> int:
    while root.exists():
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            kill_all(processes_under(root))
            shutil.rmtree(root, ignore_errors=True)
            return 0
        time.sleep(1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), Path(sys.argv[2])))
