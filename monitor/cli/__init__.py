"""The command line: the click group and one module per command (group).

Heavy imports (pandas, pandera, matplotlib) happen inside the commands, never at
module level, so ``monitor --help`` answers instantly; this is the only room where
function-level imports are the rule.
"""

from monitor.cli.main import main

__all__ = ["main"]
