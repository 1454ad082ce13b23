def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_sign_in_page_renders(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert "Sign in to LEA Support" in response.get_data(as_text=True)


def test_a_serving_app_freezes_what_it_built_out_of_the_garbage_collector(database_url):
    """Production and development apps move their start-up objects into the collector's permanent
    generation (full collections then scan only what requests make); test apps do not."""
    import gc

    from lea_support import create_app
    from lea_support.config import Config, TestConfig

    assert Config.GC_FREEZE_AT_START and not TestConfig.GC_FREEZE_AT_START

    class Serving(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        GC_FREEZE_AT_START = True

    gc.unfreeze()
    try:
        create_app(Serving)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
