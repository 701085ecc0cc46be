"""What a wrong result looks like: hints for an answer no known mistake describes.

``grade`` names a known mistake when its variant reproduces the learner's
results on every case. When none does, :func:`diagnose` looks at the failing
cases (the learner's value and the expected one) and describes a symptom
that holds on *every* failing case, most specific first:

========== ==========================================================================
kind       what it means
========== ==========================================================================
non-finite NaN or ∞ where the expected values are finite
order      the right values in another order
sign       the values that differ are the expected ones with the opposite sign
step       measured from an input ``x`` of the same shape, the result moved c·(expected − x)
factor     the values that differ are c × the expected ones (c a number, or an argument)
inverse    the values that differ are the reciprocals of the expected ones
changed    every result is what the reference gives with one number argument changed
           (doubled, halved, one larger or smaller, x for 1 − x)
off-by-one integers one too large (or too small)
length     one value or row too many (or too few), or the expected values and then more
argument   right exactly when one argument has one value (say t = 1), wrong otherwise
element    some of the returned values are right, the others differ
========== ==========================================================================

A hint describes what the numbers show, never a cause they cannot prove.
"""

from dataclasses import dataclass

import numpy as np

ORDINALS = ("first", "second", "third", "fourth", "fifth")


@dataclass(frozen=True)
class Symptom:
    """One thing wrong with an answer: its ``kind`` and the ``text`` the learner reads.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch
    grader; no lesson calls it directly.
    """

    kind: str
    text: str


def diagnose(failed, passed, names, rtol, atol, reference=None):
    """A Symptom holding on every failing case, or None.

    ``failed``: (case, got, expected) per failing case; ``passed``: the passing
    cases; ``names``: the parameter names of the question's function;
    ``reference``: the question's reference, to try it with one argument changed.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    context = _Context(failed, passed, names, rtol, atol)
    context.reference = reference
    for test in (_non_finite, _order, _sign, _step, _factor, _inverse, _changed_argument,
                 _off_by_one, _length, _argument, _element, _varying_step, _varying_factor):
        try:
            symptom = test(context)
        except (ValueError, TypeError, ArithmeticError, IndexError):
            symptom = None
        if symptom:
            return symptom
    return None


class _Context:
    def __init__(self, failed, passed, names, rtol, atol):
        self.failed, self.passed, self.names = failed, passed, names
        self.rtol, self.atol = rtol, atol

    def close(self, got, expected):
        got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
        return got.shape == expected.shape and bool(
            np.allclose(got, expected, rtol=self.rtol, atol=self.atol, equal_nan=True))

    def arguments(self, case):
        """(name, value) of each argument of a case."""
        if isinstance(case, dict):
            return list(case.items())
        return [(self.names[i] if i < len(self.names) else f"argument {i + 1}", value)
                for i, value in enumerate(case)]


def _numbers(value):
    """``value`` as a float array if it is numeric data (not bool, str, None), else None."""
    if value is None or isinstance(value, (bool, np.bool_, str, dict)):
        return None
    try:
        array = np.asarray(value)
    except ValueError:
        return None
    return array.astype(float) if array.dtype.kind in "iuf" else None


def _pairs(got, expected):
    """[(got, expected)] numeric leaves of the same structure, or None if it differs."""
    if isinstance(expected, (tuple, list)):
        if isinstance(got, np.ndarray) and got.ndim >= 1:
            got = list(got)
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return None
        pairs = []
        for have, want in zip(got, expected):
            inner = _pairs(have, want)
            if inner is None:
                return None
            pairs += inner
        return pairs
    want, have = _numbers(expected), _numbers(got)
    if want is None or have is None or want.shape != have.shape:
        return None
    return [(have, want)]


def _differing(context):
    """Per failing case, its (got, expected) leaves that differ; None if a structure differs."""
    cases = []
    for _, got, expected in context.failed:
        pairs = _pairs(got, expected)
        if pairs is None:
            return None
        cases.append([(g, e) for g, e in pairs if not context.close(g, e)])
    return cases


def _non_finite(context):
    for _, got, expected in context.failed:
        pairs = _pairs(got, expected) or []
        if not any(np.any(~np.isfinite(g) & np.isfinite(e)) for g, e in pairs):
            return None
    return Symptom("non-finite", "your result holds NaN or ∞ where the expected values are "
                                 "finite: look for a division by zero or the square root of a "
                                 "negative number")


def _order(context):
    for _, got, expected in context.failed:
        if not (isinstance(expected, tuple) and 2 <= len(expected) <= 5
                and isinstance(got, (tuple, list)) and len(got) == len(expected)):
            return None
        used = set()
        for have in got:
            match = next((i for i, want in enumerate(expected) if i not in used
                          and _pairs(have, want) is not None
                          and all(context.close(g, e) for g, e in _pairs(have, want))), None)
            if match is None:
                return None
            used.add(match)
    return Symptom("order", "each value you return is right, but they are in another order: "
                            "return them in the order the question asks")


def _sign(context):
    cases = _differing(context)
    if not cases or not all(cases):
        return None
    for pairs in cases:
        for got, expected in pairs:
            if not context.close(got, -expected) or np.allclose(expected, 0):
                return None
    return Symptom("sign", "the values that differ are the expected ones with the opposite "
                           "sign: a sign is flipped somewhere (a + where a − belongs, or the "
                           "reverse)")


def _ratio(got, expected):
    """The c with got ≈ c·expected (least squares), None if expected is all 0."""
    expected, got = expected.ravel(), got.ravel()
    scale = float(expected @ expected)
    return None if scale == 0 or not np.isfinite(scale) else float(expected @ got) / scale


def _constant_multiple(context, pairs_per_case):
    """The factor c per case if every differing leaf is c × its reference, else None."""
    factors = []
    for pairs in pairs_per_case:
        if not pairs:
            return None
        for got, expected in pairs:
            c = _ratio(got, expected)
            if c is None or not context.close(got, c * expected):
                return None
            factors.append((c, got.size))
    if sum(size for _, size in factors) < 2 or len(factors) < 1:
        return None
    if all(size == 1 for _, size in factors) and len(factors) < 2:
        return None  # one number is a multiple of any other
    return [c for c, _ in factors]


def _argument_factor(context, factors):
    """The scalar argument a with factor = a (or 1/a) in every failing case, as text."""
    per_case = len(factors) // len(context.failed)
    if per_case * len(context.failed) != len(factors):
        return None
    for position, (name, _) in enumerate(context.arguments(context.failed[0][0])):
        values = []
        for case, _, _ in context.failed:
            value = context.arguments(case)[position][1]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value == 0:
                break
            values += [float(value)] * per_case
        else:
            for power, text in ((1, f"`{name}`"), (-1, f"1/`{name}`"), (2, f"`{name}`²")):
                if np.allclose(factors, np.power(values, power), rtol=1e-6):
                    return text
    return None


def _describe_factors(context, factors, what, cause, varying=False):
    """The sentence for a factor that is constant or one argument; with ``varying``, any."""
    if np.allclose(factors, factors[0], rtol=1e-6):
        return f"{what} is {factors[0]:.4g} × the expected one in every failing case: {cause}"
    named = _argument_factor(context, factors)
    if named:
        return f"{what} is {named} × the expected one in every failing case: {cause}"
    if not varying:
        return None
    shown = ", ".join(dict.fromkeys(f"×{c:.3g}" for c in factors))
    return (f"{what} is a multiple of the expected one that changes from case to case "
            f"({shown}): a factor that depends on the inputs is missing or extra")


def _step(context, varying=False):
    """Measured from an input of the result's shape, the result moved c × the expected way."""
    found = None
    for name_index in range(len(context.names)):
        per_case, ok = [], True
        for case, got, expected in context.failed:
            arguments = dict(context.arguments(case))
            origin = _numbers(arguments.get(context.names[name_index]))
            pairs = _pairs(got, expected)
            if origin is None or pairs is None:
                ok = False
                break
            moved = [(g - origin, e - origin) for g, e in pairs
                     if g.shape == origin.shape and not context.close(g, e)
                     and not np.allclose(e, origin)]
            if not moved or any(g.size < 2 for g, _ in moved):
                ok = False
                break
            per_case.append(moved)
        if not ok:
            continue
        factors = _constant_multiple(context, per_case)
        if factors is not None:
            found = context.names[name_index], factors
            break
    if found is None:
        return None
    name, factors = found
    if np.allclose(factors, 1, rtol=1e-4):  # the step is nearly right: no factor to point at
        return None
    if np.allclose(factors, 0, atol=1e-9):
        return Symptom("step", f"your result is the input `{name}` unchanged: it was not updated")
    if np.allclose(factors, -1, rtol=1e-6):
        return Symptom("step", f"measured from the input `{name}`, your result moves the expected "
                               "distance in the opposite direction: the update's sign is flipped")
    text = _describe_factors(context, factors, f"measured from the input `{name}`, your step",
                             "a factor in the update is wrong, missing or extra", varying)
    return text and Symptom("step", text)


def _varying_step(context):
    return _step(context, varying=True)


def _factor(context, varying=False):
    cases = _differing(context)
    if not cases:
        return None
    factors = _constant_multiple(context, cases)
    if factors is None or np.allclose(factors, 1):
        return None
    text = _describe_factors(context, factors, "each value that differs",
                             "a factor is missing or extra", varying)
    return text and Symptom("factor", text)


def _varying_factor(context):
    return _factor(context, varying=True)


def _inverse(context):
    cases = _differing(context)
    if not cases or not all(cases):
        return None
    for pairs in cases:
        for got, expected in pairs:
            with np.errstate(divide="ignore", invalid="ignore"):
                if not context.close(got * expected, np.ones_like(expected)):
                    return None
    return Symptom("inverse", "the values that differ are the reciprocals (1/x) of the expected "
                              "ones: a ratio is upside down")


CHANGES = (("doubled", lambda x: 2 * x), ("halved", lambda x: x / 2),
           ("one larger", lambda x: x + 1), ("one smaller", lambda x: x - 1),
           ("replaced by 1 − itself", lambda x: 1 - x))


def _changed_argument(context):
    """The reference with one number argument changed reproduces every result the learner got."""
    if context.reference is None:
        return None
    cases = [(case, got) for case, got, _ in context.failed] + [
        (case, None) for case in context.passed]  # a passing case: got is the expected value
    if not all(isinstance(case, tuple) for case, _ in cases):
        return None
    first = cases[0][0]
    for position, value in enumerate(first):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
            continue
        for words, change in CHANGES:
            integral = isinstance(value, (int, np.integer))
            if integral != words.startswith("one"):
                continue
            if all(_reproduces(context, case, got, position, change) for case, got in cases):
                name = context.arguments(first)[position][0]
                return Symptom("changed", f"your results are exactly what the right answer gives "
                                          f"with `{name}` {words}: look at how your code uses "
                                          f"`{name}`")
    return None


def _reproduces(context, case, got, position, change):
    from course_lib.grading.grade import expected_value  # the same safe call as the reference's

    try:
        changed = list(case)
        if isinstance(changed[position], (bool, np.bool_)) or not isinstance(
                changed[position], (int, float, np.number)):
            return False
        changed[position] = change(changed[position])
        twin = expected_value(context.reference, tuple(changed))
        if got is None:
            got = expected_value(context.reference, case)
    except Exception:
        return False
    from course_lib.grading.compare import difference

    return difference(twin, got, context.rtol, context.atol) is None


def _off_by_one(context):
    cases = _differing(context)
    if not cases or not all(cases):
        return None
    signs = set()
    for pairs in cases:
        for got, expected in pairs:
            step = got - expected
            if not (np.allclose(expected, np.round(expected)) and np.allclose(got, np.round(got))):
                return None
            differing = step[step != 0]
            if differing.size == 0 or not np.all(np.abs(differing) == 1):
                return None
            signs.update(np.sign(differing).tolist())
    if len(signs) != 1:
        return None
    which = "too large" if signs == {1.0} else "too small"
    return Symptom("off-by-one", f"the integers that differ are 1 {which}: check where your "
                                 "counter starts (0 or 1) and whether a loop or comparison "
                                 "stops at < or ≤")


def _length(context):
    """One value too many or too few; or the expected values followed by more (or cut short)."""
    extra, prefix = set(), True
    for _, got, expected in context.failed:
        try:
            have, want = len(got), len(expected)
        except TypeError:
            return None
        if have == want:
            return None
        extra.add(have - want)
        shorter, longer = (got, expected) if have < want else (expected, got)
        prefix = prefix and all(
            _pairs(a, b) is not None and all(context.close(g, e) for g, e in _pairs(a, b))
            for a, b in zip(shorter, longer))
    if prefix and all(k > 0 for k in extra):
        return Symptom("length", "your result starts with the expected values and then has more: "
                                 "your loop runs too long (check its range, and where it stops)")
    if extra == {-1} and all(_same_values(got, expected[1:], context)
                             for _, got, expected in context.failed):
        return Symptom("length", "your result is the expected one without its first value: "
                                 "include the starting value (the one before any step)")
    if extra == {1} and all(_same_values(got[1:], expected, context)
                            for _, got, expected in context.failed):
        return Symptom("length", "your result is the expected one with one extra value in "
                                 "front: start with the first value the question asks for")
    if prefix and all(k < 0 for k in extra):
        return Symptom("length", "your result is the start of the expected one, cut short: your "
                                 "loop stops too early (check its range, and where it stops)")
    if extra in ({1}, {-1}):
        which = "one value too many" if extra == {1} else "one value too few"
        return Symptom("length", f"your result has {which} (or one row): check your loop's "
                                 "range, where it starts and whether it stops at < or ≤")
    return None


def _same_values(got, expected, context):
    pairs = _pairs(list(got), list(expected))
    return pairs is not None and all(context.close(g, e) for g, e in pairs)


def _argument(context):
    if not context.passed:
        return None
    for position, (name, _) in enumerate(context.arguments(context.failed[0][0])):
        def value(case):
            item = context.arguments(case)[position][1] if position < len(
                context.arguments(case)) else None
            return item if isinstance(item, (int, float, str, bool)) else None
        good = {value(case) for case in context.passed}
        bad = {value(case) for case, _, _ in context.failed}
        if None in good or None in bad or good & bad:
            continue
        if len(good) == 1:
            (only,) = good
            return Symptom("argument", f"your answer is right when `{name}` = {only!r} and "
                                       f"wrong for every other `{name}` in the tests: look at "
                                       f"what depends on `{name}`")
        if len(bad) == 1:
            (only,) = bad
            return Symptom("argument", f"your answer is wrong only when `{name}` = {only!r}: "
                                       f"look at what your code does for that `{name}`")
    return None


def _element(context):
    wrong = None
    for _, got, expected in context.failed:
        if not isinstance(expected, tuple) or not isinstance(got, (tuple, list)) or len(
                got) != len(expected):
            return None
        differs = set()
        for index, (have, want) in enumerate(zip(got, expected)):
            pairs = _pairs(have, want)
            if pairs is None or not all(context.close(g, e) for g, e in pairs):
                differs.add(index)
        if wrong is None:
            wrong = differs
        elif wrong != differs:
            return None
    if not wrong or len(wrong) == len(context.failed[0][2]):
        return None
    right = [ORDINALS[i] for i in range(len(context.failed[0][2])) if i not in wrong][:3]
    bad = [ORDINALS[i] for i in sorted(wrong)][:3]
    return Symptom("element", f"the {' and '.join(right)} value you return "
                              f"{'is' if len(right) == 1 else 'are'} right and the "
                              f"{' and '.join(bad)} differ{'s' if len(bad) == 1 else ''} in "
                              "every failing case: the mistake is in how you compute "
                              f"{'it' if len(bad) == 1 else 'them'}")
