from collections.abc import Iterable, Iterator

from django.apps import AppConfig


def category_terms() -> Iterable[str]:
    from appeals.models import Category

    return Category.objects.values_list("name", flat=True)


def category_label_terms() -> Iterator[tuple[tuple[str, str], str]]:
    """Each category (code, name) with its own name, and a level-1 one with its children's names too."""
    from appeals.models import Category

    for category in Category.objects.select_related("parent"):
        yield (category.code, category.name), category.name
        if category.parent:
            yield (category.parent.code, category.parent.name), category.name


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = "诉求办理"

    def ready(self) -> None:
        from text.chinese import add_term_source
        from text.classify import add_label_term_source

        # The segmenter keeps the taxonomy's terms whole (拖欠农民工工资, 住房公积金).
        add_term_source(category_terms)
        # and the classifiers learn which of the taxonomy's words belong to which category
        add_label_term_source(category_label_terms)
