"""optim: optimizers and learning-rate schedulers for autograd_lite.

Read ``optimizer.py`` first (the base class: parameter groups, lazily created state,
``step(closure)``, ``state_dict``), ``groups.py`` (the group dicts and their checks), then
``sgd.py`` (SGD, Momentum, Nesterov), ``adaptive.py`` (AdaGrad, RMSProp, Adam and AdamW,
both with ``amsgrad``), ``lr_scheduler.py`` and ``validation.py``. Optimizers take any
iterable of tensors that require grad (``nn.Parameter`` is one), or PyTorch's list of group
dicts, ``[{"params": ..., "weight_decay": 0}, ...]``, and use only autograd_lite's public
API; updates write ``p.data`` in place and build no graph.

>>> from autograd_lite import Tensor
>>> from optim import Adam
>>> x = Tensor(-7.0, requires_grad=True)
>>> y = Tensor(2.0, requires_grad=True)
>>> opt = Adam([x, y], lr=0.3)
>>> for _ in range(116):
...     opt.zero_grad()
...     (x * x / 20 + y * y).backward()
...     opt.step()
>>> bool(x.item() ** 2 + y.item() ** 2 < 1e-4)
True

The comparison of chapter 6 of *Deep Learning from Scratch*: minimize
f(x, y) = x^2 / 20 + y^2 from (-7, 2), gradients from ``backward()``, float64. "Steps" is
the first step after which the distance to the origin is below 1e-2 (SGD, Momentum, AdaGrad
and Adam use the book's learning rates; tests/test_optim_comparison.py checks every row).

    optimizer                                   steps
    SGD(lr=0.95)                                66
    SGD(lr=0.1, momentum=0.9)                   122   (the same path as Momentum)
    SGD(lr=0.1, momentum=0.9, nesterov=True)    61
    Momentum(lr=0.1, momentum=0.9)              122
    Nesterov(lr=0.1, momentum=0.9)              62
    AdaGrad(lr=1.5)                             50
    RMSProp(lr=0.1)                             83
    Adam(lr=0.3)                                116
    AdamW(lr=0.3)                               90    (weight_decay=1e-2 also pulls to 0)
"""

from .adaptive import AdaGrad, Adam, AdamW, RMSProp
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, LRScheduler, StepLR
from .optimizer import Optimizer
from .sgd import SGD, Momentum, Nesterov

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RMSProp",
    "StepLR",
]
