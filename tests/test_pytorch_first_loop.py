"""A PyTorch user's first training loops, written with torch's spellings throughout.

Only the imports differ from the PyTorch tutorials: ``dim=``, ``keepdim=``, ``float(loss)``,
``f"{loss:.4f}"``, ``x.grad.zero_()``, ``argmax(dim=1)``, ``torch.randn(...)`` and
``manual_seed`` as a PyTorch user types them.
"""

from __future__ import annotations

import numpy as np

import autograd_lite as torch
import nn
import optim
from nn import functional as F


def blobs(n: int = 128):
    """Two classes, split by the line x0 + x1 = 0."""
    torch.manual_seed(0)
    x = torch.randn(n, 2)
    y = (x.sum(dim=1) > 0).astype(np.int64)  # PyTorch: .long()
    return x, y


def train(model, optimizer, x, y, epochs: int) -> tuple[list[float], list[str]]:
    """The loop of PyTorch's quickstart, unchanged."""
    losses, log = [], []
    model.train()
    for epoch in range(epochs):
        optimizer.zero_grad()
        pred = model(x)
        loss = F.cross_entropy(pred, y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
        log.append(f"epoch {epoch}: loss {loss:.4f}")
    return losses, log


def test_the_quickstart_loop_learns():
    x, y = blobs()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    losses, log = train(model, optimizer, x, y, epochs=60)
    assert losses[-1] < 0.3 * losses[0]
    assert log[-1] == f"epoch 59: loss {losses[-1]:.4f}"
    model.eval()
    with torch.no_grad():
        pred = model(x)
    assert not pred.requires_grad and pred.softmax(dim=1).sum(dim=1).allclose(1.0)
    predicted = pred.argmax(dim=1)
    assert predicted.dtype == np.int64 and predicted.shape == (128,)


def test_the_tensors_and_autograd_loop_with_grad_zero():
    x, y = blobs()
    w = torch.randn(2, 2, requires_grad=True)
    b = torch.zeros(2, requires_grad=True)
    first = None
    for _ in range(100):
        loss = F.cross_entropy(x @ w + b, y)
        first = float(loss) if first is None else first
        loss.backward()
        with torch.no_grad():
            for p in (w, b):
                p.data -= 0.5 * p.grad.data  # PyTorch: p -= 0.5 * p.grad
                p.grad.zero_()
    assert float(loss) < 0.5 * first
    assert w.grad.abs().sum().item() == 0.0


def test_accuracy_and_parameter_groups_as_pytorch_spells_them():
    """Needs elementwise ``==`` (issue 12) and ``param_groups`` (issue 13's optim part)."""
    x, y = blobs()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    optimizer = optim.SGD([{"params": model.parameters(), "weight_decay": 0}], lr=0.5)
    train(model, optimizer, x, y, epochs=60)
    assert optimizer.param_groups[0]["lr"] == 0.5
    accuracy = (model(x).argmax(dim=1) == y).float().mean()
    assert float(accuracy) > 0.9 and f"{accuracy:.2%}".endswith("%")
