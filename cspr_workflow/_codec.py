"""The one cattrs converter, canonical JSON, and the digests of the history's hash chain.

Every value the library stores passes through :func:`converter`: instants as ISO
8601 text with their offset (naive text is refused), dates as ``YYYY-MM-DD``,
enums by value, sets as sorted lists. Structuring is strict: text must be text,
numbers numbers, booleans booleans, and unknown keys are refused, so a document
is never quietly bent into shape.

Canonical JSON (sorted keys, no spaces, UTF-8) is what the hash chain digests:
each history entry carries the SHA-256 of its predecessor's canonical JSON, the
first entry the digest of the review's opening record.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import hashlib
import json
import types
import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pendulum

from ._records import Actor, AuditEntry, Refusal, ReviewState
from ._sequence import AppendOnly
from ._text import shown
from ._time import LONDON, as_instant

if TYPE_CHECKING:
    import cattrs

__all__: list[str] = []

T = TypeVar("T")
V = TypeVar("V")


def plain(value: object) -> Any:
    """A detail value as JSON: dates as ISO text, enums by value, tuples as lists."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str | bool | int | float) or value is None:
        return value
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        items = [plain(v) for v in value]
        return sorted(items) if isinstance(value, frozenset | set) else items
    raise TypeError(f"cannot store a {type(value).__name__} in a review document")


def _strict(kind: type, name: str) -> Any:
    def structure(value: object, wanted: Any) -> Any:
        if wanted is not kind:  # an enum built on str: its own constructor checks the value
            try:
                return wanted(value)
            except ValueError:  # its message repeats the value, which may be anything
                choices = ", ".join(str(m.value) for m in wanted)
                raise ValueError(f"expected one of {choices}, got {shown(value)}") from None
        if type(value) is not kind:  # bool is not an int here, nor "5" a number
            raise TypeError(f"expected {name}, got {type(value).__name__}")
        return value

    return structure


def _instant(value: object, _: object) -> pendulum.DateTime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date-time, got {type(value).__name__}")
    try:
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ValueError("date-time without a time zone offset")
    try:
        london = parsed.astimezone(LONDON)  # the zone's own conversion (zoneinfo, in C)
    except OverflowError:
        london = None
    if london is not None and london.utcoffset() == parsed.utcoffset():
        # written in London's offset (the same instant at the same offset, so the same
        # wall-clock time): the instant as_instant gives, built directly
        return pendulum.DateTime(
            london.year, london.month, london.day, london.hour, london.minute,
            london.second, london.microsecond, tzinfo=LONDON, fold=london.fold,
        )  # fmt: skip
    instant = as_instant(parsed)
    if instant.utcoffset() != parsed.utcoffset():
        raise ValueError(
            "date-time not written in Europe/London time (documents write every instant "
            f"with London's offset, here {instant.isoformat()[-6:]})"
        )
    return instant


def _date(value: object, _: object) -> pendulum.Date:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date, got {type(value).__name__}")
    try:
        parsed = _dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("not an ISO 8601 date (YYYY-MM-DD)") from None
    return pendulum.Date(parsed.year, parsed.month, parsed.day)


def _details(value: object, _: object) -> Mapping[str, object]:
    """Details stay JSON here; the definition's detail specs parse them (see _persist)."""
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise TypeError("expected an object of named details")
    return value


def _roles(value: object, _: object) -> frozenset[str]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list of roles, got {type(value).__name__}")
    return frozenset(v if isinstance(v, str) and v else _bad_role(v) for v in value)


def _bad_role(value: object) -> str:
    raise TypeError(f"expected a role id, got {type(value).__name__}")


def _is_homogeneous_tuple(wanted: Any) -> bool:
    args = typing.get_args(wanted)
    return typing.get_origin(wanted) is tuple and len(args) == 2 and args[1] is Ellipsis


def _strict_tuple(wanted: Any, converter: cattrs.Converter) -> Any:
    """A list, and only a list (text is not a list of letters), element by element."""
    from cattrs.cols import homogenous_tuple_structure_factory

    elements = homogenous_tuple_structure_factory(wanted, converter)

    def structure(value: object, _: object) -> Any:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        return elements(value, wanted)

    return structure


def _is_append_only(wanted: Any) -> bool:
    return typing.get_origin(wanted) is AppendOnly


def _append_only_structure(wanted: Any, converter: cattrs.Converter) -> Any:
    """Read as a strict tuple of the same items (a list, element by element)."""
    (item,) = typing.get_args(wanted)
    items = _strict_tuple(tuple[item, ...], converter)  # type: ignore[valid-type]

    def structure(value: object, _: object) -> Any:
        return AppendOnly(items(value, None))

    return structure


def _append_only_unstructure(wanted: Any, converter: cattrs.Converter) -> Any:
    (item,) = typing.get_args(wanted)
    one = converter.get_unstructure_hook(item)

    def unstructure(value: AppendOnly[Any]) -> list[Any]:
        return [one(v) for v in value]

    return unstructure


def _make_converter() -> cattrs.Converter:
    import cattrs

    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    for kind, name in ((str, "text"), (int, "a whole number"), (bool, "true or false")):
        converter.register_structure_hook(kind, _strict(kind, name))
    converter.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), plain
    )
    converter.register_unstructure_hook(pendulum.DateTime, lambda d: d.isoformat())
    converter.register_structure_hook(pendulum.DateTime, _instant)
    converter.register_unstructure_hook(pendulum.Date, lambda d: d.isoformat())
    converter.register_structure_hook(pendulum.Date, _date)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _strict_tuple)
    converter.register_structure_hook_factory(_is_append_only, _append_only_structure)
    converter.register_unstructure_hook_factory(_is_append_only, _append_only_unstructure)
    roles, details = frozenset[str], Mapping[str, object]
    converter.register_unstructure_hook_func(lambda t: t == roles, plain)
    converter.register_structure_hook_func(lambda t: t == roles, _roles)
    converter.register_unstructure_hook_func(lambda t: t == details, plain)
    converter.register_structure_hook_func(lambda t: t == details, _details)
    converter.register_structure_hook(Actor, _stored_actor(converter))
    return converter


def _stored_actor(converter: cattrs.Converter) -> Any:
    """Actors as a document recorded them, character for character.

    ``Actor`` strips the spaces around its name, role and agency; a document written
    before it did may hold an agency such as ``"Police "``. Read back stripped, its
    entries would no longer match their digests and the document would not load, so
    the stored text is kept.
    """
    from cattrs.gen import make_dict_structure_fn

    checked = make_dict_structure_fn(Actor, converter, _cattrs_forbid_extra_keys=True)
    read: dict[tuple[str, str, str | None, bool], Actor] = {}

    def structure(value: object, _: object) -> Actor:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object (an actor), got {type(value).__name__}")
        key = _actor_key(value)
        if key is not None:
            known = read.get(key)
            if known is not None:
                return known
        actor: Actor = checked(value, Actor)
        for field in ("name", "role", "agency"):
            if value.get(field) != getattr(actor, field):
                object.__setattr__(actor, field, value[field])
        if key is not None:
            if len(read) >= _ACTORS_KEPT:
                read.clear()
            read[key] = actor
        return actor

    return structure


# A review's steps are taken by a few people: the actors read last are kept (at most
# this many, all dropped when full), so that each is checked and built once.
_ACTORS_KEPT = 4096


def _actor_key(value: dict[str, Any]) -> tuple[str, str, str | None, bool] | None:
    """The actor's four fields when ``value`` has exactly those, of exactly their types
    (so that ``1`` is not taken for ``true``, nor a subclass of text for text); else None,
    and it is read in full."""
    if len(value) != 4:
        return None
    try:
        name, role = value["name"], value["role"]
        agency, substitute = value["agency"], value["substitute"]
    except KeyError:
        return None
    if (
        type(name) is str
        and type(role) is str
        and (agency is None or type(agency) is str)
        and type(substitute) is bool
    ):
        return name, role, agency, substitute
    return None


@functools.cache
def converter() -> cattrs.Converter:
    """The library's one converter: every stored value goes through it. It is built, and
    cattrs imported, when first needed (importing cattrs would add about a tenth to this
    library's import, which the command line's help and a program that only reads the
    definition need not pay)."""
    return _make_converter()


def canonical_json(value: object) -> str:
    """Sorted keys, no insignificant space, UTF-8 characters kept: one text per value."""
    return _CANONICAL.encode(value)


# (one encoder for every call: ``json.dumps`` with options builds a new one each time)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: object) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value`` (already plain JSON)."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def entry_digest(entry: AuditEntry) -> str:
    """The digest of one history entry, its own ``prev`` included (so the chain links)."""
    return hashlib.sha256(entry_json(entry).encode("utf-8")).hexdigest()


_quote = json.encoder.encode_basestring  # a JSON string, characters kept (not ASCII-escaped)


@functools.lru_cache(maxsize=4096)
def _actor_json(actor: Actor) -> str:
    return canonical_json(converter().unstructure(actor, Actor))


class _Kept(Generic[T, V]):
    """Values worked out from records that never change, kept by the record's identity
    (each with its record, which keeps its id from being reused): at most ``size``, all
    dropped when full."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: dict[int, tuple[T, V]] = {}

    def get(self, item: T, work: Callable[[T], V]) -> V:
        """``work(item)``, worked out once while it is kept."""
        kept = self._kept.get(id(item))
        if kept is not None and kept[0] is item:
            return kept[1]
        value = work(item)
        if len(self._kept) >= self._size:
            self._kept.clear()
        self._kept[id(item)] = (item, value)
        return value


# The canonical text of the latest items written (history entries, meetings...):
# checking a loaded review's chain and then its seal, or writing a review's next
# document, writes each item once.
_ITEM_TEXTS: _Kept[Any, str] = _Kept(4096)


def entry_json(entry: AuditEntry) -> str:
    """The canonical JSON of one entry, assembled directly (a step computes one per step).

    It is, character for character, ``canonical_json(converter().unstructure(entry))``:
    the tests hold it to that on every entry of every review they build.
    """
    return _ITEM_TEXTS.get(entry, _entry_text)


def _entry_text(entry: AuditEntry) -> str:
    details = canonical_json(plain(entry.details)) if entry.details else "{}"
    return (
        f'{{"actor":{_actor_json(entry.actor)},"at":{_quote(entry.at.isoformat())},'
        f'"dest":{_quote(entry.dest)},"details":{details},"prev":{_quote(entry.prev)},'
        f'"seq":{entry.seq},"source":{_quote(entry.source)},"trigger":{_quote(entry.trigger)}}}'
    )


def opening_digest(reference: str, aware_at: pendulum.DateTime) -> str:
    """The digest the first entry points at: the review's opening record."""
    return digest({"reference": reference, "aware_at": aware_at.isoformat()})


# The digests of the latest entries whose successors were asked for.
_TIPS: _Kept[AuditEntry, str] = _Kept(1024)


def chain_tip(state: ReviewState) -> str:
    """The digest of the last history entry, or of the opening record before the first
    step: what the next step's ``prev`` points at.

    A review's next steps (and the verifier's many tries from one state) ask for the
    same entry's digest again; it is worked out once and kept for a while.
    """
    if not state.history:
        return opening_digest(state.reference, state.aware_at)
    return _TIPS.get(state.history[-1], entry_digest)


def seal(state: ReviewState) -> str:
    """The review's head: the SHA-256 binding the history's chain and every fact the
    review holds (its drafts, approvals, fact checks, clocks...), so that a change to
    either shows against it, with no need to replay the history."""
    return _sealed(chain_tip(state), state_json(state)[1])


def _sealed(tip: str, facts: str) -> str:
    """``digest({"chain": tip, "facts": ...})`` with the facts' canonical text given."""
    text = f'{{"chain":{_quote(tip)},"facts":{facts}}}'
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _append_only_fields() -> dict[str, Any]:
    """Each ``AppendOnly`` field of a review's state, with how one of its items is written
    as canonical JSON (a history entry directly, anything else through the converter)."""
    found: dict[str, Any] = {}
    for name, hint in typing.get_type_hints(ReviewState).items():
        if typing.get_origin(hint) is AppendOnly:
            (item,) = typing.get_args(hint)
            if item is AuditEntry:
                found[name] = entry_json
            else:
                found[name] = functools.partial(_item_json, item)
    return found


@functools.cache
def _unstructure_hook(kind: Any) -> Callable[[Any], Any]:
    return converter().get_unstructure_hook(kind)


def _item_json(kind: Any, item: object) -> str:
    return _ITEM_TEXTS.get(item, lambda value: canonical_json(_unstructure_hook(kind)(value)))


_APPEND_ONLY = _append_only_fields()
_EMPTY: dict[str, AppendOnly[Any]] = {name: AppendOnly() for name in _APPEND_ONLY}

# The canonical text of each full chunk of an append-only field whose text was asked
# for (chunks never change): a review's next document (and its seal) writes only the
# entries of its last chunk anew.
_CHUNK_TEXTS: _Kept[tuple[Any, ...], str] = _Kept(1024)


def _items_json(sequence: AppendOnly[Any], one: Any) -> str:
    chunks, tail = sequence.parts()
    texts = [
        _CHUNK_TEXTS.get(chunk, lambda items: ",".join(one(item) for item in items))
        for chunk in chunks
    ]
    texts.extend(one(item) for item in tail)
    return f"[{','.join(texts)}]"


def _writer(hint: Any) -> Callable[[Any], str]:
    """How one field of a review's state is written as canonical JSON, from its type:
    text, instants and text enums (each possibly None) directly, tuples of records kept by
    identity (a step leaves most of them as they were), anything else through the
    converter. Each writes what ``canonical_json(converter().unstructure(value))`` does,
    and falls back to it for a value not of its type."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    args = set(typing.get_args(hint)) if union else {hint}
    optional = type(None) in args
    (kind,) = args - {type(None)} or {type(None)}
    generic = _value_writer(hint)
    if (
        kind is str
        or kind is pendulum.DateTime
        or (isinstance(kind, type) and issubclass(kind, enum.Enum) and issubclass(kind, str))
    ):
        text: Callable[[Any], str] = (
            (lambda v: v.isoformat()) if kind is pendulum.DateTime
            else (lambda v: v.value) if kind is not str
            else (lambda v: v)
        )  # fmt: skip

        def scalar(value: Any) -> str:
            if value is None and optional:
                return "null"
            if type(value) is kind or (kind is not str and isinstance(value, kind)):
                return _quote(text(value))
            return generic(value)

        return scalar
    if typing.get_origin(hint) is tuple:

        def kept(value: Any) -> str:
            if type(value) is tuple:
                return _ITEM_TEXTS.get(value, generic)
            return generic(value)

        return kept
    return generic


def _value_writer(hint: Any) -> Callable[[Any], str]:
    def write(value: Any) -> str:
        return canonical_json(_unstructure_hook(hint)(value))

    return write


@functools.cache
def _state_writers() -> tuple[tuple[str, str, Callable[[Any], str]], ...]:
    """Each field of a review's state, sorted by name: its name, its key written as JSON,
    and its writer (an append-only field's items one by one, see ``_items_json``)."""
    hints = typing.get_type_hints(ReviewState)
    writers = []
    for name in sorted(hints):
        one = _APPEND_ONLY.get(name)
        write = _writer(hints[name]) if one is None else functools.partial(_items_json, one=one)
        writers.append((name, _quote(name), write))
    return tuple(writers)


def state_json(state: ReviewState) -> tuple[str, str]:
    """The state's canonical JSON, and the same with an empty history (the facts the
    seal covers): ``canonical_json(converter().unstructure(state, ReviewState))``
    character for character, but writing each full chunk of a history or another
    append-only field once, however many documents and seals include it, and each
    tuple of records a step left as it was once (the tests hold it to that on every
    review they build)."""
    pieces = [(key, write(getattr(state, name))) for name, key, write in _state_writers()]
    whole = ",".join(f"{key}:{text}" for key, text in pieces)
    facts = ",".join(f"{key}:{'[]' if key == _HISTORY else text}" for key, text in pieces)
    return f"{{{whole}}}", f"{{{facts}}}"


_HISTORY = _quote("history")


def document_json(definition: str, schema_version: int, state: ReviewState) -> str:
    """A review's document as canonical JSON: its definition's name, the head that seals
    it, its state (:func:`state_json`) and the schema version, with one pass over the
    state for both the state and its seal."""
    whole, facts = state_json(state)
    head = _sealed(chain_tip(state), facts)
    return (
        f'{{"definition":{_quote(definition)},"head":{_quote(head)},"review":{whole},'
        f'"schema_version":{schema_version}}}'
    )


def refusals_opening(reference: str, aware_at: pendulum.DateTime) -> str:
    """The digest a review's first refusal points at: its refusal log's opening record."""
    return digest({"refusals_of": opening_digest(reference, aware_at)})


def refusal_digest(refusal: Refusal) -> str:
    """The digest of one refusal, its own ``prev`` included (so the log's chain links)."""
    return digest(converter().unstructure(refusal, Refusal))
