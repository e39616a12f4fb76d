"""The results file: one JSON line per finished trial, written as each one finishes.

Each line is a ``TrialResult`` (id, seed, params, score, status, error, duration, metrics),
appended, flushed and fsynced as soon as its trial finishes, in completion order, so an
interrupted search (Ctrl-C, a lost connection, a machine that reboots) loses only the trials
that were running. ``resume=True`` reads the file back and the search skips every trial it
holds, failed ones included (a trial is deterministic: rerunning a failure fails again).

What can be wrong with the file, and what happens:

- a last line cut short (the writer was killed mid-line: no final newline and not JSON) is
  reported with a warning and cut off, and its trial runs again;
- any other line that is not a trial record raises ``ResultsFileError`` naming the line;
- a record whose seed or hyper-parameters differ from this search's plan for that trial
  (another ``seed`` or search space wrote the file) raises ``ResultsFileError``;
- an existing file without ``resume`` raises ``FileExistsError`` rather than mixing two
  searches in one file, and a file that another running search holds raises
  ``ResultsFileError``.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from .trials import Trial, TrialResult

FIELDS = ("id", "seed", "params", "score", "status", "error", "duration", "metrics")


class ResultsFileError(ValueError):
    """A results file that cannot be resumed from: a corrupt line or another search's trials."""


def _parse(path: Path, number: int, line: str) -> TrialResult:
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as error:
        raise ResultsFileError(
            f"results file {path}, line {number}: not JSON ({error.msg}); delete that line "
            "(its trial will run again) or use another results file"
        ) from None
    if (
        not isinstance(record, dict)
        or sorted(record) != sorted(FIELDS)
        or not isinstance(record["id"], int)
    ):
        found = sorted(record) if isinstance(record, dict) else type(record).__name__
        raise ResultsFileError(
            f"results file {path}, line {number}: not a trial record; expected the fields "
            f"{list(FIELDS)}, found {found}"
        )
    return TrialResult(**record)


def _check_against_plan(path: Path, result: TrialResult, plan: Sequence[Trial]) -> None:
    planned = plan[result.id]
    if (result.seed, result.params) != (planned.seed, planned.params):
        raise ResultsFileError(
            f"results file {path}: trial {result.id} ran with seed {result.seed} and "
            f"{result.params}, but this search plans seed {planned.seed} and {planned.params}; "
            "the file comes from another search (another seed or search space): use another "
            "results file"
        )


def read_results(path: str | Path, plan: Sequence[Trial]) -> tuple[dict[int, TrialResult], int]:
    """The planned trials recorded in ``path`` by id, and the byte length of its good part.

    Records of trials beyond the plan (a longer search wrote the file) are kept in the file
    and left out of the returned dict.
    """
    path = Path(path)
    data = path.read_bytes()
    done: dict[int, TrialResult] = {}
    good_end = 0
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            good_end += len(raw) + (number < len(lines))
            continue
        is_cut_short = number == len(lines)  # no newline after it
        try:
            result = _parse(path, number, raw.decode("utf-8", errors="replace"))
        except ResultsFileError:
            if not is_cut_short:
                raise
            warnings.warn(
                f"results file {path}: its last line (line {number}) is cut short, as when "
                "the search was killed while writing it; dropping it, that trial runs again",
                stacklevel=3,
            )
            break
        if result.id in done:
            raise ResultsFileError(f"results file {path}, line {number}: trial {result.id} twice")
        if 0 <= result.id < len(plan):
            _check_against_plan(path, result, plan)
            done[result.id] = result
        good_end += len(raw) + (number < len(lines))
    return done, good_end


class ResultsLog:
    """Appends results to a JSON-lines file (or nowhere, with ``path=None``).

    The file stays locked (``fcntl.flock``, where the platform has it) while the search
    runs, so a second search on the same file fails at once instead of interleaving lines.
    """

    def __init__(self, path: str | Path | None, plan: Sequence[Trial], resume: bool) -> None:
        self.path = None if path is None else Path(path)
        self.done: dict[int, TrialResult] = {}
        self._file: IO[bytes] | None = None
        if self.path is None:
            if resume:
                raise ValueError("random_search: resume=True needs a results file to resume from")
            return
        if self.path.exists() and not resume:
            raise FileExistsError(
                f"results file {self.path} exists; resume from it (resume=True, --resume) or "
                "choose another file"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a+b")
        try:
            _lock(self._file, self.path)
            self.done, good_end = read_results(self.path, plan)
            self._file.truncate(good_end)
            self._file.seek(max(good_end - 1, 0))
            if good_end and self._file.read(1) != b"\n":
                self._file.write(b"\n")  # a complete last record without its newline
        except BaseException:
            self.close()
            raise

    def append(self, result: TrialResult) -> None:
        """Write one result as a line, and make sure it is on disk before going on."""
        self.done[result.id] = result
        if self._file is not None:
            self._file.write(json.dumps(result.to_json()).encode() + b"\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        """Close the file (which releases its lock)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> ResultsLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _lock(file: IO[bytes], path: Path) -> None:
    """Lock ``file`` for this process alone, or raise if another search holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one search per file is up to the user
        return
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ResultsFileError(
            f"results file {path} is being written by another search that is still running; "
            "wait for it to finish (or stop it) before resuming, or use another file"
        ) from None
