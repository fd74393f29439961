"""The append-only sequence behind a review's history: a tuple in all but its cost."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspr_workflow._sequence import AppendOnly, append_only, item_type


@given(st.lists(st.tuples(st.integers(min_value=0), st.integers()), max_size=200))
def test_every_version_reads_as_its_tuple(adds: list[tuple[int, int]]) -> None:
    """Each add grows some earlier version (not only the latest, as a verifier does);
    every version stays equal to the tuple it was made as, whatever grew after it."""
    versions: list[AppendOnly[int]] = [AppendOnly()]
    models: list[tuple[int, ...]] = [()]
    for pick, value in adds:
        i = pick % len(versions)
        versions.append(versions[i].add(value))
        models.append((*models[i], value))
    for version, model in zip(versions, models, strict=True):
        assert version == model
        assert model == version  # the reflected comparison, as in attrs' eq
        assert not (version != model)  # noqa: SIM202 (__ne__ is its own method)
        assert hash(version) == hash(model)
        assert len(version) == len(model)
        assert tuple(version) == model
        assert tuple(reversed(version)) == model[::-1]
        assert repr(version) == repr(model)
        if model:
            assert version[-1] == model[-1]
            assert version[0] == model[0]
            assert version[len(model) // 2] == model[len(model) // 2]
        assert version[1:-1] == model[1:-1]
        assert version[::3] == model[::3]


@pytest.mark.parametrize("size", [0, 1, 31, 32, 33, 64, 100])
def test_a_sequence_built_at_once_matches_one_grown_by_adds(size: int) -> None:
    grown: AppendOnly[int] = AppendOnly()
    for i in range(size):
        grown = grown.add(i)
    built = AppendOnly(range(size))
    assert grown == built
    assert hash(grown) == hash(built)
    assert list(grown) == list(range(size))
    assert (size - 1 in grown) is (size > 0)
    if size:
        assert grown.index(size - 1) == size - 1


def test_out_of_range_indices_raise_as_a_tuple_does() -> None:
    three = AppendOnly((1, 2, 3))
    with pytest.raises(IndexError):
        three[3]
    with pytest.raises(IndexError):
        three[-4]
    assert three[-3] == 1


def test_it_concatenates_copies_and_pickles_as_a_tuple() -> None:
    seq = AppendOnly(range(40))
    assert seq + (40,) == tuple(range(41))  # noqa: RUF005 (the + operator is tested)
    assert (-1,) + seq == tuple(range(-1, 40))  # noqa: RUF005
    assert seq + seq == tuple(range(40)) * 2
    assert pickle.loads(pickle.dumps(seq)) == seq
    assert copy.deepcopy(seq) == seq
    assert seq != list(range(40))  # a tuple is not equal to a list either


def test_adding_leaves_the_original_unchanged() -> None:
    base = AppendOnly(range(31))
    left, right = base.add("a"), base.add("b")  # the 32nd item: a chunk fills
    assert len(base) == 31
    assert left[-1] == "a"
    assert right[-1] == "b"
    assert left[:31] == right[:31] == tuple(base)


def test_converting_keeps_an_append_only_and_wraps_anything_else() -> None:
    seq = AppendOnly((1, 2))
    assert append_only(seq) is seq
    assert append_only((1, 2)) == seq
    assert item_type(AppendOnly[int]) is int
    assert item_type(tuple[str, ...]) is str
    assert item_type(tuple[str, int]) is None
    assert item_type(int) is None
