"""honcho, with the grace period of `make run`'s Ctrl-C set by SUIVI_STOP_GRACE_SECONDS (15).

honcho sends SIGTERM to every process group, then SIGKILL after `honcho.manager.KILL_WAIT`
seconds (5, fixed in honcho): too short for a service finishing the batch in hand (the
normalizer, projector and notifier wait up to their shutdown timeout), so it is raised here.
Arguments are honcho's: `python deploy/run/supervise.py start -f deploy/Procfile -e … -d .`.
"""

from __future__ import annotations

import os

import honcho.manager  # type: ignore[import-untyped]
from honcho.command import main  # type: ignore[import-untyped]

if __name__ == "__main__":
    honcho.manager.KILL_WAIT = float(os.environ.get("SUIVI_STOP_GRACE_SECONDS") or 15)
    main()
