"""bootlag: how long each Linux boot runs before a crash kernel is armed.

>>> import bootlag
>>> boots = bootlag.scan(["collected/"])            # doctest: +SKIP
>>> boots.groupby("mode").gap_s.describe()          # doctest: +SKIP
"""

from .boots import COLUMNS
from .records import BootlagError, BootlagWarning
from .scan import scan

__all__ = ["COLUMNS", "BootlagError", "BootlagWarning", "scan"]
__version__ = "0.1.0"
