"""The vocabularies are data (demo/data/*.yaml), checked when they load."""

import pytest

from reintegra.cases import matching
from reintegra.demo import vocabulary
from reintegra.demo.vocabulary import DataError


def test_every_country_has_names_places_and_texts():
    vocab = vocabulary.vocabulary()
    assert set(vocab.countries) == set(vocab.organisations) == {"MX", "GT", "HN", "SV"}
    for country in vocab.countries.values():
        names = country.names
        assert names.male and names.female and names.surnames and country.localities and country.reception["land"]
        for name in [*names.male, *names.female, *names.surnames, *names.indigenous_surnames]:
            assert matching.clean_name(name) == name
    assert vocab.countries["GT"].names.indigenous_surnames  # Mayan surnames for the highlands
    assert len(vocab.countries["MX"].phone_areas) == 32  # an area code in every state


def test_loaded_once():
    assert vocabulary.vocabulary() is vocabulary.vocabulary()
    assert vocabulary.load("texts.yaml") is vocabulary.load("texts.yaml")


def test_a_code_the_models_do_not_know_fails_on_loading():
    texts = dict(vocabulary.load("texts.yaml"))
    texts["closure_notes"] = {**texts["closure_notes"], "vanished": "Desapareció."}
    with pytest.raises(DataError, match="vanished"):
        vocabulary._texts(texts)
    with pytest.raises(DataError, match="expected the keys"):
        vocabulary._texts({**texts, "extra_phrases": []})


def test_a_name_not_stored_as_typed_fails_on_loading():
    with pytest.raises(DataError, match="Ana"):
        vocabulary.Names.parse("GT", {"male": ["José"], "female": ["Ana\u200b"], "surnames": ["López"]})
