import umbrella


def test_public_api() -> None:
    assert set(umbrella.__all__) == {
        "DataError",
        "UmbrellaError",
        "UsageError",
        "World",
        "__version__",
        "check_world",
        "cite",
        "load_world",
    }
    for name in umbrella.__all__:
        assert hasattr(umbrella, name)
