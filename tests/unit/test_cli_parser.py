"""The parser built for one named command is the whole parser, for that command.

``tracker.cli.parser_for`` builds only the command a run names first (a quick write such as
``tracker log dose`` then skips building every other command's parser). Whatever it builds
must parse, word its help and refuse bad input exactly as the whole parser does.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from tracker.cli import UsageError, build_parser, parser_for


def _sub_actions(parser: argparse.ArgumentParser) -> list[argparse._SubParsersAction]:  # type: ignore[type-arg]
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]


def _paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path of ``parser``: ("log",), ("log", "dose"), ..."""
    for action in _sub_actions(parser):
        for name, child in action.choices.items():
            yield (*prefix, name)
            yield from _paths(child, (*prefix, name))


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> argparse.ArgumentParser:
    for name in path:
        parser = next(a.choices[name] for a in _sub_actions(parser) if name in a.choices)
    return parser


ALL_PATHS = sorted(_paths(build_parser()))


def test_every_command_is_reached() -> None:
    tops = {path[0] for path in ALL_PATHS}
    # the commands of the README's usage section, at least
    assert {"log", "status", "remind", "taper", "export", "import", "settings", "backup", "med", "rx"} <= tops


@pytest.mark.parametrize("path", ALL_PATHS, ids=" ".join)
def test_each_command_has_the_same_help_and_arguments(path: tuple[str, ...]) -> None:
    whole = _walk(build_parser(), path)
    alone = _walk(parser_for(list(path)), path)
    assert alone.format_help() == whole.format_help()
    assert [(a.dest, a.option_strings, a.default) for a in alone._actions] == [
        (a.dest, a.option_strings, a.default) for a in whole._actions
    ]


def test_a_named_command_builds_that_command_only() -> None:
    (action,) = _sub_actions(parser_for(["log", "dose", "Sertraline", "20mg"]))
    assert set(action.choices) == {"log"}
    (whole,) = _sub_actions(build_parser())
    assert len(whole.choices) > 10


@pytest.mark.parametrize(
    "argv",
    [
        ["log", "dose", "Sertraline", "20mg", "--note", "late", "--db", "x.db"],
        ["log", "dose", "Sertraline", "--skipped"],
        ["log", "symptom", "dizziness", "2"],
        ["status", "--json"],
        ["export", "summary", "--from", "2026-01-01", "--format", "md", "--out", "s.md"],
        ["taper", "show"],
    ],
)
def test_parsed_arguments_are_the_same(argv: list[str]) -> None:
    assert vars(parser_for(argv).parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["log", "dose"],  # the medication is missing
        ["log", "dose", "Sertraline", "20mg", "--bogus"],
        ["log", "nothing"],
    ],
)
def test_usage_errors_are_worded_the_same(argv: list[str]) -> None:
    with pytest.raises(UsageError) as alone:
        parser_for(argv).parse_args(argv)
    with pytest.raises(UsageError) as whole:
        build_parser().parse_args(argv)
    assert str(alone.value) == str(whole.value)


@pytest.mark.parametrize("argv", [["--db", "x.db", "status"], ["lgo", "dose"], ["--help"], []])
def test_anything_else_gets_the_whole_parser(argv: list[str]) -> None:
    (action,) = _sub_actions(parser_for(argv))
    assert set(action.choices) == set(_sub_actions(build_parser())[0].choices)
