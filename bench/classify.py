"""How well and how fast does text.classify name the category of a message?

    .venv/bin/python bench/classify.py [--folds 5]

On ../shared/data/teddy2020 (read in place, never copied). Training only ever sees train_subjects.csv.
- subjects: our own validation (80/20 stratified split, seed 0) and the mean over k stratified folds;
- full messages: sample_details.csv, the data README's labelled full texts (subject + "。" + 留言详情). 255 of its
  352 subjects are also in train_subjects.csv, so it is read three ways: (a) the model trained on every
  subject; (b) the model trained on the subjects minus those 255+ (nothing of these messages was ever seen: the
  honest figure); (c) the body alone, without its subject, on model (b);
- the cheap method the issue names (char 1–3 + word TF-IDF NB-SVM, binarised features scaled by the
  log-count ratio, a linear SVM per class) on the same splits;
- what moved the confusion pairs: the pipeline with each of its choices switched off in turn;
- speed: training seconds on all subjects; full messages per second on one core, featurising included, as CPU
  time of this process (the machine is shared; wall time is printed beside it).
"""

import argparse
import csv
import os
import sys
import time
from collections import Counter
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from _support import ROOT, django_setup, machine

DATA = ROOT.parent / "shared" / "data" / "teddy2020"
PAIRS = [("商贸旅游", "城乡建设"), ("环境保护", "城乡建设"), ("教育文体", "劳动和社会保障")]


def read_subjects() -> tuple[list[str], list[str]]:
    from text.classify import read_labelled_csv

    return read_labelled_csv(DATA / "train_subjects.csv")


def read_details() -> list[dict[str, str]]:
    with (DATA / "sample_details.csv").open(encoding="utf-8-sig", newline="") as source:
        return list(csv.DictReader(source))


def read_taxonomy() -> list[tuple[str, str]]:
    """(level-1 category, level-2 or level-3 name) pairs of taxonomy.csv: the source of the label dictionary."""
    with (DATA / "taxonomy.csv").open(encoding="utf-8-sig", newline="") as source:
        return [
            (row["一级分类"], row[level])
            for row in csv.DictReader(source)
            for level in ("二级分类", "三级分类")
        ]


def confusions(truth: list[str], predicted: list[str]) -> dict[str, int]:
    counts = Counter(zip(truth, predicted, strict=True))
    return {f"{a}↔{b}": counts[(a, b)] + counts[(b, a)] for a, b in PAIRS}


def nbsvm(fit_texts: list[str], fit_labels: list[str]):  # type: ignore[no-untyped-def]
    """The cheap method: binarised char 1–3 + word TF-IDF features, NB log-count ratio, linear SVM per class."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from text.chinese import normalise, segment

    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, preprocessor=normalise)
    words = TfidfVectorizer(analyzer=segment, sublinear_tf=True)
    chars.fit(fit_texts)
    words.fit(fit_texts)

    def features(texts: list[str]):  # type: ignore[no-untyped-def]
        return (sparse.hstack([chars.transform(texts), words.transform(texts)]).tocsr() > 0).astype(float)

    matrix = features(fit_texts)
    y = np.array(fit_labels)
    classes = sorted(set(fit_labels))
    models = []
    for label in classes:
        p = np.asarray(matrix[y == label].sum(0)).ravel() + 1
        q = np.asarray(matrix[y != label].sum(0)).ravel() + 1
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        models.append((ratio, LinearSVC(C=0.1).fit(matrix.multiply(ratio).tocsr(), y == label)))

    def predict(texts: list[str]) -> list[str]:
        m = features(texts)
        scores = np.column_stack([svm.decision_function(m.multiply(r).tocsr()) for r, svm in models])
        return [classes[i] for i in scores.argmax(1)]

    return predict


def macro(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return round(float(f1_score(truth, predicted, average="macro")), 4)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    if not (DATA / "train_subjects.csv").exists():
        raise SystemExit(f"{DATA} is not there: the teddy2020 data is read in place from ../shared")
    django_setup()
    from sklearn.model_selection import StratifiedKFold

    from text.chinese import reset_terms
    from text.classify import evaluate, label_terms, split, train

    reset_terms([])  # the teddy2020 places are pseudonymised (A市, A2区): the region table has none of them
    print(machine())
    texts, labels = read_subjects()
    details = read_details()
    full = [row["subject"] + "。" + row["text"] for row in details]
    body = [row["text"] for row in details]
    truth = [row["label"] for row in details]
    seen = {row["subject"].strip() for row in details}
    unseen_texts = [t for t, _ in zip(texts, labels, strict=True) if t not in seen]
    unseen_labels = [lab for t, lab in zip(texts, labels, strict=True) if t not in seen]
    print(
        f"subjects {len(texts)}; full messages {len(details)}; subjects left when theirs are taken out "
        f"{len(unseen_texts)}"
    )

    terms = label_terms(read_taxonomy(), labels)
    print(f"label dictionary: {len(terms)} words of taxonomy.csv, each of one category only")
    fit_texts, fit_labels, val_texts, val_labels = split(texts, labels)
    variants: dict[str, dict[str, Any]] = {
        "pipeline": {"terms": terms},
        "- label dictionary (the taxonomy's words)": {},
        "- sentences (whole message, ≤600 chars, as one text)": {"by_sentences": False, "terms": terms},
        "- balanced class weights": {"balanced": False, "terms": terms},
        "+ place codes folded (as round 1)": {"fold_places": True, "terms": terms},
        "+ NB-SVM member (margins averaged with the SGD's)": {"ensemble": True, "terms": terms},
        "- message-like augmentations (subjects of a label joined)": {"augment": False, "terms": terms},
        "round 1 (SGD alone, places folded, no dictionary, no augmentations)": {
            "ensemble": False,
            "augment": False,
            "fold_places": True,
        },
    }
    for name, options in variants.items():
        model_val = train(fit_texts, fit_labels, **options)
        val_pred = model_val.predict(val_texts)
        model_all = train(texts, labels, **options)
        model_unseen = train(unseen_texts, unseen_labels, **options)
        a, b, c = model_all.predict(full), model_unseen.predict(full), model_unseen.predict(body)
        print(f"\n[{name}]")
        print(
            f"  subjects validation macro-F1 {macro(val_labels, val_pred)}  confusions {confusions(val_labels, val_pred)}"
        )
        print(
            f"  full (a) seen subjects {macro(truth, a)}  (b) never seen {macro(truth, b)}  "
            f"(c) body only {macro(truth, c)}  confusions (b) {confusions(truth, b)}"
        )

    predict = nbsvm(fit_texts, fit_labels)
    val_pred = predict(val_texts)
    print("\n[cheap method: char+word TF-IDF NB-SVM]")
    print(
        f"  subjects validation macro-F1 {macro(val_labels, val_pred)}  confusions {confusions(val_labels, val_pred)}"
    )
    b = nbsvm(unseen_texts, unseen_labels)(full)
    print(
        f"  full (a) seen subjects {macro(truth, nbsvm(texts, labels)(full))}  (b) never seen {macro(truth, b)}"
        f"  confusions (b) {confusions(truth, b)}"
    )

    scores, baseline = [], []
    for fold_fit, fold_val in StratifiedKFold(args.folds, shuffle=True, random_state=0).split(texts, labels):
        ft, fl = [texts[i] for i in fold_fit], [labels[i] for i in fold_fit]
        vt, vl = [texts[i] for i in fold_val], [labels[i] for i in fold_val]
        scores.append(macro(vl, train(ft, fl, terms=terms).predict(vt)))
        baseline.append(macro(vl, nbsvm(ft, fl)(vt)))
    print(
        f"\nsubjects {args.folds}-fold macro-F1: pipeline {sum(scores) / len(scores):.4f} {scores}; "
        f"NB-SVM {sum(baseline) / len(baseline):.4f} {baseline}"
    )

    started = time.perf_counter()
    model = train(texts, labels, terms=terms)
    print(f"training on all {len(texts)} subjects: {time.perf_counter() - started:.2f} s")
    many = (full * 6)[:2000]
    model.predict(many[:10])
    for attempt in range(3):
        cpu, wall = time.process_time(), time.perf_counter()
        model.predict(many)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"full messages, run {attempt + 1}: {len(many) / cpu:.0f} per CPU-second, {len(many) / wall:.0f} per "
            f"wall second ({len(many)} messages, mean {sum(map(len, many)) / len(many):.0f} chars)"
        )
    print("evaluate() on the 352:", evaluate(model, full, truth))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
