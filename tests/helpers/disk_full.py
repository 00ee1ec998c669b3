"""Simulate a full disk for the durability tests: the command line in a loop under a file-size limit.

    python tests/helpers/disk_full.py DB LIMIT_BYTES

Sets RLIMIT_FSIZE to LIMIT_BYTES and ignores SIGXFSZ (so a write past the limit
fails with EFBIG instead of killing the process), then logs check-ins with long
notes through ``tracker.cli.main`` until one fails. It goes on running: a read
(``status``) under the limit, then, with the limit lifted, one more write.
Prints one JSON object describing every call.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import signal
import sys
from datetime import date, timedelta

from tracker.cli import main as cli_main


def call(*argv: str) -> dict[str, object]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code: int | str
        try:
            code = cli_main(list(argv))
        except BaseException as exc:  # anything escaping main is a failure the test reports
            code = f"escaped {type(exc).__name__}"
    return {"argv": list(argv), "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def main(db: str, limit: int) -> int:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    written: list[str] = []
    failed = None
    day = date(2026, 1, 1)
    for n in range(400):
        d = (day + timedelta(days=n)).isoformat()
        result = call("log", "checkin", "--mood", "5", "--day", d, "--note", f"{d} " + "x" * 3000, "--db", db)
        if result["code"] != 0:
            failed = result
            break
        written.append(d)
    read = call("status", "--db", db)
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    again = call("log", "checkin", "--mood", "4", "--day", "2025-12-31", "--db", db)
    print(json.dumps({"written": written, "failed": failed, "read": read, "again": again}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
