import spinkube


def test_version_is_a_release_string() -> None:
    major, minor, patch = spinkube.__version__.split(".")
    assert all(part.isdigit() for part in (major, minor, patch))
