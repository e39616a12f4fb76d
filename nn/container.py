"""Containers: ``Sequential`` (layers applied in order) and ``MLP`` (a ready-made network)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ._checks import as_generator, check_probability
from .layers import Dropout, Linear, ReLU
from .module import Module
from .normalization import BatchNorm1d


class Sequential(Module):
    """Apply layers in order: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The layers are named ``"0"``, ``"1"``, ... as in PyTorch, so an ``MLP``'s parameters are
    ``layers.0.weight``, ``layers.0.bias``, ...

    >>> from nn import Linear, ReLU, Sequential
    >>> net = Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
    >>> len(net), [name for name, _ in net.named_parameters()][:2]
    (3, ['0.weight', '0.bias'])
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential: layer {i} is a {type(layer).__name__}, not a Module; "
                    "pass layer instances such as nn.ReLU(), not classes or functions"
                )
            setattr(self, str(i), layer)
        self._length = len(layers)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int | slice) -> Module:
        """The layer at ``index`` (negative counts from the end); a slice gives a Sequential."""
        if isinstance(index, slice):
            return Sequential(*(self[i] for i in range(self._length)[index]))
        return getattr(self, str(range(self._length)[index]))

    def __iter__(self) -> Iterator[Module]:
        return (self[i] for i in range(self._length))

    def forward(self, x: Any) -> Any:
        for layer in self:
            x = layer(x)
        return x


class MLP(Module):
    """A multilayer perceptron: Linear layers of ``sizes`` with an activation in between.

    Each hidden layer is Linear -> BatchNorm1d (if ``batch_norm``) -> activation -> Dropout
    (if ``dropout`` > 0); the last layer is a bare Linear, so the output is logits (feed them
    to ``CrossEntropyLoss``). ``activation`` is a Module class or a function returning a
    fresh Module (``lambda: nn.LeakyReLU(0.1)``). One ``rng`` draws every weight and every
    dropout mask, so a seed reproduces the whole model and its training.

    >>> import numpy as np
    >>> net = MLP([784, 50, 10], rng=np.random.default_rng(0))
    >>> net(np.zeros((2, 784), dtype=np.float32)).shape
    (2, 10)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: Callable[[], Module] = ReLU,
        dropout: float = 0.0,
        batch_norm: bool = False,
        rng: np.random.Generator | None = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(
                f"MLP: sizes needs at least an input and an output size, got {sizes}; "
                "e.g. MLP([784, 100, 10])"
            )
        dropout = check_probability(dropout, "MLP")
        rng = as_generator(rng, "MLP", allow_none=True)
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out, rng=rng, dtype=dtype))
            if i == len(sizes) - 2:
                break
            if batch_norm:
                layers.append(BatchNorm1d(n_out, dtype=dtype))
            layers.append(_make_activation(activation))
            if dropout > 0:
                layers.append(Dropout(dropout, rng=rng))
        self.layers = Sequential(*layers)

    def forward(self, x: Any) -> Any:
        return self.layers(x)


def _make_activation(activation: Callable[[], Module]) -> Module:
    layer = activation()
    if not isinstance(layer, Module):
        raise TypeError(
            f"MLP: activation() returned a {type(layer).__name__}, not a Module; pass a Module "
            "class such as nn.ReLU or a function such as lambda: nn.LeakyReLU(0.1)"
        )
    return layer
