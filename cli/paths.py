"""Checks of output paths, run before a command does any work, so a bad path fails fast and writes nothing."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cli.app import CommandError
from feedback.store import FeedbackStore
from router.settings import Settings


def path_option(text: str) -> Path:
    """Argparse type of a file or folder option: an empty value is an error, not the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: give a path")
    return Path(text).expanduser()


def open_existing_store(command: str) -> FeedbackStore:
    """Open the store for a command that only reads or updates it, or raise `CommandError` if its file is missing.

    Opening a SQLite store creates its file, so a mistyped LLM_ROUTER_DB_PATH
    would otherwise give an empty report instead of an error.
    """
    settings = Settings.from_env()
    if settings.store_backend == "sqlite" and not settings.db_path.exists():
        raise CommandError(
            f"{command}: no store at {settings.db_path} (LLM_ROUTER_DB_PATH): route a query first, "
            "or point LLM_ROUTER_DB_PATH at an existing store"
        )
    return FeedbackStore(settings=settings)


@contextmanager
def writable_folder(folder: Path, option: str, value: Path) -> Iterator[None]:
    """Create `folder` if missing and check that files can be created in it, or raise `CommandError`.

    `option` and `value` are what the user gave, for the message. Folders
    created here that are still empty when the block exits are removed again,
    so a command that fails before writing its output leaves nothing behind.
    """
    # The folder is named only when it is not the path the user gave.
    prefix = f"{option} {value}: " + ("" if folder == value else f"{folder} ")
    created = _missing_folders(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise CommandError(f"{prefix}is an existing file, not a folder") from exc
    except OSError as exc:
        raise CommandError(f"{prefix}cannot be created as a folder: {exc.strerror}") from exc
    try:
        _check_writable(folder, prefix)
        yield
    finally:
        _remove_if_empty(created)


def _missing_folders(folder: Path) -> list[Path]:
    """Return `folder` and its ancestors that do not exist yet, deepest first."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists() or path.is_symlink():
            break
        missing.append(path)
    return missing


def _check_writable(folder: Path, prefix: str) -> None:
    # Creating a file is the only reliable test: os.access() ignores read-only
    # file systems and reports every folder as writable to root.
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise CommandError(f"{prefix}is a folder where files cannot be created: {exc.strerror}") from exc


def _remove_if_empty(folders: list[Path]) -> None:
    for path in folders:
        try:
            path.rmdir()
        except OSError:
            # The folder is not empty because the command wrote its output, or it is gone. Its parents stay either way.
            return
