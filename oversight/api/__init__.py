"""The oversight API; config/api.py registers each router."""
