"""A training checkpoint: everything needed to resume a run exactly, in one ``.npz`` file.

A resumed run must end with the same weights, bit for bit, as one that was never stopped, so
the file holds more than the weights: the optimizer's state (Adam's moments and step
counts), the learning-rate schedule's position, the epoch counter, the curves so far, and
the state of every random generator the run draws from (batch order, dropout masks).

The layout, numbers only (no pickle, like ``Module.save``):

- ``model/<name>``: the model's state dict (parameters and buffers);
- ``optimizer/<position>/<entry>``: the optimizer state's arrays;
- ``json``: one string with the rest (epoch, history, the optimizer's scalar state and
  parameter groups, the scheduler's state, the generators' states, and what the script
  adds under ``meta``).

The file is written to a temporary name and renamed over the target
(``nn.serialization.save_npz``), so an interruption leaves the previous checkpoint intact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

import nn
import optim

FORMAT = "autograd_lite.training-checkpoint"


def generators_of(model: nn.Module, **others: np.random.Generator) -> dict[str, Any]:
    """Every ``np.random.Generator`` the run draws from, by a stable name: those held by the
    model's modules (``dropout.rng`` ...) and the ``others`` given (a loader's)."""
    found = dict(others)
    for name, module in model.named_modules():
        for attribute, value in vars(module).items():
            if isinstance(value, np.random.Generator):
                found[f"{name}.{attribute}" if name else attribute] = value
    return found


def save(
    path: str | Path,
    model: nn.Module,
    optimizer: optim.Optimizer,
    scheduler: optim.LRScheduler | None,
    generators: Mapping[str, np.random.Generator],
    epoch: int,
    history: Mapping[str, list],
    meta: Mapping[str, Any],
) -> None:
    """Write the checkpoint of a run that has completed ``epoch`` epochs."""
    arrays = {f"model/{name}": value for name, value in model.state_dict().items()}
    optimizer_state = optimizer.state_dict()
    scalars: dict[str, dict[str, Any]] = {}
    for position, entry in optimizer_state["state"].items():
        for key, value in entry.items():
            if isinstance(value, np.ndarray):
                arrays[f"optimizer/{position}/{key}"] = value
            else:
                scalars.setdefault(str(position), {})[key] = value
    record = {
        "format": FORMAT,
        "epoch": epoch,
        "history": dict(history),
        "optimizer": {"scalars": scalars, "param_groups": optimizer_state["param_groups"]},
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "generators": {name: rng.bit_generator.state for name, rng in generators.items()},
        "meta": dict(meta),
    }
    arrays["json"] = np.array(json.dumps(record, default=_plain))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    nn.serialization.save_npz(path, arrays)


def load(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint: its JSON record, with the arrays under ``model`` and ``optimizer``."""
    arrays = nn.serialization.read_npz(path)
    try:
        record = json.loads(str(arrays.pop("json")))
        if record["format"] != FORMAT:
            raise ValueError(f"format {record['format']!r}")
    except (KeyError, TypeError, ValueError) as error:
        raise nn.CheckpointError(
            f"{path}: not a training checkpoint of the examples ({error}); --resume takes the "
            "file that --save wrote"
        ) from None
    record["model"] = {k[len("model/") :]: v for k, v in arrays.items() if k.startswith("model/")}
    state: dict[int, dict[str, Any]] = {}
    for key, value in arrays.items():
        if key.startswith("optimizer/"):
            _, position, entry = key.split("/", 2)
            state.setdefault(int(position), {})[entry] = value
    for position, entries in record["optimizer"]["scalars"].items():
        state.setdefault(int(position), {}).update(entries)
    record["optimizer"] = {"state": state, "param_groups": record["optimizer"]["param_groups"]}
    return record


def restore(
    record: Mapping[str, Any],
    model: nn.Module,
    optimizer: optim.Optimizer,
    scheduler: optim.LRScheduler | None,
    generators: Mapping[str, np.random.Generator],
) -> None:
    """Put a loaded checkpoint's state into a freshly built run (same architecture, optimizer
    and schedule); every part is checked by its own ``load_state_dict``."""
    model.load_state_dict(record["model"])
    optimizer.load_state_dict(record["optimizer"])
    if (scheduler is None) != (record["scheduler"] is None):
        raise nn.CheckpointError(
            "the checkpoint's run and this one differ in having an lr schedule; resume with the "
            "same --schedule"
        )
    if scheduler is not None:
        scheduler.load_state_dict(record["scheduler"])
    saved = record["generators"]
    if set(saved) != set(generators):
        raise nn.CheckpointError(
            f"the checkpoint has random generators {sorted(saved)}, this run {sorted(generators)}"
        )
    for name, rng in generators.items():
        rng.bit_generator.state = saved[name]


def _plain(value: Any) -> Any:
    """numpy scalars and arrays in the record as JSON numbers and lists."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"checkpoint: cannot store a {type(value).__name__} in the JSON record")
