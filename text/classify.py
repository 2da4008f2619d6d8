"""Text classifiers: a category (or a lead unit) for an appeal from its words.

One pipeline for every label set: the text read through `text.chinese` (normalised; the pseudonymised place
codes of public data sets such as "A6区" kept as they are, like real place names, unless `fold_places`), TF-IDF
of character 1–3-grams, of rjieba words and word pairs and of a label dictionary (each word of the taxonomy that
belongs to one category adds a feature of that category: what the training saw of 学校 helps with 校舍), and a
linear model, SGD with the modified Huber loss (which gives probabilities); with `ensemble`, an NB-SVM on the
binarised counts too, its margins averaged with the SGD's on pieces as short as the training texts (it moves
one validation split, not the 5-fold mean, and costs long messages a little: off by default). Training
also sees message-like texts: a few subjects of one label joined as sentences. The training texts are short
(message subjects, appeal titles); a long text is read the way it was taught: as its sentences, each scored
alone, the first one (the title) counting twice, the first few only, and those sentences once more read
together. Models are versioned files under var/models/<name>/ with their evaluation beside them.
"""

import json
import pickle
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

from text.chinese import normalise, segment_normalised

FORMAT = 1
# A title and the first sentences carry the problem; the rest of a long message is mostly circumstance,
# greetings and pleas that read alike in every category.
MAX_SENTENCES = 6
FIRST_SENTENCE_WEIGHT = 2.0
# The first sentences read together (one bag of their words) count half as much as all of them read one by one.
TOGETHER_WEIGHT = 0.5
# Message-like training texts: per label, as many as its subjects, each this many of its subjects joined.
AUGMENT_JOIN = 3
# The NB-SVM votes on pieces of at most this percentile of the training texts' token counts.
NB_PERCENTILE = 90
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_NO_SENTENCE_ENDS = str.maketrans("", "", "。！？!?；;\n")
_PSEUDO_PLACE = re.compile(r"[A-Z]\d{0,3}(?:省|市|区|县|镇|乡|街道|村|社区)")
_PLACE_STANDIN = "某地"


# What is read of a long message: its first sentences fit in this many characters.
_MAX_CHARS = 600


def _clean(text: str, *, fold_places: bool = True) -> str:
    text = normalise(text[:_MAX_CHARS])
    return _PSEUDO_PLACE.sub(_PLACE_STANDIN, text) if fold_places else text


def _words(text: str) -> list[str]:
    words = segment_normalised(text)
    return words + [f"{a}_{b}" for a, b in pairwise(words)]


def _tokens(text: str, terms: dict[str, str] | None = None) -> list[str]:
    """Character 1–3-grams, then the words and word pairs (marked, so that a one-character word is not
    the character), then, for each word of the label dictionary, its label's mark."""
    # a sentence's end says nothing of its label (and the message-like training texts have more of them)
    text = text.translate(_NO_SENTENCE_ENDS)
    grams = [text[i : i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)]
    words = _words(text)
    marks = [terms[word] for word in words if word in terms] if terms else []
    return grams + ["\x00" + word for word in words] + marks


def _normalised(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(rows.sum(axis=1, keepdims=True), 1e-12)


def _vocabulary(cleaned: Sequence[str], terms: dict[str, str] | None = None) -> dict[str, int]:
    """Every token of the training texts → its column, counted from 1 (see `_counts`)."""
    vocabulary: dict[str, int] = {}
    for text in cleaned:
        for token in _tokens(text, terms):
            vocabulary.setdefault(token, len(vocabulary) + 1)
    return vocabulary


def _counts(
    cleaned: Sequence[str], vocabulary: dict[str, int], terms: dict[str, str] | None = None
) -> sparse.csr_matrix:
    """Token counts, one row per text; a token the training never saw is left out. A plain dictionary
    look-up per token: what makes featurising a long message cheap."""
    get = vocabulary.get
    indices: list[int] = []
    indptr = [0]
    for text in cleaned:
        # columns are counted from 1 here so that filter() drops the unknown tokens (None) in C
        indices.extend(filter(None, map(get, _tokens(text, terms))))
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.ones(len(indices)), np.array(indices, dtype=np.int32) - 1, np.array(indptr, dtype=np.int64)),
        shape=(len(cleaned), len(vocabulary)),
    )
    matrix.sum_duplicates()
    return matrix


def _two_columns(margins: np.ndarray) -> np.ndarray:
    """Margins one column per label (a two-label model gives one margin, for the second label)."""
    return np.column_stack([-margins, margins]) if margins.ndim == 1 else margins


def _binary(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Which tokens a row has (1 for each)."""
    binary = counts.copy()
    binary.data[:] = 1.0
    return binary


def _nb_svm(binary: sparse.csr_matrix, y: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest NB-SVM (Wang & Manning 2012): per label, the binarised counts scaled by the log-count ratio
    of the label against the rest, and a linear SVM on them; returned as weights on the binarised counts."""
    weights = np.zeros((len(classes), binary.shape[1]))
    intercepts = np.zeros(len(classes))
    for row, label in enumerate(classes):
        mine = y == label
        p = np.asarray(binary[mine].sum(axis=0)).ravel() + 1
        q = np.asarray(binary[~mine].sum(axis=0)).ravel() + 1
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        # (the ratios leave the features unscaled: liblinear needs more than its default 1,000 iterations)
        svm = LinearSVC(C=0.1, class_weight="balanced", max_iter=4000).fit(
            binary.multiply(ratio).tocsr(), mine
        )
        weights[row] = svm.coef_.ravel() * ratio
        intercepts[row] = svm.intercept_[0]
    # float32: the weights are half the model file otherwise, and 7 digits are plenty for an argmax
    return weights.astype(np.float32), intercepts


# Words of the taxonomy's names that say nothing of a category.
_GENERIC_TERMS = frozenset({"其他", "管理", "问题", "服务", "工作"})


def label_terms(names: Iterable[tuple[str | Sequence[str], str]], labels: Iterable[str]) -> dict[str, str]:
    """The label dictionary of a taxonomy, from (category, the name of it or of one of its sub-categories)
    pairs, a category given as its label or as the tuple of its labels (code, name): every word (two characters
    or more) of the names that belongs to one trained category only (one of `labels`), and its label."""
    trained = set(labels)
    owners: dict[str, set[str]] = {}
    for category, name in names:
        aliases = (category,) if isinstance(category, str) else tuple(category)
        label = next((alias for alias in aliases if alias in trained), None)
        if label is None:
            continue
        for word in segment_normalised(normalise(name)):
            if len(word) >= 2 and word not in _GENERIC_TERMS:
                owners.setdefault(word, set()).add(label)
    return {word: next(iter(owned)) for word, owned in owners.items() if len(owned) == 1}


LabelTermSource = Callable[[], Iterable[tuple[str | Sequence[str], str]]]
_label_sources: list[LabelTermSource] = []


def add_label_term_source(source: LabelTermSource) -> None:
    """Register a function giving (category, name) pairs of the taxonomy (see `label_terms`): the app that
    owns the categories does, and the trainings (`classify_train`, the nightly one) read them."""
    if source not in _label_sources:
        _label_sources.append(source)


def registered_terms(labels: Iterable[str]) -> dict[str, str]:
    """The label dictionary of the registered taxonomies for these labels (a taxonomy whose tables are not
    there yet, before `migrate`, gives none)."""
    from django.db import DatabaseError

    pairs: list[tuple[str | Sequence[str], str]] = []
    for source in _label_sources:
        try:
            pairs.extend(source())
        except DatabaseError:
            continue
    return label_terms(pairs, labels)


def augmented(texts: Sequence[str], labels: Sequence[str], *, seed: int = 0) -> tuple[list[str], list[str]]:
    """The texts and, per label, as many message-like texts as it has: AUGMENT_JOIN of its texts joined as
    sentences, so that the model also learns how a label reads across several sentences."""
    rng = random.Random(seed)
    by_label: dict[str, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        by_label.setdefault(label, []).append(text)
    out_texts, out_labels = list(texts), list(labels)
    for label in sorted(by_label):
        items = by_label[label]
        if len(items) < 2:
            continue
        for _ in range(len(items)):
            out_texts.append("。".join(rng.sample(items, min(AUGMENT_JOIN, len(items)))) + "。")
            out_labels.append(label)
    return out_texts, out_labels


def sentences(text: str) -> list[str]:
    """The first sentences of a text (at most MAX_SENTENCES), the whole text when it has no sentence end."""
    parts = [part for part in _SENTENCE_END.split(text) if part.strip()]
    return parts[:MAX_SENTENCES] or [text]


@dataclass
class Classifier:
    """A trained model: its labels, its vectorisers and linear model, and what it was trained on."""

    labels: list[str]
    vocabulary: dict[str, int]
    idf: TfidfTransformer
    model: SGDClassifier
    trained_at: str
    n_train: int
    seconds: float
    meta: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT
    # the choices of the pipeline, switchable for bench/classify.py to show what each one moves
    fold_places: bool = True
    by_sentences: bool = True
    # the ensemble's second member (None in a model trained without it, and in models of before it): an
    # NB-SVM on the binarised counts, its weights already scaled by the naive-Bayes log-count ratios, one row
    # per label, and the longest piece (in tokens) it votes on
    nb_weights: np.ndarray | None = None  # float32
    nb_intercepts: np.ndarray | None = None
    nb_max_tokens: int = 0
    # the label dictionary: a word of the taxonomy → the mark of the one label it belongs to (see `label_terms`)
    terms: dict[str, str] | None = None

    def _scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per text and label: the sentences' normalised probabilities summed (what decides the label) and
        the weighted mean of their one-vs-rest probabilities (how sure the model is: the confidence)."""
        pieces: list[str] = []
        owner: list[int] = []
        weight: list[float] = []
        for i, text in enumerate(texts):
            cleaned = _clean(text, fold_places=self.fold_places)
            for j, sentence in enumerate(sentences(cleaned) if self.by_sentences else [cleaned]):
                pieces.append(sentence)
                owner.append(i)
                weight.append(FIRST_SENTENCE_WEIGHT if j == 0 else 1.0)
        shares = np.zeros((len(texts), len(self.labels)))
        sure = np.zeros_like(shares)
        if not pieces:
            return shares, sure
        counts = _counts(pieces, self.vocabulary, self.terms)
        one_vs_rest = self._one_vs_rest(counts)
        weights = np.array(weight)[:, None]
        rows = np.array(owner)
        np.add.at(shares, rows, _normalised(one_vs_rest) * weights)
        np.add.at(sure, rows, one_vs_rest * weights)
        total = np.zeros(len(texts))
        np.add.at(total, rows, weights[:, 0])
        if self.by_sentences:
            # and the sentences read together, as one bag of their words: what no sentence says alone
            together = sparse.csr_matrix(
                (np.ones(len(pieces)), (rows, np.arange(len(pieces)))), shape=(len(texts), len(pieces))
            )
            shares = _normalised(shares) + TOGETHER_WEIGHT * _normalised(self._one_vs_rest(together @ counts))
        return shares, sure / np.maximum(total, 1e-12)[:, None]

    def _one_vs_rest(self, counts: sparse.csr_matrix) -> np.ndarray:
        """Each label's one-vs-rest probability per row of token counts."""
        features = self.idf.transform(counts)
        margins = _two_columns(self.model.decision_function(features))
        if self.nb_weights is not None and self.nb_intercepts is not None:
            # the NB-SVM is trained to a margin of ±1 (hinge) like the SGD (modified Huber): the two margins are
            # on one scale and are averaged as they are; but its binarised counts are not normalised, so it
            # votes only on pieces no longer than most training texts (a long sentence inflates its margins)
            nb = np.asarray(_binary(counts) @ self.nb_weights.T) + self.nb_intercepts
            short = (np.diff(counts.indptr) <= self.nb_max_tokens)[:, None]
            margins = np.where(short, (margins + nb) / 2, margins)
        # modified Huber: a margin in [-1, 1] maps linearly to [0, 1], as SGDClassifier.predict_proba does
        margins = np.clip(margins, -1, 1)
        # a text of words the training never saw is no evidence for any label (only the intercepts speak)
        known = (np.diff(features.indptr) > 0)[:, None]
        return np.asarray((margins + 1) / 2 * known)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per label (in `labels` order), each row summing to 1."""
        shares, _ = self._scores(texts)
        sums = shares.sum(axis=1, keepdims=True)
        uniform = np.full_like(shares, 1 / len(self.labels))
        return np.where(sums > 0, shares / np.maximum(sums, 1e-12), uniform)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.probabilities(texts).argmax(axis=1)]

    def top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The k likeliest labels of one text with their confidence (0–1, the model's one-vs-rest
        probability of each label; they need not sum to 1: a text of unknown words is sure of none)."""
        return self.top_many([text], k=k)[0]

    def top_many(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """`top` of each text, in one pass."""
        shares, sure = self._scores(texts)
        out = []
        for row in range(len(texts)):
            order = np.argsort(-shares[row])[:k]
            out.append([(self.labels[i], float(sure[row, i])) for i in order])
        return out


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    seed: int = 0,
    fold_places: bool = False,
    balanced: bool = True,
    by_sentences: bool = True,
    ensemble: bool = False,
    augment: bool = True,
    terms: dict[str, str] | None = None,
    **meta: Any,
) -> Classifier:
    """A classifier fitted on (text, label) pairs; needs at least two labels. `terms` (word → label, see
    `label_terms`) adds, for each such word of a text, a feature of its label."""
    if len(set(labels)) < 2:
        raise ValueError("a classifier needs at least two labels")
    started = time.perf_counter()
    n_train = len(texts)
    if augment:
        texts, labels = augmented(texts, labels, seed=seed)
    cleaned = [_clean(text, fold_places=fold_places) for text in texts]
    marks = {word: "\x02" + label for word, label in (terms or {}).items()}
    vocabulary = _vocabulary(cleaned, marks)
    idf = TfidfTransformer(sublinear_tf=True)
    counts = _counts(cleaned, vocabulary, marks)
    features = idf.fit_transform(counts)
    # balanced class weights: the small categories count as much as the large ones in a macro-F1
    model = SGDClassifier(
        loss="modified_huber",
        alpha=1e-4,
        max_iter=50,
        tol=1e-4,
        class_weight="balanced" if balanced else None,
        random_state=seed,
    )
    model.fit(features, list(labels))
    nb_weights, nb_intercepts = None, None
    if ensemble:
        nb_weights, nb_intercepts = _nb_svm(_binary(counts), np.array(labels), model.classes_)
    return Classifier(
        labels=[str(label) for label in model.classes_],
        vocabulary=vocabulary,
        idf=idf,
        model=model,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_train=n_train,
        seconds=round(time.perf_counter() - started, 3),
        meta=meta,
        fold_places=fold_places,
        by_sentences=by_sentences,
        nb_weights=nb_weights,
        nb_intercepts=nb_intercepts,
        terms=marks or None,
        nb_max_tokens=int(np.percentile(np.diff(counts.indptr)[:n_train], NB_PERCENTILE)),
    )


def evaluate(classifier: Classifier, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """{"macro_f1", "accuracy", "n", "texts_per_s"} of the classifier on labelled texts (featurising timed)."""
    classifier.predict(texts[:1])  # the segmenter's dictionary is built on first use: not part of the rate
    started = time.perf_counter()
    predicted = classifier.predict(texts)
    seconds = time.perf_counter() - started
    return {
        "macro_f1": round(float(f1_score(labels, predicted, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "n": len(texts),
        "texts_per_s": round(len(texts) / seconds, 1) if seconds > 0 else None,
    }


def split(
    texts: Sequence[str], labels: Sequence[str], *, share: float = 0.2, seed: int = 0
) -> tuple[list[str], list[str], list[str], list[str]]:
    """A stratified validation split: `share` of each label's texts (at least one when it has two) held out."""
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    rng = random.Random(seed)
    held: set[int] = set()
    for indices in by_label.values():
        indices = sorted(indices)
        rng.shuffle(indices)
        take = round(len(indices) * share) if len(indices) > 1 else 0
        held.update(indices[: max(take, 1 if len(indices) > 1 else 0)])
    train_idx = [i for i in range(len(texts)) if i not in held]
    val_idx = sorted(held)
    return (
        [texts[i] for i in train_idx],
        [labels[i] for i in train_idx],
        [texts[i] for i in val_idx],
        [labels[i] for i in val_idx],
    )


def save(classifier: Classifier, path: Path, *, evaluation: dict[str, Any] | None = None) -> Path:
    """Write the model to `path` and, beside it, `<path>.json` with its facts and evaluation."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as out:
        pickle.dump(classifier, out, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    facts = {
        "labels": classifier.labels,
        "trained_at": classifier.trained_at,
        "n_train": classifier.n_train,
        "seconds": classifier.seconds,
        "meta": classifier.meta,
        "evaluation": evaluation or {},
    }
    path.with_suffix(".json").write_text(json.dumps(facts, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


_loaded: dict[Path, tuple[float, Classifier]] = {}


def load(path: Path) -> Classifier:
    """The model stored at `path` (cached until the file changes)."""
    mtime = path.stat().st_mtime
    cached = _loaded.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with path.open("rb") as source:
        classifier = pickle.load(source)  # noqa: S301 — a file this module wrote under VAR_DIR
    if not isinstance(classifier, Classifier) or classifier.format != FORMAT:
        raise ValueError(f"{path} is not a model of this version")
    _loaded[path] = (mtime, classifier)
    return classifier


def models_dir(name: str) -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "models" / name


def new_model_path(name: str) -> Path:
    """A fresh versioned file for a model called `name`: var/models/<name>/<UTC time>.pkl."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return models_dir(name) / f"{stamp}.pkl"


def latest_model_path(name: str) -> Path | None:
    """The newest version of the model called `name`, if any was trained."""
    folder = models_dir(name)
    if not folder.is_dir():
        return None
    versions = sorted(folder.glob("*.pkl"))
    return versions[-1] if versions else None


def latest(name: str) -> Classifier | None:
    path = latest_model_path(name)
    return load(path) if path else None


def read_labelled_csv(path: Path) -> tuple[list[str], list[str]]:
    """The `text,label` rows of a CSV file (DESIGN §10), empty rows skipped."""
    import csv

    texts: list[str] = []
    labels: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as source:
        reader = csv.DictReader(source)
        if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: the columns must be text,label")
        for row in reader:
            text, label = (row["text"] or "").strip(), (row["label"] or "").strip()
            if text and label:
                texts.append(text)
                labels.append(label)
    return texts, labels
