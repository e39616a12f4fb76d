"""Datasets, kept apart from the engine: MNIST (shipped with the package) and ``DataLoader``.

As ``torch.utils.data`` sits beside PyTorch's autograd, nothing in the engine imports this
subpackage: ``import autograd_lite`` stays free of gzip, hashlib and urllib, which only the
MNIST reader needs. ``autograd_lite.load_mnist``, ``MNISTError`` and ``DataLoader`` import it
on first use.

- ``mnist.py``: ``load_mnist`` (the book's signature) and the lookup of the four IDX files.
- ``dataloader.py``: ``DataLoader``, mini-batches reshuffled every epoch.
- ``mnist/``: the MNIST files themselves, with their source, licence and checksums.
"""

from .dataloader import DataLoader
from .mnist import MNISTError, load_mnist

__all__ = ["DataLoader", "MNISTError", "load_mnist"]
