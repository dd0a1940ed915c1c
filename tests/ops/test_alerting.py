"""Which notices a run sends and which it withholds: silences and inhibition, by hand.

Each case is a desk situation written out as facts (stage, active stages, critical
rules firing and for which entities) and the previous run; the expected split follows
from the rules in docs/deployment.md ("Silences and inhibition"), not from the code.
"""

from __future__ import annotations

from datetime import date

import pytest

from monitor.ops.alerting import Critical, Facts, covering, decide
from monitor.ops.inhibition import inhibited_by, read_setting
from monitor.ops.runhistory import Previous
from monitor.ops.silences import Silence, SilenceError, check_target, parse_target, parse_until

TODAY = date(2026, 12, 1)


def silence(sid: int, rule: str, entity: str | None = None, until: str = "2026-12-15") -> Silence:
    return Silence(sid, rule, entity, until, "seen it", "alice", "2026-12-01T09:00:00+00:00")


def facts(stage: int, active: set[int], **critical: Critical) -> Facts:
    return Facts("2026-11-30", stage, frozenset(active), dict(critical))


def previous(stage: int, *critical: str) -> Previous:
    return Previous(1, stage, frozenset(critical), frozenset(critical))


def test_a_silenced_critical_rule_is_withheld_and_nothing_is_sent():
    now = facts(3, {3}, reserves=Critical(3, ("LU",)))
    d = decide(now, previous(3), frozenset({3}), [], [silence(7, "reserves")], inhibit=True)
    assert d.reasons == [] and d.sent == []
    [held] = d.withheld
    assert held.key == "rule:reserves" and held.silences == [7] and held.inhibited_by is None
    assert held.why == ["silenced by #7 (reserves) until 2026-12-15 by alice: seen it"]


def test_a_silence_does_not_hide_the_stage_change():
    now = facts(3, {3}, reserves=Critical(3, ("LU",)))
    d = decide(now, previous(2), frozenset({2}), [], [silence(1, "reserves")], inhibit=True)
    assert d.reasons == ["stage changed from 2 to 3"]
    assert [n.rule for n in d.withheld] == ["reserves"]


def test_an_entity_silence_covers_only_that_entity():
    lucent = [silence(1, "reserves", "LU")]
    assert [s.id for s in covering("reserves", ("LU",), lucent)] == [1]
    assert covering("reserves", ("LU", "NT"), lucent) == []  # Nortel firing is still news
    assert covering("other", ("LU",), lucent) == []


def test_when_the_silence_ends_the_still_firing_rule_is_sent_once():
    held = decide(
        facts(3, {3}, reserves=Critical(3, ("LU",))),
        previous(3),
        frozenset({3}),
        [],
        [silence(1, "reserves")],
        inhibit=True,
    ).withheld
    stored = [n.as_dict() for n in held]
    now = facts(3, {3}, reserves=Critical(3, ("LU",)))
    # the next run: the rule fired at the previous run too, so it is not "new" ...
    after = decide(now, previous(3, "reserves"), frozenset({3}), stored, [], inhibit=True)
    assert [n.rule for n in after.sent] == ["reserves"] and after.withheld == []
    assert after.reasons == [
        "critical rule reserves has been firing since 2026-11-30; held back by silence #1 until now"
    ]
    # ... and once it was sent, the run after that says nothing
    again = decide(now, previous(3, "reserves"), frozenset({3}), [], [], inhibit=True)
    assert again.reasons == []


def test_a_withheld_rule_that_stopped_firing_is_dropped():
    stored = [{"key": "rule:r", "kind": "rule", "stage": 3, "since": "2026-11-01", "rule": "r"}]
    d = decide(facts(3, {3}), previous(3, "r"), frozenset({3}), stored, [], inhibit=True)
    assert d.sent == [] and d.withheld == [] and d.reasons == []


def test_stage_3_active_holds_back_a_stage_1_rule_and_stage_1_activation():
    now = facts(3, {1, 3}, **{"rate-hikes": Critical(1, ("US",))})
    d = decide(now, previous(3), frozenset({3}), [], [], inhibit=True)
    assert d.reasons == []
    assert sorted(n.key for n in d.withheld) == ["rule:rate-hikes", "stage:1"]
    assert all(n.inhibited_by == 3 for n in d.withheld)


def test_without_inhibition_the_lower_stage_news_is_sent():
    now = facts(3, {1, 3}, **{"rate-hikes": Critical(1, ("US",))})
    d = decide(now, previous(3), frozenset({3}), [], [], inhibit=False)
    assert d.reasons == [
        "critical rule(s) started firing: rate-hikes",
        "stage 1 became active",
    ]


def test_a_same_stage_rule_is_not_inhibited():
    now = facts(3, {3}, fraud=Critical(3, ("WCOM",)))
    d = decide(now, previous(3), frozenset({3}), [], [], inhibit=True)
    assert d.reasons == ["critical rule(s) started firing: fraud"]


def test_when_stage_3_drops_to_2_held_stage_1_news_stays_held():
    stored = [{"key": "rule:rate-hikes", "kind": "rule", "stage": 1, "since": "2026-10-30"}]
    stored[0]["rule"] = "rate-hikes"
    now = facts(2, {1, 2}, **{"rate-hikes": Critical(1, ("US",))})
    d = decide(now, previous(3, "rate-hikes"), frozenset({1, 3}), stored, [], inhibit=True)
    assert d.reasons == ["stage changed from 3 to 2"]
    [held] = d.withheld
    assert held.inhibited_by == 2 and held.since == "2026-10-30" and held.carried


def test_when_the_higher_stage_drops_the_held_news_goes_out_with_the_stage_change():
    stored = [
        {"key": "rule:rate-hikes", "kind": "rule", "stage": 1, "since": "2026-10-30"},
        {"key": "stage:1", "kind": "stage", "stage": 1, "since": "2026-10-30"},
    ]
    stored[0]["inhibited_by"] = 3
    stored[0]["rule"] = "rate-hikes"
    now = facts(1, {1}, **{"rate-hikes": Critical(1, ("US",))})
    d = decide(now, previous(3, "rate-hikes"), frozenset({1, 3}), stored, [], inhibit=True)
    # stage 1 is the new overall stage: "stage changed from 3 to 1" already says it
    assert d.reasons == [
        "stage changed from 3 to 1",
        "critical rule rate-hikes has been firing since 2026-10-30; "
        "held back by stage 3 being active until now",
    ]
    assert d.withheld == []


def test_a_first_run_compares_with_stage_0_and_holds_back_lower_stages():
    now = facts(3, {1, 3}, reserves=Critical(3, ("LU",)), hikes=Critical(1, ("US",)))
    d = decide(now, None, None, [], [], inhibit=True)
    assert d.reasons == ["stage changed from 0 to 3", "critical rule(s) started firing: reserves"]
    assert sorted(n.key for n in d.withheld) == ["rule:hikes", "stage:1"]


def test_unknown_earlier_stages_claim_no_activation():
    # the previous run was recorded before silences existed: its active stages are unknown
    d = decide(facts(3, {1, 3}), previous(3), None, [], [], inhibit=False)
    assert d.reasons == [] and d.withheld == []


def test_inhibition_setting_and_its_errors():
    errors: list[str] = []
    assert read_setting({}, errors.append) is True
    assert read_setting({"inhibit": False}, errors.append) is False
    assert read_setting({"inhibit": "no"}, errors.append) is True
    assert errors == ["expected true or false (got 'no')"]
    assert inhibited_by(1, 3, True) == 3 and inhibited_by(3, 3, True) is None
    assert inhibited_by(0, 1, False) is None


def test_silence_targets_dates_and_activity():
    assert parse_target("bad-debt-reserve-surge:LU") == ("bad-debt-reserve-surge", "LU")
    assert parse_target("fed-easing") == ("fed-easing", None)
    with pytest.raises(SilenceError, match="entity after ':' is empty"):
        parse_target("fed-easing:")
    assert parse_until("2026-12-02", TODAY) == "2026-12-02"
    with pytest.raises(SilenceError, match="not after today"):
        parse_until("2026-12-01", TODAY)
    with pytest.raises(SilenceError, match="expected a date"):
        parse_until("next week", TODAY)
    s = silence(1, "r", until="2026-12-02")
    assert s.active(TODAY) and not s.active(date(2026, 12, 2))  # ends at the start of that day
    assert s.status(date(2026, 12, 2)) == "ended"


def test_silence_targets_must_exist():
    check_target("fed-easing", "US", {"fed-easing"}, {"US"})
    with pytest.raises(SilenceError, match="unknown rule 'fed-easin' .*did you mean fed-easing"):
        check_target("fed-easin", None, {"fed-easing"}, {"US"})
    with pytest.raises(SilenceError, match="unknown entity 'UK'"):
        check_target("fed-easing", "UK", {"fed-easing"}, {"US"})
