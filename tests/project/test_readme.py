"""The README's commands: the one CI runs is the one users read."""

import re
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _fenced_block_after(marker):
    """Return the text of the first fenced block after ``marker`` in the README."""
    after = README[README.index(marker) :]
    return re.search(r"```\w*\n(.*?)```", after, re.DOTALL).group(1).strip()


def test_ci_runs_the_readme_test_command():
    """Check that .ci/run extracts exactly the command under the README's marker."""
    result = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == _fenced_block_after("<!-- test-command -->")


def test_test_command_uses_a_fresh_environment_of_its_own():
    """Check that the tests get a new venv, not the demo's, and run pytest."""
    words = shlex.split(_fenced_block_after("<!-- test-command -->"))
    venv = words[words.index("venv") + 1 :]
    options = [word for word in venv if word.startswith("-")]
    directory = next(word for word in venv if not word.startswith("-"))
    assert "--clear" in options
    demo = shlex.split(_fenced_block_after("Run the demo"))
    assert directory != demo[demo.index("venv") + 1]
    assert f"{directory}/bin/activate" in words
    assert words[-3:] == ["python", "-m", "pytest"]


def test_readme_gives_the_quick_loop_and_the_strict_docs_build():
    """Check that the README shows -m "not slow" and builds the docs with -W."""
    assert 'python -m pytest -m "not slow"' in README
    assert "sphinx-build -W -b html docs docs/_build/html" in README
