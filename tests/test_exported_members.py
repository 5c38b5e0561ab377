import umbrella


def test_public_api() -> None:
    assert set(umbrella.__all__) == {
        "Assessment",
        "DataError",
        "Run",
        "Scenario",
        "ScenarioError",
        "UmbrellaError",
        "UsageError",
        "World",
        "__version__",
        "assess",
        "backtest",
        "check_world",
        "cite",
        "load_scenario",
        "load_world",
        "open_run",
        "run",
        "stress_tests",
    }
    for name in umbrella.__all__:
        assert hasattr(umbrella, name)
