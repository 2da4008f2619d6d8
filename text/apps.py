from collections.abc import Iterable

from django.apps import AppConfig


def region_names() -> Iterable[str]:
    from geo.models import Region
    from text.chinese import place_forms

    for name in Region.objects.values_list("name", flat=True):
        yield from place_forms(name)


class TextConfig(AppConfig):
    """Chinese text: segmentation, classifiers, similarity, redaction. No domain models (DESIGN §8)."""

    name = "text"
    verbose_name = "文本分析"

    def ready(self) -> None:
        from text.chinese import add_term_source

        add_term_source(region_names, places=True)
