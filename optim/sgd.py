"""Gradient descent with and without momentum: ``SGD`` (PyTorch's), ``Momentum`` and
``Nesterov`` (the two of *Deep Learning from Scratch*, chapter 6 and ``common/optimizer.py``).

How the three relate, for the same gradients g_1, g_2, ... and a constant lr:

- ``Momentum`` keeps a velocity v = a v - lr g and moves W += v. PyTorch's SGD keeps
  b = m b + g and moves p -= lr b. By induction v_t = -lr b_t (both start at v_1 = -lr g_1,
  b_1 = g_1), so the two trace the same path. When lr changes between steps they part:
  v remembers the old rates inside it, while SGD scales the whole buffer by the current one.
- ``Nesterov`` is the book's code, which moves with the velocity it has just updated:
  v_new = a v_old - lr g, then W += a^2 v_new - (1 + a) lr g. The formula it cites (Bengio
  et al. 2012, arXiv:1212.0901, eq. 7) uses the previous velocity, W += a^2 v_old - (1 + a)
  lr g = a v_new - lr g, and that is PyTorch's SGD(nesterov=True) (p -= lr (g + m b) with
  v = -lr b). So the two are not the same optimizer: with the same gradients, the book's step
  is a * (PyTorch's Nesterov step) - lr g, the current gradient counted once more (its first
  step is -(1 + a + a^2) lr g against -(1 + a) lr g). Chainer's NesterovAG has the book's
  order (chainer issue #4274). Use SGD(momentum=..., nesterov=True) for the textbook method.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .optimizer import Optimizer, with_weight_decay
from .validation import flag, nonnegative, unit_interval


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's formula.

    g <- g + weight_decay p;  b <- g on the first step, else b <- m b + (1 - dampening) g;
    d <- g + m b with nesterov, else d <- b (or d <- g when m = 0);  p <- p - lr d.
    State: ``momentum_buffer`` (only when momentum > 0).

    >>> from autograd_lite import Tensor
    >>> w = Tensor([1.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = Tensor([1.0])
    ...     opt.step()
    >>> round(w.item(), 6)  # 1 - 0.1 * 1 - 0.1 * (0.9 + 1)
    0.71
    """

    _hyper_checks = {
        "momentum": nonnegative,
        "dampening": unit_interval,
        "nesterov": flag,
        "weight_decay": nonnegative,
    }

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(
            params,
            lr,
            momentum=momentum,
            dampening=dampening,
            nesterov=nesterov,
            weight_decay=weight_decay,
        )

    def _check_combination(self, hyper: Mapping[str, Any]) -> None:
        if hyper["nesterov"] and (hyper["momentum"] <= 0 or hyper["dampening"] != 0):
            raise ValueError(
                f"SGD: nesterov=True needs momentum > 0 and dampening == 0, got momentum="
                f"{hyper['momentum']} and dampening={hyper['dampening']}"
            )

    def _state_names(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("momentum_buffer",) if group["momentum"] else ()

    def _new_state(self, p: np.ndarray, group: Mapping[str, Any]) -> dict[str, Any]:
        return {}  # the buffer starts as a copy of the first gradient, made in _update

    def _update(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: Mapping[str, Any]
    ) -> None:
        m, dampening = group["momentum"], group["dampening"]
        if group["weight_decay"]:
            g = with_weight_decay(g, p, group["weight_decay"], self._scratch(p, 1))
        if m:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = np.array(g, dtype=p.dtype)  # b_1 = g_1
            else:
                b *= m
                b += np.multiply(g, 1 - dampening, out=self._scratch(p)) if dampening else g
            if group["nesterov"]:
                d = np.multiply(b, m, out=self._scratch(p))
                d += g
                d *= group["lr"]
                p -= d
                return
            g = b
        p -= np.multiply(g, group["lr"], out=self._scratch(p))


class Momentum(Optimizer):
    """The book's momentum: v <- a v - lr g;  W <- W + v. State: ``velocity`` (v).

    At a constant lr this is SGD(lr, momentum=a) with v = -lr * momentum_buffer.
    """

    _hyper_checks = {"momentum": nonnegative}

    def __init__(self, params: Iterable[Any], lr: float, momentum: float = 0.9) -> None:
        super().__init__(params, lr, momentum=momentum)

    def _state_names(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("velocity",)

    def _update(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: Mapping[str, Any]
    ) -> None:
        v = state["velocity"]
        v *= group["momentum"]
        v -= np.multiply(g, group["lr"], out=self._scratch(p))
        p += v


class Nesterov(Momentum):
    """The book's Nesterov: v <- a v - lr g;  W <- W + a^2 v - (1 + a) lr g (new v).

    Same hyper-parameters and state (``velocity``) as ``Momentum``; it differs from
    SGD(nesterov=True), see the module docstring.
    """

    def _update(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: Mapping[str, Any]
    ) -> None:
        a, v = group["momentum"], state["velocity"]
        scratch = np.multiply(g, group["lr"], out=self._scratch(p))
        v *= a
        v -= scratch  # v <- a v - lr g
        scratch *= 1 + a
        p -= scratch  # W <- W - (1 + a) lr g
        np.multiply(v, a * a, out=scratch)
        p += scratch  # W <- W + a^2 v
