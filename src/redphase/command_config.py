"""The `Config` a command reads: the project `--project` names (else the nearest root upwards),
with the command's flags over its `[tool.redphase]` table.

Its own module, above both config and project: config.py cannot find the root without importing
the project stage, which imports config.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redphase.config import Config


def project_config(project: str | None, **flags: Any) -> Config:
    from pathlib import Path

    from redphase.config import load_config
    from redphase.project.root import find_root

    root = Path(project) if project else Path(find_root(os.getcwd()))
    return load_config(root).with_flags(**flags)
