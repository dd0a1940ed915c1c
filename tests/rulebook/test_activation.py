"""Stage activation expressions (``activate: {when: ...}``) over rule ids."""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.core.errors import ExpressionError
from monitor.rulebook.activation import compile_activation


def firing_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "policy-rate-hiking-cycle": [True, True, False, False],
            "pmi-below-50": [True, False, True, False],
            "credit_spreads": [False, False, True, True],
        }
    )


def test_activation_with_hyphenated_ids() -> None:
    table = firing_table()
    ids = set(table.columns)
    evaluate, used = compile_activation("policy-rate-hiking-cycle and pmi-below-50", ids)
    assert used == {"policy-rate-hiking-cycle", "pmi-below-50"}
    assert evaluate(table).tolist() == [True, False, False, False]
    evaluate, _ = compile_activation("policy-rate-hiking-cycle or credit_spreads", ids)
    assert evaluate(table).tolist() == [True, True, True, True]
    evaluate, used = compile_activation(
        "not policy-rate-hiking-cycle and (pmi-below-50 or not credit_spreads)", ids
    )
    assert used == ids
    assert evaluate(table).tolist() == [False, False, True, False]


def test_activation_unknown_id_has_position() -> None:
    with pytest.raises(ExpressionError, match="unknown rule id 'ghost'") as info:
        compile_activation("pmi-below-50 and ghost", {"pmi-below-50"})
    assert (info.value.line, info.value.col) == (1, 18)


@pytest.mark.parametrize(
    ("text", "col"), [("a and", 6), ("a b", 3), ("(a or b", 8), ("a > 1", 3), ("A", 1)]
)
def test_activation_syntax_errors(text: str, col: int) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_activation(text, {"a", "b"})
    assert (info.value.line, info.value.col) == (1, col)


def test_activation_id_starting_with_keyword() -> None:
    ids = {"not-ready", "b"}
    evaluate, used = compile_activation("b and not-ready", ids)
    assert used == ids
