"""The notes' trial (chapter 6): train an MLP on a training split, score it on validation.

``TrainMLP`` is an objective for ``random_search``: given ``params = {"lr": ...,
"weight_decay": ...}``, a generator and ``data = (x_train, t_train, x_val, t_val)``, it builds
a ReLU MLP with He initial weights and zero biases, trains it with SGD on random mini-batches
for ``epochs`` epochs with weight decay as the penalty 1/2 lambda sum ||W||^2 on the loss,
and returns the last validation accuracy as the score, with both accuracy curves. A loss that
stops being finite (a learning rate that diverges) raises ``FloatingPointError``, which the
search records as a failed trial.

It lives in the library, not in ``examples/hyperparameter_search.py``, because Dask workers
import an objective of an imported module by that module's name, and the examples are not
installed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import nn
import optim
from autograd_lite import Tensor

NOTES_HIDDEN = (100,) * 6  # the notes' 7-layer network: 784 -> 6 x 100 -> 10


def build_mlp(sizes: Sequence[int], rng: np.random.Generator) -> nn.MLP:
    """A ReLU MLP of ``sizes`` with He (Kaiming) normal weights and zero biases."""
    model = nn.MLP(sizes, rng=rng)
    for _, layer in model.named_modules():
        if isinstance(layer, nn.Linear):
            layer.weight.data[...] = nn.init.kaiming_normal(layer.weight.shape, rng)
            layer.bias.data[...] = 0
    return model


@dataclass(frozen=True)
class TrainMLP:
    """Objective: train ``hidden`` ReLU layers with SGD, score by validation accuracy.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x, t = rng.standard_normal((40, 4)).astype(np.float32), rng.integers(0, 2, 40)
    >>> out = TrainMLP(hidden=(8,), epochs=2, batch_size=10)(
    ...     {"lr": 0.1, "weight_decay": 0.0}, rng, (x[:30], t[:30], x[30:], t[30:]))
    >>> sorted(out), len(out["val_acc"])
    (['score', 'train_acc', 'val_acc'], 2)
    """

    hidden: tuple[int, ...] = NOTES_HIDDEN
    epochs: int = 50
    batch_size: int = 100
    n_classes: int = 10

    def __call__(
        self, params: Mapping[str, Any], rng: np.random.Generator, data: Sequence[np.ndarray]
    ) -> dict[str, Any]:
        """Train one network; its score and its accuracy curves (one point per epoch)."""
        x_train, t_train, x_val, t_val = data
        lr, weight_decay = params["lr"], params.get("weight_decay", 0.0)
        model = build_mlp([x_train.shape[1], *self.hidden, self.n_classes], rng)
        optimizer = optim.SGD(model.parameters(), lr=lr)
        weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
        updates_per_epoch = max(len(x_train) // self.batch_size, 1)
        curves: dict[str, list[float]] = {"train_acc": [], "val_acc": []}
        for epoch in range(self.epochs):
            for _ in range(updates_per_epoch):
                batch = rng.choice(len(x_train), self.batch_size)
                with np.errstate(over="ignore", invalid="ignore"):  # checked just below
                    loss = nn.functional.cross_entropy(
                        model(Tensor(x_train[batch])), t_train[batch]
                    )
                    loss = loss + sum((w * w).sum() for w in weights) * (0.5 * weight_decay)
                    optimizer.zero_grad()
                    loss.backward()
                if not np.isfinite(loss.item()):
                    raise FloatingPointError(
                        f"TrainMLP: the loss is {loss.item()} in epoch {epoch + 1}: "
                        f"lr {lr:.3g} diverges"
                    )
                optimizer.step()
            curves["train_acc"].append(nn.utils.accuracy(model, x_train, t_train))
            curves["val_acc"].append(nn.utils.accuracy(model, x_val, t_val))
        return {"score": curves["val_acc"][-1], **curves}
