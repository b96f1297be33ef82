"""Which files a run lints, beyond the walk itself: ``.gitignore``, ``--force-exclude``, stdin.

``.gitignore`` files are read with pathspec (git's own matching rules, negations and
folder-only patterns included) rather than by asking ``git ls-files``: no process to start
on every run (a pre-commit hook runs often), no need for a git binary in a CI image, and
ignored folders are pruned as the walk reaches them instead of listing the whole
repository first. As in git, a ``.gitignore`` applies to its own folder and below, a
deeper file overrides a shallower one, and ``.git/info/exclude`` counts too; only files
inside the repository (or, outside any, below the configuration's folder) are read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .config import Config, is_excluded
from .discovery import SKIPPED_DIRS, _is_virtualenv, iter_python_files

if TYPE_CHECKING:  # pragma: no cover
    from pathspec import GitIgnoreSpec


def _git_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


class GitIgnore:
    """Answers "would git ignore this path?" for the folders a walk visits."""

    def __init__(self, boundary: Path) -> None:
        #: no .gitignore above this folder is read
        self.boundary = boundary
        self._specs: dict[Path, GitIgnoreSpec | None] = {}

    @classmethod
    def for_paths(cls, paths: Sequence[Path], config_root: Path) -> GitIgnore:
        start = Path(os.path.abspath(paths[0] if paths else Path.cwd()))
        start = start if start.is_dir() else start.parent
        root = _git_root(start)
        return cls(root if root is not None else config_root.resolve())

    def _spec(self, directory: Path) -> GitIgnoreSpec | None:
        if directory in self._specs:
            return self._specs[directory]
        lines: list[str] = []
        for name in (".gitignore", ".git/info/exclude") if directory == self.boundary else (".gitignore",):
            try:
                lines += (directory / name).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
        spec = None
        if lines:
            from pathspec import GitIgnoreSpec

            spec = GitIgnoreSpec.from_lines(lines)
        self._specs[directory] = spec
        return spec

    def ignored(self, path: Path, is_dir: bool) -> bool:
        path = Path(os.path.abspath(path))
        try:
            path.relative_to(self.boundary)
        except ValueError:
            return False
        if path.name == ".git":
            return True
        directory = path.parent
        # the deepest .gitignore with a matching pattern decides
        while True:
            spec = self._spec(directory)
            if spec is not None:
                rel = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
                verdict = spec.check_file(rel).include
                if verdict is not None:
                    return bool(verdict)
            if directory == self.boundary or directory.parent == directory:
                return False
            directory = directory.parent


def force_excluded(path: Path, config: Config) -> bool:
    """Whether a walk would have skipped a file named explicitly (pre-commit names them).

    The config's ``exclude`` and the folders never linted (virtualenvs, ``build``, ...)
    apply to the file and to every folder above it, up to the config's folder.
    """
    if is_excluded(path, config.exclude, config.root):
        return True
    absolute = Path(os.path.abspath(path))
    try:
        parents = absolute.parent.relative_to(config.root).parts
    except ValueError:
        return False  # outside the project: only ``exclude`` can name it
    base = config.root
    for part in parents:
        base = base / part
        if part in SKIPPED_DIRS or part.endswith(".egg-info") or _is_virtualenv(base) or is_excluded(base, config.exclude, config.root):
            return True
    return False


def collect(paths: Sequence[Path], config: Config, *, respect_gitignore: bool, force_exclude: bool) -> Iterator[Path]:
    """The files to lint, each once, in a stable order."""
    gitignore = GitIgnore.for_paths(paths, config.root) if respect_gitignore else None
    for file in iter_python_files(paths, config.exclude, config.root, gitignore.ignored if gitignore else None):
        if force_exclude and file.is_file() and file in paths and force_excluded(file, config):
            continue
        yield file


def read_stdin() -> bytes:
    import sys

    stream: Any = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
    data = stream.read()
    return data.encode("utf-8") if isinstance(data, str) else data
