"""Child process of the command budgets: run ``tracker ARGS`` (or an import) and note its peak memory.

    python benchmarks/cmd_probe.py PEAK.txt tracker ARGS...
    python benchmarks/cmd_probe.py PEAK.txt --import MODULE

The command runs through the real entry point (``tracker.cli.main``, as the ``tracker``
script does); the reference imports one module the same way. At exit the process's own
peak resident memory (VmHWM, MB) goes into PEAK.txt. VmHWM starts afresh at exec, unlike
``ru_maxrss``, which on Linux also carries the parent's size at the fork.
"""

from __future__ import annotations

import atexit
import sys
from pathlib import Path


def _peak(out: Path) -> None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            out.write_text(str(int(line.split()[1]) / 1024))
            return


def main() -> int:
    out, what = Path(sys.argv[1]), sys.argv[2]
    atexit.register(_peak, out)
    if what == "--import":
        __import__(sys.argv[3])
        return 0
    from tracker.cli import main as tracker_main

    sys.argv = ["tracker", *sys.argv[3:]]
    return tracker_main()


if __name__ == "__main__":
    sys.exit(main())
