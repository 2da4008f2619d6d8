"""The services of interviews, the rectification ledger and good practices: each transition and its refusals,
the metrics prefill, and the practices a notice cites."""

from datetime import date

import pytest

from appeals.tests.factories import register
from core.errors import DomainError, Forbidden, InvalidInput, NotFound, StaleVersion
from core.period import period_between
from geo.models import Region
from insights.services import counters_refresh
from insights.tests.factories import accept, assign, give_back, march, registered
from oversight.models import (
    GoodPractice,
    Interview,
    InterviewFollowUp,
    InterviewStatus,
    Rectification,
    RectificationStatus,
    RectificationUpdate,
)
from oversight.selectors import falls_short, interview_prefill, practices_for
from oversight.services import (
    Reason,
    interview_close,
    interview_edit,
    interview_follow_up,
    interview_hold,
    practice_edit,
    practice_publish,
    rectification_edit,
    rectification_progress,
    rectification_verify,
)
from oversight.tests.factories import (
    HELD_ON,
    fuquan_appeal,
    interview_data,
    make_interview,
    make_notice,
    make_practice,
    make_rectification,
    practice_data,
    rectification_data,
)

TODAY = date(2025, 3, 20)


# --- interviews -------------------------------------------------------------------------------------------


def test_a_supervisor_records_an_interview_with_its_reasons_commitments_notice_and_appeals(personas) -> None:
    p = personas
    appeal = register(p.dispatcher)
    notice = make_notice(p.prefecture_supervisor, region_code="522701000000", published=True)
    interview = make_interview(p.supervisor, p.duyun_hr, appeal_ids=(appeal.pk,), notice_id=notice.pk)
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.SCHEDULED and interview.version == 1
    assert interview.reasons == [
        {"metric": "on_time_resolution_rate", "value": 0.42, "from": "2025-02-01", "to": "2025-03-01"}
    ]
    assert interview.commitments == ["一个月内清理超期件", "每周专题调度"]
    assert list(interview.appeals.all()) == [appeal] and interview.notice == notice
    assert interview.created_by == p.supervisor


def test_only_supervisors_and_administrators_record_interviews(personas) -> None:
    p = personas
    for user in (p.handler, p.unit_head, p.dispatcher, p.visitor, p.other_leader):
        with pytest.raises(Forbidden):
            make_interview(user, p.duyun_hr)
    make_interview(p.admin, p.fuquan_hr)
    make_interview(p.prefecture_supervisor, p.fuquan_hr)
    assert Interview.objects.count() == 2


def test_a_unit_outside_the_supervisors_regions_is_answered_as_missing(personas) -> None:
    with pytest.raises(NotFound):
        make_interview(personas.supervisor, personas.fuquan_hr)
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"commitments": ("  ", "")}, "commitments"),
        ({"follow_up_due": HELD_ON}, "follow_up_due"),
        (
            {
                "reasons": (
                    Reason(metric="happiness", value=0.5, starts=date(2025, 2, 1), ends=date(2025, 3, 1)),
                )
            },
            "reasons",
        ),
        (
            {
                "reasons": (
                    Reason(metric="solved_rate", value=1.5, starts=date(2025, 2, 1), ends=date(2025, 3, 1)),
                )
            },
            "reasons",
        ),
        ({"place": "<script>x</script>"}, "place"),
        ({"interviewee": ""}, "interviewee"),
    ],
)
def test_bad_interview_input_is_refused_field_by_field_and_nothing_is_written(
    personas, overrides, field
) -> None:
    with pytest.raises(InvalidInput) as error:
        make_interview(personas.supervisor, personas.duyun_hr, **overrides)
    assert field in error.value.details
    assert not Interview.objects.exists()


def test_an_appeal_the_recorder_cannot_see_is_answered_as_missing(personas) -> None:
    p = personas
    hidden = fuquan_appeal(p.admin)
    with pytest.raises(NotFound):
        make_interview(p.supervisor, p.duyun_hr, appeal_ids=(hidden.pk,))
    with pytest.raises(NotFound):
        make_interview(p.supervisor, p.duyun_hr, appeal_ids=(10**9,))
    assert not Interview.objects.exists()


def test_a_draft_notice_or_one_of_another_region_cannot_be_named(personas) -> None:
    p = personas
    draft = make_notice(p.supervisor, region_code="522701000000", published=False)
    elsewhere = make_notice(p.admin, region_code="522702000000", published=True)
    for notice in (draft, elsewhere):
        with pytest.raises(NotFound):
            make_interview(p.supervisor, p.duyun_hr, notice_id=notice.pk)
    assert not Interview.objects.exists()


def test_an_interview_is_held_then_followed_up_then_closed(personas) -> None:
    p = personas
    interview = make_interview(p.supervisor, p.duyun_hr)
    held = interview_hold(
        actor=p.supervisor,
        interview=interview,
        summary="指出超期问题，单位表态整改。",
        expected_version=1,
        today=TODAY,
    )
    assert (held.status, held.version) == (InterviewStatus.HELD, 2)
    follow_up = interview_follow_up(
        actor=p.supervisor,
        interview=interview,
        on=date(2025, 3, 18),
        note="已清理超期件12件",
        expected_version=2,
        today=TODAY,
    )
    assert follow_up.by == p.supervisor and follow_up.interview.status == InterviewStatus.FOLLOWED_UP
    interview_follow_up(
        actor=p.supervisor,
        interview=interview,
        on=TODAY,
        note="周调度已建立",
        expected_version=3,
        today=TODAY,
    )
    closed = interview_close(actor=p.supervisor, interview=interview, expected_version=4)
    assert (closed.status, closed.version) == (InterviewStatus.CLOSED, 5)
    assert InterviewFollowUp.objects.filter(interview=interview).count() == 2


def test_interview_transitions_out_of_order_are_refused(personas) -> None:
    p = personas
    interview = make_interview(p.supervisor, p.duyun_hr)
    with pytest.raises(DomainError) as error:
        interview_follow_up(
            actor=p.supervisor, interview=interview, on=TODAY, note="回访", expected_version=1, today=TODAY
        )
    assert error.value.code == "not_held"
    with pytest.raises(DomainError) as error:
        interview_close(actor=p.supervisor, interview=interview, expected_version=1)
    assert error.value.code == "not_followed_up"
    with pytest.raises(DomainError) as error:
        interview_hold(
            actor=p.supervisor,
            interview=interview,
            summary="提前",
            expected_version=1,
            today=date(2025, 3, 9),
        )
    assert error.value.code == "not_yet"
    interview_hold(actor=p.supervisor, interview=interview, summary="已约谈", expected_version=1, today=TODAY)
    with pytest.raises(DomainError) as error:
        interview_hold(
            actor=p.supervisor, interview=interview, summary="再次", expected_version=2, today=TODAY
        )
    assert error.value.code == "not_scheduled"
    interview.refresh_from_db()
    assert (interview.status, interview.version) == (InterviewStatus.HELD, 2)


def test_a_stale_version_is_refused_and_nothing_changes(personas) -> None:
    p = personas
    interview = make_interview(p.supervisor, p.duyun_hr)
    interview_hold(actor=p.supervisor, interview=interview, summary="已约谈", expected_version=1, today=TODAY)
    with pytest.raises(StaleVersion) as error:
        interview_follow_up(
            actor=p.supervisor, interview=interview, on=TODAY, note="回访", expected_version=1, today=TODAY
        )
    assert error.value.status == 409 and error.value.details == {"expected_version": 1, "current_version": 2}
    assert not InterviewFollowUp.objects.exists()


def test_a_follow_up_date_before_the_interview_or_in_the_future_is_refused(personas) -> None:
    p = personas
    interview = make_interview(p.supervisor, p.duyun_hr)
    interview_hold(actor=p.supervisor, interview=interview, summary="已约谈", expected_version=1, today=TODAY)
    for on in (date(2025, 3, 9), date(2025, 3, 21)):
        with pytest.raises(InvalidInput) as error:
            interview_follow_up(
                actor=p.supervisor, interview=interview, on=on, note="回访", expected_version=2, today=TODAY
            )
        assert "on" in error.value.details
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.HELD and not InterviewFollowUp.objects.exists()


def test_unit_staff_cannot_hold_follow_up_or_close_an_interview_of_their_unit(personas) -> None:
    p = personas
    interview = make_interview(p.supervisor, p.duyun_hr)
    with pytest.raises(Forbidden):
        interview_hold(
            actor=p.unit_head, interview=interview, summary="自行登记", expected_version=1, today=TODAY
        )
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.SCHEDULED


def test_a_closed_interview_cannot_be_edited_but_an_open_one_can(personas) -> None:
    p = personas
    interview = make_interview(p.supervisor, p.duyun_hr)
    edited = interview_edit(
        actor=p.supervisor,
        interview=interview,
        expected_version=1,
        data=interview_data(place="都匀市人社局会议室", reasons=()),
    )
    assert edited.place == "都匀市人社局会议室" and edited.version == 2
    assert Interview.objects.get(pk=interview.pk).reasons[0]["metric"] == "on_time_resolution_rate"
    interview_hold(actor=p.supervisor, interview=interview, summary="已约谈", expected_version=2, today=TODAY)
    interview_follow_up(
        actor=p.supervisor, interview=interview, on=TODAY, note="回访", expected_version=3, today=TODAY
    )
    interview_close(actor=p.supervisor, interview=interview, expected_version=4)
    with pytest.raises(DomainError) as error:
        interview_edit(actor=p.supervisor, interview=interview, expected_version=5, data=interview_data())
    assert error.value.code == "closed"


# --- the metrics prefill ------------------------------------------------------------------------------------


def test_the_prefill_offers_the_rates_that_fall_short_and_nothing_else(personas) -> None:
    p = personas
    on_time = registered(p.dispatcher, march(3, 9))
    assign(p.dispatcher, on_time, march(3), unit=p.duyun_hr)
    accept(p.handler, on_time, march(3, 11))
    returned = registered(p.dispatcher, march(4, 9))
    assign(p.dispatcher, returned, march(4), unit=p.duyun_hr)
    give_back(p.handler, returned, march(4, 10, 30))
    counters_refresh()
    period = period_between(starts=date(2025, 3, 1), ends=date(2025, 4, 1))

    prefill = interview_prefill(user=p.supervisor, unit=p.duyun_hr, period=period)

    assert prefill.rates["on_time_acceptance_rate"] == pytest.approx(0.5)
    assert prefill.rates["return_rate"] == pytest.approx(0.5)
    assert prefill.rates["solved_rate"] is None and prefill.rates["reopen_rate"] is None
    # Coverage of the villages in the unit's area: none visited.
    assert prefill.rates["visit_coverage"] == 0
    short = {r.metric: r for r in prefill.reasons}
    assert set(short) == {"on_time_acceptance_rate", "return_rate", "visit_coverage"}
    assert (short["return_rate"].starts, short["return_rate"].ends) == (date(2025, 3, 1), date(2025, 4, 1))
    # The police accepted nothing and returned nothing: only coverage falls short there.
    police = interview_prefill(user=p.supervisor, unit=p.duyun_police, period=period)
    assert [r.metric for r in police.reasons] == ["visit_coverage"]


def test_the_thresholds_are_strict_and_a_rate_without_denominator_never_falls_short() -> None:
    assert falls_short("on_time_resolution_rate", 0.79) and not falls_short("on_time_resolution_rate", 0.8)
    assert falls_short("return_rate", 0.11) and not falls_short("return_rate", 0.1)
    assert falls_short("reopen_rate", 0.5) and not falls_short("reopen_rate", 0.0)
    assert not falls_short("satisfaction_rate", None) and not falls_short("reopen_rate", None)


# --- rectifications -----------------------------------------------------------------------------------------


def test_a_rectification_goes_from_open_through_progress_and_done_to_verified(personas) -> None:
    p = personas
    appeal = register(p.dispatcher)
    interview = make_interview(p.supervisor, p.duyun_hr)
    item = make_rectification(p.supervisor, p.duyun_hr, interview_id=interview.pk, appeal_ids=(appeal.pk,))
    assert (item.status, item.interview, list(item.appeals.all())) == (
        RectificationStatus.OPEN,
        interview,
        [appeal],
    )

    first = rectification_progress(actor=p.handler, item=item, note="已制定方案", expected_version=1)
    assert first.status == RectificationStatus.IN_PROGRESS and first.by == p.handler
    second = rectification_progress(
        actor=p.unit_head, item=item, note="整改完毕", done=True, expected_version=2
    )
    assert second.status == RectificationStatus.DONE
    verified = rectification_verify(
        actor=p.supervisor, item=item, passed=True, note="抽查属实", expected_version=3
    )
    assert (verified.status, verified.verified_by, verified.verification_note) == (
        RectificationStatus.VERIFIED,
        p.supervisor,
        "抽查属实",
    )
    assert verified.verified_at is not None and verified.version == 4
    assert RectificationUpdate.objects.filter(item=item).count() == 3


def test_a_failed_verification_sends_the_item_back_to_in_progress(personas) -> None:
    p = personas
    item = make_rectification(p.supervisor, p.duyun_hr)
    rectification_progress(actor=p.handler, item=item, note="整改完毕", done=True, expected_version=1)
    back = rectification_verify(
        actor=p.supervisor, item=item, passed=False, note="仍有超期件", expected_version=2
    )
    assert (back.status, back.done_at, back.verified_at) == (RectificationStatus.IN_PROGRESS, None, None)
    assert back.updates.values_list("note", flat=True).last() == "验收未通过：仍有超期件"


def test_progress_is_reported_only_by_the_responsible_unit_or_its_supervisors(personas) -> None:
    p = personas
    item = make_rectification(p.supervisor, p.duyun_hr)
    for user in (p.visitor, p.dispatcher, p.other_handler, p.township_handler):
        with pytest.raises(Forbidden):
            rectification_progress(actor=user, item=item, note="越权报送", expected_version=1)
    rectification_progress(
        actor=p.prefecture_supervisor, item=item, note="督查组现场查看", expected_version=1
    )
    assert RectificationUpdate.objects.filter(item=item).count() == 1


def test_rectification_refusals_write_nothing(personas) -> None:
    p = personas
    item = make_rectification(p.supervisor, p.duyun_hr)
    with pytest.raises(StaleVersion):
        rectification_progress(actor=p.handler, item=item, note="进展", expected_version=7)
    with pytest.raises(InvalidInput):
        rectification_progress(actor=p.handler, item=item, note="   ", expected_version=1)
    with pytest.raises(DomainError) as error:
        rectification_verify(actor=p.supervisor, item=item, passed=True, note="验收", expected_version=1)
    assert error.value.code == "not_done"
    rectification_progress(actor=p.handler, item=item, note="整改完毕", done=True, expected_version=1)
    with pytest.raises(Forbidden):
        rectification_verify(actor=p.unit_head, item=item, passed=True, note="自验", expected_version=2)
    with pytest.raises(DomainError) as error:
        rectification_progress(actor=p.handler, item=item, note="补充", expected_version=2)
    assert error.value.code == "not_pending"
    item.refresh_from_db()
    assert (item.status, item.version, item.updates.count()) == (RectificationStatus.DONE, 2, 1)


def test_a_verified_item_cannot_be_edited(personas) -> None:
    p = personas
    item = make_rectification(p.supervisor, p.duyun_hr)
    edited = rectification_edit(
        actor=p.supervisor,
        item=item,
        expected_version=1,
        data=rectification_data(source="inspection", due=date(2025, 7, 31)),
    )
    assert (edited.source, edited.due, edited.version) == ("inspection", date(2025, 7, 31), 2)
    rectification_progress(actor=p.handler, item=item, note="整改完毕", done=True, expected_version=2)
    rectification_verify(actor=p.supervisor, item=item, passed=True, note="验收", expected_version=3)
    with pytest.raises(DomainError) as error:
        rectification_edit(actor=p.supervisor, item=item, expected_version=4, data=rectification_data())
    assert error.value.code == "verified"


def test_bad_rectification_input_is_refused(personas) -> None:
    p = personas
    other = make_interview(p.supervisor, p.duyun_police)
    with pytest.raises(InvalidInput) as error:
        make_rectification(p.supervisor, p.duyun_hr, source="rumour")
    assert "source" in error.value.details
    with pytest.raises(InvalidInput) as error:
        make_rectification(p.supervisor, p.duyun_hr, interview_id=other.pk)
    assert "interview" in error.value.details
    fuquan = make_interview(p.prefecture_supervisor, p.fuquan_hr)
    with pytest.raises(NotFound):
        make_rectification(p.supervisor, p.duyun_hr, interview_id=fuquan.pk)
    with pytest.raises(NotFound):
        make_rectification(p.supervisor, p.duyun_hr, appeal_ids=(fuquan_appeal(p.admin).pk,))
    with pytest.raises(Forbidden):
        make_rectification(p.handler, p.duyun_hr)
    assert not Rectification.objects.exists()


def test_overdue_is_a_pending_item_past_its_due_date(personas) -> None:
    p = personas
    item = make_rectification(p.supervisor, p.duyun_hr, due=date(2025, 3, 15))
    assert item.is_overdue(date(2025, 3, 16)) and not item.is_overdue(date(2025, 3, 15))
    rectification_progress(actor=p.handler, item=item, note="整改完毕", done=True, expected_version=1)
    item.refresh_from_db()
    assert not item.is_overdue(date(2025, 3, 16))


# --- good practices -----------------------------------------------------------------------------------------


def test_a_practice_is_written_as_a_draft_published_and_withdrawn(personas) -> None:
    p = personas
    practice = make_practice(p.supervisor, p.duyun_hr)
    assert not practice.is_published and practice.tags == ["欠薪", "联合调解"]
    published = practice_publish(actor=p.supervisor, practice=practice, published=True, expected_version=1)
    assert published.is_published and published.published_at is not None
    with pytest.raises(DomainError) as error:
        practice_publish(actor=p.supervisor, practice=practice, published=True, expected_version=2)
    assert error.value.code == "unchanged"
    edited = practice_edit(
        actor=p.supervisor,
        practice=practice,
        expected_version=2,
        data=practice_data(title="欠薪纠纷“一站式”化解"),
    )
    assert edited.is_published and edited.title == "欠薪纠纷“一站式”化解"
    withdrawn = practice_publish(actor=p.supervisor, practice=practice, published=False, expected_version=3)
    assert not withdrawn.is_published and withdrawn.published_at is None


def test_bad_practice_input_and_wrong_roles_are_refused(personas) -> None:
    p = personas
    with pytest.raises(InvalidInput) as error:
        make_practice(p.supervisor, p.duyun_hr, period_ends=date(2025, 3, 1))
    assert "period_ends" in error.value.details
    with pytest.raises(InvalidInput) as error:
        make_practice(p.supervisor, p.duyun_hr, category_id=10**6)
    assert "category" in error.value.details
    with pytest.raises(InvalidInput) as error:
        make_practice(p.supervisor, p.duyun_hr, tags=tuple(f"标签{i}" for i in range(11)))
    assert "tags" in error.value.details
    with pytest.raises(Forbidden):
        make_practice(p.unit_head, p.duyun_hr)
    with pytest.raises(NotFound):
        make_practice(p.supervisor, p.fuquan_hr)
    assert not GoodPractice.objects.exists()


def test_practices_for_gives_the_published_practices_overlapping_the_period_in_the_region(personas) -> None:
    p = personas
    march_hr = make_practice(p.supervisor, p.duyun_hr, published=True)
    township = make_practice(
        p.supervisor,
        p.guanghui,
        published=True,
        period_starts=date(2025, 2, 15),
        period_ends=date(2025, 3, 2),
    )
    make_practice(p.supervisor, p.duyun_police)  # a draft
    make_practice(
        p.supervisor,
        p.duyun_police,
        published=True,
        period_starts=date(2025, 4, 1),
        period_ends=date(2025, 5, 1),
    )
    fuquan = make_practice(p.prefecture_supervisor, p.fuquan_hr, published=True)
    starts, ends = date(2025, 3, 1), date(2025, 4, 1)

    everywhere = practices_for(user=p.prefecture_supervisor, starts=starts, ends=ends, region=None)
    assert list(everywhere) == [township, march_hr, fuquan]
    duyun = Region.objects.get(pk="522701000000")
    assert list(practices_for(user=p.prefecture_supervisor, starts=starts, ends=ends, region=duyun)) == [
        township,
        march_hr,
    ]
    guanghui = Region.objects.get(pk="522701001000")
    assert list(practices_for(user=p.admin, starts=starts, ends=ends, region=guanghui)) == [township]
    # What the user may read bounds it: a 都匀 supervisor sees nothing of 福泉.
    assert fuquan not in practices_for(user=p.supervisor, starts=starts, ends=ends, region=None)
    # The period is [starts, ends): a practice starting on `ends` is not in it.
    assert list(practices_for(user=p.admin, starts=date(2025, 3, 2), ends=date(2025, 3, 3), region=None)) == [
        march_hr,
        fuquan,
    ]
