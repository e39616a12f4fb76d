"""Shared by the tune tests, and importable by Dask workers (``tests`` is a package).

Synthetic MNIST-like data (ten noisy prototypes), a tiny objective and objectives that fail
or kill their worker, so the tests need no MNIST files and run in seconds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

import tune

SPACE = {"lr": tune.LogUniform(1e-3, 1.0), "weight_decay": tune.LogUniform(1e-8, 1e-4)}
TINY_MLP = tune.TrainMLP(hidden=(16, 16), epochs=10, batch_size=40)


def digits_like(n: int = 300, features: int = 64, seed: int = 0) -> tuple[np.ndarray, ...]:
    """(x_train, t_train, x_val, t_val): noisy copies of ten random prototypes, 80/20."""
    rng = np.random.default_rng(seed)
    prototypes = rng.uniform(0.0, 1.0, (10, features))
    t = rng.integers(0, 10, n)
    x = np.clip(prototypes[t] + 0.3 * rng.standard_normal((n, features)), 0, 1)
    x = x.astype(np.float32)
    cut = n * 4 // 5
    return x[:cut], t[:cut], x[cut:], t[cut:]


def fails_above(params: dict[str, Any], rng: np.random.Generator, data: Any) -> Any:
    """TINY_MLP, except that an lr above 0.1 raises, as a bug in one trial would."""
    if params["lr"] > 0.1:
        raise ValueError(f"lr {params['lr']} is too large for this objective")
    return TINY_MLP(params, rng, data)


def dies_once(
    marker: str | None,
    victim_lr: float,
    params: dict[str, Any],
    rng: np.random.Generator,
    data: Any,
) -> Any:
    """TINY_MLP; the trial with ``victim_lr`` kills its worker process after training: once
    (the first death writes the ``marker`` file), or every time if ``marker`` is None."""
    result = TINY_MLP(params, rng, data)
    if params["lr"] == victim_lr and (marker is None or not Path(marker).exists()):
        if marker is not None:
            Path(marker).write_text(str(os.getpid()))
        os._exit(1)  # the worker dies mid-trial: its result never reaches the scheduler
    return result


def outcomes(results: list[tune.TrialResult]) -> list[dict[str, Any]]:
    """The results without their wall times, in their order."""
    return [{**result.to_json(), "duration": None} for result in results]
