"""The portal's pages (citizen.py) and the Open311 GeoReport v2 endpoints (open311.py)."""
