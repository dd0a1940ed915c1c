"""Early-warning monitor for investment bubbles.

The 2000 telecom bust, encoded as rule files over pluggable indicators, evaluated
point in time and reported as self-contained HTML. Importing this package is cheap
on purpose: ``monitor --help`` must not pull in pandas.
"""

from monitor.core.version import __version__

__all__ = ["__version__"]
