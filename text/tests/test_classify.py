import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from text.chinese import reset_terms
from text.classify import (
    augmented,
    evaluate,
    label_terms,
    latest,
    latest_model_path,
    load,
    new_model_path,
    save,
    sentences,
    split,
    train,
)

TEDDY = Path(settings.BASE_DIR).parent / "shared" / "data" / "teddy2020"

# Small labelled set: three problems, each told in several ways, with places and people that vary.
PLACES = ["沙包堡街道", "墨冲镇", "A6区", "西地省K8县", "匀东镇", "小围寨街道"]
PATTERNS = {
    "wages": [
        "{p}工地老板拖欠农民工工资",
        "{p}建筑公司欠薪半年不发",
        "{p}包工头拖欠工人工资不给",
        "讨要{p}工厂拖欠的工资",
    ],
    "roads": [
        "{p}道路坑洼积水难行",
        "{p}路面破损请尽快修路",
        "{p}的马路年久失修坑洼",
        "{p}村道塌方无人修路",
    ],
    "schools": [
        "{p}小学乱收补课费",
        "{p}中学老师违规补课收费",
        "{p}学校强制学生补课",
        "{p}幼儿园收费过高学生家长不满",
    ],
}


def labelled() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, patterns in PATTERNS.items():
        for pattern in patterns:
            for place in PLACES:
                texts.append(pattern.format(p=place))
                labels.append(label)
    return texts, labels


@pytest.fixture(autouse=True)
def _no_dictionary() -> Iterator[None]:
    reset_terms([])  # the default term sources read the database; these tests never touch it
    yield
    reset_terms()


@pytest.fixture
def var_dir(tmp_path: Path, settings: object) -> Path:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    return tmp_path


def test_a_trained_classifier_names_the_problem_of_texts_it_never_saw() -> None:
    classifier = train(*labelled())
    assert classifier.predict(["都匀市某工地老板欠薪不发", "我家门口的道路坑洼", "学校补课收费"]) == [
        "wages",
        "roads",
        "schools",
    ]


def test_top_gives_the_likeliest_labels_first_with_their_confidence() -> None:
    classifier = train(*labelled())
    top = classifier.top("工地拖欠工资", k=3)
    assert next(label for label, _ in top) == "wages"
    assert top[0][1] > 0.5 and top[0][1] > top[1][1] and top[0][1] > top[2][1]
    assert all(0 <= p <= 1 for _, p in top)
    assert classifier.probabilities(["工地拖欠工资"]).sum() == pytest.approx(1.0)


def test_a_long_message_is_read_by_its_first_sentences_the_title_counting_most() -> None:
    classifier = train(*labelled())
    message = "沙包堡街道工地拖欠农民工工资。我们多次找老板。老板说没钱。请领导帮忙。" + "谢谢。" * 50
    assert classifier.predict([message]) == ["wages"]
    assert len(sentences(message)) == 6


def test_a_text_with_nothing_known_gets_no_confident_label() -> None:
    classifier = train(*labelled())
    (_, confidence), *_ = classifier.top("嗯嗯嗯")
    assert confidence < 0.35


def test_training_needs_two_labels() -> None:
    with pytest.raises(ValueError):
        train(["一", "二"], ["a", "a"])


def test_training_also_sees_message_like_texts_of_one_label_each() -> None:
    texts, labels = labelled()
    more_texts, more_labels = augmented(texts, labels)
    assert more_texts[: len(texts)] == texts and len(more_texts) == 2 * len(texts)
    by_text = dict(zip(texts, labels, strict=True))
    for joined, label in zip(more_texts[len(texts) :], more_labels[len(texts) :], strict=True):
        parts = [part for part in joined.split("。") if part]
        assert len(parts) == 3 and {by_text[part] for part in parts} == {label}


def test_the_two_models_and_either_alone_name_the_problem_of_a_long_message() -> None:
    texts, labels = labelled()
    message = "您好！我是墨冲镇的村民。我们村的道路坑洼积水，车辆难行。请有关部门尽快修路，谢谢。"
    for ensemble, augment in ((True, True), (False, True), (True, False)):
        assert train(texts, labels, ensemble=ensemble, augment=augment).predict([message]) == ["roads"]


def test_the_label_dictionary_keeps_the_taxonomy_words_of_one_trained_category_only() -> None:
    names = [
        (("C01", "劳动和社会保障"), "拖欠工资"),
        (("C01", "劳动和社会保障"), "保险理赔"),
        (("C02", "城乡建设"), "道路维修"),
        (("C02", "城乡建设"), "保险理赔"),
        (("C09", "农村农业"), "道路硬化"),
        ("wages", "工资待遇问题"),
    ]
    terms = label_terms(names, ["C01", "城乡建设", "wages"])
    assert terms["拖欠工资"] == "C01" and terms["道路"] == "城乡建设"  # 农村农业 is not trained: no rival
    assert "保险" not in terms and "理赔" not in terms  # two trained categories share them
    assert terms["工资待遇"] == "wages" and "问题" not in terms  # 问题 says nothing of a category
    assert "硬化" not in terms  # only 农村农业's


def test_a_word_of_the_label_dictionary_names_its_category_in_a_text_never_seen() -> None:
    texts, labels = labelled()
    # the training texts never say 教室 (nor any of its characters), but they say the dictionary's other words
    terms = {"小学": "schools", "中学": "schools", "学校": "schools", "幼儿园": "schools", "教室": "schools"}
    message = "教室漏雨"
    (label, confidence), *_ = train(texts, labels, terms=terms).top(message)
    assert label == "schools" and confidence >= 0.35
    assert train(texts, labels).top(message)[0][1] < 0.35  # without the dictionary nothing of it is known


def test_the_validation_split_holds_out_a_share_of_every_label() -> None:
    texts, labels = labelled()
    fit_texts, _fit_labels, val_texts, val_labels = split(texts, labels, share=0.25, seed=1)
    assert len(val_texts) == 18 and len(fit_texts) == 54
    assert sorted(set(val_labels)) == ["roads", "schools", "wages"]
    assert not set(val_texts) & set(fit_texts)


def test_evaluate_reports_macro_f1_accuracy_count_and_rate() -> None:
    texts, labels = labelled()
    result = evaluate(train(texts, labels), texts, labels)
    assert set(result) == {"macro_f1", "accuracy", "n", "texts_per_s"}
    assert result["n"] == 72 and result["macro_f1"] > 0.9


def test_models_are_versioned_files_with_their_evaluation_beside_them(var_dir: Path) -> None:
    texts, labels = labelled()
    first = save(train(texts, labels), new_model_path("category"), evaluation={"validation": {"n": 1}})
    second = save(train(texts, labels, seed=2), new_model_path("category"))
    assert first != second and first.parent == var_dir / "models" / "category"
    assert latest_model_path("category") == second
    assert json.loads(first.with_suffix(".json").read_text())["evaluation"] == {"validation": {"n": 1}}
    assert load(first).predict(["拖欠工资"]) == ["wages"]
    assert latest("lead-unit") is None


def write_csv(path: Path, texts: list[str], labels: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels, strict=True))
    return path


@pytest.mark.django_db
def test_classify_train_and_eval_commands_print_one_json_line(var_dir: Path) -> None:
    texts, labels = labelled()
    data = write_csv(var_dir / "train.csv", texts, labels)
    out = io.StringIO()
    call_command("classify_train", csv=data, stdout=out)
    trained = json.loads(out.getvalue())
    assert trained["n"] == 72 and set(trained["validation"]) == {"macro_f1", "accuracy", "n", "texts_per_s"}
    assert {"macro_f1", "accuracy", "n", "texts_per_s"} <= set(trained)
    assert trained["macro_f1"] == trained["validation"]["macro_f1"]
    assert Path(trained["model"]).exists() and Path(trained["model"]).with_suffix(".json").exists()

    out = io.StringIO()
    call_command("classify_eval", csv=data, stdout=out)
    assert set(json.loads(out.getvalue())) == {"macro_f1", "accuracy", "n", "texts_per_s"}

    model = var_dir / "elsewhere.pkl"
    call_command("classify_train", csv=data, model=model, stdout=io.StringIO())
    out = io.StringIO()
    call_command("classify_eval", csv=data, model=model, stdout=out)
    assert json.loads(out.getvalue())["n"] == 72


def test_classify_commands_refuse_a_csv_without_text_and_label(var_dir: Path) -> None:
    bad = var_dir / "bad.csv"
    bad.write_text("subject,category\n欠薪,劳动\n", encoding="utf-8")
    with pytest.raises(CommandError, match="text,label"):
        call_command("classify_train", csv=bad, stdout=io.StringIO())
    with pytest.raises(CommandError, match="no model"):
        call_command("classify_eval", csv=bad, stdout=io.StringIO())


def test_on_teddy2020_subjects_the_classifier_is_near_its_reported_figures() -> None:
    subjects = TEDDY / "train_subjects.csv"
    if not subjects.exists():
        pytest.skip(f"teddy2020 data absent ({subjects}): the figures are measured by bench/classify.py")
    from text.classify import read_labelled_csv

    texts, labels = read_labelled_csv(subjects)
    fit_texts, fit_labels, val_texts, val_labels = split(texts, labels)
    assert evaluate(train(fit_texts, fit_labels), val_texts, val_labels)["macro_f1"] >= 0.87


def test_on_teddy2020_full_messages_the_subject_model_reaches_the_target() -> None:
    subjects, details = TEDDY / "train_subjects.csv", TEDDY / "sample_details.csv"
    if not (subjects.exists() and details.exists()):
        pytest.skip(f"teddy2020 data absent ({TEDDY}): the figures are measured by bench/classify.py")
    from text.classify import read_labelled_csv

    with details.open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.DictReader(source))
    classifier = train(*read_labelled_csv(subjects))
    result = evaluate(classifier, [r["subject"] + "。" + r["text"] for r in rows], [r["label"] for r in rows])
    assert result["macro_f1"] >= 0.935
