"""Real read-only filesystems for tests: a read-only bind mount of a folder (or of one file) onto
itself. Mounting needs root, which CI has; elsewhere the tests that use it skip, saying so."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker import sqlfile

CAN_MOUNT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_mount = pytest.mark.skipif(not CAN_MOUNT, reason="a read-only bind mount needs root (CI runs as root)")


@contextlib.contextmanager
def read_only(target: Path) -> Iterator[None]:
    """``target`` (a folder or a file) on a read-only bind mount of itself for the duration.

    Writes through it fail with EROFS, for root too. On the way out this process's header
    descriptors there (``sqlfile.read_head``) are closed first, so the mount can go.
    """
    subprocess.run(["mount", "--bind", str(target), str(target)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], check=True)
        yield
    finally:
        sqlfile.release_heads(target)  # this process's connections there are closed by now
        subprocess.run(["umount", str(target)], check=True)
