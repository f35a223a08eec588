"""``python -m xuncha``: the same command line as ``xuncha``."""

from .cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess in tests
    main(prog_name="xuncha")
