"""Make a file or folder unwritable for the bot under test, whoever runs the tests.

`chmod` does not stop root, and these tests also run as root in containers: there the immutable attribute
(`chattr +i`) does the job (it stops root too). Always undone on exit, so pytest can clean up.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def unwritable(*paths: Path) -> Iterator[None]:
    """Make each path refuse writes (a folder: no new files in it) for the duration."""
    root = os.geteuid() == 0
    modes = {p: p.stat().st_mode for p in paths}
    try:
        for p in paths:
            if root:
                subprocess.run(["chattr", "+i", str(p)], check=True)
            else:
                p.chmod(stat.S_IMODE(modes[p]) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        yield
    finally:
        for p in paths:
            if root:
                subprocess.run(["chattr", "-i", str(p)], check=False)
            else:
                p.chmod(stat.S_IMODE(modes[p]))
