"""Which files a run looks at: the paths given, recursing into ``*.py``, minus the noise."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .config import is_excluded

#: Folders no one wants linted (ruff's defaults, trimmed to what Python projects have).
SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".env", "env", ".tox", ".nox",
        ".eggs", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".pytype", ".direnv",
        ".ipynb_checkpoints", "__pycache__", "__pypackages__", "_build", "build", "dist",
        "node_modules", "site-packages", "buck-out",
    }
)


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def iter_python_files(
    paths: Sequence[Path],
    exclude: Sequence[str],
    root: Path,
    skip: Callable[[Path, bool], bool] | None = None,
    skipped: list[str] | None = None,
) -> Iterator[Path]:
    """Yield each file once. Files named explicitly are linted even if a folder rule skips them.

    ``skip(path, is_dir)`` prunes more of the walk (``.gitignore``, see ``sources``).
    A path named explicitly that is not a folder is yielded whatever it is (a FIFO, a device),
    and reading it reports why it cannot be linted. Inside folders, a ``*.py`` that is not a
    regular file (a broken symlink, a FIFO) is passed over and noted in ``skipped``.
    """
    seen: set[Path] = set()
    for path in paths:
        if not path.is_dir():
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield path
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            current = Path(dirpath)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in SKIPPED_DIRS
                and not d.endswith(".egg-info")
                and not _is_virtualenv(current / d)
                and not is_excluded(current / d, exclude, root)
                and not (skip and skip(current / d, True))
            )
            for name in sorted(filenames):
                if not (name.endswith(".py") or name.endswith(".pyi")):
                    continue
                file = current / name
                if is_excluded(file, exclude, root) or (skip and skip(file, False)):
                    continue
                if not file.is_file():
                    if skipped is not None:
                        what = "a broken symbolic link" if file.is_symlink() and not file.exists() else "not a regular file"
                        skipped.append(f"{file}: {what}: skipped")
                    continue
                key = file.resolve()
                if key not in seen:
                    seen.add(key)
                    yield file
