from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from text.chinese import reset_terms
from text.replies import ReplyScore, TermWeights, reply_problems, score_reply
from text.tests.reply_pairs import KINDS, compare, load_messages, truncate

TITLE = "都匀市某建筑公司拖欠农民工工资"
DESCRIPTION = (
    "我们12名工人在都匀市沙包堡街道的工地干了八个月，包工头拖欠工资共计8.6万元，多次讨要无果，请人社局帮忙。"
)
GOOD = (
    "您好！您反映的都匀市某建筑公司拖欠农民工工资问题已收悉。经都匀市人社局劳动监察大队调查核实，该公司确实"
    "拖欠12名工人工资8.6万元。依据《保障农民工工资支付条例》，我局已于3月8日责令该公司限期支付，目前拖欠工资"
    "已全部支付到位。如有疑问，请致电0854-8221234。感谢您对我们工作的支持。"
)
OFF_TOPIC = (
    "您好！您反映的小区路灯不亮问题，经现场查看，已安排供电所更换灯具，目前路灯已恢复照明。依据《城市照明管理"
    "规定》，我们将加强巡查。如有疑问请致电0854-8222000。感谢您的支持。"
)
REGISTERED = datetime(2024, 3, 1, 9, tzinfo=UTC)
DEADLINE = REGISTERED + timedelta(days=15)
TEDDY = Path(settings.BASE_DIR).parent / "shared" / "data" / "teddy2020" / "messages_with_replies.csv"


@pytest.fixture(autouse=True)
def _no_dictionary() -> Iterator[None]:
    reset_terms([])  # the default term sources read the database; these tests never touch it
    yield
    reset_terms()


def scored(reply: str, *, days: float = 7) -> ReplyScore:
    return score_reply(
        title=TITLE,
        description=DESCRIPTION,
        reply=reply,
        registered_at=REGISTERED,
        replied_at=REGISTERED + timedelta(days=days),
        deadline=DEADLINE,
    )


def test_a_good_reply_beats_a_stock_one() -> None:
    good, stock = scored(GOOD), scored("已办")
    assert good.overall > stock.overall
    assert "答复过短或只是套话" in stock.reasons


def test_a_good_reply_beats_an_off_topic_one_however_thorough() -> None:
    off_topic = scored(OFF_TOPIC)
    assert scored(GOOD).overall > off_topic.overall + 30
    assert any(reason.startswith("答复未提及诉求中的") and "拖欠" in reason for reason in off_topic.reasons)


def test_a_good_reply_beats_its_first_clause() -> None:
    cut = scored(truncate(GOOD))
    assert scored(GOOD).overall > cut.overall
    assert {"未说明办理结果", "未说明办理依据", "未告知下一步或联系方式"} <= set(cut.reasons)


def test_a_good_reply_beats_itself_late() -> None:
    on_time, late = scored(GOOD), scored(GOOD, days=40)
    assert on_time.overall > late.overall
    assert on_time.timeliness > late.timeliness
    assert "超过办理期限25天答复" in late.reasons
    assert not any("期限" in reason for reason in on_time.reasons)


def test_without_a_deadline_the_typical_time_is_the_yardstick() -> None:
    quick = score_reply(
        title=TITLE,
        description=DESCRIPTION,
        reply=GOOD,
        registered_at=REGISTERED,
        replied_at=REGISTERED + timedelta(days=3),
    )
    slow = score_reply(
        title=TITLE,
        description=DESCRIPTION,
        reply=GOOD,
        registered_at=REGISTERED,
        replied_at=REGISTERED + timedelta(days=45),
    )
    assert quick.timeliness > 0.9 > slow.timeliness
    assert any(reason.startswith("用时45天") for reason in slow.reasons)


def test_the_reasons_name_what_a_reply_lacks() -> None:
    reply = "您好，您反映的都匀市某建筑公司拖欠农民工工资问题，我局责令该公司支付，目前工资已全部支付。感谢您的监督。"
    reasons = scored(reply).reasons
    assert "未说明办理依据" in reasons
    assert "未告知下一步或联系方式" in reasons
    assert "未说明办理结果" not in reasons


def test_curt_wording_costs_courtesy() -> None:
    rude = scored("这事与我们无关，你自己去法院起诉。")
    assert rude.courtesy == 0.0
    assert any("与我们无关" in reason for reason in rude.reasons)
    assert scored(GOOD).courtesy == 1.0


def test_term_weights_favour_rare_words() -> None:
    weights = TermWeights(["小区停车收费", "小区噪音扰民", "小区垃圾清运", "道路施工噪音"])
    assert weights.weight("垃圾") > weights.weight("噪音") > weights.weight("小区")


@pytest.mark.parametrize(
    "text", ["已办", "已处理。", "收到", "同意", "  ", "。。。！", "网友：您好！留言已收悉", "好的"]
)
def test_reply_problems_refuse_stock_words_and_fragments(text: str) -> None:
    assert reply_problems(text)


def test_reply_problems_refuse_less_than_a_sentence() -> None:
    assert reply_problems("已转人社局") == ["答复太短，请至少用一句完整的话说明办理情况"]


def test_reply_problems_accept_a_real_sentence() -> None:
    assert reply_problems("您好，您反映的问题已转交都匀市人社局调查处理，请留意后续答复。") == []


@pytest.mark.skipif(not TEDDY.exists(), reason=f"the teddy2020 replies are not at {TEDDY}")
def test_real_replies_beat_their_degraded_versions_on_a_sample() -> None:
    messages = load_messages(TEDDY)
    weights = TermWeights(message.title + "。" + message.description for message in messages)
    sample = [index for index, message in enumerate(messages) if int(message.number) % 2 == 1][::10]
    pairs = compare(messages, sample, weights=weights)
    # The per-kind figures are in docs/benchmarks.md; the replies to the most similar message are not yet
    # ranked below the real one often enough (about 0.77) and are left out of this floor.
    for kind in ("stock", "truncated", "late"):
        assert pairs.rate(kind) >= 0.95, (kind, pairs.failures)
    assert pairs.rate("random") >= 0.88
    assert set(KINDS) == set(pairs.total)
