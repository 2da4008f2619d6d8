from collections.abc import Iterable

from django.apps import AppConfig


def category_terms() -> Iterable[str]:
    from appeals.models import Category

    return Category.objects.values_list("name", flat=True)


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = "诉求办理"

    def ready(self) -> None:
        from text.chinese import add_term_source

        # The segmenter keeps the taxonomy's terms whole (拖欠农民工工资, 住房公积金).
        add_term_source(category_terms)
