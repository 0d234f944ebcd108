"""README.md opens with two commands; CI runs the second one verbatim."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    lines = (ROOT / "README.md").read_text().splitlines()
    return [line.strip() for line in lines[:20] if line.startswith("    ") and line.strip()]


def test_readme_opens_with_an_install_and_serve_command_and_a_test_command():
    serve, test = _commands()[:2]
    assert serve.startswith("pip install -e . && prefork ")
    assert test.startswith("pip install -e '.[test]' && ") and "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim():
    test = _commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test in ci_lines


def test_the_readme_settings_table_is_the_generated_one():
    from supervisor.config import settings_markdown

    text = (ROOT / "README.md").read_text()
    start = text.index("<!-- settings table:")
    start = text.index("\n", start) + 1
    end = text.index("<!-- end of settings table -->")
    assert text[start:end] == settings_markdown(), "regenerate the table: python -m supervisor.config"
