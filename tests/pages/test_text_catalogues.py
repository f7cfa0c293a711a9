"""Every text people read exists in every language of its catalogue, with the same placeholders."""

from __future__ import annotations

import importlib
import pkgutil
import string
from collections.abc import Iterator, Mapping

import jinja2
import pytest
from jinja2 import nodes

import masu.web
from masu.notifications.catalogue import CHANNELS, MESSAGE_NAMES, TEMPLATES_DIR
from masu.notifications.catalogue import LANGUAGES as MESSAGE_LANGUAGES
from masu.web.pages.account_settings import TEXTS as ACCOUNT_SETTINGS
from masu.web.pages.admin.manage_texts import TEXTS as ADMIN_MANAGE
from masu.web.pages.admin.report_texts import REPORT_TEXTS
from masu.web.pages.admin.texts import REASONS as ADMIN_REASONS
from masu.web.pages.admin.texts import TEXTS as ADMIN
from masu.web.pages.customer.payment import TEXTS as PAYMENT
from masu.web.pages.customer.review_link import TEXTS as REVIEW_LINK
from masu.web.pages.customer.texts import TEXTS as CUSTOMER
from masu.web.pages.customer.wizard_texts import WIZARD
from masu.web.pages.pro.offer_link import TEXTS as OFFER_LINK
from masu.web.pages.pro.texts import TEXTS as PRO
from masu.web.ui.i18n import COMMON, LANGUAGES
from masu.web.ui.weekly_hours import HOURS_TEXTS

Catalogue = Mapping[str, Mapping[str, str]]

# Every catalogue of the pages, by where it is written.
PAGE_CATALOGUES: dict[str, Catalogue] = {
    "ui.i18n.COMMON": COMMON,
    "ui.weekly_hours.HOURS_TEXTS": HOURS_TEXTS,
    "pages.account_settings.TEXTS": ACCOUNT_SETTINGS,
    "pages.customer.texts.TEXTS": CUSTOMER,
    "pages.customer.wizard_texts.WIZARD": WIZARD,
    "pages.customer.payment.TEXTS": PAYMENT,
    "pages.customer.review_link.TEXTS": REVIEW_LINK,
    "pages.pro.texts.TEXTS": PRO,
    "pages.pro.offer_link.TEXTS": OFFER_LINK,
    "pages.admin.texts.TEXTS": ADMIN,
    "pages.admin.texts.REASONS": ADMIN_REASONS,
    "pages.admin.manage_texts.TEXTS": ADMIN_MANAGE,
    "pages.admin.report_texts.REPORT_TEXTS": REPORT_TEXTS,
}
MESSAGES = [(name, channel) for name in MESSAGE_NAMES for channel in CHANNELS]
_PARSER = jinja2.Environment()  # parsing only: the catalogue's filters are not needed to find names


def placeholders(text: str) -> set[str]:
    """The `{names}` a text is formatted with."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def template_names(source: str) -> set[str]:
    """The context names a message template reads (those it assigns itself left out)."""
    tree = _PARSER.parse(source)
    read = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    return read - {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}


def language_catalogues() -> Iterator[tuple[str, object]]:
    """Every module-level dict under masu.web keyed by languages, with its module and name."""
    for module_info in pkgutil.walk_packages(masu.web.__path__, "masu.web."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, dict) and value and set(value) <= {*LANGUAGES, "ru"}:
                yield f"{module_info.name}.{name}", value


def test_every_catalogue_of_the_pages_is_checked() -> None:
    checked = {id(catalogue) for catalogue in PAGE_CATALOGUES.values()}
    texts = {where: v for where, v in language_catalogues() if all(isinstance(t, dict) for t in v.values())}
    assert texts, "the search finds the catalogues"
    assert {where for where, catalogue in texts.items() if id(catalogue) not in checked} == set()


@pytest.mark.parametrize("catalogue", PAGE_CATALOGUES.values(), ids=PAGE_CATALOGUES.keys())
def test_a_page_catalogue_has_the_same_keys_and_placeholders_in_every_language(catalogue: Catalogue) -> None:
    assert set(catalogue) == set(LANGUAGES)
    reference = catalogue[LANGUAGES[0]]
    for lang in LANGUAGES:
        assert catalogue[lang].keys() == reference.keys(), lang
        assert all(text.strip() for text in catalogue[lang].values()), f"an empty text in {lang}"
        texts = catalogue[lang].items()
        assert {k for k, text in texts if placeholders(text) != placeholders(reference[k])} == set(), lang


@pytest.mark.parametrize(("name", "channel"), MESSAGES, ids=[f"{n}-{c}" for n, c in MESSAGES])
def test_a_message_reads_the_same_values_in_every_language(name: str, channel: str) -> None:
    read = {
        lang: template_names((TEMPLATES_DIR / name / f"{lang}.{channel}.txt").read_text(encoding="utf-8"))
        for lang in MESSAGE_LANGUAGES
    }
    assert read[MESSAGE_LANGUAGES[0]], "the search finds the template's values"
    assert all(names == read[MESSAGE_LANGUAGES[0]] for names in read.values()), read
