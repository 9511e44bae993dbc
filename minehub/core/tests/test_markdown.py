import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minehub.core.markdown import ALLOWED_TAGS, render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="http://x" onclick="steal()">x</a>',
    "<iframe src=//evil.example></iframe>",
    "<svg><script>alert(1)</script></svg>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
]


TAG = re.compile(r"<([a-z][a-z0-9]*)\b([^>]*)>", re.I)


def dangerous_markup(html: str) -> list[str]:
    """Real tags (not escaped text) that could run script or load foreign content."""
    problems = []
    for name, attributes in TAG.findall(html):
        if name.lower() not in ALLOWED_TAGS:
            problems.append(name)
        if re.search(r"\bon\w+\s*=|javascript:|data:|style\s*=", attributes, re.I):
            problems.append(attributes)
    return problems


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_neutralised(source: str) -> None:
    assert dangerous_markup(str(render_markdown(source))) == []


def test_the_danger_check_recognises_real_tags() -> None:
    assert dangerous_markup('<img src=x onerror="x()">') != []
    assert dangerous_markup("&lt;img src=x onerror=x()&gt;") == []


def test_markdown_keeps_ordinary_formatting() -> None:
    html = str(render_markdown("*Мөнгөн ус* and [UNDP](https://www.undp.org)\n\n- one\n- two"))
    assert "<em>Мөнгөн ус</em>" in html
    assert '<a href="https://www.undp.org" rel="nofollow noopener noreferrer">UNDP</a>' in html
    assert "<li>one</li>" in html


@given(st.text(max_size=300))
def test_any_text_renders_without_dangerous_markup(source: str) -> None:
    assert dangerous_markup(str(render_markdown(source))) == []
