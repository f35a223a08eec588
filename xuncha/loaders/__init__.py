"""Ledger loaders: readers for CSV/XLSX/JSON Lines, records and validation."""

from __future__ import annotations


def load_dataset(directory, lenient: bool = False, progress=None):
    """See :func:`xuncha.loaders.dataset.load_dataset`."""
    from .dataset import load_dataset as _load

    return _load(directory, lenient=lenient, progress=progress)
