import pytest
from django.test import Client
from org.tests.factories import make_user, PASSWORD

@pytest.mark.django_db
def test_login():
    make_user(username="x")
    try:
        print("login ->", Client().login(username="x", password=PASSWORD))
    except Exception as exc:
        print("raised", type(exc).__name__)
