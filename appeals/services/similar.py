"""The text keys of appeals (MinHash LSH bands, `text.similar`) that the lookup of similar appeals reads."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db import transaction

from appeals.models import Appeal, AppealTextKey
from core.bulk import BulkWriter, bulk_method
from text.similar import band_keys


def text_key_rows(
    appeal_id: int, *, title: str, description: str, region_code: str, created_at: Any
) -> Iterator[dict[str, Any]]:
    """The rows of AppealTextKey for one appeal, as dicts for the bulk writer."""
    for key in set(band_keys(title, description, area=region_code[:6])):
        yield {"key": key, "appeal_id": appeal_id, "created_at": created_at}


@transaction.atomic
def appeal_index_text(*, appeal: Appeal) -> int:
    """Write the appeal's text keys afresh (after its registration, or after its title or description changed)."""
    AppealTextKey.objects.filter(appeal=appeal).delete()
    rows = [
        AppealTextKey(**row)
        for row in text_key_rows(
            appeal.pk,
            title=appeal.title,
            description=appeal.description,
            region_code=appeal.region_id,
            created_at=appeal.created_at,
        )
    ]
    AppealTextKey.objects.bulk_create(rows)
    return len(rows)


def appeals_index_missing(
    *, batch_size: int = 5_000, method: str = "auto", since: datetime | None = None
) -> Iterable[int]:
    """Give text keys to the appeals that have none (written in bulk, or before keys existed), batch by batch
    in id order; yields how many appeals each batch indexed. Safe to stop and run again. With `since`, only
    those registered since then (the lookup reads no older keys)."""
    writer = BulkWriter(bulk_method(method), [(AppealTextKey, False)])
    after = 0
    while True:
        batch = list(
            Appeal.objects.filter(pk__gt=after, **({"created_at__gte": since} if since else {}))
            .order_by("pk")
            .values("pk", "title", "description", "region_id", "created_at")[:batch_size]
        )
        if not batch:
            return
        after = batch[-1]["pk"]
        ids = [row["pk"] for row in batch]
        done = set(
            AppealTextKey.objects.filter(appeal_id__in=ids).values_list("appeal_id", flat=True).distinct()
        )
        rows = [
            key_row
            for row in batch
            if row["pk"] not in done
            for key_row in text_key_rows(
                row["pk"],
                title=row["title"],
                description=row["description"],
                region_code=row["region_id"],
                created_at=row["created_at"],
            )
        ]
        with transaction.atomic():
            writer.write(AppealTextKey, rows)
        yield len(batch) - len(done)
