"""The code under test, in one place: each budget reaches the app through one adapter here.

A feature that has not landed yet raises ``Missing`` and its budget prints SKIP with the
reason. When it lands, the only change is the ``"module:function"`` string below (and, if its
keyword arguments differ from the pool ``call`` offers, the one call line of its adapter).

``call`` passes a function only the keyword arguments its signature names, so an adapter
keeps working when a function gains or drops an optional parameter.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

# "module:function" of each feature the budgets measure; edit here when a name changes.
TRENDS_DATA = "tracker.services.trends:trends_data"
HISTORY_PAGE = "tracker.services.history:history_page"
UI_TRENDS_MODE = "trends"  # the TrackerApp mode that shows the Trends screen
PAGE_SIZE = 500


class Missing(Exception):
    """The feature a budget measures is not in the code base yet."""


def need(target: str) -> Callable[..., Any]:
    """The function named ``module:function``, or ``Missing`` when it does not exist yet.

    A module that exists but fails to import (a missing dependency, a syntax error) is an
    error, not a SKIP: only the module itself being absent means "not landed".
    """
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            raise Missing(f"{module_name} does not exist yet") from exc
        raise
    fn = getattr(module, attr, None)
    if fn is None:
        raise Missing(f"{module_name}.{attr} does not exist yet")
    return fn


def call(fn: Callable[..., Any], **pool: Any) -> Any:
    """Call ``fn`` with the keyword arguments of ``pool`` that its signature accepts."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(**pool)
    missing = [
        name
        for name, p in params.items()
        if p.default is inspect.Parameter.empty
        and p.kind is not inspect.Parameter.VAR_POSITIONAL
        and name not in pool
    ]
    if missing:
        raise TypeError(
            f"{fn.__module__}.{fn.__qualname__} needs {', '.join(missing)}: update benchmarks/targets.py"
        )
    return fn(**{name: value for name, value in pool.items() if name in params})


def trends_everything(session: Any, *, today: date, now: datetime, tz: ZoneInfo) -> Any:
    """Every number of the Trends screen for the range "Everything"."""
    from tracker.domain.trends import TrendRange

    fn = need(TRENDS_DATA)
    return call(fn, session=session, range_kind=TrendRange.ALL, today=today, now=now, tz=tz)


@dataclass(frozen=True, slots=True)
class Page:
    rows: Sequence[Any]
    total: int


def history_page(session: Any, *, offset: int, tz: ZoneInfo, limit: int = PAGE_SIZE) -> Page:
    """One page of the History log, newest first, as the History screen asks for it."""
    fn = need(HISTORY_PAGE)
    page = call(fn, session=session, tz=tz, offset=offset, limit=limit)
    return Page(rows=page.rows, total=page.total)
