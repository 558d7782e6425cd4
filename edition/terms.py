"""The edition's terminology base (terms.yaml) and its check: where a source
term occurs in a segment, the translation of that segment must use the
preferred rendering and none of those to avoid, whatever the inflection on
either side ("права человека", "прав человека", "правам человека" are one
term; "human right" and "human rights" one rendering). Pure functions on
the model; terms.yaml is read by the store.

Word forms are reduced to keys by well-kept analysers, loaded on first use:

- Russian: pymorphy3 with the OpenCorpora dictionary (pymorphy3-dicts-ru),
  whose dictionary lemmas join forms a stemmer keeps apart (stem changes,
  fleeting vowels: "отец"/"отца", "обком"/"обкома" alike) and guesses the
  lemma of words it does not know. A form with several readings keeps
  every lemma ("прав": право, правый), so no occurrence is missed; in a
  multi-word term the other words settle it.
- English, German, French and the other languages Snowball covers: the
  Snowball stemmers (snowballstemmer, the reference algorithms, which use
  their compiled build PyStemmer when it is installed: the same stems a
  hundred times faster), which strip inflectional endings. German
  compounds are not split ("Grundfreiheiten" is not "Freiheit").
- Any other language: the exact word form (case folded); the check says so.

A term matches whole words in order, separated by spaces or hyphens."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from .model import Document, Edition, Layer, LayerRole

TERMS_FILE = "terms.yaml"

# ISO 639-1 codes → Snowball's names for its algorithms.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "sr": "serbian", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip

# A word: letters and digits, with stress marks and soft hyphens inside it
# (removed from its key: "пра́ва" is "права").
_WORD = re.compile(r"([\w\u0300\u0301\u00ad]+)")
_IGNORED = dict.fromkeys(map(ord, "\u0300\u0301\u00ad"))
# What may stand between the words of a multi-word term.
_JOINER = re.compile(r"[\s\-\u2010\u2011]*")


@dataclass(frozen=True)
class Term:
    """One entry of the glossary: a source-language term, its preferred
    rendering per target language (the first of each list is the one to
    print; the others are accepted too), the renderings to avoid, a note."""

    term: str
    lang: str
    preferred: dict[str, tuple[str, ...]] = field(default_factory=dict)
    avoid: dict[str, tuple[str, ...]] = field(default_factory=dict)
    note: str | None = None
    line: int | None = None  # where the entry starts in terms.yaml

    def renderings(self, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(preferred, avoid) for a target language: "en-GB" falls back to "en"."""
        for key in (lang, primary(lang)):
            if key in self.preferred or key in self.avoid:
                return self.preferred.get(key, ()), self.avoid.get(key, ())
        return (), ()


@dataclass
class TermBase:
    terms: list[Term] = field(default_factory=list)


def primary(lang: str) -> str:
    """The language of a tag without its subtags: "de-1996" → "de"."""
    return lang.split("-")[0].lower()


# --------------------------------------------------------------------------
# Analysers: a word form → the keys under which its inflections meet.


class Analyser:
    """Keys of word forms for one language; `exact` when no analyser knows
    the language and a form is its own key."""

    def __init__(self, lang: str):
        self.lang = primary(lang)
        self.exact = False
        if self.lang == "ru":
            reduce = _russian()
        elif stemming(self.lang):
            stem = _snowball(SNOWBALL[self.lang])

            def reduce(word: str) -> tuple[str, ...]:
                return (stem(word),)
        else:
            self.exact = True

            def reduce(word: str) -> tuple[str, ...]:
                return (word,)

        self.cache = _Keys(reduce)

    def keys(self, word: str) -> frozenset[str]:
        return self.cache[word]

    def words(self, text: str) -> list[tuple[int, int, frozenset[str]]]:
        """The words of `text`: (start, end, keys)."""
        out = []
        for match in _WORD.finditer(text):
            keys = self.cache[match.group()]
            if keys:
                out.append((match.start(), match.end(), keys))
        return out


class _Keys(dict):
    """Word form → its keys, each form analysed once (a dict, so that a
    text's words are looked up at C speed)."""

    def __init__(self, reduce):
        super().__init__()
        self.reduce = reduce

    def __missing__(self, word: str) -> frozenset[str]:
        plain = unicodedata.normalize("NFC", word.translate(_IGNORED)).casefold()
        found = self[word] = frozenset(self.reduce(plain)) if plain else frozenset()
        return found


def _russian():
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer()
    # ё and е are one letter in most printed Russian: "её"/"ее" alike
    return lambda word: {p.normal_form.replace("ё", "е") for p in morph.parse(word)}


def stemming(lang: str) -> bool:
    """Whether a Snowball stemmer is at hand for a language (an older
    PyStemmer, which snowballstemmer defers to, may lack a newer one)."""
    import snowballstemmer

    return lang in SNOWBALL and SNOWBALL[lang] in snowballstemmer.algorithms()


def _snowball(algorithm: str):
    import snowballstemmer

    return snowballstemmer.stemmer(algorithm).stemWord


class Finder:
    """Every occurrence of a set of phrases in a text of one language, their
    words compared by key."""

    def __init__(self, analyser: Analyser, phrases: list[str]):
        self.analyser = analyser
        self.phrases: list[list[frozenset[str]]] = []
        self.first: dict[str, list[int]] = {}
        for index, phrase in enumerate(phrases):
            words = [keys for _, _, keys in analyser.words(phrase)]
            self.phrases.append(words)
            for key in words[0] if words else ():
                self.first.setdefault(key, []).append(index)

    def find(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """Phrase index → the spans where it occurs (not overlapping itself).
        Only phrases all of whose words are in the text are looked for, and
        the words' places are read only once one of them is there."""
        # [gap, word, gap, word, …, gap]: the gaps tell whether a phrase's
        # words stand together; offsets are summed only for a text with a match
        parts = _WORD.split(text)
        tokens, gaps = parts[1::2], parts[::2]
        if not tokens:
            return {}
        cache = self.analyser.cache
        present = set().union(*map(cache.__getitem__, set(tokens)))
        candidates = {p for k in present.intersection(self.first) for p in self.first[k]}
        first: dict[str, list[int]] = {}
        for p in sorted(candidates):
            if all(word & present for word in self.phrases[p]):
                for k in self.phrases[p][0]:
                    first.setdefault(k, []).append(p)
        if not first:
            return {}
        starting = frozenset(first)
        ends: list[int] | None = None
        found: dict[int, list[tuple[int, int]]] = {}
        for i, keys in enumerate(map(cache.__getitem__, tokens)):
            if keys.isdisjoint(starting):
                continue
            for k in keys:
                for p in first.get(k, ()):
                    phrase = self.phrases[p]
                    end = i + len(phrase)
                    if end > len(tokens) or not all(
                        cache[tokens[i + j]] & phrase[j] and _JOINER.fullmatch(gaps[i + j]) for j in range(1, len(phrase))
                    ):
                        continue
                    if ends is None:
                        ends = list(accumulate(map(len, parts)))
                    spans = found.setdefault(p, [])
                    start = ends[2 * i]
                    if not spans or spans[-1][1] <= start:
                        spans.append((start, ends[2 * end - 1]))
        return found


# --------------------------------------------------------------------------
# The check.


@dataclass(frozen=True)
class Breach:
    """A segment whose translation misses a term's preferred rendering or
    uses one to avoid."""

    document: str
    layer: str  # the translation
    source: str  # the layer it translates
    segment: str
    term: str
    form: str  # the term as it stands in the source
    preferred: str | None  # the preferred rendering (None: only renderings to avoid are given)
    rendered: str | None  # the rendering to avoid as it stands in the translation, if one is there
    entry: int | None = None  # the line of the term's entry in terms.yaml

    def message(self, name_layer: bool = False) -> str:
        """`segment p7: 'обком' rendered 'obkom' (preferred 'regional
        committee')`; with `name_layer`, the layer follows the segment (for
        a document file that holds several layers)."""
        where = f"segment {self.segment}" + (f" of layer '{self.layer}'" if name_layer else "")
        if self.rendered is not None:
            said = f"'{self.term}' rendered '{self.rendered}'"
            return f"{where}: {said}" + (f" (preferred '{self.preferred}')" if self.preferred else "")
        return f"{where}: '{self.term}' not rendered '{self.preferred}' (the preferred rendering)"


@dataclass(frozen=True)
class Occurrence:
    """A term met in a source segment."""

    document: str
    source: str  # the layer
    segment: str
    term: int  # index in the term base
    start: int
    form: str  # as it stands


@dataclass(frozen=True)
class Rendering:
    """What one translation made of a term met in its source segment."""

    document: str
    layer: str
    lang: str
    segment: str
    term: int
    preferred: str | None  # the preferred rendering found, as it stands
    avoided: str | None  # a rendering to avoid found, as it stands


@dataclass
class TermCheck:
    occurrences: list[Occurrence] = field(default_factory=list)
    renderings: list[Rendering] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)


def source_layer(doc: Document, layer: Layer, seen: frozenset[str] = frozenset()) -> Layer | None:
    """The layer a translation was made from: its `translated_from` (a layer
    id, or a language: the original in it, else that language's layer),
    else the source of the first layer it revises, else the original."""
    if layer.role is not LayerRole.TRANSLATION or layer.id in seen:
        return None
    named = layer.translated_from
    if named:
        found = doc.layer(named) or next(
            (l for l in doc.layers if l.role is LayerRole.ORIGINAL and primary(l.lang) == primary(named)), None
        ) or doc.named_layer(named)  # fmt: skip
        if found is not None and found is not layer:
            return found
    first = doc.revision_chain(layer)[-1]
    if first is not layer:
        return source_layer(doc, first, seen | {layer.id})
    return next((l for l in doc.layers if l.role is LayerRole.ORIGINAL), None)


def pairs(doc: Document) -> list[tuple[Layer, Layer]]:
    """(source, translation) for every translation of `doc` whose source is known."""
    out = []
    for layer in doc.layers:
        source = source_layer(doc, layer)
        if source is not None:
            out.append((source, layer))
    return out


class _Analysis:
    """Analysers and finders, made once per language for one check."""

    def __init__(self, base: TermBase):
        self.base = base
        self.analysers: dict[str, Analyser] = {}
        self.sources: dict[str, Finder] = {}
        self.targets: dict[str, tuple[Finder, list[str]]] = {}

    def analyser(self, lang: str) -> Analyser:
        lang = primary(lang)
        if lang not in self.analysers:
            self.analysers[lang] = Analyser(lang)
        return self.analysers[lang]

    def source(self, lang: str) -> tuple[Finder, list[int]]:
        """The finder of the terms in `lang`, and their indexes in the base."""
        lang = primary(lang)
        indexes = [i for i, t in enumerate(self.base.terms) if primary(t.lang) == lang]
        if lang not in self.sources:
            self.sources[lang] = Finder(self.analyser(lang), [self.base.terms[i].term for i in indexes])
        return self.sources[lang], indexes

    def target(self, lang: str) -> tuple[Finder, list[str]]:
        """The finder of every rendering into `lang`, and the renderings."""
        if lang not in self.targets:
            phrases = sorted({r for t in self.base.terms for r in (*t.renderings(lang)[0], *t.renderings(lang)[1])})
            self.targets[lang] = (Finder(self.analyser(lang), phrases), phrases)
        return self.targets[lang]


def check(edition: Edition, base: TermBase) -> TermCheck:
    """Every occurrence of every term in the source layers, what each
    translation made of it, and the breaches among them."""
    result = TermCheck()
    if not base.terms:
        return result
    analysis = _Analysis(base)
    for doc in edition.documents:
        translations: dict[str, list[Layer]] = {}
        sources: dict[str, Layer] = {}
        for source, layer in pairs(doc):
            translations.setdefault(source.id, []).append(layer)
            sources[source.id] = source
        for source in sources.values():
            finder, indexes = analysis.source(source.lang)
            if indexes:
                _check_source(doc, source, translations[source.id], finder, indexes, analysis, result)
    return result


def _check_source(
    doc: Document, source: Layer, layers: list[Layer], finder: Finder, indexes: list[int], analysis: _Analysis, result: TermCheck
) -> None:
    terms = analysis.base.terms
    for segment in doc.segments:
        original = segment.text.get(source.id)
        if not original:
            continue
        met = finder.find(original)
        if not met:
            continue
        for k, spans in met.items():
            result.occurrences.extend(Occurrence(doc.id, source.id, segment.id, indexes[k], a, original[a:b]) for a, b in spans)
        for layer in layers:
            translation = segment.text.get(layer.id)
            if not translation:
                continue
            targets, phrases = analysis.target(layer.lang)
            rendered = None
            for k, spans in met.items():
                term = terms[indexes[k]]
                preferred, avoid = term.renderings(layer.lang)
                if not preferred and not avoid:
                    continue
                if rendered is None:
                    rendered = {phrases[p]: s for p, s in targets.find(translation).items()}
                good = sorted(s for r in preferred for s in rendered.get(r, ()))
                bad = sorted(s for r in avoid for s in rendered.get(r, ()) if not any(g[0] <= s[0] and s[1] <= g[1] for g in good))
                good_text = translation[good[0][0] : good[0][1]] if good else None
                bad_text = translation[bad[0][0] : bad[0][1]] if bad else None
                result.renderings.append(Rendering(doc.id, layer.id, layer.lang, segment.id, indexes[k], good_text, bad_text))
                if bad or (preferred and not good):
                    form = original[spans[0][0] : spans[0][1]]
                    result.breaches.append(
                        Breach(
                            doc.id,
                            layer.id,
                            source.id,
                            segment.id,
                            term.term,
                            form,
                            preferred[0] if preferred else None,
                            bad_text,
                            term.line,
                        )
                    )


def unanalysed_languages(base: TermBase) -> list[str]:
    """The languages of the base's terms and renderings that no analyser
    knows: their words are matched by their exact forms."""
    langs = {primary(t.lang) for t in base.terms} | {primary(l) for t in base.terms for l in (*t.preferred, *t.avoid)}
    return sorted(lang for lang in langs if lang != "ru" and not stemming(lang))


def term_rows(base: TermBase, result: TermCheck) -> list[dict]:
    """Per term: its occurrences in the source texts (and in how many
    documents), and per target language the renderings met: the preferred
    as it stands, those to avoid, and "(neither)" where the translation has
    no rendering of the base."""
    rows = []
    for index, term in enumerate(base.terms):
        met = [o for o in result.occurrences if o.term == index]
        renderings: dict[str, dict[str, int]] = {}
        for r in (r for r in result.renderings if r.term == index):
            counts = renderings.setdefault(r.lang, {})
            for key in (r.preferred, f"avoid: {r.avoided}" if r.avoided else None):
                if key:
                    counts[key] = counts.get(key, 0) + 1
            if not r.preferred and not r.avoided:
                counts["(neither)"] = counts.get("(neither)", 0) + 1
        rows.append({
            "term": term.term, "lang": term.lang,
            "preferred": {k: list(v) for k, v in term.preferred.items()},
            "avoid": {k: list(v) for k, v in term.avoid.items()},
            "occurrences": len(met),
            "forms": dict(sorted(Counter(o.form for o in met).items(), key=lambda kv: -kv[1])),
            "documents": len({o.document for o in met}),
            "renderings": renderings,
            "note": term.note,
        })  # fmt: skip
    return rows
