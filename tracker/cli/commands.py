"""Registers every command group on the parser. Each group lives in its own module."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from tracker.cli import core


def register(sub: Any, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    core.register(sub, db_arg)
