"""Every Python snippet of the user documentation runs on its own, as a user runs it.

A reader copies one code block into a fresh interpreter, not the page. So each
block of ``docs/*.rst`` (``.. code-block:: python``, ``>>>`` examples,
``.. doctest::`` bodies and ``::`` literal blocks of Python) runs here alone
in a new Python process: it must import and build everything it uses, and a
``ConvergenceWarning`` it does not deal with itself is an error, since the
reader would see it unexplained. ``>>>`` examples must also print what the
page shows.
"""

import ast
import os
import re
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

# Each block starts a Python process that imports scikit-learn: about a second.
pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[2] / "docs"
# contributing.rst shows fragments of the package's own code, not user code.
USER_PAGES = sorted(path for path in DOCS.glob("*.rst") if path.stem != "contributing")

# The examples multiply small matrices; BLAS threads would only compete with
# the other block running beside them.
ENVIRONMENT = {
    **os.environ,
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
}
# A ConvergenceWarning that a snippet does not catch itself is an error.
STRICT = """
import sys, warnings
from sklearn.exceptions import ConvergenceWarning
warnings.simplefilter("error", ConvergenceWarning)
"""
SCRIPT_RUNNER = (
    STRICT
    + """
import runpy
runpy.run_path(sys.argv[1], run_name="__main__")
"""
)
# Outputs are compared as Sphinx's doctest builder compares them.
DOCTEST_RUNNER = (
    STRICT
    + """
import doctest
flags = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL
test = doctest.DocTestParser().get_doctest(
    sys.stdin.read(), {"__name__": "__main__"}, "snippet", None, 0
)
runner = doctest.DocTestRunner(optionflags=flags)
runner.run(test)
sys.exit(1 if runner.failures else 0)
"""
)

# What a block needs beyond the test extra: (words in the block, module, why).
NEEDS = [
    ("torch", "torch", "needs PyTorch"),
    ('device="cuda"', None, "needs a CUDA GPU"),
    ("tcp://scheduler", None, "needs a running dask cluster"),
]

DIRECTIVE = re.compile(r"^(\s*)\.\. (code-block|doctest|testcode):: ?(\S*)")


@dataclass(frozen=True)
class Snippet:
    """One code block of a page: where it starts, its text and how it runs."""

    page: str
    line: int
    code: str
    doctest: bool

    @property
    def id(self):
        """Return ``page:line``, the test's id."""
        return f"{self.page}:{self.line}"


def _indented_body(lines, start, indent):
    """Return the block after line ``start`` (deeper than ``indent``) and its end."""
    end = start + 1
    while end < len(lines) and not (
        lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) <= indent
    ):
        end += 1
    text = textwrap.dedent("\n".join(lines[start + 1 : end]))
    # Options of the directive (":hide:", ...) come first; the code follows.
    return re.sub(r"\A(\s*:\w[\w-]*:.*\n)*", "", text.strip("\n") + "\n").strip(), end


def _doctest_paragraph(lines, start):
    """Return the ``>>>`` paragraph beginning at line ``start`` and its end."""
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return textwrap.dedent("\n".join(lines[start:end])), end


def _is_python(text):
    """Return whether ``text`` parses as Python."""
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _holds_code(line):
    """Return whether ``line`` opens a directive of Python code or doctests."""
    directive = DIRECTIVE.match(line)
    return bool(directive) and (
        directive[2] in ("doctest", "testcode") or directive[3] in ("python", "pycon")
    )


def _block_at(lines, index):
    """Return the snippet starting at line ``index`` (or None) and the next line."""
    line = lines[index]
    indent = len(line) - len(line.lstrip())
    if _holds_code(line):
        return _indented_body(lines, index, indent)
    if line.lstrip().startswith(">>>"):
        return _doctest_paragraph(lines, index)
    if line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
        body, end = _indented_body(lines, index, indent)
        return (body if _is_python(body) else None), end
    return None, index + 1


def _page_snippets(path):
    """Return the Python snippets of one page, in order."""
    lines = path.read_text().splitlines()
    snippets, index = [], 0
    while index < len(lines):
        code, end = _block_at(lines, index)
        if code:
            is_doctest = code.startswith(">>>")
            snippets.append(Snippet(path.name, index + 1, code, is_doctest))
        index = end
    return snippets


SNIPPETS = [snippet for page in USER_PAGES for snippet in _page_snippets(page)]


def _missing_need(snippet):
    """Return why ``snippet`` cannot run here, or None when it can."""
    for words, module, reason in NEEDS:
        if words in snippet.code and (module is None or find_spec(module) is None):
            return reason
    return None


def _run(snippet, directory, python=sys.executable, env=ENVIRONMENT):
    """Return the finished run of ``snippet`` in a new ``python`` process."""
    # A file rather than stdin: dask's worker processes import the main script.
    script = directory / "snippet.py"
    script.write_text(snippet.code + "\n")
    if snippet.doctest:
        command, stdin = ["-c", DOCTEST_RUNNER], snippet.code
    else:
        command, stdin = ["-c", SCRIPT_RUNNER, str(script)], ""
    return subprocess.run(
        [python, *command],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=directory,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Return the run of every snippet that can run here, two at a time, by id."""
    runnable = [snippet for snippet in SNIPPETS if _missing_need(snippet) is None]
    directories = [tmp_path_factory.mktemp("snippet") for _ in runnable]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(_run, runnable, directories)
        return {snippet.id: run for snippet, run in zip(runnable, runs, strict=True)}


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.id for s in SNIPPETS])
def test_snippet_runs_alone_in_a_fresh_interpreter(snippet, results):
    """Check that a code block runs on its own, with no unexplained warning."""
    reason = _missing_need(snippet)
    if reason is not None:
        pytest.skip(reason)
    run = results[snippet.id]
    assert run.returncode == 0, f"{snippet.code}\n---\n{run.stdout}{run.stderr}"


def test_every_example_line_of_the_pages_is_in_a_snippet():
    """Check that no ``>>>`` line or Python code block escapes the extraction."""
    for page in USER_PAGES:
        text = page.read_text()
        shown = [line.strip() for line in text.splitlines() if ">>> " in line]
        found = [
            line.strip()
            for snippet in SNIPPETS
            if snippet.page == page.name
            for line in snippet.code.splitlines()
            if ">>> " in line
        ]
        assert found == shown, page.name
        blocks = len(re.findall(r"\.\. code-block:: python", text))
        assert blocks <= sum(s.page == page.name for s in SNIPPETS), page.name


def test_extraction_finds_each_kind_of_block():
    """Check the extractor on a page holding every kind of block once."""
    page = (
        "Text::\n\n    x = 1\n    print(x)\n\n"
        ".. code-block:: python\n\n   y = 2\n\n"
        ".. code-block:: bash\n\n   pip install skmlp\n\n"
        ">>> z = 3\n>>> z\n3\n\n"
        ".. doctest:: group\n\n   >>> w = 4\n\n"
        "A formula::\n\n    a = b +\n"
    )
    path = DOCS.parent / "tests" / "page.rst"
    snippets = _page_snippets_of_text(page, path)
    assert [(s.code, s.doctest) for s in snippets] == [
        ("x = 1\nprint(x)", False),
        ("y = 2", False),
        (">>> z = 3\n>>> z\n3", True),
        (">>> w = 4", True),
    ]


def _page_snippets_of_text(text, path):
    """Return the snippets of ``text`` as if it were the page at ``path``."""

    class Page:
        name = path.name

        @staticmethod
        def read_text():
            return text

    return _page_snippets(Page)
