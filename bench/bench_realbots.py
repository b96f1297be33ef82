"""How well the `bybit` fixture drives public bots nobody here wrote.

    python bench/bench_realbots.py SNAPSHOT_DIR [--rebuild MIRRORS_DIR] [--only NAME[,NAME]]

Each bot of bench/realbots/manifest.toml lives in SNAPSHOT_DIR/<dir> (third-party code never
enters this repository). ``--rebuild`` first recreates those snapshots from git mirrors
(MIRRORS_DIR/<owner>+<name>/repo, MIRRORS_DIR/<owner>+<name> or MIRRORS_DIR/<dir>), taking only
the manifest's paths at the manifest's commit. Then each bot's outside test runs twice in a
subprocess, plain and under ``--bybit-faults``, and a table is printed: bot, client stack, served?,
plain result, scenarios survived / judged, notes. Scenarios are judged only when the plain run
passed: a bot that fails without any fault has a bug the scenarios cannot tell apart.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent / "realbots"
MANIFEST = HERE / "manifest.toml"
RUN_TIMEOUT_S = 600


@dataclass
class Bot:
    dir: str
    repo: str
    commit: str
    paths: list[str]
    stack: str
    requires: list[str] = field(default_factory=list)
    served: str = ""
    bot_bugs: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """owner+name, the layout the mirrors use."""
        owner, name = self.repo.rstrip("/").split("/")[-2:]
        return f"{owner}+{name}"


def load_manifest(path: Path = MANIFEST) -> list[Bot]:
    """Read the manifest; a missing key names the entry and the key."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    bots = []
    for i, entry in enumerate(data.get("bot", [])):
        for key in ("dir", "repo", "commit", "paths", "stack"):
            if key not in entry:
                raise SystemExit(f"{path}: [[bot]] #{i + 1} has no `{key}`")
        bots.append(Bot(**entry))
    return bots


def find_mirror(mirrors: Path, bot: Bot) -> Path:
    for candidate in (mirrors / bot.slug / "repo", mirrors / bot.slug, mirrors / bot.dir, mirrors / f"{bot.dir}.git"):
        if candidate.is_dir():
            return candidate
    raise SystemExit(f"no git mirror for {bot.repo} under {mirrors} (looked for {bot.slug}/repo, {bot.slug}, {bot.dir})")


def rebuild(snapshots: Path, mirrors: Path, bot: Bot) -> None:
    """Replace SNAPSHOT_DIR/<dir> with the manifest's paths at the manifest's commit."""
    git_dir = find_mirror(mirrors, bot)
    archive = subprocess.run(
        ["git", "--git-dir" if (git_dir / "HEAD").is_file() else "-C", str(git_dir), "archive", "--format=tar", bot.commit, "--", *bot.paths],
        capture_output=True,
    )
    if archive.returncode:
        raise SystemExit(f"{bot.repo}@{bot.commit}: git archive failed: {archive.stderr.decode(errors='replace').strip()}")
    target = snapshots / bot.dir
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")


def missing_requirements(bot: Bot) -> list[str]:
    return [name for name in bot.requires if importlib.util.find_spec(name) is None]


def run_pytest(bot: Bot, snapshots: Path, *extra: str) -> tuple[int, str, float]:
    test = HERE / bot.dir / "test_bot.py"
    env = dict(os.environ, REALBOTS_DIR=str(snapshots), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", str(test), "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *extra]
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=HERE / bot.dir, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {RUN_TIMEOUT_S} s", time.perf_counter() - start
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - start


def summary_line(output: str) -> str:
    """pytest's last line ("2 passed, 1 failed in 3.1s") without the timing."""
    for line in reversed(output.strip().splitlines()):
        if " in " in line and any(word in line for word in ("passed", "failed", "error", "skipped")):
            return line.strip("= ").rsplit(" in ", 1)[0]
    return output.strip().splitlines()[-1][:80] if output.strip() else "no output"


def judge(report: dict, plain_passed: bool) -> tuple[int, int, list[str]]:
    """Scenarios survived / judged from a --bybit-report, and the reasons of the failures."""
    if not plain_passed:
        return 0, 0, []
    survived = judged = 0
    reasons = []
    for row in report.get("results", []):
        if not row.get("scenario") or row.get("exercised") is False:
            continue
        if row.get("outcome") not in ("passed", "failed"):
            continue
        judged += 1
        if row["outcome"] == "passed":
            survived += 1
        else:
            test = row.get("test", "").rpartition("::")[2]
            reasons.append(f"{test} under {row['scenario']}: {row.get('reason', '')[:90]}")
    return survived, judged, reasons


def evaluate(bot: Bot, snapshots: Path) -> dict:
    row = {"bot": bot.dir, "stack": bot.stack, "served": bot.served or "?", "plain": "", "scenarios": "", "notes": []}
    if not (snapshots / bot.dir).is_dir():
        row.update(plain="no snapshot", scenarios="-")
        row["notes"].append(f"run with --rebuild MIRRORS_DIR to create {snapshots / bot.dir}")
        return row
    missing = missing_requirements(bot)
    if missing:
        row.update(plain="not run", scenarios="-")
        row["notes"].append("pip install " + " ".join("python-dotenv" if m == "dotenv" else m for m in missing))
        return row
    code, output, seconds = run_pytest(bot, snapshots)
    plain_passed = code == 0
    row["plain"] = f"{'ok' if plain_passed else 'FAIL'} ({summary_line(output)}, {seconds:.1f} s)"
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        _, faults_output, fault_seconds = run_pytest(bot, snapshots, "--bybit-faults", f"--bybit-report={report_path}")
        report = json.loads(report_path.read_text()) if report_path.exists() else {}
    if not report:
        row["scenarios"] = "no report"
        row["notes"].append(summary_line(faults_output))
    elif plain_passed:
        survived, judged, reasons = judge(report, plain_passed)
        row["scenarios"] = f"{survived} / {judged} ({fault_seconds:.1f} s)"
        row["notes"].extend(reasons)
    else:
        row["scenarios"] = "not judged (plain run fails)"
    row["notes"].extend(f"bot bug: {bug}" for bug in bot.bot_bugs)
    return row


def print_table(rows: list[dict]) -> None:
    headers = ("bot", "client stack", "served?", "plain", "survived / judged")
    keys = ("bot", "stack", "served", "plain", "scenarios")
    widths = [max(len(h), *(len(str(r[k])) for r in rows)) for h, k in zip(headers, keys)]
    widths = [min(w, 48) for w in widths]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(r[k])[:w].ljust(w) for k, w in zip(keys, widths)))
        for note in r["notes"]:
            print(f"    - {note}")
    served = sum(1 for r in rows if r["served"].startswith("yes"))
    passed = sum(1 for r in rows if r["plain"].startswith("ok"))
    print(f"\nserved: {served} of {len(rows)} bots; plain run green: {passed} of {len(rows)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("snapshots", type=Path, help="where the bots' snapshots live (outside the repository)")
    parser.add_argument("--rebuild", type=Path, metavar="MIRRORS_DIR", help="recreate the snapshots from these git mirrors first")
    parser.add_argument("--only", default="", help="comma-separated bot dirs to run")
    args = parser.parse_args(argv)
    bots = load_manifest()
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {b.dir for b in bots}
        if unknown:
            parser.error(f"--only: not in {MANIFEST}: {', '.join(sorted(unknown))}")
        bots = [b for b in bots if b.dir in wanted]
    snapshots = args.snapshots.resolve()
    if args.rebuild:
        for bot in bots:
            rebuild(snapshots, args.rebuild.resolve(), bot)
    print_table([evaluate(bot, snapshots) for bot in bots])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
