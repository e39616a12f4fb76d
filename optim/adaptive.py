"""Optimizers with a per-element step size: ``AdaGrad``, ``RMSProp``, ``Adam``, ``AdamW``.

Each divides the step by the square root of an accumulated squared gradient, so an element
whose gradient has been large moves less. The formulas are PyTorch's (and its state names);
where *Deep Learning from Scratch* (chapter 6, ``common/optimizer.py``) differs, the class
docstring says how. Each update works in place on the state arrays and the parameter, with
the optimizer's scratch arrays (``Optimizer._scratch``, kept between steps) for the
intermediate values: a step allocates nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .optimizer import Optimizer, with_weight_decay
from .validation import decay_rate, decay_rate_pair, flag, nonnegative, positive


def _moving_average(avg: np.ndarray, x: np.ndarray, decay: float, scratch: np.ndarray) -> None:
    """avg <- decay avg + (1 - decay) x, in place (``scratch`` is overwritten; may be ``x``)."""
    np.multiply(x, 1 - decay, out=scratch)
    avg *= decay
    avg += scratch


def _descend(p: np.ndarray, x: np.ndarray, denom: np.ndarray, scale: float) -> None:
    """p <- p - scale x / denom, in place (``denom`` is overwritten)."""
    np.divide(x, denom, out=denom)
    denom *= scale
    p -= denom


class AdaGrad(Optimizer):
    """AdaGrad as in the book: h <- h + g*g;  W <- W - lr g / (sqrt(h) + eps).

    PyTorch's Adagrad is the same with lr_decay=0 and initial_accumulator_value=0; its eps
    defaults to 1e-10, the book's to 1e-7 (used here). State: ``sum`` (h).
    """

    _hyper_checks = {"eps": positive}

    def __init__(self, params: Iterable[Any], lr: float, eps: float = 1e-7) -> None:
        super().__init__(params, lr, eps=eps)

    def _state_names(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("sum",)

    def _update(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: Mapping[str, Any]
    ) -> None:
        h = state["sum"]
        scratch = np.multiply(g, g, out=self._scratch(p))
        h += scratch
        np.sqrt(h, out=scratch)
        scratch += group["eps"]
        _descend(p, g, scratch, group["lr"])


class RMSProp(Optimizer):
    """RMSProp, PyTorch's ``RMSprop`` formula.

    g <- g + weight_decay p;  v <- alpha v + (1 - alpha) g^2;
    centered: a <- alpha a + (1 - alpha) g and the denominator is sqrt(v - a^2) + eps,
    otherwise sqrt(v) + eps;  momentum m > 0: b <- m b + g / denom, p <- p - lr b;
    else p <- p - lr g / denom.  State: ``square_avg`` (v), ``grad_avg`` (a, centered only),
    ``momentum_buffer`` (b, momentum > 0 only).

    The book's RMSprop is the plain case (no decay, momentum or centering) with
    ``decay_rate`` = alpha = 0.99 and eps 1e-7 instead of PyTorch's 1e-8 (used here).
    """

    _hyper_checks = {
        "alpha": decay_rate,
        "eps": positive,
        "weight_decay": nonnegative,
        "momentum": nonnegative,
        "centered": flag,
    }

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
        )

    def _state_names(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        names = ("square_avg",)
        if group["momentum"]:
            names += ("momentum_buffer",)
        if group["centered"]:
            names += ("grad_avg",)
        return names

    def _update(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: Mapping[str, Any]
    ) -> None:
        alpha = group["alpha"]
        if group["weight_decay"]:
            g = with_weight_decay(g, p, group["weight_decay"], self._scratch(p, 1))
        scratch = np.multiply(g, g, out=self._scratch(p))
        _moving_average(state["square_avg"], scratch, alpha, scratch)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            _moving_average(grad_avg, g, alpha, scratch)
            np.multiply(grad_avg, grad_avg, out=scratch)
            np.subtract(state["square_avg"], scratch, out=scratch)  # v - a^2
            np.sqrt(scratch, out=scratch)
        else:
            np.sqrt(state["square_avg"], out=scratch)
        scratch += group["eps"]
        if not group["momentum"]:
            _descend(p, g, scratch, group["lr"])
            return
        b = state["momentum_buffer"]
        np.divide(g, scratch, out=scratch)
        b *= group["momentum"]
        b += scratch  # b <- m b + g / denom
        np.multiply(b, group["lr"], out=scratch)
        p -= scratch


class Adam(Optimizer):
    """Adam, PyTorch's formula (with bias correction; weight decay as an L2 penalty).

    t <- t + 1;  g <- g + weight_decay p;  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
    with ``amsgrad``, v_max <- max(v_max, v) and v_max replaces v below (Reddi et al., 2018);
    p <- p - lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps).
    State: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v), ``max_exp_avg_sq`` (v_max,
    amsgrad only).

    The book's Adam folds the corrections into one rate and adds eps (1e-7) outside them:
    p <- p - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps), a slightly different step.

    >>> from autograd_lite import Tensor
    >>> w = Tensor([3.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = Tensor([-20.0])
    >>> opt.step()  # the first step moves every element by about lr, whatever |g|
    >>> round(w.item(), 6)
    3.1
    """

    _hyper_checks = {
        "betas": decay_rate_pair,
        "eps": positive,
        "weight_decay": nonnegative,
        "amsgrad": flag,
    }

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad
        )

    def _state_names(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        names = ("step", "exp_avg", "exp_avg_sq")
        return names + ("max_exp_avg_sq",) if group["amsgrad"] else names

    def _decay(self, p: np.ndarray, g: np.ndarray, group: Mapping[str, Any]) -> np.ndarray:
        """Adam's weight decay: the L2 penalty's gradient joins g."""
        decay = group["weight_decay"]
        return with_weight_decay(g, p, decay, self._scratch(p, 1)) if decay else g

    def _update(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: Mapping[str, Any]
    ) -> None:
        beta1, beta2 = group["betas"]
        g = self._decay(p, g, group)
        state["step"] = t = state["step"] + 1
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        scratch = self._scratch(p)  # out= below keeps it an array, also when p is 0-d
        _moving_average(exp_avg, g, beta1, scratch)
        np.multiply(g, g, out=scratch)
        _moving_average(exp_avg_sq, scratch, beta2, scratch)
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            exp_avg_sq = state["max_exp_avg_sq"]
        np.sqrt(exp_avg_sq, out=scratch)
        scratch /= math.sqrt(1 - beta2**t)
        scratch += group["eps"]  # sqrt(v / (1 - b2^t)) + eps
        _descend(p, exp_avg, scratch, group["lr"] / (1 - beta1**t))


class AdamW(Adam):
    """Adam with decoupled weight decay (PyTorch's ``AdamW``).

    p <- p (1 - lr weight_decay) first, then Adam's step (``amsgrad`` included) with
    weight_decay = 0.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    def _decay(self, p: np.ndarray, g: np.ndarray, group: Mapping[str, Any]) -> np.ndarray:
        """AdamW's weight decay: shrink p itself; g is left alone."""
        if group["weight_decay"]:
            p *= 1 - group["lr"] * group["weight_decay"]
        return g
