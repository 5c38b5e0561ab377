"""Type aliases shared across umbrella."""

from __future__ import annotations

import os
from typing import TypeAlias

PathLike: TypeAlias = str | os.PathLike[str]

__all__ = ["PathLike"]
