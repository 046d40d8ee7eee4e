"""The settings record rejects bad values before any work, with one message shape."""

from __future__ import annotations

import pytest

from matcher import ConfigError, MatchConfig, ScoreWeights


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_score": -0.5},
         "The 'min_score' parameter of MatchConfig must be a float in [0, 1]. Got -0.5 instead."),
        ({"min_score": "high"},
         "The 'min_score' parameter of MatchConfig must be a float in [0, 1]. Got 'high' instead."),
        ({"top_k": -1},
         "The 'top_k' parameter of MatchConfig must be an int >= 0. Got -1 instead."),
        ({"top_k": True},
         "The 'top_k' parameter of MatchConfig must be an int >= 0. Got True instead."),
        ({"default_max_distance_km": float("nan")},
         "The 'default_max_distance_km' parameter of MatchConfig must be a float in "
         "[0, 20100]. Got nan instead."),
        ({"strict": "yes"},
         "The 'strict' parameter of MatchConfig must be a bool. Got 'yes' instead."),
        ({"block_size": 0},
         "The 'block_size' parameter of MatchConfig must be an int >= 1. Got 0 instead."),
        ({"lang": "no"},
         "The 'lang' parameter of MatchConfig must be one of 'nb', 'da', 'en'. Got 'no' "
         "instead."),
        ({"lang": None},
         "The 'lang' parameter of MatchConfig must be one of 'nb', 'da', 'en'. Got None "
         "instead."),
    ],
)
def test_bad_setting_is_named_with_rule_and_value(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        MatchConfig(**kwargs)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_weights_must_sum_to_one() -> None:
    with pytest.raises(ConfigError, match="must be weights that sum to 1"):
        ScoreWeights(skill=0.5, transfer=0.1, wish=0.5, permanent=0.5)


def test_record_is_frozen_and_serialisable() -> None:
    config = MatchConfig(min_score=0.3)
    with pytest.raises(AttributeError):
        config.min_score = 0.4  # type: ignore[misc]
    data = config.to_dict()
    assert data["min_score"] == 0.3
    assert data["weights"] == {"skill": 0.4, "transfer": 0.25, "wish": 0.3, "permanent": 0.05}
    assert MatchConfig(**{**data, "weights": ScoreWeights(**data["weights"])}) == config
