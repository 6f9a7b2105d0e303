"""One shard of `redphase verify --jobs`: `python -m redphase.verify.shard_process PYTEST_ARGS`.

pytest exactly as `python -m pytest` runs it (the folder it starts in first on sys.path), in a
process that is the shard's own and ends with it. As the `redphase` command does, it sets the live
objects aside from the garbage collector before the interpreter tears down: after a large session
that teardown was a tenth of a shard's time, and the shards are what `--jobs` waits for.
"""

from __future__ import annotations

import atexit
import sys

from redphase.teardown import settle_before_teardown


def main() -> None:
    atexit.register(settle_before_teardown)
    import pytest

    code = int(pytest.main())
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
