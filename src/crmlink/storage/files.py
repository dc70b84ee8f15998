"""The SQLite files' permissions (issue 18): the data directory 0700 and the database files
0600 when crmlink creates them, whatever the umask; a warning when existing ones are more open.

SQLite creates the ``-wal`` and ``-shm`` files with the database file's permissions, so making
the database file 0600 before SQLite first opens it covers them too.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
_SIDE_FILES = ("-wal", "-shm", "-journal")


def prepare_sqlite_files(database: Path) -> list[str]:
    """Create what is missing with private permissions; warn (and return the warnings) about
    an existing directory or file that others may read."""
    directory = database.parent
    problems: list[str] = []
    if not directory.exists():
        directory.parent.mkdir(parents=True, exist_ok=True)
        try:
            directory.mkdir(mode=DIR_MODE)
            os.chmod(directory, DIR_MODE)  # mkdir's mode passes through the umask
        except FileExistsError:  # another process made it first
            pass
    else:
        problems += _too_open(directory, DIR_MODE, "data directory")
    try:
        fd = os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        problems += _too_open(database, FILE_MODE, "database file")
    else:
        os.close(fd)
        os.chmod(database, FILE_MODE)
    for suffix in _SIDE_FILES:
        side = database.with_name(database.name + suffix)
        if side.exists():
            problems += _too_open(side, FILE_MODE, "database file")
    for problem in problems:
        log.warning(problem)
    return problems


def _too_open(path: Path, wanted: int, what: str) -> list[str]:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return []
    if mode & 0o077 == 0:
        return []
    return [
        f"the {what} {path} is readable by other users (mode {mode:04o}); "
        f"it holds hashed secrets and CRM data: chmod {wanted:o} {path}"
    ]
