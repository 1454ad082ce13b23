"""The accessibility check itself: it finds problems when there are some, and says where."""
from __future__ import annotations

import pytest

from tests.journeys.axe import assert_accessible


@pytest.mark.browser
def test_the_check_names_each_rule_broken_and_where(browser_page):
    browser_page.set_content('<html><head><title>Broken</title></head><body><main><h1>Broken</h1>'
                             '<img src="data:," id="chart"><label>Name <input id="name"></label>'
                             '<input id="unlabelled"></main></body></html>')
    with pytest.raises(AssertionError) as failure:
        assert_accessible(browser_page)
    message = str(failure.value)
    assert "html-has-lang" in message
    assert "image-alt (critical): Images must have alternative text" in message and "#chart" in message
    assert "label" in message and "#unlabelled" in message and "#name:" not in message
