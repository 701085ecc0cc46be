"""Written answers: collected from each submission into one review sheet per exercise.

The exercise generator marks every markdown cell that held a written solution
with ``metadata.course.written = "w1"``, ``"w2"``, … (in notebook order). The
grader reads those cells from each submission (their text only: nothing in
them runs) and writes, for each exercise,

* ``written/<exercise>.html``: every question's prompt, then each student's
  answer, to read in a browser;
* ``written/<exercise>.csv``: one row per answer, with the empty columns
  ``mark`` and ``comment`` for the instructor to fill in (any spreadsheet).

On the next run the marks and comments are read back, merged into the
gradebook (a column per written question, added to ``total``) and the
students' reports, and kept in the rewritten sheet. A mark belongs to the
answer it was given for: if a student resubmits a different answer, the mark
is dropped and the sheet says "answer changed since it was marked".
"""

import csv
import hashlib
import html
import io
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = "*Write your answer here.*"  # course_lib.grading.generate.MARKDOWN_PLACEHOLDER
ANSWER_LIMIT = 20_000  # characters of one answer kept (a paragraph is a few hundred)
MAX_ANSWERS = 50  # written-answer cells read from one notebook (an exercise has 1 or 2)
SHEET_COLUMNS = ["exercise", "question", "submission", "student_id", "name", "answer",
                 "answer_sha", "mark", "comment"]


class WrittenError(ValueError):
    """A review sheet whose marks cannot be read (the message says where and why)."""


def written_answers(cells):
    """[{"id", "text"}] of the cells marked as written answers in a notebook's (untrusted)
    list of cells."""
    found = []
    for cell in cells if isinstance(cells, list) else []:
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        course = metadata.get("course") if isinstance(metadata, dict) else None
        wid = course.get("written") if isinstance(course, dict) else None
        if not (isinstance(wid, str) and wid.isidentifier() and len(wid) <= 20):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str) and wid not in {w["id"] for w in found}:
            found.append({"id": wid, "text": source[:ANSWER_LIMIT]})
            if len(found) == MAX_ANSWERS:
                break
    return found


def prompts(exercise, exercises_dir=ROOT / "exercises"):
    """{written id: (prompt, cell template)} from the course's own exercise notebook (trusted):
    the prompt is the cell's text before the placeholder, else the markdown cell above it."""
    path = Path(exercises_dir) / f"{exercise}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    found, previous = {}, ""
    for cell in cells:
        source = "".join(cell.get("source", ""))
        wid = cell.get("metadata", {}).get("course", {}).get("written")
        if wid:
            before = source.split(PLACEHOLDER)[0].strip()
            found[wid] = (before or previous.strip(), source)
        if cell.get("cell_type") == "markdown":
            previous = source
    return found


def answer_of(text, template):
    """The learner's words: the cell's text without the prompt the exercise put around the
    placeholder; "" when the placeholder is still there untouched."""
    if template and PLACEHOLDER in template:
        before, after = template.split(PLACEHOLDER, 1)
        if text.strip() == template.strip():
            return ""
        if before.strip() and text.startswith(before):
            text = text[len(before):]
        if after.strip() and text.endswith(after):
            text = text[: len(text) - len(after)]
    return text.strip()


def collect(records):
    """Attach to each record's written answers their prompt-free text and the answer's hash."""
    templates = {}
    for record in records:
        exercise = record.get("exercise") or ""
        if exercise not in templates:
            templates[exercise] = prompts(exercise)
        for answer in record.get("written", []):
            prompt, template = templates[exercise].get(answer["id"], ("", ""))
            answer["answer"] = answer_of(answer.get("text", ""), template)
            answer["prompt"] = prompt
            answer["label"] = label(prompt) or answer["id"]
            answer["sha"] = hashlib.sha256(answer["answer"].encode()).hexdigest()[:16]


def label(prompt):
    """The prompt's first sentence without markdown marks, short: "Question 3b (not graded).",
    "Question 3 (2 points) — a numerical gradient you…"."""
    first = next((line for line in prompt.splitlines() if line.strip()), "")
    first = first.lstrip("# ").replace("**", "").strip()
    first = first.split(". ")[0] + ("." if ". " in first else "")
    return first if len(first) <= 60 else first[:60].rsplit(" ", 1)[0] + "…"


def sheet_paths(out, exercise):
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in exercise)[:100] or "_"
    folder = Path(out) / "written"
    return folder / f"{safe}.csv", folder / f"{safe}.html"


def read_marks(path):
    """{(submission, question): (mark or None, comment, answer_sha)} from a filled-in sheet."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise WrittenError(f"{path}: cannot be read as UTF-8 CSV ({error})") from None
    marks = {}
    reader = csv.DictReader(io.StringIO(text))
    missing = {"submission", "question", "mark"} - set(reader.fieldnames or [])
    if missing:
        raise WrittenError(f"{path}: the columns {', '.join(sorted(missing))} are missing "
                           f"(the sheet needs {', '.join(SHEET_COLUMNS)})")
    for number, row in enumerate(reader, start=2):
        raw = (row.get("mark") or "").strip().lstrip("'")
        mark = None
        if raw:
            try:
                mark = float(raw.replace(",", ".")) if raw.count(",") == 1 and "." not in raw \
                    else float(raw)
            except ValueError:
                raise WrittenError(f"{path}, line {number}: the mark {raw!r} is not a number "
                                   "(write points such as 1 or 0.5, or leave it empty)") from None
            if not 0 <= mark <= 1000:
                raise WrittenError(f"{path}, line {number}: the mark {raw} is outside 0 to 1000")
        marks[(row.get("submission") or "", row.get("question") or "")] = (
            mark, (row.get("comment") or "").strip(), (row.get("answer_sha") or "").strip())
    return marks


def merge_marks(records, marks):
    """Put each mark and comment on the written answer it was given for."""
    for record in records:
        for answer in record.get("written", []):
            entry = marks.get((record.get("name", ""), answer["id"]))
            if entry is None:
                continue
            mark, comment, sha = entry
            if sha and sha != answer.get("sha"):
                answer["note"] = "answer changed since it was marked: mark it again"
                continue
            answer["mark"], answer["comment"] = mark, comment


def _cell(value):
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def sheet_csv(exercise, records, students):
    rows = [SHEET_COLUMNS]
    for record in records:
        student = students.get(record.get("name"))
        for answer in record.get("written", []):
            mark = answer.get("mark")
            rows.append([exercise, answer["id"], record["name"],
                         student.student_id if student else "", student.name if student else "",
                         answer.get("answer", ""), answer.get("sha", ""),
                         "" if mark is None else f"{mark:g}",
                         answer.get("comment", "") or answer.get("note", "")])
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([[_cell(v) for v in row] for row in rows])
    return text.getvalue()


def sheet_html(exercise, records, students):
    """The answers grouped by question, to read (marks go in the CSV)."""
    ids = list(dict.fromkeys(a["id"] for r in records for a in r.get("written", [])))
    parts = [f"<h1>Written answers · {html.escape(exercise)}</h1>",
             f"<p>{len(records)} submissions. Enter marks and comments in "
             f"<code>{html.escape(sheet_paths('.', exercise)[0].name)}</code> (same folder), "
             "then run the grader again: they go into the gradebook and the reports.</p>"]
    for wid in ids:
        prompt = next((a.get("prompt", "") for r in records for a in r.get("written", [])
                       if a["id"] == wid and a.get("prompt")), "")
        parts.append(f"<h2>{html.escape(wid)} · {html.escape(label(prompt))}</h2>"
                     f"<blockquote>{html.escape(prompt)}</blockquote>")
        for record in records:
            answer = next((a for a in record.get("written", []) if a["id"] == wid), None)
            if answer is None:
                continue
            student = students.get(record.get("name"))
            who = f"{student.name} ({student.student_id})" if student else record["name"]
            mark = answer.get("mark")
            marked = "" if mark is None else f" · mark {mark:g}"
            body = (_paragraphs(answer["answer"]) if answer.get("answer")
                    else "<p class='none'>(no answer)</p>")
            parts.append(f"<section><h3>{html.escape(who)}{marked}</h3>{body}"
                         + (f"<p class='comment'>{html.escape(answer['comment'])}</p>"
                            if answer.get("comment") else "") + "</section>")
    return page(f"Written answers · {exercise}", "\n".join(parts))


def _paragraphs(text):
    return "".join(f"<p>{html.escape(block)}</p>" for block in text.split("\n\n") if block.strip())


STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1rem;margin:.2rem 0}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.6rem;overflow-x:auto;font-size:.85rem;
white-space:pre-wrap}
section{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
blockquote{border-left:4px solid #bbb;margin:0;padding:.2rem 1rem;color:#333;white-space:pre-wrap}
.passed{color:#0a6b2b}.lost{color:#a11c1c}.none{color:#777;font-style:italic}
.comment{background:#fff8dc;padding:.3rem .6rem}.note{background:#eef4ff;padding:.3rem .6rem}
.mistake{background:#fdecea;padding:.3rem .6rem}
"""


def page(title, body):
    """A complete HTML page: inline style, no script (a CSP forbids any), readable offline."""
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>{body}</body></html>\n")


def write_sheets(out, records, students, write):
    """The review sheet (CSV and HTML) of every exercise with written answers → paths."""
    paths = []
    by_exercise = {}
    for record in records:
        if record.get("written"):
            by_exercise.setdefault(record.get("exercise") or "", []).append(record)
    for exercise, group in by_exercise.items():
        group.sort(key=lambda r: r.get("name", ""))
        csv_path, html_path = sheet_paths(out, exercise)
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        write(csv_path, sheet_csv(exercise, group, students))
        write(html_path, sheet_html(exercise, group, students))
        paths += [csv_path, html_path]
    return paths
