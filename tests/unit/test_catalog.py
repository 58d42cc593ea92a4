"""Model catalog: profiles, lifecycle and validation errors."""

import json
from datetime import date

import pytest

from router.catalog import Lifecycle, load_catalog
from router.exceptions import ConfigurationError, RetiredModelError
from router.models import Tier


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_default_profile_is_current(catalog):
    assert catalog.default_profile == "current"


@pytest.mark.parametrize("tier", list(Tier))
def test_current_profile_has_no_retired_model(catalog, tier):
    assert not catalog.model_for(tier).is_retired()


def test_original_profile_keeps_product_table(catalog):
    tiers = catalog.profile("original").tiers
    assert [tiers[t] for t in Tier] == ["claude-haiku-4-5", "claude-sonnet-4-20250514", "claude-opus-4-20250514"]


@pytest.mark.parametrize("model_id", ["claude-sonnet-4-20250514", "claude-opus-4-20250514"])
def test_retired_model_fails_before_call(catalog, model_id):
    entry = catalog.models[model_id]
    with pytest.raises(RetiredModelError, match=entry.replacement):
        entry.ensure_callable()


def test_retired_profile_warns_once_per_model(catalog):
    warnings = catalog.lifecycle_warnings("original")
    assert len([w for w in warnings if "retired" in w]) == 2


def test_deprecated_model_warning_names_date(catalog):
    entry = next(iter(catalog.models.values())).model_copy(
        update={"status": Lifecycle.DEPRECATED, "retires_on": date(2099, 1, 31)}
    )
    patched = catalog.model_copy(update={"models": {**catalog.models, entry.anthropic_id: entry}})
    profile = next(p for p, v in catalog.profiles.items() if entry.anthropic_id in v.tiers.values())
    assert any("2099-01-31" in w for w in patched.lifecycle_warnings(profile))


@pytest.mark.parametrize("tier", list(Tier))
def test_every_price_has_source_and_date(catalog, tier):
    pricing = catalog.model_for(tier).pricing
    assert pricing.source.startswith("https://")
    assert pricing.checked <= date.today()


def test_unknown_profile_names_allowed(catalog):
    with pytest.raises(ConfigurationError, match="allowed .*current"):
        catalog.profile("nope")


def test_unreadable_catalog_error(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot be read"):
        load_catalog(tmp_path / "missing.json")


def test_invalid_json_catalog_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(ConfigurationError, match="not valid JSON: line 1"):
        load_catalog(path)


def test_catalog_unknown_model_in_profile(tmp_path):
    raw = json.loads(load_catalog().model_dump_json())
    raw["profiles"]["current"]["tiers"]["1"] = "no-such-model"
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(ConfigurationError, match="no-such-model"):
        load_catalog(path)
