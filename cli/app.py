"""Argument parsing and dispatch for `main.py`.

Each command module exposes `register(subparsers)`, which adds its parser and
sets `handler`, so adding a command never touches the others.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sqlite3
import sys
from pathlib import Path

from cli.render import CliConsole, forget_printed_warnings
from router.exceptions import RouterError

VERSION = "0.1.0"
COMMANDS = ("demo", "route", "models", "execute", "batch", "feedback", "report", "retrain", "dashboard", "evaluate")

err_console = CliConsole(stderr=True)


class CommandError(Exception):
    """A command-line input is invalid; the message names the option."""


# Attributes every LogRecord has. Any other attribute came from the `extra` of a logging call.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class FieldsFormatter(logging.Formatter):
    """Log formatter that appends the fields passed in `extra` as key=value, because they carry the ids."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        text = super().formatMessage(record)
        fields = [
            f"{name}={_field_text(value)}" for name, value in vars(record).items() if name not in _RECORD_ATTRIBUTES
        ]
        return " ".join([text, *fields])


def _field_text(value: object) -> str:
    text = str(value)
    return repr(text) if not text or any(character.isspace() for character in text) else text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python main.py", description="Route LLM queries to the cheapest Claude tier that handles them well."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    parser.add_argument("--version", action="version", version=f"llm-router {VERSION}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"cli.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name != f"cli.{name}_cmd":
                raise
            continue
        module.register(subparsers)
    for command in subparsers.choices.values():
        # Also accepted after the command; SUPPRESS keeps a -v given before it.
        command.add_argument(
            "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log debug messages to stderr"
        )
    return parser


def load_dotenv(path: Path = Path(".env")) -> None:
    """Copy the settings of a `.env` file into the environment; variables already set win."""
    from providers.keys import read_env_file

    for name, value in read_env_file(path).items():
        if value and name not in os.environ:
            os.environ[name] = value


def main(argv: list[str] | None = None) -> int:
    load_dotenv()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(FieldsFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[handler])
    try:
        return int(args.handler(args) or 0)
    except CommandError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        return 2
    except (RouterError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        return 1
    except sqlite3.DatabaseError as exc:
        # Opening checks the file. These errors come later, from a read-only or damaged file for example.
        err_console.print(
            f"[red]error:[/red] the SQLite store failed: {exc}: check that the file named by LLM_ROUTER_DB_PATH "
            "(or --db) is writable and intact",
            highlight=False,
            soft_wrap=True,
        )
        return 1
    except BrokenPipeError:
        # The reader of stdout went away (for example `| head`); nothing is left to print to.
        _silence_stdout()
        sys.stderr.close()
        return 141
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    finally:
        forget_printed_warnings()


def _silence_stdout() -> None:
    # Output still buffered in sys.stdout would fail again when the interpreter
    # flushes it at exit and change the exit status, so stdout goes to /dev/null.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        # sys.stdout has no file descriptor (replaced by a test or an embedding program).
        pass


if __name__ == "__main__":
    sys.exit(main())
