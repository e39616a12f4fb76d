"""A progress bar over finished trials: tqdm's if it is installed, else one line per trial.

tqdm is optional (the ``examples`` extra installs it). Either way the bar advances when a
trial *finishes*, in completion order, and shows the best score so far and the number of
failed trials.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from typing import Any

from .trials import TrialResult


class Progress:
    """Counts finished trials out of ``total``, starting from the ``resumed`` ones."""

    def __init__(
        self,
        total: int,
        resumed: Iterable[TrialResult] = (),
        mode: str = "max",
        enabled: bool = True,
    ) -> None:
        self.total, self.mode, self.enabled = total, mode, enabled
        self.count, self.failed = 0, 0
        self.best: float | None = None
        for result in resumed:
            self._count(result)
        self._bar: Any = None
        if enabled:
            try:
                tqdm = importlib.import_module("tqdm").tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, initial=self.count, unit="trial", desc="trials")

    def _count(self, result: TrialResult) -> None:
        self.count += 1
        if result.status != "ok" or result.score is None:
            self.failed += 1
        elif self.best is None or (result.score > self.best) == (self.mode == "max"):
            self.best = result.score

    def update(self, result: TrialResult) -> None:
        """Count one finished trial and show it."""
        self._count(result)
        if not self.enabled:
            return
        summary = f"best {self.best:.4g}" if self.best is not None else "best -"
        summary += f", {self.failed} failed"
        if self._bar is not None:
            self._bar.set_postfix_str(summary, refresh=False)
            self._bar.update(1)
        else:
            outcome = f"score {result.score:.4g}" if result.score is not None else "failed"
            print(
                f"trial {result.id}: {outcome} ({self.count}/{self.total} done, {summary})",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.close()
