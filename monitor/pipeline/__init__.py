"""The pipeline room: inputs loaded once, assessments at one or many dates, publishing.

The public entry points: :func:`run` (assess and publish one report),
:func:`assess_case` / :func:`assess_dates` (assess without publishing) and
:func:`load_inputs` / :func:`load_ruleset`.
"""

from monitor.pipeline.assess import RunResult, assess_case, assess_dates, assess_inputs
from monitor.pipeline.inputs import Inputs, load_inputs, load_ruleset
from monitor.pipeline.publish import add_report_context, run

__all__ = [
    "Inputs",
    "RunResult",
    "add_report_context",
    "assess_case",
    "assess_dates",
    "assess_inputs",
    "load_inputs",
    "load_ruleset",
    "run",
]
