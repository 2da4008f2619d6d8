"""The demo's consultation (征集) that seed_demo adds: open now, answered in groups of like suggestions that the
unit's answers page groups, two adopted and shown on the portal; a second run writes nothing."""

import pytest
from django.test import Client

from demo.consultations import DEMO_TITLE, FIRST, seed_demo_consultation
from demo.units import demo_seed
from portal.models import ConsultationAnswer
from portal.selectors import answers_by_question


@pytest.fixture
def seeded(qiannan):
    demo_seed(password="demo-pass-for-tests-1")
    return seed_demo_consultation()


def test_the_demo_consultation_is_open_with_answers_grouped_and_two_adopted(seeded) -> None:
    consultation = seeded.consultation
    assert consultation is not None and consultation.is_published
    assert seeded.answers == sum(len(group) for group in FIRST) and seeded.adopted == 2
    answers = ConsultationAnswer.objects.filter(consultation=consultation)
    assert answers.count() == seeded.answers
    assert {a.appeal.kind for a in answers.select_related("appeal")} == {"suggestion"}
    first = answers_by_question(consultation)[0]
    biggest = first.similar[0]
    # The four anti-fraud suggestions, or the four on night patrols, told in other words, are one group.
    assert biggest.size >= 3
    public = Client().get(f"/portal/consultations/{consultation.pk}/").content.decode()
    assert DEMO_TITLE in public and "反诈宣传" in public  # an adopted answer's public reply


def test_a_second_run_finds_the_consultation_and_writes_nothing(seeded) -> None:
    before = ConsultationAnswer.objects.count()
    again = seed_demo_consultation()
    assert again.skipped and again.consultation == seeded.consultation
    assert ConsultationAnswer.objects.count() == before


def test_the_answers_are_grouped_on_their_page_not_ranked_as_a_hot_issue(seeded) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from core.period import period_between
    from insights.selectors.hot import hot_issues
    from org.models import User

    today = timezone.localdate()
    leader = User.objects.get(username="duyun.leader")
    issues = hot_issues(
        user=leader, period=period_between(starts=today - timedelta(days=7), ends=today + timedelta(days=1))
    )
    assert not any("征集" in issue.description for issue in issues)
