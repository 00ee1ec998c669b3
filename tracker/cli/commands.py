"""Registers every command group on the parser. Each group lives in its own module."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from tracker.cli import backup as backup_commands
from tracker.cli import core
from tracker.cli import export as export_commands
from tracker.cli import remind as remind_commands
from tracker.cli import scales as scale_commands
from tracker.cli import taper as taper_commands


def register(sub: Any, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    log = core.register(sub, db_arg)
    scale_commands.register_log(log, db_arg)
    backup_commands.register(sub, db_arg)
    taper_commands.register(sub, db_arg)
    remind_commands.register(sub, db_arg)
    export_commands.register(sub, db_arg)
