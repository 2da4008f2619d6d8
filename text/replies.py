"""The quality of a unit's reply (答复) to a citizen's appeal, and the minimum a reply must have to be saved.

`score_reply` gives four sub-scores in 0–1 and an overall score in 0–100, with the reasons in plain Chinese:

- relevance: does the reply answer *this* appeal? The appeal's key words (its title counted twice, weighted
  by inverse document frequency when a `ReplyModel` was fitted on a corpus of appeals) that the reply takes
  up, the share of the reply's own key words that come from the appeal (a thorough reply to another appeal
  talks of other things), the share of the title the reply echoes, and, when the model has learnt the
  topics of appeals and their replies, how near the reply's topic is to the appeal's: a reply says
  "轨道交通线网规划" to an appeal asking for a "地铁" station, and only the replies of the past teach that;
- completeness: what was done (经调查、已约谈…), the result (已修复、已支付…), the basis (依据《…》、政策、规定),
  the next step or a contact (下一步、如有疑问请致电…); a reply shorter than a few sentences cannot hold them;
- timeliness: on time against the deadline when there is one, else against `typical_days`; falling with
  every day taken, steeply after the deadline;
- courtesy: a greeting (您好), thanks (感谢), 您; curt or dismissive wording (与我们无关、自己去…) costs.

The overall score weighs relevance most, and counts completeness (and, with the topics, courtesy) only as far
as the reply is on the appeal: the thoroughness and the politeness of a reply to another problem are worth
nothing to this citizen, and such a reply misleads where a bare acknowledgement only fails.
"""

import json
import math
import pickle
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from text.chinese import dictionary_version, is_term, normalise, segment

# Chosen on half of the teddy2020 replies (even message numbers) among a few settings; see docs/benchmarks.md.
WEIGHTS = {"relevance": 0.55, "completeness": 0.20, "timeliness": 0.15, "courtesy": 0.10}
KEY_TERMS = 12
# Relevance: the appeal's key words taken up (the rest of the weight), the share of the reply's key words that
# come from the appeal, the share of the title's character pairs the reply echoes (replies quote the title:
# "关于您反映的‘A2区景蓉华苑物业管理有问题’"), and, with a fitted model, the nearness of the topics. Without
# the topics (no model yet) the words carry it all, with the weights chosen before the topics were added.
RELEVANCE = {"coverage": 0.4, "grounding": 0.3, "echo": 0.3, "topic": 0.0}
RELEVANCE_WITH_TOPICS = {"coverage": 0.1, "grounding": 0.1, "echo": 0.3, "topic": 0.5}
TOPIC_DIMENSIONS = 100
TYPICAL_DAYS = (
    15.0  # 投诉/举报: 15 working days (DESIGN §5); a reply without a deadline is measured against it
)

# Words of every appeal and every reply: they say nothing of what this appeal is about.
_STOPWORDS = frozenset((
    "我们", "你们", "他们", "她们", "我的", "您的", "自己", "这个", "那个", "这些", "那些", "什么", "怎么", "为什么", "如何", "是否", "可以",
    "能否", "能够", "已经", "现在", "目前", "问题", "情况", "反映", "希望", "请问", "领导", "相关", "部门", "有关", "单位", "工作", "进行",
    "没有", "还是", "但是", "因为", "所以", "如果", "就是", "这样", "一直", "非常", "你好", "您好", "网友", "留言", "回复", "答复", "如下",
    "感谢", "谢谢", "关于", "对于", "以及", "并且", "或者", "其中", "一个", "一些", "多次", "要求", "表示", "认为", "今年", "去年", "时间",
    "时候", "之后", "以后", "以前", "之前", "一下", "不能", "不是", "还有", "需要", "应该", "及时", "尽快", "重视", "支持", "关心", "理解"
))  # fmt: skip
_CLAUSE_END = re.compile(r"[，。！？；!?;,]")


class TermWeights:
    """Inverse document frequencies of words over a corpus of appeals; unknown words weigh the most."""

    def __init__(self, documents: Iterable[str] = ()) -> None:
        self.documents = 0
        self.frequency: Counter[str] = Counter()
        for document in documents:
            self.documents += 1
            self.frequency.update(set(key_words(document)))

    def weight(self, word: str) -> float:
        if not self.documents:
            return 1.0
        return math.log((self.documents + 1) / (self.frequency[word] + 1)) + 1.0


class ReplyModel:
    """What the scorer learns from a corpus of appeals and the replies they got: the weights of the appeals'
    words, and (with enough pairs) the topics, a latent semantic space (TF-IDF of the key words, truncated
    SVD) of the appeal and its reply read as one document, so that words used across the two ("地铁" in the
    appeal, "轨道交通" in the reply) lie near each other. Fitted on the deployment's closed appeals with their
    replies (appeals.services.text_models), or on any corpus of such pairs."""

    def __init__(
        self,
        weights: TermWeights,
        vocabulary: dict[str, int] | None = None,
        idf: np.ndarray | None = None,
        projection: np.ndarray | None = None,
    ):
        self.weights = weights
        # The topics, when learnt: each known word's column, its inverse document frequency, and the SVD's
        # projection (one row per word, one column per topic). A text's topic is its TF-IDF vector (sublinear
        # tf, unit length) times the projection, as TfidfVectorizer then TruncatedSVD.transform would give,
        # reckoned directly: sklearn's checks and a copy of the projection per call cost 20 ms a score.
        self.vocabulary = vocabulary
        self.idf = idf
        self.projection = projection

    @classmethod
    def fit(cls, appeals: Iterable[str], pairs: Sequence[tuple[str, str]] = ()) -> "ReplyModel":
        """`appeals` (title + description) weigh the words; (appeal, reply) `pairs`, when at least
        `TOPIC_DIMENSIONS` are given, teach the topics."""
        weights = TermWeights(appeals)
        if len(pairs) < TOPIC_DIMENSIONS:
            return cls(weights)
        documents = [" ".join(key_words(f"{appeal}。{reply}")) for appeal, reply in pairs]
        vectoriser = TfidfVectorizer(
            tokenizer=str.split, lowercase=False, sublinear_tf=True, min_df=2, token_pattern=None
        )
        counts = vectoriser.fit_transform(documents)
        # Far fewer topics than words, or each word keeps a topic of its own and none is learnt: one topic
        # for twenty words and ten pairs at most (on 1,402 teddy2020 pairs, 100 topics among 13,235 words).
        dimensions = min(TOPIC_DIMENSIONS, counts.shape[1] // 20, counts.shape[0] // 10)
        if dimensions < 2:
            return cls(weights)
        svd = TruncatedSVD(dimensions, random_state=0).fit(counts)
        return cls(
            weights,
            {str(word): int(column) for word, column in vectoriser.vocabulary_.items()},
            np.asarray(vectoriser.idf_, dtype=np.float64),
            np.ascontiguousarray(svd.components_.T, dtype=np.float64),
        )

    @property
    def has_topics(self) -> bool:
        return self.projection is not None

    @property
    def topics(self) -> int:
        return 0 if self.projection is None else int(self.projection.shape[1])

    def topic(self, text: str) -> np.ndarray:
        """The unit vector of `text` in the topic space (zeros for a text of no known word)."""
        assert self.vocabulary is not None and self.idf is not None and self.projection is not None
        counts = Counter(
            column for word in key_words(text) if (column := self.vocabulary.get(word)) is not None
        )
        if not counts:
            return np.zeros(self.topics)
        columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf_idf = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[
            columns
        ]
        vector = (tf_idf / np.linalg.norm(tf_idf)) @ self.projection[columns]
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def topic_similarity(self, appeal: str, reply: str) -> float:
        """Cosine of the appeal's and the reply's topics, 0 when negative or without topics."""
        if not self.has_topics:
            return 0.0
        return max(0.0, float(self.topic(appeal) @ self.topic(reply)))

    def save(self, path: Path, **facts: Any) -> Path:
        """Write the model to `path` and, beside it, `<path>.json` with `facts` (how many pairs, when)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("wb") as out:
            pickle.dump(self, out, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        summary = {"format": REPLY_MODEL_FORMAT, "documents": self.weights.documents, **facts}
        summary["topics"] = self.topics
        path.with_suffix(".json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
        return path


REPLY_MODEL_FORMAT = 1
_loaded: dict[Path, tuple[float, ReplyModel]] = {}


def load_reply_model(path: Path) -> ReplyModel:
    """The model stored at `path` (cached until the file changes)."""
    mtime = path.stat().st_mtime
    cached = _loaded.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with path.open("rb") as source:
        model = pickle.load(source)  # noqa: S301 — a file this module wrote under VAR_DIR
    if not isinstance(model, ReplyModel):
        raise ValueError(f"{path} is not a reply model")
    _loaded[path] = (mtime, model)
    return model


@dataclass(frozen=True)
class ReplyScore:
    """A reply's sub-scores (0–1), its overall score (0–100) and the reasons, worst first."""

    relevance: float
    completeness: float
    timeliness: float
    courtesy: float
    overall: float
    reasons: tuple[str, ...]


def key_words(text: str) -> list[str]:
    """The words of `text` that can say what it is about: two characters or more, no function words."""
    return list(_key_words(text, dictionary_version()))


@lru_cache(maxsize=4096)
def _key_words(text: str, version: int) -> tuple[str, ...]:
    # Scoring several replies to one appeal reads the appeal each time: it is segmented once per dictionary.
    return tuple(
        word
        for word in segment(text)
        if len(word) >= 2
        and word not in _STOPWORDS
        and not word.isdigit()
        and re.search(r"[\u4e00-\u9fffA-Za-z]", word)
    )


def score_reply(
    *,
    title: str,
    description: str,
    reply: str,
    registered_at: datetime,
    replied_at: datetime,
    deadline: datetime | None = None,
    model: ReplyModel | None = None,
    typical_days: float = TYPICAL_DAYS,
) -> ReplyScore:
    """Score `reply` as the answer to the appeal `title` + `description` registered at `registered_at`."""
    model = model or ReplyModel(TermWeights())
    reasons: list[str] = []
    relevance = _relevance(title, description, reply, model, reasons)
    completeness = _completeness(reply, reasons)
    timeliness = _timeliness(registered_at, replied_at, deadline, typical_days, reasons)
    courtesy = _courtesy(reply, reasons)
    # Completeness counts as far as the reply is on this appeal (full from relevance 0.5 up), and so does
    # courtesy when the topics can tell a reply to another problem from a bare acknowledgement (without them,
    # gating courtesy too costs more real replies than it saves: docs/benchmarks.md).
    on_topic = min(1.0, relevance / 0.5)
    polite = courtesy * on_topic if model.has_topics else courtesy
    overall = 100 * (
        WEIGHTS["relevance"] * relevance
        + WEIGHTS["completeness"] * completeness * on_topic
        + WEIGHTS["timeliness"] * timeliness
        + WEIGHTS["courtesy"] * polite
    )
    if reply_problems(reply):
        reasons.insert(0, "答复过短或只是套话")
    return ReplyScore(
        relevance=round(relevance, 4),
        completeness=round(completeness, 4),
        timeliness=round(timeliness, 4),
        courtesy=round(courtesy, 4),
        overall=round(overall, 2),
        reasons=tuple(reasons),
    )


# Relevance ----------------------------------------------------------------------------------------------


def _top_terms(text: str, weights: TermWeights, *, title: str = "") -> dict[str, float]:
    counts = Counter(key_words(text))
    for word in key_words(title):
        counts[word] += 2  # the title names the problem
    scored = {word: (1 + math.log(count)) * weights.weight(word) for word, count in counts.items()}
    return dict(sorted(scored.items(), key=lambda item: -item[1])[:KEY_TERMS])


def _relevance(title: str, description: str, reply: str, model: ReplyModel, reasons: list[str]) -> float:
    weights = model.weights
    appeal_terms = _top_terms(description, weights, title=title)
    if not appeal_terms:
        return 1.0  # an appeal with no words to take up cannot be missed
    reply_text = normalise(reply)
    appeal_text = normalise(title + description)
    covered = sum(weight for word, weight in appeal_terms.items() if word in reply_text)
    coverage = covered / sum(appeal_terms.values())
    reply_terms = _top_terms(reply, weights)
    grounded = sum(weight for word, weight in reply_terms.items() if word in appeal_text)
    grounding = grounded / sum(reply_terms.values()) if reply_terms else 0.0
    title_pairs = _pairs(normalise(title))
    echo = len(title_pairs & _pairs(reply_text)) / len(title_pairs) if title_pairs else coverage
    # The problem's own words first, the places after them: "未提及'工资'、'拖欠'" says more than "'都匀市'".
    missing = sorted((word for word in appeal_terms if word not in reply_text), key=_is_place)[:3]
    if coverage < 0.5 and missing:
        reasons.append("答复未提及诉求中的" + "、".join(f"“{word}”" for word in missing))
    parts = {"coverage": math.sqrt(coverage), "grounding": grounding, "echo": echo, "topic": 0.0}
    share = RELEVANCE
    if model.has_topics:
        share = RELEVANCE_WITH_TOPICS
        parts["topic"] = model.topic_similarity(f"{title}。{description}", reply)
    if reply_terms and grounding < 0.2 and parts["topic"] < 0.3:
        reasons.append("答复所谈内容与诉求关联不大")
    return min(1.0, sum(share[name] * value for name, value in parts.items()))


_PLACE = re.compile(r"(?:省|市|州|县|区|镇|乡|村|街道|社区|小区)$")


def _is_place(word: str) -> bool:
    return bool(_PLACE.search(word)) or is_term(word)


def _pairs(text: str) -> set[str]:
    """The two-character sequences of `text`'s letters, digits and Han characters."""
    plain = re.sub(r"[\W_]+", "", text)
    return {plain[index : index + 2] for index in range(len(plain) - 1)}


# Completeness -------------------------------------------------------------------------------------------

_ELEMENTS = (
    (
        0.3,
        re.compile(
            r"经(?:调查|核实|核查|查|了解|现场|实地|走访|协调|研究)|调查核实|实地查看|现场(?:查看|核实|勘查|检查)|"
            r"(?:约谈|召开|组织|督促|责令|安排|派出|协调|联系|转交|交办|核查|排查|走访|检查|执法|立案)"
        ),
        "未说明办理过程",
    ),
    (
        0.3,
        re.compile(
            r"已(?:经)?(?:解决|完成|修复|整改|支付|发放|到位|恢复|拆除|清理|办结|落实|处理|更换|安装|退还|补发|纳入|"
            r"受理|立案|查处|处罚|罚款|关闭|停止|开通|疏通|签订)|(?:结果|目前|现已|均已|已于|情况属实|不属实|不符)"
        ),
        "未说明办理结果",
    ),
    (
        0.2,
        re.compile(
            r"依据|根据|按照|依照|《[^》]+》|规定|政策|条例|办法|标准|第[一二三四五六七八九十百\d]+条|文件"
        ),
        "未说明办理依据",
    ),
    (
        0.2,
        re.compile(
            r"下一步|后续|今后|将(?:继续|进一步|加强|督促|尽快|于)|联系电话|电话|致电|咨询|如有疑问|联系人|可(?:以)?(?:到|向|拨打)"
        ),
        "未告知下一步或联系方式",
    ),
)
_FULL_LENGTH = (
    120  # characters: below this a reply cannot hold what was done, the result, the basis and a contact
)


def _completeness(reply: str, reasons: list[str]) -> float:
    text = normalise(reply)
    found = 0.0
    for weight, pattern, missing in _ELEMENTS:
        if pattern.search(text):
            found += weight
        else:
            reasons.append(missing)
    length = len(re.sub(r"\s", "", text))
    if length < _FULL_LENGTH:
        reasons.append("答复过短")
    return found * min(1.0, math.sqrt(length / _FULL_LENGTH))


# Timeliness ---------------------------------------------------------------------------------------------


def _timeliness(
    registered_at: datetime,
    replied_at: datetime,
    deadline: datetime | None,
    typical_days: float,
    reasons: list[str],
) -> float:
    elapsed = max(0.0, (replied_at - registered_at).total_seconds() / 86400)
    if deadline is not None:
        allowed = max(1.0, (deadline - registered_at).total_seconds() / 86400)
        late = (replied_at - deadline).total_seconds() / 86400
        if late > 0:
            reasons.append(f"超过办理期限{math.ceil(late)}天答复")
    else:
        allowed = typical_days
        late = elapsed - typical_days
        if late > 0:
            reasons.append(f"用时{math.ceil(elapsed)}天，长于通常的{typical_days:g}天")
    # Within the time allowed, the sooner the better (1.0 → 0.8); after it the score keeps falling, never to 0,
    # so that a later answer always scores below an earlier one.
    if elapsed <= allowed and late <= 0:
        return 1.0 - 0.2 * elapsed / allowed
    return 0.8 * allowed / (allowed + 2 * max(late, elapsed - allowed, 1e-9))


# Courtesy -----------------------------------------------------------------------------------------------

_GREETING = re.compile(r"您好|你好|尊敬的|亲爱的")
_THANKS = re.compile(r"感谢|谢谢|致谢|谢意|理解与支持|理解和支持")
_DISMISSIVE = re.compile(
    r"与我们无关|与本单位无关|不归我们管|不关我们的事|自己去|你自己|爱找谁找谁|别再|不要再(?:反映|投诉|打)|无理取闹|"
    r"胡搅蛮缠|没办法|管不了|不予理睬|不予理会|少管|随便你|自行解决"
)


def _courtesy(reply: str, reasons: list[str]) -> float:
    text = normalise(reply)
    score = 0.0
    if _GREETING.search(text):
        score += 0.4
    else:
        reasons.append("答复缺少称呼或问候")
    if _THANKS.search(text):
        score += 0.3
    else:
        reasons.append("答复未致谢")
    if "您" in text:
        score += 0.3
    rude = _DISMISSIVE.findall(text)
    if rude:
        reasons.append("答复含生硬或推诿用语：" + "、".join(f"“{phrase}”" for phrase in dict.fromkeys(rude)))
        score -= 0.5 * len(rude)
    return max(0.0, min(1.0, score))


# The minimum reply ---------------------------------------------------------------------------------------

# Stock words that answer nothing, alone or with a greeting around them.
_STOCK = frozenset((
    "已办", "已处理", "已办理", "已办结", "办结", "收到", "已收到", "收悉", "已收悉", "同意", "已阅", "阅", "好的", "好", "知道了", "已知悉",
    "已转办", "已转", "已回复", "已答复", "已解决", "已核实", "已落实", "处理中", "正在处理", "无", "ok"
))  # fmt: skip
_COURTESIES = re.compile(
    r"网友|网民|同志|先生|女士|您好|你好|尊敬的|亲爱的|谢谢|感谢|您的|留言|来信|诉求|问题|您"
)
_MIN_CHARACTERS = 10  # a sentence: who did what about the problem takes at least this many characters


def reply_problems(text: str) -> list[str]:
    """Why `text` cannot be saved as a reply to a citizen (empty when it can): a stock word ("已办", "已处理",
    "收到", "同意"), punctuation only, or less than one sentence."""
    content = re.sub(r"[\W_]+", "", normalise(text))
    if not content:
        return ["答复不能为空或只有标点"]
    core = _COURTESIES.sub("", content)
    if core.lower() in _STOCK or not core:
        return [f"“{text.strip()}”是套话，请写明办理过程和结果"]
    if len(content) < _MIN_CHARACTERS:
        return ["答复太短，请至少用一句完整的话说明办理情况"]
    return []
