from geo.models import Region
from geo.services import QIANNAN_CSV, regions_load


def ensure_qiannan() -> None:
    """The real Qiannan division tree, loaded once per database."""
    if not Region.objects.filter(pk="522700000000").exists():
        regions_load(path=QIANNAN_CSV)
