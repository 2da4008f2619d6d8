"""Clusters of texts that tell one problem (热点): the hot issues of DESIGN §6 read the appeals' words, not their
categories.

Each text is its title (counted twice: people put the problem in the title) and its description, segmented by
`text.chinese`, stop words and lone characters dropped, weighted by TF-IDF (sublinear term frequency, smoothed
inverse document frequency over the texts being clustered; among 500 texts or more, a word in more than 4 % of
them is dropped: it is how people write, not what they write about) and scaled to unit length. Texts are
compared only inside their group (a county, or a township): the cosine of two texts is their dot product.

Clustering is agglomerative with centroid linkage, restricted to the pairs whose cosine reaches THRESHOLD:
those pairs are visited from the most similar down, and two clusters are merged when the cosine of their
centroids still reaches THRESHOLD. Centroid linkage keeps a chain of look-alikes (A like B, B like C, C unlike A)
from growing into one lump, as single linkage would.

A cluster is named by its own words: its key phrases (the terms of largest weight in its centroid) and its
representative title (the member's title nearest the centroid); `place` is the place word most of its
members name (a pseudonymised code such as "A3区", or a word jieba tags as a place or ending like one), longest
first, or "" when no place is named by half of them.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from text.chinese import normalise, segment, tag

THRESHOLD = 0.35
TITLE_WEIGHT = 2
PHRASES = 5
PHRASE_CHARS = 8
COMMON_SHARE = 0.04
COMMON_MIN_TEXTS = 500
DENSE_LIMIT = 5000  # up to this many texts a group keeps its cosines dense (5000² × 4 bytes = 100 MB)

# Words of every appeal ("反映", "希望", "问题"): they say a text is an appeal, not what it is about.
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "有",
        "没有",
        "无",
        "不",
        "也",
        "都",
        "就",
        "还",
        "又",
        "被",
        "把",
        "将",
        "对",
        "向",
        "从",
        "给",
        "让",
        "使",
        "由",
        "为",
        "为了",
        "因为",
        "所以",
        "但是",
        "但",
        "而",
        "并",
        "且",
        "等",
        "等等",
        "这",
        "那",
        "这个",
        "那个",
        "这些",
        "那些",
        "这样",
        "那样",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "为何",
        "为什么",
        "哪里",
        "何时",
        "多少",
        "是否",
        "能否",
        "可否",
        "可以",
        "能",
        "能够",
        "会",
        "要",
        "需要",
        "应该",
        "应当",
        "必须",
        "已经",
        "一直",
        "至今",
        "目前",
        "现在",
        "今天",
        "今年",
        "去年",
        "近日",
        "最近",
        "一些",
        "一个",
        "我们",
        "我",
        "你们",
        "你",
        "他们",
        "他",
        "她",
        "它",
        "本人",
        "大家",
        "各位",
        "自己",
        "您好",
        "你好",
        "尊敬",
        "领导",
        "政府",
        "部门",
        "相关",
        "有关",
        "请",
        "请求",
        "恳请",
        "希望",
        "要求",
        "建议",
        "反映",
        "反应",
        "投诉",
        "举报",
        "咨询",
        "询问",
        "问题",
        "情况",
        "事情",
        "事宜",
        "关于",
        "一下",
        "解决",
        "处理",
        "落实",
        "帮助",
        "谢谢",
        "感谢",
        "非常",
        "十分",
        "特别",
        "严重",
        "很多",
        "很",
        "太",
        "更",
        "最",
        "再",
        "仍",
        "仍然",
        "依然",
        "给予",
        "予以",
        "进行",
        "相关部门",
        "有关部门",
        "如下",
        "以下",
        "其中",
        "市民",
        "群众",
        "居民",
        "老百姓",
        "百姓",
        "我市",
        "我区",
        "我县",
        "广大",
    ]
)
_PLACE_END = re.compile(
    r"(?:小区|社区|村|组|镇|乡|街道|路|街|大道|学校|小学|中学|医院|公司|广场|市场|园|花园|苑|城)$"
)
_PSEUDO = re.compile(r"^[A-Z]\d{0,3}(?:省|市|区|县|镇|乡|街道|村|社区)$")
# Parts of speech that never belong to a place name: verbs, prepositions, conjunctions, particles, adverbs,
# pronouns, localisers (附近, 旁), punctuation, modal particles.
_NOT_NAME_TAGS = frozenset("vpcudrfwy")
# Words that end like a place but name none: a hot issue "at 都匀市公路" says nothing of where it is.
_GENERIC_PLACES = frozenset(
    {"小区", "社区", "村", "镇", "乡", "街道", "路", "街", "学校", "医院", "公司", "城"}
    | {"公路", "马路", "道路", "大道", "农村", "乡村", "村庄", "城市", "城区", "小学", "中学", "广场", "市场"}
    | {"花园", "公园", "村里", "镇上", "县城", "工地", "家园", "本村", "我村", "该村", "全村", "邻村"}
)


@dataclass(frozen=True)
class Text:
    title: str
    body: str = ""
    group: str = ""  # texts of different groups never share a cluster


@dataclass(frozen=True)
class Cluster:
    members: list[int]  # indexes into the texts, the representative first
    phrases: list[str]
    title: str  # the representative member's title
    place: str  # "" when the members name no common place
    cohesion: float  # mean cosine of the members to their centroid


def words(text: Text) -> list[str]:
    """The terms a text is compared by: its title's words TITLE_WEIGHT times, then its description's."""
    title = [w for w in segment(text.title) if _keep(w)]
    body = [w for w in segment(text.body) if _keep(w)] if text.body else []
    return title * TITLE_WEIGHT + body


@lru_cache(maxsize=200_000)
def _keep(word: str) -> bool:
    return len(word) > 1 and word not in STOP_WORDS and not word.isdigit() and any(c.isalnum() for c in word)


def vectors(texts: Sequence[Text], *, drop_common: bool = True) -> tuple[sparse.csr_matrix, list[str]]:
    """Unit-length TF-IDF rows, one per text, and the vocabulary of the columns. `drop_common=False` keeps the
    words many texts share, for texts that are all on one subject (the answers to one consultation question),
    where a shared word is what tells the groups apart rather than how people write."""
    vocabulary: dict[str, int] = {}
    rows, cols, counts = [], [], []
    for row, text in enumerate(texts):
        for term, count in Counter(words(text)).items():
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            counts.append(count)
    shape = (len(texts), len(vocabulary))
    tf = sparse.csr_matrix(
        (1 + np.log(np.asarray(counts, dtype=np.float64)), (rows, cols)), shape=shape, dtype=np.float64
    )
    df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocabulary))
    idf = np.log((1 + len(texts)) / (1 + df)) + 1
    # A word in more than COMMON_SHARE of many texts tells no problem apart (it is how people write):
    # dropped, it also spares the similarity product most of its pairs.
    if drop_common and len(texts) >= COMMON_MIN_TEXTS:
        idf[df > COMMON_SHARE * len(texts)] = 0
    weighted = sparse.csr_matrix(tf @ sparse.diags(idf))
    weighted.eliminate_zeros()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    unit = sparse.diags(1 / norms) @ weighted
    terms = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        terms[column] = term
    return sparse.csr_matrix(unit), terms


def cluster(
    texts: Sequence[Text], *, threshold: float = THRESHOLD, min_size: int = 2, drop_common: bool = True
) -> list[Cluster]:
    """The clusters of at least `min_size` texts, largest first; a text belongs to at most one."""
    if not texts:
        return []
    matrix, terms = vectors(texts, drop_common=drop_common)
    groups: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        groups.setdefault(text.group, []).append(index)
    found: list[Cluster] = []
    for members in groups.values():
        for part in _agglomerate(matrix, members, threshold):
            if len(part) >= min_size:
                found.append(_describe(texts, matrix, terms, part))
    found.sort(key=lambda c: (-len(c.members), c.members[0]))
    return found


def _agglomerate(matrix: sparse.csr_matrix, members: list[int], threshold: float) -> list[list[int]]:
    if len(members) < 2:
        return [members]
    block = matrix[members]
    similarity = block @ block.T
    # The centroids' dot products are sums of the members' cosines: Sa·Sb = Σ cos(i, j), i ∈ A, j ∈ B.
    dense = similarity.astype(np.float32).toarray() if len(members) <= DENSE_LIMIT else None
    pairs = sparse.triu(similarity, k=1).tocoo()
    keep = pairs.data >= threshold
    order = np.argsort(-pairs.data[keep], kind="stable")
    candidates = zip(pairs.row[keep][order].tolist(), pairs.col[keep][order].tolist(), strict=True)
    parent = list(range(len(members)))
    part: dict[int, list[int]] = {i: [i] for i in range(len(members))}
    square = dict.fromkeys(range(len(members)), 1.0)  # |Sa|², each member being of unit length

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in candidates:
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        if dense is not None:
            cross = float(dense[np.ix_(part[ra], part[rb])].sum())
        else:
            cross = float(similarity[part[ra]][:, part[rb]].sum())
        if cross < threshold * np.sqrt(square[ra] * square[rb]):
            continue
        parent[rb] = ra
        square[ra] += square.pop(rb) + 2 * cross
        part[ra].extend(part.pop(rb))
    return [[members[i] for i in indexes] for indexes in part.values()]


def _describe(
    texts: Sequence[Text], matrix: sparse.csr_matrix, terms: list[str], members: list[int]
) -> Cluster:
    block = matrix[members]
    columns = np.unique(block.indices)
    weights = np.asarray(block[:, columns].sum(axis=0)).ravel() / len(members)
    closeness = np.asarray(block[:, columns] @ weights).ravel()
    norm = float(np.linalg.norm(weights)) or 1.0
    ordered = [members[i] for i in np.argsort(-closeness, kind="stable")]
    top = np.argsort(-weights, kind="stable")[: PHRASES * 2]
    weight = {terms[columns[i]]: float(weights[i]) for i in top}
    return Cluster(
        members=ordered,
        phrases=key_phrases(weight, [texts[i].title for i in ordered[:3]]),
        title=normalise(texts[ordered[0]].title),
        place=common_place([texts[i] for i in ordered]),
        cohesion=round(float(closeness.mean()) / norm, 3),
    )


def key_phrases(weight: dict[str, float], titles: list[str]) -> list[str]:
    """The heaviest terms, two or three that the typical titles write side by side joined into one phrase
    (锦绣 + 家园); never a word jieba reads as a person's name."""
    weight = {term: value for term, value in weight.items() if not _person(term)}
    phrases: dict[str, float] = {}
    used: set[str] = set()
    for title in titles:
        run: list[str] = []
        for word in [*segment(title), ""]:
            if (
                word in weight
                and word not in run
                and len(run) < 3
                and len("".join(run) + word) <= PHRASE_CHARS
            ):
                run.append(word)
                continue
            if len(run) > 1:
                phrases.setdefault("".join(run), sum(weight[w] for w in run))
                used.update(run)
            run = [word] if word in weight else []
    for term, value in weight.items():
        if term not in used:
            phrases[term] = value
    ranked = sorted(phrases, key=lambda p: -phrases[p])
    return [p for p in ranked if not any(p != o and p in o for o in ranked)][:PHRASES]


def _person(term: str) -> bool:
    return any(flag.startswith("nr") for _, flag in tag(term))


def places(text: str) -> list[str]:
    """The place words of a text: pseudonymised codes (A3区), and a word ending like a place (小区, 村, 路…)
    joined to the name words before it (丽发 + 新城 + 社区), or a word jieba tags as a place."""
    found = []
    run: list[str] = []
    for word, flag in tag(text):
        if _PSEUDO.match(word):
            found.append(word)
            run = []
            continue
        if _PLACE_END.search(word) or (flag == "ns" and len(word) > 1):
            joined = "".join(run[-3:]) + word
            if joined not in _GENERIC_PLACES:
                found.append(joined)
            run = []
        elif (
            flag[:1] not in _NOT_NAME_TAGS
            and word not in STOP_WORDS
            and not word.isspace()
            and word.isalnum()
        ):
            run.append(word)
        elif flag == "v" and len(word) == 2 and word not in STOP_WORDS:
            # jieba reads some name words as verbs (丽发 of 丽发新城): kept only if a place word follows at once.
            run = [word]
        else:
            run = []
    return found


def common_place(texts: Sequence[Text]) -> str:
    """The longest place named (alone or inside a longer place word) by at least half of the texts, with the
    pseudonymised district before it when half of them name one too (A2区 + 丽发新城)."""
    named = [set(places(text.title) or places(text.body[:200])) for text in texts]
    wanted = max(2, (len(texts) + 1) // 2) if len(texts) > 1 else 1
    candidates = {place for found in named for place in found if place not in _GENERIC_PLACES}

    def support(place: str) -> int:
        return sum(1 for found in named if any(place in other for other in found))

    common = [c for c in candidates if support(c) >= wanted]
    districts = sorted((c for c in common if _PSEUDO.match(c)), key=lambda c: (-support(c), c))
    others = sorted((c for c in common if not _PSEUDO.match(c)), key=lambda c: (-len(c), -support(c), c))
    district = districts[0] if districts else ""
    place = others[0] if others else ""
    if place.startswith(district):
        return place
    return district + place
